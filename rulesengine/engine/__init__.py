"""The enforcement engine: ``decide`` and ``fire`` for services that embed the rules."""

from .core import Engine, Fired, InvalidTicket, load, moved
from .decision import Decision, GrantRef, RulesInvalid, TransitionDenied, TransitionRef
from .inputs import Actor, Ticket
from .reasons import Reason

__all__ = [
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
    "moved",
]
