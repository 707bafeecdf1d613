"""Scenario files: unit tests for the rules, read and checked against the ruleset.

``scenarios/*.yaml`` in a rules directory hold tickets and steps — who fires what, and
what must follow.  They are read with the same loader and schema machinery as the
rules, and every name in them (roles, events, states, attributes and values, reason
codes) is checked against the compiled ruleset, so a typo is a located error with a
suggestion rather than a test that passes for the wrong reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import diagnostics as d
from ..analysis.index import timer_event
from ..diagnostics import Diagnostic, Location
from ..engine.reasons import Reason
from ..model.durations import parse_duration
from ..model.profiles import ProfileError, parse_value
from ..model.ruleset import Duration, Ruleset
from ..source.loader import Document, JsonPath, load_bytes
from ..source.schema import check_document
from ..text import did_you_mean

INVALID_SCENARIO = d.DiagnosticKind("RE060", "invalid-scenario")

EXPECT_KEYS = ("allowed", "reason", "state", "owner", "fresh_assignment", "grant")


@dataclass(frozen=True)
class Actor:
    id: str
    roles: tuple[str, ...]

    def to_mapping(self) -> dict[str, Any]:
        return {"id": self.id, "roles": list(self.roles)}


@dataclass(frozen=True)
class Step:
    index: int
    location: Location
    actor: Actor | None = None
    event: str | None = None
    target: str | None = None
    after: Duration | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.after is not None:
            return f"after {self.after.text}"
        if self.event is None:
            return "check"
        who = f"{'+'.join(self.actor.roles)} " if self.actor is not None else ""
        to = f" → {self.target}" if self.target else ""
        return f"{who}{self.event}{to}"


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    location: Location
    workflow: str
    attributes: Mapping[str, Any]
    steps: tuple[Step, ...]
    state: str | None = None
    owner: str | None = None
    assignee: str | None = None


def read_scenario_files(root: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The bytes of ``scenarios/*.yaml`` below a rules directory, by relative path."""
    base = root / "scenarios"
    files: dict[str, bytes] = {}
    diags: list[Diagnostic] = []
    if not base.is_dir():
        return files, diags
    for p in sorted(base.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.suffix not in (".yaml", ".yml") or any(part.startswith(".") for part in p.relative_to(base).parts):
            continue
        if not p.is_file():
            diags.append(INVALID_SCENARIO(f"`{rel}` is not a regular file", Location(rel)))
            continue
        try:
            files[rel] = p.read_bytes()
        except OSError as exc:
            diags.append(d.READ_ERROR(f"cannot read file: {exc.strerror or exc}", Location(rel)))
    return files, diags


class _Reader:
    """Turns one schema-checked scenario document into scenarios, collecting errors."""

    def __init__(self, rs: Ruleset, doc: Document) -> None:
        self.rs = rs
        self.doc = doc
        self.diags: list[Diagnostic] = []

    def error(self, message: str, path: JsonPath, help: str | None = None, key: bool = False) -> None:
        loc = self.doc.locate_key(path) if key else self.doc.locate(path)
        self.diags.append(INVALID_SCENARIO(message, loc, help=help))

    def known(self, what: str, value: str, pool: Any, path: JsonPath, scope: str = "") -> bool:
        if value in pool:
            return True
        self.error(f"unknown {what} `{value}`{scope}", path, did_you_mean(value, pool))
        return False

    def scenarios(self) -> list[Scenario]:
        out = []
        for i, raw in enumerate(self.doc.data["scenarios"]):
            sc = self.scenario(("scenarios", i), raw)
            if sc is not None:
                out.append(sc)
        return out

    def scenario(self, path: JsonPath, raw: dict[str, Any]) -> Scenario | None:
        before = len(self.diags)
        t = raw["ticket"]
        tpath = path + ("ticket",)
        attrs: dict[str, Any] = {}
        for key, value in t["attributes"].items():
            try:
                attrs[key] = parse_value(self.rs, key, value)
            except ProfileError as exc:
                self.error(str(exc), tpath + ("attributes", key), key=key not in self.rs.attributes)
        wid = t.get("workflow")
        if wid is not None:
            self.known("workflow", wid, self.rs.workflows, tpath + ("workflow",))
        elif len(self.diags) == before:
            fits = [w for w, wf in self.rs.workflows.items() if wf.applies_when.matches(attrs)]
            if len(fits) != 1:
                many = ", ".join(f"`{w}`" for w in fits)
                self.error(
                    "no workflow applies to this ticket" if not fits else f"several workflows apply: {many}",
                    tpath,
                    help="name it with `workflow:`",
                )
            else:
                wid = fits[0]
        if len(self.diags) > before or wid not in self.rs.workflows:
            return None
        wf = self.rs.workflows[wid]
        if t.get("state") is not None:
            self.known("state", t["state"], wf.states, tpath + ("state",), f" in workflow `{wid}`")
            if t.get("owner") is None:
                self.error("a ticket that starts at a `state` needs its `owner`", tpath + ("state",))
        if t.get("owner") is not None:
            self.known("role", t["owner"], self.rs.roles, tpath + ("owner",))
        events = [x.name for x in wf.transitions] + [timer_event(e) for e in wf.escalations]
        steps = [self.step(path + ("steps", j), j, raw_step, wid, events) for j, raw_step in enumerate(raw["steps"])]
        if len(self.diags) > before:
            return None
        return Scenario(
            name=raw["name"],
            file=self.doc.file,
            location=self.doc.locate(path + ("name",)),
            workflow=wid,
            attributes=attrs,
            steps=tuple(s for s in steps if s is not None),
            state=t.get("state"),
            owner=t.get("owner"),
            assignee=t.get("assignee"),
        )

    def step(self, path: JsonPath, j: int, raw: dict[str, Any], wid: str, events: list[str]) -> Step | None:
        wf = self.rs.workflows[wid]
        actor = None
        if "actor" in raw:
            a = raw["actor"]
            roles = (a,) if isinstance(a, str) else tuple(a["roles"])
            for n, r in enumerate(roles):
                self.known(
                    "role", r, self.rs.roles, path + (("actor",) if isinstance(a, str) else ("actor", "roles", n))
                )
            actor = Actor(a if isinstance(a, str) else a.get("id", "+".join(roles) or "nobody"), roles)
        event = raw.get("event")
        if event is not None:
            self.known("event", event, events, path + ("event",), f" of workflow `{wid}`")
            if actor is None and not event.startswith("timer:"):
                self.error(
                    f"`{event}` needs an `actor`", path + ("event",), "only timers (`timer:N`) fire by themselves"
                )
        if raw.get("target") is not None:
            self.known("role", raw["target"], self.rs.roles, path + ("target",))
        after = None
        if raw.get("after") is not None:
            after = parse_duration(raw["after"])
            if after is None or after.is_working_days:
                self.error(f"`{raw['after']}` is not a clock duration", path + ("after",), "write `3m`, `4h` or `1d`")
            if event is not None:
                self.error("a step either waits (`after`) or fires an `event`, not both", path + ("after",))
        expect = dict(raw.get("expect") or {})
        epath = path + ("expect",)
        if "reason" in expect:
            self.known("reason", expect["reason"], [r.value for r in Reason], epath + ("reason",))
        if "state" in expect:
            self.known("state", expect["state"], wf.states, epath + ("state",), f" in workflow `{wid}`")
        if "owner" in expect:
            self.known("role", expect["owner"], self.rs.roles, epath + ("owner",))
        if event is None and after is None and not expect:
            self.error("an empty step", path, "give it an `event`, an `after` or an `expect`")
        return Step(j + 1, self.doc.locate(path), actor, event, raw.get("target"), after, expect)


def load_scenarios(rs: Ruleset, files: Mapping[str, bytes]) -> tuple[list[Scenario], list[Diagnostic]]:
    """Read and check scenario files; every problem is a located diagnostic."""
    scenarios: list[Scenario] = []
    diags: list[Diagnostic] = []
    for rel in sorted(files):
        result = load_bytes(files[rel], rel)
        if result.document is None:
            diags.extend(result.diagnostics)
            continue
        doc = result.document
        problems = (
            check_document(doc, "scenario")
            if isinstance(doc.data, dict)
            else [d.SCHEMA("a scenario file is a mapping with `scenarios:`", doc.locate(()))]
        )
        if problems:
            diags.extend(problems)
            continue
        reader = _Reader(rs, doc)
        scenarios.extend(reader.scenarios())
        diags.extend(reader.diags)
    return scenarios, d.sort_diagnostics(diags)
