"""Stage 3, workflows: states, transitions, SLAs, timed escalations and the ownership rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import diagnostics as d
from ..model.ruleset import Kind, Ownership, Sla, SlaKind, State, TimedEscalation, Transition, Workflow, frozen_map
from ..source.loader import Document, JsonPath
from .context import as_list, name_of, unknown
from .references import References


class WorkflowStage(References):
    """The resolver's part that compiles workflows."""

    def workflow(self, wid: str, doc: Document, roles: Mapping[str, dict[str, Any]]) -> Workflow | None:
        data = doc.data
        states_raw: dict[str, dict[str, Any]] = data["states"]
        state_ids = list(states_raw)

        def state_ref(path: JsonPath, sid: str) -> bool:
            if sid in states_raw:
                return True
            unknown(self.ctx, "state", sid, state_ids, doc.locate(path), f" in workflow `{wid}`")
            return False

        states: dict[str, State] = {}
        for sid, sraw in states_raw.items():
            spath: JsonPath = ("states", sid)
            sla = None
            if "sla" in sraw:
                sla = self.duration(
                    doc, spath + ("sla",), sraw["sla"], allow_wd=False, why=" (per-state SLAs run on clock time)"
                )
            states[sid] = State(
                id=sid,
                name=name_of(sraw["name"], sid) if "name" in sraw else None,
                final=bool(sraw.get("final", False)),
                required=bool(sraw.get("required", False)),
                sla=sla,
                pause=bool(sraw.get("pause", False)),
                description=sraw.get("description"),
                location=doc.locate_key(spath),
                reopen=frozenset(as_list(sraw.get("reopen"))),
            )
        initial, starts = self.starts(doc, data["initial"], state_ref)
        if not any(s.final for s in states.values()):
            self.ctx.add(
                d.INVALID_WORKFLOW(
                    f"workflow `{wid}` has no final state",
                    doc.locate_key(("states",)),
                    help="mark the state where tickets end with `final: true`",
                )
            )
        else:
            entries: list[tuple[str, JsonPath]] = [(st.state, ("initial", j, "state")) for j, st in enumerate(starts)]
            entries = entries or [(initial, ("initial",))]
            # a ticket may be recorded already closed (one of several creation states), but
            # not every ticket
            if all(sid in states and states[sid].final for sid, _ in entries):
                sid, ipath = entries[0]
                self.ctx.add(
                    d.INVALID_WORKFLOW(
                        f"the initial state `{sid}` of workflow `{wid}` is final",
                        doc.locate(ipath),
                        help="a ticket must have at least one step to go through",
                    )
                )
        nonfinal = [s for s, st in states.items() if not st.final]

        transitions: list[Transition] = []
        for i, traw in enumerate(data["transitions"]):
            tpath: JsonPath = ("transitions", i)
            src = traw["from"]
            ok = True
            if src == "*":
                sources = tuple(nonfinal)  # every non-final state, its own target included
            else:
                sources = tuple(as_list(src))
                for j, s in enumerate(sources):
                    ok &= state_ref(tpath + ("from",) + ((j,) if isinstance(src, list) else ()), s)
            ok &= state_ref(tpath + ("to",), traw["to"])
            troles = None
            if "roles" in traw:
                rl = as_list(traw["roles"])
                for j, r in enumerate(rl):
                    ok &= self.role_ref(doc, tpath + ("roles",) + ((j,) if isinstance(traw["roles"], list) else ()), r)
                troles = frozenset(rl)
            cond = self.condition(doc, tpath + ("when",), traw.get("when"))
            if ok:
                transitions.append(
                    Transition(
                        name=traw["name"],
                        sources=sources,
                        target=traw["to"],
                        by=Kind(traw["by"]),
                        condition=cond,
                        roles=troles,
                        index=i,
                        label=name_of(traw["label"], traw["name"]) if "label" in traw else None,
                        location=doc.locate(tpath),
                        owner_only=bool(traw.get("owner_only", True)),
                        take_over=bool(traw.get("take_over", False)),
                        sets=frozen_map(self.sets(doc, tpath, traw.get("set"), data.get("applies_when"))),
                    )
                )
                self.non_owner_flags(doc, tpath, traw, roles)
        self.reopenings(doc, wid, states, data["transitions"])

        slas: list[Sla] = []
        for name, sraw in data.get("sla", {}).items():
            spath = ("sla", name)
            cal = sraw.get("calendar")
            if cal is not None and cal not in self.calendars:
                hint = " (calendars are declared in `ticket.yaml`)" if not self.calendars else ""
                unknown(self.ctx, "calendar", cal, self.calendars, doc.locate(spath + ("calendar",)), hint)
            target = self.duration(
                doc, spath + ("target",), sraw["target"], allow_wd=cal is not None, why=f" (SLA `{name}` has none)"
            )
            start = sraw.get("start")
            if start is not None:
                state_ref(spath + ("start",), start)
            stops = as_list(sraw.get("stop"))
            for j, s in enumerate(stops):
                state_ref(spath + ("stop",) + ((j,) if isinstance(sraw.get("stop"), list) else ()), s)
            pauses = as_list(sraw.get("pause_in"))
            for j, s in enumerate(pauses):
                state_ref(spath + ("pause_in",) + ((j,) if isinstance(sraw.get("pause_in"), list) else ()), s)
            if start is not None and start in stops:
                self.ctx.add(
                    d.INVALID_SLA(
                        f"SLA `{name}` starts and stops in the same state `{start}`",
                        doc.locate(spath + ("start",)),
                    )
                )
            cond = self.condition(doc, spath + ("when",), sraw.get("when"))
            kind = SlaKind(
                sraw.get("kind")
                or ("first_response" if name.startswith("first_response") else "")
                or ("resolution" if name.startswith("resolution") else "other")
            )
            if target is not None:
                pause_all = tuple(dict.fromkeys(list(pauses) + [s for s, st in states.items() if st.pause]))
                slas.append(
                    Sla(
                        name=name,
                        target=target,
                        kind=kind,
                        start=start,
                        stop=tuple(stops) or tuple(s for s, st in states.items() if st.final),
                        pause_in=pause_all,
                        calendar=cal,
                        condition=cond,
                        location=doc.locate_key(spath),
                    )
                )
        sla_names = [s for s in data.get("sla", {})]

        escalations: list[TimedEscalation] = []
        for i, eraw in enumerate(data.get("escalations", [])):
            epath: JsonPath = ("escalations", i)
            ok = True
            ins = as_list(eraw["in"])
            for j, s in enumerate(ins):
                ok &= state_ref(epath + ("in",) + ((j,) if isinstance(eraw["in"], list) else ()), s)
            if "to" in eraw:
                ok &= self.role_ref(doc, epath + ("to",), eraw["to"])
                if roles.get(eraw["to"], {}).get("handles_tickets", True) is False:
                    self.ctx.add(
                        d.INVALID_ROLE(
                            f"the timer hands the ticket to `{eraw['to']}`, which never handles tickets",
                            doc.locate(epath + ("to",)),
                            help="escalate to a role that may own the ticket",
                        )
                    )
                    ok = False
            elif "goto" not in eraw:
                self.ctx.add(
                    d.SCHEMA(
                        "a timer needs `to` (the role it escalates to), `goto` (the state it moves the ticket to), "
                        "or both",
                        doc.locate(epath),
                        help="for example `goto: closed` to close a ticket left pending, or `to: supervisor`",
                    )
                )
                ok = False
            if "goto" in eraw:
                ok &= state_ref(epath + ("goto",), eraw["goto"])
            after = None
            at_pct = None
            has_after, has_at, has_of = "after" in eraw, "at" in eraw, "of" in eraw
            if has_after == (has_at or has_of) or has_at != has_of:
                self.ctx.add(
                    d.SCHEMA(
                        "a timed escalation needs either `after`, or both `at` and `of`",
                        doc.locate(epath),
                        help="for example `after: 3m`, or `at: 80%` with `of: resolution`",
                    )
                )
                ok = False
            elif has_after:
                after = self.duration(
                    doc, epath + ("after",), eraw["after"], allow_wd=False, why=" (timers run on clock time)"
                )
                ok &= after is not None
            else:
                at_pct = int(eraw["at"].rstrip("%"))
                if eraw["of"] not in sla_names:
                    unknown(
                        self.ctx, "SLA", eraw["of"], sla_names, doc.locate(epath + ("of",)), f" in workflow `{wid}`"
                    )
                    ok = False
            cond = self.condition(doc, epath + ("when",), eraw.get("when"))
            if ok:
                escalations.append(
                    TimedEscalation(
                        states=tuple(ins),
                        to=eraw.get("to"),
                        after=after,
                        at_percent=at_pct,
                        of_sla=eraw.get("of"),
                        goto=eraw.get("goto"),
                        condition=cond,
                        index=i,
                        location=doc.locate(epath),
                    )
                )

        assign = tuple(data.get("assign", []))
        for j, r in enumerate(assign):
            if self.role_ref(doc, ("assign", j), r) and roles[r].get("handles_tickets", True) is False:
                self.ctx.add(
                    d.INVALID_ROLE(
                        f"role `{r}` is in the assignment order but never handles tickets",
                        doc.locate(("assign", j)),
                        help=f"remove `{r}` from `assign`",
                    )
                )
        applies = self.condition(doc, ("applies_when",), data.get("applies_when"))
        return Workflow(
            id=wid,
            name=name_of(data["name"], wid),
            file=doc.file,
            initial=initial,
            starts=starts,
            states=frozen_map(states),
            transitions=tuple(transitions),
            applies_when=applies,
            ownership=Ownership(data.get("ownership", "single")),
            assign=assign,
            escalations=tuple(escalations),
            slas=tuple(slas),
            description=data.get("description"),
            location=doc.locate(("id",)),
        )
