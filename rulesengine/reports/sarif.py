"""SARIF 2.1.0 output, so that findings show up as code-scanning alerts on the YAML lines.

GitHub, GitLab, Azure DevOps and most IDEs read SARIF.  What matters to them:

* paths relative to ``%SRCROOT%`` (declared in ``originalUriBaseIds``), so alerts attach
  to files in the repository wherever the CI checkout lives;
* ``partialFingerprints`` that ignore line numbers, so an alert survives an edit that moves
  it and is closed, not duplicated, when the finding goes away;
* ``codeFlows`` carrying the event trace, so a reviewer can step through how a ticket
  reaches the problem, one YAML line at a time;
* one ``rules`` entry per code with the rule's documentation, so the alert explains itself.

Columns come from the YAML loader, which counts Unicode code points; the run says so in
``columnKind``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from ..diagnostics import Diagnostic, Location, Severity
from . import RuleInfo, rule_catalogue, rule_doc_path, step_text

if TYPE_CHECKING:
    from ..rules.registry import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "rulesengineFinding/v1"

LEVELS: dict[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(
    diags: list[Diagnostic],
    rules: list[Rule],
    root: str | Path,
    tool_version: str,
    *,
    docs_base_uri: str | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run: the rule catalogue and one result per diagnostic.

    ``root`` is the rules directory the diagnostics' paths are relative to.  ``helpUri`` is
    the repository-relative ``docs/rules/<CODE>.md`` unless ``docs_base_uri`` (e.g. the
    repository's blob URL ending in ``/``) is given: the SARIF specification asks for an
    absolute URI there, which only the caller can know.
    """
    catalogue = rule_catalogue(rules, diags)
    index = {info.code: i for i, info in enumerate(catalogue)}
    root_path = Path(root)
    results = [_result(d, index[d.code], root_path) for d in diags]
    _disambiguate_fingerprints(results)
    driver: dict[str, Any] = {
        "name": "rulesengine",
        "version": tool_version,
        "rules": [_rule(info, docs_base_uri) for info in catalogue],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root_path)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False, default=str) + "\n"


# -- rules ------------------------------------------------------------------------------


def _rule(info: RuleInfo, docs_base_uri: str | None) -> dict[str, Any]:
    doc_path = rule_doc_path(info.code)
    out: dict[str, Any] = {"id": info.code, "name": info.name}
    if info.doc is not None:
        doc = info.doc
        out["shortDescription"] = {"text": doc.summary}
        out["fullDescription"] = {"text": doc.finds}
        out["help"] = {
            "text": (
                f"{doc.finds}\n\nWhy it matters: {doc.why}\n\nExample:\n{doc.example}\n\nFix: {doc.fix}\n\n"
                f"Documentation: {doc_path}"
            ),
            "markdown": (
                f"**What it finds.** {doc.finds}\n\n**Why it matters.** {doc.why}\n\n"
                f"**Example.**\n\n{_fenced(doc.example)}\n\n**Fix.** {doc.fix}\n\n"
                f"[Documentation]({doc_path})"
            ),
        }
    else:
        words = info.name.replace("-", " ")
        kind = "validation check" if info.validation else "check"
        short = words[:1].upper() + words[1:]
        out["shortDescription"] = {"text": short}
        out["fullDescription"] = {"text": f"{short}: a {kind} of rulesengine ({info.code} `{info.name}`)."}
        text = (
            f"{short} ({info.code}): found while loading, schema-checking or compiling the rules "
            f"directory; the message names the place and the help says what to change."
            if info.validation
            else f"{short} ({info.code})."
        )
        out["help"] = {
            "text": f"{text}\n\nDocumentation: {doc_path}",
            "markdown": f"{text}\n\n[Documentation]({doc_path})",
        }
    out["defaultConfiguration"] = {"level": LEVELS[info.severity]}
    out["helpUri"] = urljoin(docs_base_uri, doc_path) if docs_base_uri else doc_path
    out["properties"] = {"tags": ["validation" if info.validation else "analysis"]}
    return out


