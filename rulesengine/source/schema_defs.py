"""The JSON Schemas of the rules format, built in one place.

The schemas are written by code rather than by hand so that the shared pieces
(conditions, durations, bilingual names) are defined once and every file that
editors and the validator read stays consistent.  ``schemas/*.json`` are generated
from here (``rulesengine schema --output schemas``); a test fails if they drift.
"""

from __future__ import annotations

from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"

IDENT_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
DURATION_PATTERN = r"^(?:[1-9][0-9]*wd|(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?)$"

Schema = dict[str, Any]


def _ident(desc: str) -> Schema:
    return {"type": "string", "pattern": IDENT_PATTERN, "description": desc}


def _ident_list(desc: str) -> Schema:
    return {
        "description": desc,
        "oneOf": [
            _ident("A single identifier."),
            {
                "type": "array",
                "items": _ident("An identifier."),
                "minItems": 1,
                "uniqueItems": True,
                "description": "A list of identifiers.",
            },
        ],
    }


def _common_defs() -> dict[str, Schema]:
    return {
        "name": {
            "description": "Display name in English and Chinese (both shown in diagrams and reports).",
            "type": "object",
            "additionalProperties": False,
            "required": ["en"],
            "properties": {
                "en": {"type": "string", "minLength": 1, "description": "English display name."},
                "zh": {"type": "string", "minLength": 1, "description": "Chinese display name (中文名称)."},
            },
        },
        "duration": {
            "description": (
                "A duration: minutes `3m`, hours `4h`, days `1d`, combinations `1h30m`, "
                "or working days `1wd` (counted on a business-hours calendar)."
            ),
            "type": "string",
            "pattern": DURATION_PATTERN,
        },
        "numberTest": {
            "description": "Comparison on a number attribute; every given bound must hold.",
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "gt": {"type": "number", "description": "Greater than."},
                "gte": {"type": "number", "description": "Greater than or equal to."},
                "lt": {"type": "number", "description": "Less than."},
                "lte": {"type": "number", "description": "Less than or equal to."},
            },
        },
        "enumTest": {
            "description": "Values of an enum attribute: one value, a list of values (any of), or `{not: [...]}`.",
            "oneOf": [
                {"type": "string", "description": "A single value."},
                {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "uniqueItems": True,
                    "description": "Any of these values.",
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["not"],
                    "properties": {
                        "not": {
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 1,
                            "uniqueItems": True,
                            "description": "Any value except these.",
                        }
                    },
                },
            ],
        },
        "condition": {
            "description": (
                "A condition on ticket attributes (from ticket.yaml): every listed attribute must match. "
                "Enum attributes take a value or a list of values; number attributes take "
                "`{gt, gte, lt, lte}`; boolean attributes take true or false; `any_of` lists "
                "alternative conditions, one of which must hold as well."
            ),
            "type": "object",
            "propertyNames": {"pattern": IDENT_PATTERN},
            "properties": {
                "any_of": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/$defs/condition"},
                    "description": "Alternatives (OR): at least one of these conditions must hold.",
                }
            },
            "additionalProperties": {
                "anyOf": [
                    {"$ref": "#/$defs/enumTest"},
                    {"$ref": "#/$defs/numberTest"},
                    {"type": "boolean", "description": "Value of a boolean attribute."},
                ]
            },
        },
        "limits": {
            "description": "Upper limits on number attributes, inclusive (e.g. `amount: 2000` = refunds up to 2000).",
            "type": "object",
            "propertyNames": {"pattern": IDENT_PATTERN},
            "additionalProperties": {"type": "number", "minimum": 0},
        },
    }


def _scope_props() -> dict[str, Schema]:
    return {
        "workflows": _ident_list("Workflow ids this grant covers; omitted means every workflow."),
        "states": _ident_list(
            "States this grant covers (in any listed workflow); omitted means every non-final state."
        ),
        "when": {"$ref": "#/$defs/condition", "description": "Only tickets matching this condition."},
        "limits": {"$ref": "#/$defs/limits", "description": "Upper limits on number attributes."},
        "note": {"type": "string", "description": "Free text for readers: why this grant exists."},
        "after_escalation": {
            "type": "boolean",
            "description": (
                "Valid only once the ticket has been escalated (an escalate transition or a timer with `to` "
                "sets the ticket's `escalated` attribute)."
            ),
        },
        "within_hours": _ident("Valid only while this calendar (from ticket.yaml) is open: a day shift."),
        "outside_hours": _ident("Valid only while this calendar is closed: a night shift, a weekend team."),
    }


