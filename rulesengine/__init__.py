"""rulesengine: responsibility and workflow rules for customer-service centres.

The public API is what this module exports (``__all__``); every other module is
internal and may change between versions.

>>> import rulesengine
>>> engine = rulesengine.load("path/to/rules")          # doctest: +SKIP
>>> engine.decide(ticket, "approve", {"id": "p-17", "roles": ["super_agent"]})  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decisionlog import DecisionLog, DecisionLogError, MaskStyle, verify_log
    from .engine import (
        Actor,
        Decision,
        Engine,
        Fired,
        GrantRef,
        InvalidTicket,
        Reason,
        RulesInvalid,
        Ticket,
        TransitionDenied,
        TransitionRef,
        load,
    )
    from .engine.holder import EngineHolder
    from .engine.machine import GuardedTicket, guarded_machine

__version__ = "0.1.0"

# Imported on first use: the command line starts without the engine, and the
# transitions integration imports `transitions` only when a service asks for it.
_WHERE = {
    **dict.fromkeys(
        [
            "Actor",
            "Decision",
            "Engine",
            "Fired",
            "GrantRef",
            "InvalidTicket",
            "Reason",
            "RulesInvalid",
            "Ticket",
            "TransitionDenied",
            "TransitionRef",
            "load",
        ],
        ".engine",
    ),
    "EngineHolder": ".engine.holder",
    **dict.fromkeys(["DecisionLog", "DecisionLogError", "MaskStyle", "verify_log"], ".decisionlog"),
    "GuardedTicket": ".engine.machine",
    "guarded_machine": ".engine.machine",
}


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'rulesengine' has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "Actor",
    "Decision",
    "DecisionLog",
    "DecisionLogError",
    "Engine",
    "EngineHolder",
    "Fired",
    "GrantRef",
    "GuardedTicket",
    "InvalidTicket",
    "MaskStyle",
    "Reason",
    "RulesInvalid",
    "Ticket",
    "TransitionDenied",
    "TransitionRef",
    "__version__",
    "guarded_machine",
    "load",
    "verify_log",
]
