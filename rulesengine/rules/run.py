"""Run the analysis rules over a compiled ruleset: selection, suppressions, ordering.

This is the library entry point behind ``rulesengine check``; the CLI only formats what
:func:`run_check` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import diagnostics as d
from ..analysis.context import Analysis, Options, Step
from ..analysis.partition import TooManyClasses
from ..diagnostics import Diagnostic, Location, Severity
from ..model.ruleset import Ruleset
from ..source.loader import Document
from ..text import did_you_mean
from .registry import Rule, all_rules, find_rule

SUPPRESSION_UNUSED = d.DiagnosticKind("RE050", "unused-suppression", Severity.WARNING)
SUPPRESSION_INVALID = d.DiagnosticKind("RE051", "invalid-suppression")


@dataclass(frozen=True)
class Suppression:
    rule: Rule
    workflow: str | None
    state: str | None
    role: str | None
    reason: str
    location: Location | None

    def matches(self, f: Diagnostic) -> bool:
        if f.code != self.rule.code:
            return False
        for want, got in ((self.workflow, f.workflow), (self.state, f.state), (self.role, f.role)):
            if want is not None and want != got:
                return False
        return True


@dataclass
class CheckResult:
    findings: list[Diagnostic]
    rules: list[Rule]
    suppressed: list[tuple[Diagnostic, Suppression]] = field(default_factory=list)
    analysis: Analysis | None = None
    invalid: list[Diagnostic] = field(default_factory=list)  # errors in suppressions.yaml: nothing ran

    @property
    def ok(self) -> bool:
        return not self.invalid


class SelectionError(ValueError):
    """An unknown rule code or name in --select/--ignore."""


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules to run; raises :class:`SelectionError` naming an unknown code."""
    rules = all_rules()
    chosen = rules

    def resolve(items: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for raw in items:
            for item in str(raw).split(","):
                item = item.strip()
                if not item:
                    continue
                if item.upper() == "ALL":
                    out.update(r.code for r in rules)
                    continue
                matched = [r.code for r in rules if r.code.startswith(item.upper()) and len(item) >= 3]
                r = find_rule(item)
                if r is not None:
                    out.add(r.code)
                elif matched:
                    out.update(matched)
                else:
                    hint = did_you_mean(item, [r.name for r in rules] + [r.code for r in rules])
                    raise SelectionError(f"unknown rule `{item}`" + (f"; {hint}" if hint else ""))
        return out

    sel = resolve(select)
    ign = resolve(ignore)
    if sel:
        chosen = [r for r in chosen if r.code in sel]
    return [r for r in chosen if r.code not in ign]


def parse_suppressions(doc: Document | None, ruleset: Ruleset) -> tuple[list[Suppression], list[Diagnostic]]:
    """Read ``suppressions.yaml`` (already schema-checked) into suppressions.

    Every name is checked against the ruleset, so a suppression cannot silently stop
    matching because of a typo.
    """
    if doc is None:
        return [], []
    out: list[Suppression] = []
    diags: list[Diagnostic] = []
    rule_names = [x.name for x in all_rules()] + [x.code for x in all_rules()]
    for i, raw in enumerate(doc.data.get("suppressions", [])):
        loc = doc.locate(("suppressions", i))
        r = find_rule(raw["rule"])
        known: dict[str, Iterable[str]] = {"rule": rule_names, "workflow": ruleset.workflows, "role": ruleset.roles}
        bad = [
            key
            for key in ("rule", "workflow", "role")
            if raw.get(key) is not None and (r is None if key == "rule" else raw[key] not in known[key])
        ]
        if bad:
            key = bad[0]
            diags.append(
                SUPPRESSION_INVALID(
                    f"unknown {key} `{raw[key]}` in suppression",
                    doc.locate(("suppressions", i, key)),
                    help=did_you_mean(str(raw[key]), known[key]),
                )
            )
            continue
        assert r is not None
        out.append(Suppression(r, raw.get("workflow"), raw.get("state"), raw.get("role"), raw["reason"], loc))
    return out, diags


def run_check(
    ruleset: Ruleset,
    rules: list[Rule] | None = None,
    suppressions: list[Suppression] | None = None,
    options: Options | None = None,
    analysis: Analysis | None = None,
) -> CheckResult:
    """Run ``rules`` (default: all) and apply suppressions; findings sorted by place."""
    rules = all_rules() if rules is None else rules
    an = analysis or Analysis(ruleset, options or Options())
    findings: list[Diagnostic] = []
    for i, r in enumerate(rules):
        findings.extend(r.check(an))
        an.report(Step("rules", i + 1, len(rules)))
    kept: list[Diagnostic] = []
    suppressed: list[tuple[Diagnostic, Suppression]] = []
    used: set[int] = set()
    for f in findings:
        hit = next((i for i, s in enumerate(suppressions or []) if s.matches(f)), None)
        if hit is None:
            kept.append(f)
        else:
            used.add(hit)
            suppressed.append((f, (suppressions or [])[hit]))
    run_codes = {r.code for r in rules}
    for i, s in enumerate(suppressions or []):
        if i not in used and s.rule.code in run_codes:
            kept.append(
                SUPPRESSION_UNUSED(
                    f"suppression of `{s.rule.name}` matches no finding",
                    s.location,
                    help="remove it: the finding it accepted is gone",
                )
            )
    return CheckResult(d.sort_diagnostics(kept), rules, suppressed, an)


def fails(findings: Iterable[Diagnostic], fail_on: str) -> bool:
    """True when some finding is at or above the ``--fail-on`` level."""
    if fail_on == "never":
        return False
    floor = Severity(fail_on).rank
    return any(f.severity.rank >= floor for f in findings)


def check_ruleset(
    ruleset: Ruleset,
    suppressions: Document | None = None,
    rules: list[Rule] | None = None,
    options: Options | None = None,
    analysis: Analysis | None = None,
) -> CheckResult:
    """The check pipeline every command that shows findings runs: select → suppress → run.

    ``suppressions`` is the rules directory's ``suppressions.yaml`` (``CompileResult``
    carries it); an invalid entry stops the run and comes back in ``invalid``, so a
    suppressed finding is suppressed in the matrix and the diagrams exactly as in ``check``.
    """
    sups, errors = parse_suppressions(suppressions, ruleset)
    if errors:
        return CheckResult([], rules or all_rules(), invalid=errors)
    try:
        return run_check(ruleset, rules, sups, options, analysis)
    except TooManyClasses as exc:  # the rules demand more than the analysis budget
        return CheckResult([], rules or all_rules(), invalid=[exc.diagnostic])