def role_schema() -> Schema:
    """Schema of one file in ``roles/``."""
    defs = _common_defs()
    handle = {
        "description": "Handle (处理权限): may own the ticket and fire its work transitions.",
        "type": "object",
        "additionalProperties": False,
        "properties": _scope_props(),
    }
    coordinate = {
        "description": "Coordinate (协调权限): may transfer the ticket to, or pull in, the named roles; never resolves.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **_scope_props(),
            "with": _ident_list(
                "Roles this role may transfer the ticket to. Without it the grant only lets the role "
                "step in on transitions with `owner_only: false` and `take_over: true`."
            ),
        },
    }
    escalate = {
        "description": "Escalate (上报权限): may raise the ticket to a named role, which then owns it.",
        "type": "object",
        "additionalProperties": False,
        "required": ["to"],
        "properties": {
            **_scope_props(),
            "to": _ident("The role the ticket is raised to."),
        },
    }
    defs.update({"handleGrant": handle, "coordinateGrant": coordinate, "escalateGrant": escalate})
    return {
        "$schema": DRAFT,
        "$id": "role.schema.json",
        "title": "rulesengine role",
        "description": "One role of the service centre and its permission boundaries (权限界定).",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name"],
        "properties": {
            "id": _ident("Unique role id, used in every reference."),
            "name": {"$ref": "#/$defs/name"},
            "description": {"type": "string", "description": "What the role does, for readers."},
            "reports_to": _ident("The role this one reports to (shown in the escalation chart)."),
            "headcount": {"type": "integer", "minimum": 0, "description": "People in this role."},
            "handles_tickets": {
                "type": "boolean",
                "description": (
                    "False for roles that never own a ticket (a QA inspector, the customer): they are never "
                    "assigned one, and their handle grants say where they may fire transitions that do not "
                    "need the owner (`owner_only: false`)."
                ),
            },
            "handle": {
                "type": "array",
                "items": {"$ref": "#/$defs/handleGrant"},
                "description": "Handle grants.",
            },
            "coordinate": {
                "type": "array",
                "items": {"$ref": "#/$defs/coordinateGrant"},
                "description": "Coordinate grants.",
            },
            "escalate": {
                "type": "array",
                "items": {"$ref": "#/$defs/escalateGrant"},
                "description": "Escalate grants.",
            },
        },
        "$defs": defs,
    }


