"""Swapping rules under a running service: the good engine stays until a better one loads.

A service holds an :class:`EngineHolder` and asks it for the current engine on every
request.  :meth:`EngineHolder.reload` compiles the rules directory into a new engine
off to the side and swaps it in with one reference assignment (atomic in Python), so
a request sees either the old rules or the new ones, never a mix; rules that fail to
compile never replace the good ones, and their errors are returned.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from .core import Engine, load
from .decision import RulesInvalid

if TYPE_CHECKING:
    from ..decisionlog import DecisionLog


class EngineHolder:
    """The current :class:`Engine` of a rules directory, reloadable while in use."""

    def __init__(
        self,
        path: str | Path,
        *,
        strict: bool = False,
        decision_log: DecisionLog | str | os.PathLike[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.strict = strict
        self._lock = threading.Lock()  # one reload at a time; readers never wait
        self._engine: Engine = load(self.path, strict=strict, decision_log=decision_log)
        # one log across reloads: every engine this holder loads writes the same chain
        self.decision_log: DecisionLog | None = self._engine.decision_log

    @property
    def engine(self) -> Engine:
        """The engine to use for this request (take it once per request)."""
        return self._engine

    @property
    def rules_hash(self) -> str:
        return self._engine.rules_hash

    def swap(self, engine: Engine) -> None:
        """Put an already built engine in place."""
        self._engine = engine

    def reload(self, path: str | Path | None = None) -> list[Diagnostic]:
        """Load the rules again (from ``path`` when given); [] when swapped in.

        On invalid rules the current engine stays and the located errors come back.
        """
        with self._lock:
            try:
                fresh = load(
                    Path(path) if path is not None else self.path, strict=self.strict, decision_log=self.decision_log
                )
            except RulesInvalid as exc:
                return exc.diagnostics
            if path is not None:
                self.path = Path(path)
            self._engine = fresh
            return []