def _fenced(text: str) -> str:
    """``text`` as a fenced code block whose fence no backtick run inside can close."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}yaml\n{text.rstrip()}\n{fence}"


# -- results ----------------------------------------------------------------------------


def _result(d: Diagnostic, rule_index: int, root: Path) -> dict[str, Any]:
    text = f"{d.message} — {d.help}" if d.help else d.message
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVELS[d.severity],
        "message": {"text": text},
    }
    physical = _physical(d.location, root) if d.location is not None else None
    if physical is not None:
        out["locations"] = [{"physicalLocation": physical}]
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(d)}
    if d.trace:
        out["codeFlows"] = [{"threadFlows": [{"locations": [_flow_step(s, d, physical, root) for s in d.trace]}]}]
    related = [p for p in (_physical(loc, root) for loc in d.related) if p is not None]
    if related:
        out["relatedLocations"] = [{"id": i, "physicalLocation": p} for i, p in enumerate(related, 1)]
    props: dict[str, Any] = {"name": d.name}
    for key in ("workflow", "state", "role"):
        value = getattr(d, key)
        if value is not None:
            props[key] = value
    if d.ticket is not None:
        props["ticket"] = d.ticket
    out["properties"] = props
    return out


def _flow_step(step: Mapping[str, Any], d: Diagnostic, fallback: dict[str, Any] | None, root: Path) -> dict[str, Any]:
    location: dict[str, Any] = {"message": {"text": step_text(step)}}
    physical = None
    raw = step.get("location")
    if isinstance(raw, Mapping):
        file = str(raw.get("file") or (d.location.file if d.location else ""))
        physical = _physical(Location(file, _int(raw.get("line")), _int(raw.get("column"))), root)
    if physical is None:
        physical = fallback
    if physical is not None:
        location["physicalLocation"] = physical
    out: dict[str, Any] = {"location": location}
    props = {k: v for k, v in step.items() if k != "location" and v is not None}
    if props:
        out["properties"] = props
    return out


def _int(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _physical(loc: Location, root: Path) -> dict[str, Any] | None:
    artifact = _artifact(loc.file, root)
    if artifact is None:
        return None
    out: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line > 0:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column > 0:
            region["startColumn"] = loc.column
        if loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
            if loc.end_column > 0 and (loc.end_line > loc.line or loc.end_column > loc.column):
                region["endColumn"] = loc.end_column
        out["region"] = region
    return out


def _artifact(file: str, root: Path) -> dict[str, Any] | None:
    """A file as a URI relative to ``%SRCROOT%``; absolute paths outside it stay absolute."""
    if not file:
        return None
    posix = file.replace("\\", "/")
    path = PurePosixPath(posix)
    if path.is_absolute() or Path(file).is_absolute():
        try:
            rel = Path(file).relative_to(root.absolute())
        except ValueError:
            return {"uri": Path(file).as_uri()}
        posix = rel.as_posix()
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _root_uri(root: Path) -> str:
    uri = root.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# -- fingerprints -----------------------------------------------------------------------


def fingerprint(d: Diagnostic) -> str:
    """A hash of what identifies a finding but not where it currently sits in the file.

    Line and column are left out so that an unrelated edit above the finding does not turn
    it into a "new" alert; the ticket profile is left out because the smallest profile may
    change as other rules are edited.
    """
    parts = [
        d.code,
        (d.location.file.replace("\\", "/") if d.location else ""),
        d.workflow or "",
        d.state or "",
        d.role or "",
        d.message,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _disambiguate_fingerprints(results: list[dict[str, Any]]) -> None:
    """Number repeated fingerprints (``hash:1``, ``hash:2``…) so every result keeps its own.

    Two findings with the same rule, file, workflow, state, role and message (differing only
    in line, say) would otherwise share one alert.
    """
    seen: dict[str, int] = {}
    for result in results:
        prints = result["partialFingerprints"]
        value = prints[FINGERPRINT_KEY]
        seen[value] = seen.get(value, 0) + 1
        prints[FINGERPRINT_KEY] = f"{value}:{seen[value]}"