def workflow_schema() -> Schema:
    """Schema of one file in ``workflows/``."""
    defs = _common_defs()
    state = {
        "description": "One state of the ticket state machine.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"$ref": "#/$defs/name"},
            "description": {"type": "string", "description": "What happens in this state."},
            "final": {"type": "boolean", "description": "The ticket's life ends here."},
            "required": {
                "type": "boolean",
                "description": "Every path from the initial state to a final state must pass here.",
            },
            "sla": {"$ref": "#/$defs/duration", "description": "Longest time a ticket may stay in this state."},
            "pause": {
                "type": "boolean",
                "description": "SLA clocks stop while the ticket is here (e.g. waiting for the customer).",
            },
            "reopen": _ident_list("On a final state: the transitions that may leave it (reopening a closed ticket)."),
        },
    }
    transition = {
        "description": "A transition between states, fired by a role with the named permission kind.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "from", "to", "by"],
        "properties": {
            "name": _ident("Event name of the transition."),
            "label": {"$ref": "#/$defs/name", "description": "Display name of the transition."},
            "from": {
                "description": "Source state(s); `*` means every non-final state.",
                "oneOf": [
                    {
                        "type": "string",
                        "pattern": r"^(\*|[A-Za-z_][A-Za-z0-9_-]*)$",
                        "description": "One state or `*`.",
                    },
                    {
                        "type": "array",
                        "items": _ident("A state."),
                        "minItems": 1,
                        "uniqueItems": True,
                        "description": "Several states.",
                    },
                ],
            },
            "to": _ident("Target state."),
            "by": {
                "enum": ["handle", "coordinate", "escalate"],
                "description": (
                    "Permission kind that fires it: `handle` (the owner), `coordinate` (a transfer to a "
                    "role named in a coordinate grant), `escalate` (a raise to the role an escalate grant names)."
                ),
            },
            "when": {"$ref": "#/$defs/condition", "description": "Fires only for tickets matching this condition."},
            "roles": _ident_list("Only these roles may fire it (rights per transition)."),
            "owner_only": {
                "type": "boolean",
                "description": (
                    "False: any role holding a `by` grant at the source state may fire it, owner or not "
                    "(QA or the customer closing, a supervisor stepping in). Default true: only the owner."
                ),
            },
            "take_over": {
                "type": "boolean",
                "description": (
                    "With `owner_only: false`: a role that fires it without owning the ticket becomes its "
                    "owner. Default: the owner keeps it where it may, else a fresh assignment."
                ),
            },
            "set": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"type": ["string", "number", "boolean"]},
                "description": (
                    "Attribute values the transition writes (re-prioritise, re-categorise); the ticket goes "
                    "on as a ticket with these values."
                ),
            },
            "description": {"type": "string", "description": "Why this transition exists."},
        },
    }
    escalation = {
        "description": (
            "A timed escalation: after a time in a state (or a share of an SLA), the ticket goes to a role."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["in"],
        "properties": {
            "in": _ident_list("State(s) where the timer runs."),
            "after": {
                "$ref": "#/$defs/duration",
                "description": "Time in the state before the escalation fires (give either `after`, or `at` with `of`).",
            },
            "at": {
                "type": "string",
                "pattern": r"^(?:[1-9][0-9]?|100)%$",
                "description": "Share of an SLA target, e.g. `80%`.",
            },
            "of": _ident("Name of the SLA (under `sla:`) that `at` refers to."),
            "to": _ident("The role that takes the ticket over; without it the timer only moves the ticket to `goto`."),
            "goto": _ident("Optional state the ticket moves to; by default it stays where it is."),
            "when": {"$ref": "#/$defs/condition", "description": "Only for tickets matching this condition."},
        },
    }
    sla = {
        "description": "A service-level target measured from a start to a stop state.",
        "type": "object",
        "additionalProperties": False,
        "required": ["target"],
        "properties": {
            "kind": {
                "enum": ["first_response", "resolution", "other"],
                "description": "What the target measures (used by KPIs and audits).",
            },
            "target": {"$ref": "#/$defs/duration", "description": "The target time."},
            "start": _ident("State where the clock starts; default: the initial state (ticket creation)."),
            "stop": _ident_list("State(s) where the clock stops; default: any final state."),
            "pause_in": _ident_list("States where the clock pauses (in addition to states marked `pause`)."),
            "calendar": _ident("Business-hours calendar from ticket.yaml; default: around the clock."),
            "when": {"$ref": "#/$defs/condition", "description": "Only for tickets matching this condition."},
        },
    }
    defs.update({"state": state, "transition": transition, "escalation": escalation, "sla": sla})
    return {
        "$schema": DRAFT,
        "$id": "workflow.schema.json",
        "title": "rulesengine workflow",
        "description": "One ticket state machine: states, transitions, SLAs and timed escalations.",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "initial", "states", "transitions"],
        "properties": {
            "id": _ident("Unique workflow id."),
            "name": {"$ref": "#/$defs/name"},
            "description": {"type": "string", "description": "What the workflow is for."},
            "applies_when": {
                "$ref": "#/$defs/condition",
                "description": "Which tickets follow this workflow; omitted means every ticket.",
            },
            "ownership": {
                "enum": ["single", "shared"],
                "description": (
                    "`single` (default): exactly one owner at every step (一单到底); "
                    "`shared`: several owners allowed at once."
                ),
            },
            "assign": {
                "type": "array",
                "items": _ident("A role."),
                "uniqueItems": True,
                "description": "Assignment order: the first eligible role in this list wins (settles overlaps on purpose).",
            },
            "initial": {
                "description": (
                    "The state a new ticket starts in; or a list of `{state, when}` entries, the first "
                    "whose condition holds choosing it (an entry without `when` matches every ticket)."
                ),
                "oneOf": [
                    _ident("The creation state."),
                    {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["state"],
                            "properties": {
                                "state": _ident("A creation state."),
                                "when": {"$ref": "#/$defs/condition", "description": "Tickets created here."},
                            },
                        },
                    },
                ],
            },
            "states": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/state"},
                "description": "The states, by id.",
            },
            "transitions": {
                "type": "array",
                "items": {"$ref": "#/$defs/transition"},
                "description": "The transitions.",
            },
            "escalations": {
                "type": "array",
                "items": {"$ref": "#/$defs/escalation"},
                "description": "Timed escalations.",
            },
            "sla": {
                "type": "object",
                "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/sla"},
                "description": "Service-level targets, by name.",
            },
        },
        "$defs": defs,
    }


