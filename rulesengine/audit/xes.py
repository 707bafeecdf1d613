"""A streaming reader of XES event logs (IEEE 1849), with line numbers.

The file is fed to the standard library's expat parser in 64 KiB pieces, so a log of
any size is read with the memory of one trace; expat reports the line of every
element, which ``ElementTree.iterparse`` does not.  Event attributes are columns under
their keys (``concept:name``, ``time:timestamp``, ``org:resource``…); trace
attributes are columns under ``case:<key>``, as process-mining exports flatten them.
Nested attributes (lists, containers) are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from .events import FieldMap
from .kinds import LogError
from .readers import Row, event_from

ATTRIBUTE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})
CHUNK = 1 << 16


def read_xes(path: Path, fm: FieldMap, attributes: Collection[str], tz: dt.tzinfo | None) -> Iterator[Row]:
    """The events of an XES log, trace by trace (each trace's events are contiguous)."""
    parser = expat.ParserCreate()
    stack: list[str] = []
    trace: dict[str, Any] | None = None
    events: list[tuple[int, dict[str, Any]]] = []
    current: dict[str, Any] | None = None
    ready: list[Row] = []
    seen_root = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal trace, current
        local = tag.rsplit(":", 1)[-1]
        parent = stack[-1] if stack else None
        stack.append(local)
        if not seen_root[0]:
            seen_root[0] = True
            if local != "log":
                raise LogError(
                    str(path), parser.CurrentLineNumber, f"an XML file whose root is `{tag}`, not an XES `log`"
                )
            return
        if local == "trace" and parent == "log":
            trace = {}
            events.clear()
        elif local == "event" and parent == "trace":
            current = {}
            events.append((parser.CurrentLineNumber, current))
        elif local in ATTRIBUTE_TAGS and "key" in attrs:
            if parent == "event" and current is not None:
                current[attrs["key"]] = attrs.get("value", "")
            elif parent == "trace" and trace is not None:
                trace["case:" + attrs["key"]] = attrs.get("value", "")

    def end(tag: str) -> None:
        nonlocal trace, current
        local = stack.pop() if stack else tag
        if local == "event" and stack and stack[-1] == "trace":
            current = None
        elif local == "trace" and stack and stack[-1] == "log" and trace is not None:
            for line, values in events:
                merged = {**trace, **values}
                ready.append(event_from(merged, line, fm, attributes, tz))
            trace = None
            events.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise LogError(str(path), 0, f"cannot read the log: {exc.strerror or exc}") from None
    with fh:
        while True:
            chunk = fh.read(CHUNK)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise LogError(str(path), exc.lineno, f"not well-formed XES: {expat.ErrorString(exc.code)}") from None
            yield from ready
            ready.clear()
            if not chunk:
                break
    if not seen_root[0]:
        raise LogError(str(path), 0, "the log is empty", "give an XES file with a `log` element")
