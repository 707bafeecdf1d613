"""The decision log: a tamper-evident record of what the engine decided, and its verification.

A service passes ``decision_log=`` to :func:`rulesengine.load` (a path or a
:class:`DecisionLog`); every ``fire`` — and every ``decide`` when the log has
``log_decisions`` — appends a hash-chained JSON Lines record.  :func:`verify_log`
(``rulesengine verify-log``) checks the files and says which record was edited,
deleted, inserted or moved, and whether the end was cut off.
"""

from __future__ import annotations

from .files import DecisionLogError, archives, log_files
from .records import Alg, Call, KeyProblem, MaskStyle, canonical, read_key
from .report import Finding, Problem, Verification
from .verify import LogUnreadable, NeedsKey, read_checkpoint, verify_log
from .writer import DecisionLog, Head, open_log

__all__ = [
    "Alg",
    "Call",
    "DecisionLog",
    "DecisionLogError",
    "Finding",
    "Head",
    "KeyProblem",
    "LogUnreadable",
    "MaskStyle",
    "NeedsKey",
    "Problem",
    "Verification",
    "archives",
    "canonical",
    "log_files",
    "open_log",
    "read_checkpoint",
    "read_key",
    "verify_log",
]