def ticket_schema() -> Schema:
    """Schema of ``ticket.yaml``: ticket attributes and business-hours calendars."""
    defs = _common_defs()
    value_names = {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"pattern": IDENT_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/name"},
        "description": "Values with display names, by value id.",
    }
    attribute = {
        "description": "One ticket attribute that permissions can be scoped by.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"$ref": "#/$defs/name"},
            "description": {"type": "string", "description": "What the attribute means."},
            "type": {
                "enum": ["enum", "number", "integer", "boolean"],
                "description": "Attribute type; default `enum` when `values` is given.",
            },
            "values": {
                "description": "Enum values: a list of ids, or a mapping of id to display name.",
                "oneOf": [
                    {
                        "type": "array",
                        "items": _ident("A value."),
                        "minItems": 1,
                        "uniqueItems": True,
                        "description": "Value ids.",
                    },
                    value_names,
                ],
            },
            "minimum": {"type": "number", "description": "Smallest allowed value of a number attribute."},
            "maximum": {"type": "number", "description": "Largest allowed value of a number attribute."},
            "unit": {"type": "string", "description": "Unit of a number attribute, for readers (e.g. CNY)."},
        },
    }
    hours_re = r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"
    calendar = {
        "description": "Business hours in a time zone, with holidays; working-day durations (`1wd`) count on it.",
        "type": "object",
        "additionalProperties": False,
        "required": ["timezone", "hours"],
        "properties": {
            "name": {"$ref": "#/$defs/name"},
            "timezone": {"type": "string", "description": "IANA time zone, e.g. Asia/Shanghai."},
            "hours": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$"},
                "additionalProperties": {
                    "oneOf": [
                        {"type": "string", "pattern": hours_re, "description": "Opening hours `HH:MM-HH:MM`."},
                        {
                            "type": "array",
                            "items": {"type": "string", "pattern": hours_re},
                            "minItems": 1,
                            "description": "Several opening intervals.",
                        },
                    ]
                },
                "description": 'Opening hours by day or day range, e.g. `mon-fri: "09:00-18:00"`.',
            },
            "holidays": {
                "type": "array",
                "items": {
                    "type": "string",
                    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "description": "A date YYYY-MM-DD.",
                },
                "uniqueItems": True,
                "description": "Closed dates.",
            },
            "workdays": {
                "type": "array",
                "items": {
                    "type": "string",
                    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "description": "A date YYYY-MM-DD.",
                },
                "uniqueItems": True,
                "description": "Extra working days (调休) that follow the hours of a weekday.",
            },
            "holidays_from": {
                "type": "string",
                "pattern": r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$",
                "description": (
                    "Also close on this country's public holidays (ISO 3166 code such as `CN`, or `US-CA` "
                    "with a subdivision), from the `holidays` package; `holidays` and `workdays` still override."
                ),
            },
        },
    }
    defs.update({"attribute": attribute, "calendar": calendar})
    return {
        "$schema": DRAFT,
        "$id": "ticket.schema.json",
        "title": "rulesengine ticket attributes",
        "description": "The facts a ticket carries (permissions are scoped by them) and the service calendars.",
        "type": "object",
        "additionalProperties": False,
        "required": ["attributes"],
        "properties": {
            "attributes": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/attribute"},
                "description": "Ticket attributes, by id.",
            },
            "calendars": {
                "type": "object",
                "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/calendar"},
                "description": "Business-hours calendars, by id.",
            },
        },
        "$defs": defs,
    }


