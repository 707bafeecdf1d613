"""Why ``decide`` allowed or denied a move: stable reason codes.

The string values are a contract with the services that embed the engine: they are
stored in logs and matched in code, so a value is never renamed or reused.  New
reasons may be added.  Everything that is not ``allowed`` is a denial.
"""

from __future__ import annotations

import enum


class Reason(str, enum.Enum):
    """The reason of a :class:`~rulesengine.Decision`, one per way a request can end."""

    ALLOWED = "allowed"
    # the ticket and the request do not fit the rules
    INVALID_TICKET = "invalid-ticket"
    INVALID_ACTOR = "invalid-actor"
    UNKNOWN_WORKFLOW = "unknown-workflow"
    WRONG_WORKFLOW = "wrong-workflow"
    UNKNOWN_STATE = "unknown-state"
    UNKNOWN_EVENT = "unknown-event"
    UNKNOWN_ATTRIBUTE = "unknown-attribute"
    INVALID_VALUE = "invalid-value"
    MISSING_ATTRIBUTE = "missing-attribute"
    MISSING_OWNER = "missing-owner"
    UNKNOWN_OWNER = "unknown-owner"
    # the situation
    FINAL_STATE = "final-state"
    NOT_FROM_STATE = "not-from-state"
    OWNER_NOT_ELIGIBLE = "owner-not-eligible"
    # who asks
    NOT_OWNER = "not-owner"
    NOT_ASSIGNEE = "not-assignee"
    TIMER_EVENT = "timer-event"
    # the permission
    NO_GRANT = "no-grant"
    CONDITION_FAILED = "condition-failed"
    LIMIT_EXCEEDED = "limit-exceeded"
    ROLE_NOT_LISTED = "role-not-listed"
    TARGET_REQUIRED = "target-required"
    TARGET_NOT_ALLOWED = "target-not-allowed"
    AMBIGUOUS_EVENT = "ambiguous-event"
    # where the move would leave the ticket
    NO_OWNER_AFTER = "no-owner-after"
    SEVERAL_OWNERS_AFTER = "several-owners-after"

    @property
    def allowed(self) -> bool:
        return self is Reason.ALLOWED

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS: dict[Reason, str] = {
    Reason.ALLOWED: "the actor may fire the event; `next_state` and `owner_after` say where the ticket goes",
    Reason.INVALID_TICKET: "the ticket is not a mapping of the documented shape (or a field has the wrong type)",
    Reason.INVALID_ACTOR: "the actor is missing or not `{id, roles}`; only timers fire without an actor",
    Reason.UNKNOWN_WORKFLOW: "the ticket names no known workflow, or none of the workflows applies to its attributes",
    Reason.WRONG_WORKFLOW: "the ticket names a workflow whose `applies_when` its attributes fail, or several apply",
    Reason.UNKNOWN_STATE: "the ticket's state is not a state of its workflow",
    Reason.UNKNOWN_EVENT: "no transition or timer of the workflow has this name",
    Reason.UNKNOWN_ATTRIBUTE: "the ticket carries an attribute `ticket.yaml` does not declare",
    Reason.INVALID_VALUE: "an attribute value does not fit its declaration (type, enum value, minimum, maximum)",
    Reason.MISSING_ATTRIBUTE: "the workflow's rules read an attribute the ticket does not carry",
    Reason.MISSING_OWNER: "the ticket names no owning role",
    Reason.UNKNOWN_OWNER: "the ticket's owner is not a role of the rules",
    Reason.FINAL_STATE: "the ticket is in a final state: its life is over",
    Reason.NOT_FROM_STATE: "the event exists in the workflow but does not leave the ticket's state",
    Reason.OWNER_NOT_ELIGIBLE: "the owning role has no handle grant covering this state for this ticket",
    Reason.NOT_OWNER: "the actor does not hold the role that owns the ticket",
    Reason.NOT_ASSIGNEE: "the ticket is assigned to another person: only that person acts as the owner",
    Reason.TIMER_EVENT: "a timed escalation fires by itself: pass `actor=None` from the service's scheduler",
    Reason.NO_GRANT: "the owner holds no grant of the kind the transition needs at this state",
    Reason.CONDITION_FAILED: "the transition's `when`, or the `when` of the nearest grant, does not hold for the ticket",
    Reason.LIMIT_EXCEEDED: "the owner's nearest grant — its handle grant here, or the grant the transition needs — has `limits` (e.g. an amount) the ticket exceeds",
    Reason.ROLE_NOT_LISTED: "the transition's `roles` list does not include the owner",
    Reason.TARGET_REQUIRED: "the transfer may go to several roles: name the `target`",
    Reason.TARGET_NOT_ALLOWED: "the named `target` is not a role the owner's grant may hand the ticket to",
    Reason.AMBIGUOUS_EVENT: "the event may lead to several outcomes here (rule RE106); the engine does not guess",
    Reason.NO_OWNER_AFTER: "nobody may own the ticket where the move lands (an ownership gap, rules RE201/RE203)",
    Reason.SEVERAL_OWNERS_AFTER: "several roles may own the ticket where the move lands and nothing settles it (RE202)",
}
