"""Compiling the constructs real ticket systems need: several creation states,
reopening a final state, and transitions fired by roles that do not own the ticket.

Kept beside the compiler as a mixin of its resolver: each construct is read here and
checked for what the schema cannot say (a reopening that names a transition not
leaving the state, ``take_over`` without ``owner_only: false``, …), each problem a
located diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .. import diagnostics as d
from ..model.conditions import Condition
from ..model.ruleset import Attribute, AttrType, Start, State
from ..numbers import check_value
from ..source.loader import Document, JsonPath

if TYPE_CHECKING:
    from .context import Context


class FlowChecks:
    """Part of the compiler's resolver (``ctx``, ``attrs`` and ``condition`` come from it)."""

    ctx: Context
    attrs: Mapping[str, Attribute]

    def sets(
        self, doc: Document, path: JsonPath, raw: Mapping[str, Any] | None, applies: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """``set:`` of a transition: attribute values it writes, each valid for its attribute.

        An attribute the workflow's ``applies_when`` reads cannot be written: the ticket
        would leave the workflow it is in the middle of.
        """
        out: dict[str, Any] = {}
        for aid, value in (raw or {}).items():
            vpath = path + ("set", aid)
            attr = self.attrs.get(aid)
            if attr is None:
                _unknown_attribute(self.ctx, aid, self.attrs, doc.locate_key(vpath))
                continue
            if applies and aid in applies:
                self.ctx.add(
                    d.INVALID_WORKFLOW(
                        f"`set` writes `{aid}`, which decides whether this workflow applies to the ticket",
                        doc.locate_key(vpath),
                        help="a ticket cannot move to another workflow midway; close it and open a new ticket",
                    )
                )
                continue
            problem = _bad_value(attr, value)
            if problem is not None:
                self.ctx.add(d.INVALID_CONDITION(problem, doc.locate(vpath)))
                continue
            out[aid] = value
        return out

    def condition(self, doc: Document, path: JsonPath, raw: Mapping[str, Any] | None) -> Condition:
        raise NotImplementedError  # provided by the resolver

    def starts(
        self, doc: Document, raw: Any, state_ref: Callable[[JsonPath, str], bool]
    ) -> tuple[str, tuple[Start, ...]]:
        """``initial:`` as one state, or as entries chosen by condition (first match wins).

        Returns the state every ticket starts in when there is one (else the first entry's)
        and the entries.  An entry after one without ``when`` can never be chosen.
        """
        if isinstance(raw, str):
            state_ref(("initial",), raw)
            return raw, ()
        starts: list[Start] = []
        fallback_at: int | None = None
        for j, entry in enumerate(raw):
            path: JsonPath = ("initial", j)
            sid = entry["state"]
            state_ref(path + ("state",), sid)
            if fallback_at is not None:
                self.ctx.add(
                    d.INVALID_WORKFLOW(
                        f"the creation state `{sid}` is never chosen: entry {fallback_at + 1} has no `when` "
                        "and takes every ticket before it",
                        doc.locate(path),
                        help="move the entry without `when` to the end of `initial`",
                    )
                )
            cond = self.condition(doc, path + ("when",), entry.get("when"))
            if "when" not in entry and fallback_at is None:
                fallback_at = j
            starts.append(Start(sid, cond, doc.locate(path)))
        if fallback_at is None:
            self.ctx.add(
                d.INVALID_WORKFLOW(
                    "a ticket that matches no `initial` entry would have nowhere to start",
                    doc.locate(("initial", len(starts) - 1)),
                    help="end the list with an entry without `when`: the creation state of every other ticket",
                )
            )
        return starts[0].state, tuple(starts)

    def non_owner_flags(
        self, doc: Document, path: JsonPath, raw: Mapping[str, Any], roles: Mapping[str, dict[str, Any]]
    ) -> None:
        """``take_over`` needs ``owner_only: false``; a role that never handles tickets
        cannot take one over, nor fire a transition only owners fire."""
        owner_only = raw.get("owner_only", True)
        if raw.get("take_over") and owner_only:
            self.ctx.add(
                d.INVALID_WORKFLOW(
                    f"transition `{raw['name']}` takes the ticket over, but only its owner may fire it",
                    doc.locate(path + ("take_over",)),
                    help="add `owner_only: false`, or remove `take_over`",
                )
            )
        listed = raw.get("roles")
        for j, r in enumerate(listed if isinstance(listed, list) else [listed] if listed else []):
            never = roles.get(r, {}).get("handles_tickets", True) is False
            if never and (owner_only or raw.get("take_over")):
                what = "take the ticket over" if not owner_only else "own the ticket, which this transition needs"
                self.ctx.add(
                    d.INVALID_ROLE(
                        f"role `{r}` never handles tickets, so it cannot {what}",
                        doc.locate(path + ("roles",) + ((j,) if isinstance(listed, list) else ())),
                        help="give the transition `owner_only: false` (and no `take_over`) so that it may act "
                        "without owning the ticket",
                    )
                )

    def reopenings(self, doc: Document, wid: str, states: Mapping[str, State], transitions: list[Any]) -> None:
        """``reopen:`` is for final states and names transitions that leave them."""
        for sid, st in states.items():
            if not st.reopen:
                continue
            spath: JsonPath = ("states", sid, "reopen")
            if not st.final:
                self.ctx.add(
                    d.INVALID_WORKFLOW(
                        f"state `{sid}` of `{wid}` declares `reopen` but is not final",
                        doc.locate_key(spath),
                        help="only a final state needs to say which transitions reopen it",
                    )
                )
                continue
            leaving = {t["name"] for t in transitions if t["from"] == sid or sid in (t["from"] or [])}
            named = doc.data["states"][sid]["reopen"]
            for j, name in enumerate(named if isinstance(named, list) else [named]):
                if name not in leaving:
                    pool = sorted(leaving) or sorted({t["name"] for t in transitions})
                    hint = "" if leaving else f" (no transition has `from: {sid}`)"
                    where = doc.locate(spath + ((j,) if isinstance(named, list) else ()))
                    msg = f"`{name}` does not leave `{sid}`{hint}"
                    sugg = _suggest(name, pool)
                    self.ctx.add(
                        d.INVALID_WORKFLOW(
                            msg + (f"; {sugg}" if sugg else ""),
                            where,
                            help=f"list transitions whose `from` includes `{sid}`",
                        )
                    )


def _bad_value(attr: Attribute, value: Any) -> str | None:
    """Why ``value`` cannot be written on ``attr`` (None: it can)."""
    if attr.type is AttrType.BOOLEAN:
        return None if isinstance(value, bool) else f"`{attr.id}` is true or false, not `{value}`"
    if attr.type.numeric:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            return f"`{attr.id}` is a number, not `{value}`"
        if check_value(value) is not None:
            return f"`{attr.id}` cannot be `{value}`: {check_value(value)}"
        if attr.type is AttrType.INTEGER and not float(value).is_integer():
            return f"`{attr.id}` is a whole number, not `{value}`"
        if (attr.minimum is not None and value < attr.minimum) or (attr.maximum is not None and value > attr.maximum):
            return f"`{value}` is outside the range of `{attr.id}`"
        return None
    if value not in attr.values:
        hint = _suggest(str(value), [str(v) for v in attr.values])
        return f"`{value}` is not a value of `{attr.id}`" + (f"; {hint}" if hint else "")
    return None


def _unknown_attribute(ctx: Context, aid: str, attrs: Mapping[str, Attribute], loc: Any) -> None:
    hint = _suggest(aid, list(attrs))
    ctx.add(d.UNKNOWN_REFERENCE(f"unknown attribute `{aid}`" + (f"; {hint}" if hint else ""), loc))


def _suggest(name: str, pool: list[str]) -> str | None:
    from ..text import did_you_mean

    return did_you_mean(name, pool)
