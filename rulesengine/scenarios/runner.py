"""Running scenarios through the engine: every step is a ``decide`` and, when allowed, a ``fire``.

Scenarios exercise the rules exactly as a ticket service would — the same
:class:`~rulesengine.Engine`, the same transition function — so a passing scenario is a
statement about what the engine will enforce, and what the scenarios touched is the
coverage of the rules by tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..analysis.index import timer_event
from ..engine.core import Engine
from ..engine.decision import Decision, TransitionDenied
from ..model.ruleset import TimedEscalation, Workflow
from .coverage import Coverage
from .spec import Scenario, Step


@dataclass
class StepResult:
    step: Step
    ok: bool
    decision: Decision | None = None
    fired: list[Decision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    state: str | None = None
    owner: str | None = None


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None  # the ticket could not even be set up

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.ok for s in self.steps)

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)


@dataclass
class TestRun:
    results: list[ScenarioResult]
    coverage: Coverage

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def _threshold(wf: Workflow, e: TimedEscalation) -> int | None:
    """Minutes in the state after which a timer fires (None: not a clock delay)."""
    if e.after is not None:
        return None if e.after.is_working_days else e.after.minutes
    sla = next((s for s in wf.slas if s.name == e.of_sla), None)
    if sla is None or sla.target.is_working_days or e.at_percent is None:
        return None
    return sla.target.minutes * e.at_percent // 100


class _Run:
    def __init__(self, engine: Engine, sc: Scenario, coverage: Coverage) -> None:
        self.engine = engine
        self.sc = sc
        self.wf = engine.ruleset.workflows[sc.workflow]
        self.coverage = coverage
        self.ticket: dict[str, Any] = {}
        self.minutes = 0  # time spent in the current state
        self.fired_here: set[str] = set()

    def start(self) -> str | None:
        sc = self.sc
        if sc.state is not None:
            self.ticket = {"workflow": sc.workflow, "state": sc.state, "owner": sc.owner}
            self.ticket.update(attributes=dict(sc.attributes), version=0)
        else:
            try:
                self.ticket = self.engine.create(sc.attributes, sc.workflow)
            except TransitionDenied as exc:
                return f"the ticket cannot be created: {exc.decision.message}"
        if sc.assignee is not None:
            self.ticket["assignee"] = sc.assignee
        self.coverage.visit(self.engine, self.ticket)
        return None

    def fire(self, d: Decision, actor: Any, target: Any) -> None:
        before = self.ticket["state"]
        self.ticket, _ = self.engine.fire(self.ticket, d.event, actor, target)
        self.coverage.fired(d)
        self.coverage.visit(self.engine, self.ticket)
        if self.ticket["state"] != before:
            self.minutes = 0
            self.fired_here = set()

    def wait(self, minutes: int) -> list[Decision]:
        """Let time pass: fire every timer of the state that falls due, earliest first."""
        self.minutes += minutes
        fired: list[Decision] = []
        while True:
            due = []
            for e in self.wf.escalations:
                ev = timer_event(e)
                at = _threshold(self.wf, e)
                if (
                    self.ticket["state"] in e.states
                    and ev not in self.fired_here
                    and at is not None
                    and at <= self.minutes
                ):
                    d = self.engine.decide(self.ticket, ev, None)
                    if d.allowed:
                        due.append((at, e.index, d))
            if not due:
                return fired
            at, _, d = min(due, key=lambda x: (x[0], x[1]))
            left = self.minutes - at
            self.fired_here.add(d.event or "")
            state_before = self.ticket["state"]
            self.fire(d, None, None)
            if self.ticket["state"] != state_before:
                self.minutes = left
            fired.append(d)

    def step(self, step: Step) -> StepResult:
        res = StepResult(step, True)
        expect = step.expect
        if step.after is not None:
            res.fired = self.wait(step.after.minutes)
            res.decision = res.fired[-1] if res.fired else None
        elif step.event is not None:
            actor = step.actor.to_mapping() if step.actor is not None else None
            d = self.engine.decide(self.ticket, step.event, actor, step.target)
            res.decision = d
            want = expect.get("allowed", expect.get("reason", "allowed") == "allowed")
            if d.allowed != want:
                said = "allowed" if d.allowed else f"denied ({d.reason.value}): {d.message}"
                res.problems.append(f"expected {'allowed' if want else 'denied'}, got {said}")
            elif d.allowed:
                self.fire(d, actor, step.target)
            if "reason" in expect and d.reason.value != expect["reason"]:
                res.problems.append(f"expected reason `{expect['reason']}`, got `{d.reason.value}`: {d.message}")
        res.state, res.owner = self.ticket["state"], self.ticket.get("owner")
        for key, got in (("state", res.state), ("owner", res.owner)):
            if key in expect and expect[key] != got:
                res.problems.append(f"expected {key} `{expect[key]}`, got `{got}`")
        if "fresh_assignment" in expect:
            got_fresh = res.decision is not None and res.decision.fresh_assignment
            if got_fresh != expect["fresh_assignment"]:
                res.problems.append(f"expected fresh_assignment {expect['fresh_assignment']}, got {got_fresh}")
        if "grant" in expect:
            got_d = res.decision
            places = [g.location or "" for g in (got_d.grants if got_d is not None else ())] + (
                [got_d.nearest.location or ""] if got_d is not None and got_d.nearest is not None else []
            )
            if not any(p == expect["grant"] or p.startswith(expect["grant"] + ":") for p in places):
                res.problems.append(f"expected grant `{expect['grant']}`, got {', '.join(places) or 'none'}")
        res.ok = not res.problems
        return res


def run_scenarios(engine: Engine, scenarios: list[Scenario], keyword: str | None = None) -> TestRun:
    """Run every scenario (whose name or file contains ``keyword``); stops a scenario at its first failing step."""
    coverage = Coverage(engine.ruleset)
    results = []
    for sc in scenarios:
        if keyword and keyword.lower() not in f"{sc.file} {sc.name}".lower():
            continue
        run = _Run(engine, sc, coverage)
        res = ScenarioResult(sc)
        res.error = run.start()
        if res.error is None:
            for step in sc.steps:
                got = run.step(step)
                res.steps.append(got)
                if not got.ok:
                    break
        results.append(res)
    return TestRun(results, coverage)
