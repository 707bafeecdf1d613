"""Stage 3, roles: each role with its grants, and reporting lines that must not loop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import diagnostics as d
from ..model.conditions import Condition, ValueSet
from ..model.ruleset import ESCALATED, Grant, Kind, Role, frozen_map
from ..source.loader import Document, JsonPath
from .context import Context, as_list, name_of, unknown
from .references import References


class RoleStage(References):
    """The resolver's part that compiles roles and their grants."""

    def role(self, rid: str, doc: Document) -> Role | None:
        data = doc.data
        grants: list[Grant] = []
        # with `handles_tickets: false` the role never owns a ticket; its handle grants say
        # where it may fire the transitions that do not need the owner (`owner_only: false`)
        handles = data.get("handles_tickets", True)
        reports_to = data.get("reports_to")
        if reports_to is not None:
            if reports_to == rid:
                self.ctx.add(d.INVALID_ROLE(f"role `{rid}` reports to itself", doc.locate(("reports_to",))))
            else:
                self.role_ref(doc, ("reports_to",), reports_to)
        for kind in Kind:
            for i, raw in enumerate(data.get(kind.value, [])):
                g = self.grant(rid, doc, kind, i, raw)
                if g is not None:
                    grants.append(g)
        return Role(
            id=rid,
            name=name_of(data["name"], rid),
            file=doc.file,
            description=data.get("description"),
            reports_to=reports_to,
            headcount=data.get("headcount"),
            handles_tickets=handles,
            grants=tuple(grants),
            location=doc.locate(("id",)),
        )

    def grant(self, rid: str, doc: Document, kind: Kind, i: int, raw: dict[str, Any]) -> Grant | None:
        path: JsonPath = (kind.value, i)
        errors_before = len(self.ctx.diags)
        wf_ids: list[str]
        if "workflows" in raw:
            wf_ids = []
            wlist = as_list(raw["workflows"])
            for j, wid in enumerate(wlist):
                wpath = path + ("workflows",) + ((j,) if isinstance(raw["workflows"], list) else ())
                if wid in self.wf_docs:
                    wf_ids.append(wid)
                else:
                    unknown(self.ctx, "workflow", wid, self.wf_docs, doc.locate(wpath))
        else:
            wf_ids = sorted(self.wf_docs)
        cells: dict[str, frozenset[str]] = {}
        if "states" in raw:
            wanted = as_list(raw["states"])
            for j, sid in enumerate(wanted):
                if not any(sid in self.wf_states[w] for w in wf_ids):
                    spath = path + ("states",) + ((j,) if isinstance(raw["states"], list) else ())
                    pool = sorted({s for w in wf_ids for s in self.wf_states[w]})
                    scope = f" in workflow `{wf_ids[0]}`" if len(wf_ids) == 1 else " in the grant's workflows"
                    unknown(self.ctx, "state", sid, pool, doc.locate(spath), scope)
            for w in wf_ids:
                got = frozenset(s for s in wanted if s in self.wf_states[w])
                if got:
                    cells[w] = got
        else:
            for w in wf_ids:
                cells[w] = frozenset(s for s, st in self.wf_states[w].items() if not st.get("final", False))
        cond = self.condition(doc, path + ("when",), raw.get("when"))
        limits = self.limits(doc, path + ("limits",), raw.get("limits"))
        cond = cond.conjoin(limits).conjoin(self.hours(doc, path, raw))
        if raw.get("after_escalation"):
            self.reads_escalated = True
            cond = cond.conjoin(Condition.of([(ESCALATED, ValueSet(frozenset({True})))]))
        targets: tuple[str, ...] = ()
        if kind is Kind.COORDINATE:
            tl = as_list(raw.get("with"))
            for j, t in enumerate(tl):
                tpath = path + ("with",) + ((j,) if isinstance(raw["with"], list) else ())
                if t == rid:
                    self.ctx.add(
                        d.INVALID_ROLE(
                            f"role `{rid}` lists itself as a transfer target",
                            doc.locate(tpath),
                            help="a transfer hands the ticket to another role",
                        )
                    )
                else:
                    self.role_ref(doc, tpath, t)
            targets = tuple(tl)
        elif kind is Kind.ESCALATE:
            t = raw["to"]
            if t == rid:
                self.ctx.add(
                    d.INVALID_ROLE(
                        f"role `{rid}` escalates to itself",
                        doc.locate(path + ("to",)),
                        help="escalate to a higher role, such as the one this role reports to",
                    )
                )
            else:
                self.role_ref(doc, path + ("to",), t)
            targets = (t,)
        if len(self.ctx.diags) > errors_before and d.has_errors(self.ctx.diags[errors_before:]):
            return None
        return Grant(
            kind=kind,
            role=rid,
            index=i,
            cells=frozen_map(dict(sorted(cells.items()))),
            condition=cond,
            limits=limits,
            targets=targets,
            location=doc.locate(path),
            note=raw.get("note"),
            after_escalation=bool(raw.get("after_escalation", False)),
        )

    # -- workflows -------------------------------------------------------------------


def reporting_cycles(roles: Mapping[str, Role], ctx: Context) -> None:
    reported: set[frozenset[str]] = set()
    for start in sorted(roles):
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur in roles and cur not in seen:
            seen.append(cur)
            cur = roles[cur].reports_to
        if cur is not None and cur in seen:
            cycle = seen[seen.index(cur) :]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            first = min(cycle)
            chain = " → ".join(cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first])
            ctx.add(
                d.INVALID_ROLE(
                    f"reporting line loops: {chain}",
                    roles[first].location,
                    help="every reporting line must end at a role that reports to no one",
                )
            )
