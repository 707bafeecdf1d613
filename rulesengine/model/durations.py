"""Durations as rule authors write them: ``3m``, ``4h``, ``1d``, ``1h30m``, ``1wd``."""

from __future__ import annotations

import re

from ..numbers import MAX_MAGNITUDE
from .ruleset import Duration

_CLOCK = re.compile(r"(?:(?P<d>[0-9]+)d)?(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?")
_WORKING = re.compile(r"(?P<wd>[1-9][0-9]*)wd")
_DIGITS = re.compile(r"[0-9]+")

DURATION_HELP = "write minutes `3m`, hours `4h`, days `1d`, a combination `1h30m`, or working days `1wd`"


def out_of_range(text: str) -> bool:
    """Whether a duration is longer than 10^15 minutes (or working days).

    Decided on the digits before converting them, so that a duration with thousands
    of digits is refused rather than handed to :func:`int`.
    """
    if not isinstance(text, str) or any(len(run.lstrip("0")) > 16 for run in _DIGITS.findall(text)):
        return isinstance(text, str)
    dur = _parse(text)
    return dur is not None and max(dur.minutes, dur.working_days) > MAX_MAGNITUDE


def parse_duration(text: str) -> Duration | None:
    """Parse a duration; None when the text is not one or is out of range (the caller reports it)."""
    if not isinstance(text, str) or out_of_range(text):
        return None
    return _parse(text)


def _parse(text: str) -> Duration | None:
    m = _WORKING.fullmatch(text)
    if m:
        return Duration(text, working_days=int(m.group("wd")))
    m = _CLOCK.fullmatch(text)
    if not m or not text:
        return None
    minutes = int(m.group("d") or 0) * 1440 + int(m.group("h") or 0) * 60 + int(m.group("m") or 0)
    if minutes <= 0:
        return None
    return Duration(text, minutes=minutes)


def format_minutes(minutes: float) -> str:
    """Render minutes back in the authors' notation (``90`` → ``1h30m``)."""
    minutes = round(minutes)
    if minutes <= 0:
        return "0m"
    d, rest = divmod(minutes, 1440)
    h, m = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((d, "d"), (h, "h"), (m, "m")) if v)