def suppressions_schema() -> Schema:
    """Schema of ``suppressions.yaml``: findings accepted on purpose, each with a reason."""
    entry = {
        "type": "object",
        "additionalProperties": False,
        "required": ["rule", "reason"],
        "description": "One accepted finding.",
        "properties": {
            "rule": {"type": "string", "description": "Rule code or name, e.g. RE201 or ownership-gap."},
            "workflow": _ident("Only findings in this workflow."),
            "state": _ident("Only findings at this state."),
            "role": _ident("Only findings about this role."),
            "reason": {"type": "string", "minLength": 1, "description": "Why this finding is accepted."},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": "suppressions.schema.json",
        "title": "rulesengine suppressions",
        "description": "Findings accepted on purpose; unused entries are reported.",
        "type": "object",
        "additionalProperties": False,
        "required": ["suppressions"],
        "properties": {"suppressions": {"type": "array", "items": entry, "description": "The accepted findings."}},
    }


def scenario_schema() -> Schema:
    """Schema of one file in ``scenarios/``: unit tests for the rules, run by ``rulesengine test``."""
    defs = _common_defs()
    actor = {
        "description": "Who acts: a role id (a person holding just that role), or `{id, roles}`.",
        "oneOf": [
            _ident("A role id."),
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["roles"],
                "properties": {
                    "id": {"type": "string", "minLength": 1, "description": "The person's id (for `assignee`)."},
                    "roles": {
                        "type": "array",
                        "items": _ident("A role id."),
                        "description": "The roles the person holds (a person may hold several).",
                    },
                },
            },
        ],
    }
    expect = {
        "type": "object",
        "additionalProperties": False,
        "description": "What must follow; omitted: the step is allowed.",
        "properties": {
            "allowed": {"type": "boolean", "description": "Whether the engine allows the step."},
            "reason": {"type": "string", "description": "The decision's reason code, e.g. `not-owner`."},
            "state": _ident("The ticket's state afterwards."),
            "owner": _ident("The owning role afterwards."),
            "fresh_assignment": {"type": "boolean", "description": "The workflow's assignment chose the owner."},
            "grant": {
                "type": "string",
                "description": "The deciding (or, for a denial, the nearest) grant's place, e.g. `roles/agent.yaml:12`.",
            },
        },
    }
    step = {
        "type": "object",
        "additionalProperties": False,
        "description": (
            "One step: an actor fires an event (a transition's name, `timer:N`), time passes (`after`), "
            "or only `expect` checks where the ticket is."
        ),
        "properties": {
            "actor": actor,
            "event": {"type": "string", "minLength": 1, "description": "A transition's name, or `timer:N`."},
            "target": _ident("The role a transfer or escalation hands the ticket to."),
            "after": {
                "$ref": "#/$defs/duration",
                "description": "Time passes in the current state: every timed escalation then due fires.",
            },
            "expect": expect,
        },
    }
    ticket = {
        "type": "object",
        "additionalProperties": False,
        "required": ["attributes"],
        "description": "The ticket the scenario starts with.",
        "properties": {
            "workflow": _ident("The workflow; omitted: the one whose `applies_when` the attributes satisfy."),
            "attributes": {
                "type": "object",
                "propertyNames": {"pattern": IDENT_PATTERN},
                "description": "Attribute values, as in ticket.yaml.",
            },
            "state": _ident("Start here instead of at creation (then `owner` is required)."),
            "owner": _ident("The owning role when starting at `state`."),
            "assignee": {"type": "string", "minLength": 1, "description": "The person the ticket is assigned to."},
        },
    }
    scenario = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "ticket", "steps"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "What the scenario shows, in a sentence."},
            "description": {"type": "string", "description": "Free text for readers."},
            "ticket": ticket,
            "steps": {"type": "array", "items": step, "minItems": 1, "description": "The steps, in order."},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": "scenario.schema.json",
        "title": "rulesengine scenarios",
        "description": "Unit tests for the rules: a ticket, who does what, and the expected decisions.",
        "type": "object",
        "additionalProperties": False,
        "required": ["scenarios"],
        "properties": {
            "scenarios": {"type": "array", "items": scenario, "minItems": 1, "description": "The scenarios."}
        },
        "$defs": defs,
    }


POLICY_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
POLICY_KINDS = (
    "separation-of-duties",
    "never-handles",
    "four-eyes",
    "owners",
    "required-before",
    "sla",
    "max-transfers",
    "max-escalation-depth",
)


def _count(desc: str) -> Schema:
    return {"type": "integer", "minimum": 0, "description": desc}


