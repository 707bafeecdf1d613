"""Durations as rule authors write them: ``3m``, ``4h``, ``1d``, ``1h30m``, ``1wd``."""

from __future__ import annotations

import re

from .model import Duration

_CLOCK = re.compile(r"^(?:(?P<d>[0-9]+)d)?(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?$")
_WORKING = re.compile(r"^(?P<wd>[1-9][0-9]*)wd$")

DURATION_HELP = "write minutes `3m`, hours `4h`, days `1d`, a combination `1h30m`, or working days `1wd`"


def parse_duration(text: str) -> Duration | None:
    """Parse a duration; None when the text is not one (the caller reports it)."""
    if not isinstance(text, str):
        return None
    m = _WORKING.match(text)
    if m:
        return Duration(text, working_days=int(m.group("wd")))
    m = _CLOCK.match(text)
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
