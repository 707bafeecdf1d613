"""rulesengine: responsibility and workflow rules for customer-service centres.

The public API is what this module exports (``__all__``); every other module is
internal and may change between versions.

>>> import rulesengine
>>> engine = rulesengine.load("path/to/rules")          # doctest: +SKIP
>>> engine.decide(ticket, "approve", {"id": "p-17", "roles": ["super_agent"]})  # doctest: +SKIP
"""

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

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # the transitions integration imports `transitions` only when a service asks for it
    if name in ("GuardedTicket", "guarded_machine"):
        from .engine import machine

        return getattr(machine, name)
    raise AttributeError(f"module 'rulesengine' has no attribute {name!r}")


__all__ = [
    "Actor",
    "Decision",
    "Engine",
    "EngineHolder",
    "Fired",
    "GrantRef",
    "GuardedTicket",
    "InvalidTicket",
    "Reason",
    "RulesInvalid",
    "Ticket",
    "TransitionDenied",
    "TransitionRef",
    "__version__",
    "guarded_machine",
    "load",
]
