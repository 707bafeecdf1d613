"""Compile ``policies/*.yaml`` into :class:`~rulesengine.model.ruleset.Policy` objects.

Policies are compiled after the roles and workflows, because every name a policy uses
— roles, workflows, states, transitions, SLAs, ticket attributes and values — must
resolve against them; a name that does not is a located error with a suggestion, as
anywhere else in the rules.  The schema already guarantees the shape and the keys each
kind requires; this stage adds what a schema cannot say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import diagnostics as d
from ..diagnostics import Location
from ..model.policies import SLA_KINDS
from ..model.ruleset import Calendar, Duration, Name, Policy, PolicyKind, Workflow
from ..source.loader import Document, JsonPath
from .context import as_list, unknown

if TYPE_CHECKING:
    from .references import References

COMMON_KEYS = ("id", "name", "description", "kind", "workflows", "when")
# the parameters each kind takes, in the order the help lists them
PARAMETERS: Mapping[PolicyKind, tuple[str, ...]] = {
    PolicyKind.SEPARATION_OF_DUTIES: ("roles",),
    PolicyKind.NEVER_HANDLES: ("roles",),
    PolicyKind.FOUR_EYES: ("first", "then"),
    PolicyKind.OWNERS: ("min", "max", "states"),
    PolicyKind.REQUIRED_BEFORE: ("before", "state"),
    PolicyKind.SLA: ("sla", "max"),
    PolicyKind.MAX_TRANSFERS: ("max",),
    PolicyKind.MAX_ESCALATION_DEPTH: ("max",),
}


def _item(raw: Any, key: str, j: int) -> JsonPath:
    """The path of the j-th name under ``key`` (a single name is the value itself)."""
    return (key, j) if isinstance(raw.get(key), list) else (key,)


class _PolicyCompiler:
    def __init__(self, res: References, workflows: Mapping[str, Workflow], calendars: Mapping[str, Calendar]) -> None:
        self.res = res
        self.ctx = res.ctx
        self.workflows = workflows
        self.calendars = calendars
        self.seen: dict[str, Location] = {}

    def unknown(self, what: str, value: str, choices: Iterable[str], loc: Location, context: str = "") -> None:
        unknown(self.ctx, what, value, sorted(set(choices)), loc, context)

    def invalid(self, message: str, loc: Location, help: str | None = None) -> None:
        self.ctx.add(d.INVALID_POLICY(message, loc, help=help))

    # -- one entry ---------------------------------------------------------------------
    def policy(self, doc: Document, i: int, raw: dict[str, Any]) -> Policy | None:
        path: JsonPath = ("policies", i)
        errors_before = len(self.ctx.diags)
        pid = raw["id"]
        kind = PolicyKind(raw["kind"])
        if pid in self.seen:
            first = self.seen[pid]
            self.ctx.add(
                d.DUPLICATE_ID(
                    f"policy id `{pid}` is already used",
                    doc.locate(path + ("id",)),
                    help=f"the first `{pid}` is in {first}; policy ids are unique across `policies/`",
                    related=(first,),
                )
            )
        else:
            self.seen[pid] = doc.locate(path + ("id",))
        takes = PARAMETERS[kind]
        for key in raw:
            if key not in COMMON_KEYS and key not in takes:
                self.invalid(
                    f"`{key}` does not apply to a policy of kind `{kind.value}`",
                    doc.locate_key(path + (key,)),
                    help=f"kind `{kind.value}` takes "
                    + " and ".join(", ".join(f"`{k}`" for k in takes).rsplit(", ", 1)),
                )
        explicit = "workflows" in raw
        scope: list[str] = []
        for j, wid in enumerate(as_list(raw.get("workflows"))):
            if wid in self.workflows:
                scope.append(wid)
            else:
                self.unknown("workflow", wid, self.workflows, doc.locate(path + _item(raw, "workflows", j)))
        if not explicit:
            scope = sorted(self.workflows)
        cond = self.res.condition(doc, path + ("when",), raw.get("when"))
        fields: dict[str, Any] = {}
        if kind in (PolicyKind.SEPARATION_OF_DUTIES, PolicyKind.NEVER_HANDLES):
            fields["roles"] = self.roles(doc, path, raw, kind)
        elif kind is PolicyKind.FOUR_EYES:
            scope = self.four_eyes(doc, path, raw, scope, explicit)
            fields.update(first=raw["first"], then=raw["then"])
        elif kind is PolicyKind.REQUIRED_BEFORE:
            scope = self.required_before(doc, path, raw, scope, explicit)
            fields.update(before=raw["before"], state=raw["state"])
        elif kind is PolicyKind.OWNERS:
            fields.update(self.owners(doc, path, raw, scope))
        elif kind is PolicyKind.SLA:
            fields.update(self.sla(doc, path, raw, scope))
        else:
            fields["maximum"] = raw["max"]
        if len(self.ctx.diags) > errors_before and d.has_errors(self.ctx.diags[errors_before:]):
            return None
        return Policy(
            id=pid,
            kind=kind,
            name=Name(raw["name"]["en"], raw["name"].get("zh")),
            file=doc.file,
            workflows=tuple(scope),
            condition=cond,
            description=raw.get("description"),
            location=doc.locate(path),
            **fields,
        )

    # -- parameters of each kind -------------------------------------------------------
    def roles(self, doc: Document, path: JsonPath, raw: dict[str, Any], kind: PolicyKind) -> tuple[str, ...]:
        roles = as_list(raw["roles"])
        for j, r in enumerate(roles):
            self.res.role_ref(doc, path + _item(raw, "roles", j), r)
        if kind is PolicyKind.SEPARATION_OF_DUTIES and len(roles) != 2:
            self.invalid(
                f"a `separation-of-duties` policy names two roles, not {len(roles)}",
                doc.locate(path + ("roles",)),
                help="write one policy per pair of roles that must not both act on a ticket",
            )
        return tuple(roles)

    def _names_in(self, wid: str, what: str) -> list[str]:
        wf = self.workflows[wid]
        return [t.name for t in wf.transitions] if what == "transition" else list(wf.states)

    def _resolve_names(
        self,
        doc: Document,
        path: JsonPath,
        raw: dict[str, Any],
        keys: tuple[str, str],
        what: str,
        scope: list[str],
        explicit: bool,
    ) -> list[str]:
        """Check two names (``keys``) of a transition or state against the scope.

        Listed workflows must all have both names.  Without ``workflows:`` the policy
        speaks about the workflows that have the second name (the one it constrains);
        the first must exist in at least one of them.
        """
        anchor, constrained = keys
        if explicit:
            for wid in scope:
                names = self._names_in(wid, what)
                for key in keys:
                    if raw[key] not in names:
                        self.unknown(what, raw[key], names, doc.locate(path + (key,)), f" in workflow `{wid}`")
            return scope
        having = [w for w in scope if raw[constrained] in self._names_in(w, what)]
        pool = {n for w in scope for n in self._names_in(w, what)}
        if not having:
            self.unknown(what, raw[constrained], pool, doc.locate(path + (constrained,)))
            return []
        inner = {n for w in having for n in self._names_in(w, what)}
        if raw[anchor] not in inner:
            ctx = " in the workflows that have " + f"`{raw[constrained]}`"
            self.unknown(what, raw[anchor], inner, doc.locate(path + (anchor,)), ctx)
        return having

    def four_eyes(
        self, doc: Document, path: JsonPath, raw: dict[str, Any], scope: list[str], explicit: bool
    ) -> list[str]:
        if raw["first"] == raw["then"]:
            self.invalid(
                f"`first` and `then` are the same transition `{raw['then']}`",
                doc.locate(path + ("then",)),
                help="name the step that needs a second person in `then`, the step it checks in `first`",
            )
            return scope
        return self._resolve_names(doc, path, raw, ("first", "then"), "transition", scope, explicit)

    def required_before(
        self, doc: Document, path: JsonPath, raw: dict[str, Any], scope: list[str], explicit: bool
    ) -> list[str]:
        if raw["before"] == raw["state"]:
            self.invalid(
                f"`before` and `state` are the same state `{raw['state']}`",
                doc.locate(path + ("before",)),
                help="`before` names the step every path must pass on its way to `state`",
            )
            return scope
        return self._resolve_names(doc, path, raw, ("before", "state"), "state", scope, explicit)

    def owners(self, doc: Document, path: JsonPath, raw: dict[str, Any], scope: list[str]) -> dict[str, Any]:
        lo, hi = raw.get("min"), raw.get("max")
        if lo is None and hi is None:
            self.invalid(
                "an `owners` policy needs `min`, `max` or both",
                doc.locate_key(path + ("kind",)),
                help="for example `max: 1` for one owner at every step",
            )
        elif lo is not None and hi is not None and lo > hi:
            self.invalid(
                f"`min` {lo} is above `max` {hi}",
                doc.locate(path + ("min",)),
                help="`min` is the fewest roles that may hold a ticket at a state, `max` the most",
            )
        states = as_list(raw.get("states"))
        pool = {s for w in scope for s in self.workflows[w].states}
        where = f" in workflow `{scope[0]}`" if len(scope) == 1 else " in the policy's workflows"
        for j, s in enumerate(states):
            if s not in pool:
                self.unknown("state", s, pool, doc.locate(path + _item(raw, "states", j)), where)
        return {"minimum": lo, "maximum": hi, "states": tuple(states)}

    def sla(self, doc: Document, path: JsonPath, raw: dict[str, Any], scope: list[str]) -> dict[str, Any]:
        name = raw["sla"]
        names = {s.name for w in scope for s in self.workflows[w].slas}
        if name not in SLA_KINDS and name not in names:
            self.unknown(
                "SLA kind or name",
                name,
                [*SLA_KINDS, *names],
                doc.locate(path + ("sla",)),
                " in the policy's workflows",
            )
        within: Duration | None = self.res.duration(
            doc,
            path + ("max",),
            str(raw["max"]),
            allow_wd=bool(self.calendars),
            why=" (`ticket.yaml` declares none)",
        )
        return {"sla": name, "within": within}


def compile_policies(
    docs: Iterable[Document],
    res: References,
    workflows: Mapping[str, Workflow],
    calendars: Mapping[str, Calendar],
) -> tuple[Policy, ...]:
    """Every policy of every file, in file order; errors go to the resolver's context."""
    pc = _PolicyCompiler(res, workflows, calendars)
    out: list[Policy] = []
    for doc in sorted(docs, key=lambda x: x.file):
        for i, raw in enumerate(doc.data.get("policies", [])):
            p = pc.policy(doc, i, raw)
            if p is not None:
                out.append(p)
    return tuple(out)