def policy_schema() -> Schema:
    """Schema of one file in ``policies/``: compliance policies auditors hold the rules to."""
    defs = _common_defs()
    params: dict[str, Schema] = {
        "roles": _ident_list("The roles of a `separation-of-duties` (two) or `never-handles` policy."),
        "first": _ident("`four-eyes`: the transition whose actor is checked."),
        "then": _ident("`four-eyes`: the transition that needs a different person from the one who fired `first`."),
        "states": _ident_list("`owners`: the states counted; omitted means every non-final state."),
        "min": _count("`owners`: fewest roles that may hold a ticket at one state."),
        "max": {
            "description": (
                "`owners`, `max-transfers`, `max-escalation-depth`: a whole number; `sla`: the longest "
                "target allowed, as a duration (`3m`, `4h`, `1wd`)."
            )
        },
        "before": _ident("`required-before`: the state every path must pass first."),
        "state": _ident("`required-before`: the state that may only be reached after `before`."),
        "sla": _ident("`sla`: an SLA kind (`first_response`, `resolution`, `other`) or the name of an SLA."),
    }
    per_kind: list[tuple[str, list[str], dict[str, Schema]]] = [
        ("separation-of-duties", ["roles"], {}),
        ("never-handles", ["roles"], {}),
        ("four-eyes", ["first", "then"], {}),
        ("owners", [], {"max": _count("Most roles that may hold a ticket at one state.")}),
        ("required-before", ["before", "state"], {}),
        ("sla", ["sla", "max"], {"max": {"$ref": "#/$defs/duration", "description": "The longest target allowed."}}),
        ("max-transfers", ["max"], {"max": _count("Most coordinate transfers one ticket may go through.")}),
        ("max-escalation-depth", ["max"], {"max": _count("Most escalations (raises and timers) per ticket.")}),
    ]
    rules: list[Schema] = []
    for kind, required, props in per_kind:
        then: Schema = {"required": required} if required else {}
        # the required keys' own descriptions, so that a missing key's error can explain it
        then_props = {k: {"description": params[k]["description"]} for k in required} | props
        if then_props:
            then["properties"] = then_props
        rules.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then})
    policy = {
        "description": "One compliance policy: an auditor's requirement every ticket flow must meet.",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "kind"],
        "properties": {
            "id": {
                "type": "string",
                "pattern": POLICY_ID_PATTERN,
                "description": "Unique policy id in kebab-case (e.g. `qa-never-handles`), named in every finding.",
            },
            "name": {"$ref": "#/$defs/name"},
            "description": {"type": "string", "description": "Where the policy comes from and why it holds."},
            "kind": {
                "enum": list(POLICY_KINDS),
                "description": (
                    "What the policy requires: `separation-of-duties` (`roles`: two roles never both act on one "
                    "ticket), `never-handles` (`roles` never own or act on a ticket), `four-eyes` (`then` is fired "
                    "by another person than `first`), `owners` (`min`/`max` roles that may hold a ticket at a "
                    "state, optionally at `states`), `required-before` (every path to `state` passes `before`), "
                    "`sla` (an SLA of kind or name `sla` with a target of at most `max`), `max-transfers` and "
                    "`max-escalation-depth` (`max` per ticket)."
                ),
            },
            "workflows": _ident_list(
                "Workflows the policy speaks about; omitted means every workflow (that has the named states "
                "or transitions)."
            ),
            "when": {"$ref": "#/$defs/condition", "description": "Only tickets matching this condition."},
            **params,
        },
        "allOf": rules,
    }
    defs["policy"] = policy
    return {
        "$schema": DRAFT,
        "$id": "policy.schema.json",
        "title": "rulesengine compliance policies",
        "description": (
            "Compliance policies (合规策略): requirements auditors hold the rules to, checked over every "
            "ticket flow with the same evidence as the built-in rules."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["policies"],
        "properties": {
            "policies": {"type": "array", "items": {"$ref": "#/$defs/policy"}, "description": "The policies."}
        },
        "$defs": defs,
    }


SCHEMAS: dict[str, Any] = {
    "role": role_schema,
    "workflow": workflow_schema,
    "ticket": ticket_schema,
    "suppressions": suppressions_schema,
    "scenario": scenario_schema,
    "policy": policy_schema,
}


def input_schemas() -> dict[str, Schema]:
    """Every schema of the rules format by kind (``role``, ``workflow``, ``ticket``, …).

    The JSON report's schema is the reports' own; the ``schema`` command writes both.
    """
    return {kind: build() for kind, build in SCHEMAS.items()}


def schema_filename(kind: str) -> str:
    return f"{kind}.schema.json"
