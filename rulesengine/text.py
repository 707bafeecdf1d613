"""Wording helpers shared by every stage: "did you mean" suggestions and plurals.

They sit below everything else so that the compiler, the check, ticket profiles and the
command line can suggest a name without importing the schema checker (or each other).
"""

from __future__ import annotations

import difflib
from typing import Any

from rapidfuzz import fuzz, process

_SHORTLIST = 8


def suggest(word: str, choices: Any) -> str | None:
    """The closest choice to ``word``, for "did you mean" help, or None.

    Closeness is :mod:`difflib`'s ratio (at least 0.6), as :func:`difflib.get_close_matches`
    measures it; but that costs a full comparison per choice, seconds over thousands of
    near-identical names.  A fast edit-distance pass (whose score is never below
    difflib's) first keeps a short list, and only that is ranked with difflib.
    """
    options = [c for c in choices if isinstance(c, str)]
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    shortlist = process.extract(word, options, scorer=fuzz.ratio, score_cutoff=59.9, limit=_SHORTLIST)
    scored = []
    for choice, _score, _index in shortlist:
        matcher = difflib.SequenceMatcher(None, choice, word)
        scored.append((matcher.ratio(), choice))
    best = max(scored, default=None)
    return best[1] if best is not None and best[0] >= 0.6 else None


def did_you_mean(word: str, choices: Any) -> str | None:
    """The help line every unknown name gets, in one wording, or None when nothing is close."""
    s = suggest(word, choices)
    return f"did you mean `{s}`?" if s else None


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an English plural "s" unless ``n`` is one."""
    return f"{n} {word}" + ("" if n == 1 else "s")
