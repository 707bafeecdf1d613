"""Safe YAML loading with a source position for every key, value and list item.

PyYAML's loaders lose positions and silently accept hazards that bite rule authors:
duplicate keys (the last one wins), ``on:``/``no:`` keys that become booleans, custom
tags, alias bombs, absurd nesting.  This module builds plain Python data directly from
the parser's event stream, so it sees every one of those and reports each as a located
:class:`~rulesengine.diagnostics.Diagnostic` instead of an exception.  Nothing here
constructs arbitrary objects: the only values produced are dict, list, str, int, float,
bool and None.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import Resolver

from .. import diagnostics as d
from ..diagnostics import Diagnostic, Location
from ..numbers import RANGE_HELP, NumberError, read_float, read_int
from .positions import LineIndex, char_offset

MAX_FILE_BYTES = 4 * 1_048_576
MAX_DEPTH = 40
MAX_ALIASES = 200
# a workflow of 20,000 transitions with their states is about 250,000 nodes
MAX_NODES = 500_000

_C_PARSER = hasattr(yaml, "CSafeLoader")
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, "!"}

_RESOLVER = Resolver()

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """One loaded YAML file: its data plus where each piece came from.

    ``positions`` maps a JSON path (tuple of keys and indexes) to the location of the
    value; ``key_positions`` maps the path of a mapping entry to the location of its
    key.  Values reached through an alias have no entry of their own; :meth:`locate`
    then falls back to the nearest enclosing path, which points at the alias.
    """

    file: str
    data: Any
    positions: Mapping[JsonPath, Location] = field(default_factory=dict)
    key_positions: Mapping[JsonPath, Location] = field(default_factory=dict)
    raw: Mapping[JsonPath, str] = field(default_factory=dict)

    def locate(self, path: JsonPath) -> Location:
        """Location of the value at ``path``, or of its nearest known ancestor."""
        p = tuple(path)
        while p:
            loc = self.positions.get(p)
            if loc is not None:
                return loc
            p = p[:-1]
        return self.positions.get((), Location(self.file, 1, 1))

    def locate_key(self, path: JsonPath) -> Location:
        """Location of the key of the mapping entry at ``path`` (else of the value)."""
        loc = self.key_positions.get(tuple(path))
        return loc if loc is not None else self.locate(path)

    def raw_text(self, path: JsonPath) -> str | None:
        """Source text of a plain scalar that YAML turned into a non-string."""
        return self.raw.get(tuple(path))


@dataclass
class LoadResult:
    document: Document | None
    diagnostics: list[Diagnostic]


def _loc(file: str, lines: LineIndex, mark: Any, end: Any = None) -> Location:
    """A parser mark as editors count lines (see :mod:`rulesengine.source.positions`)."""
    line, column = lines.position(mark.index)
    if end is None:
        return Location(file, line, column)
    end_line, end_column = lines.position(end.index)
    return Location(file, line, column, end_line, end_column)


def _resolve_plain(value: str) -> tuple[str, Any]:
    """Resolve a plain scalar the way YAML 1.1 does, minus its worst surprises.

    Sexagesimal numbers (``09:30`` → 570) and timestamps stay strings: rules files
    hold clock times and dates, never base-60 integers or datetime objects.  Numbers
    out of range raise :class:`~rulesengine.numbers.NumberError`.
    """
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if tag == _NULL:
        return tag, None
    if tag == _BOOL:
        return tag, value.lower() in ("yes", "true", "on")
    if tag in (_INT, _FLOAT):
        if ":" in value:
            return _STR, value
        try:
            return tag, read_int(value) if tag == _INT else read_float(value)
        except ValueError:
            return _STR, value
    if tag == _MERGE:
        return tag, value
    return _STR, value


_TAB_INDENT = re.compile(r"^([ ]*)\t")


def _tab_indents(lines: LineIndex, file: str) -> list[Diagnostic]:
    out = []
    for lineno, line in enumerate(lines.lines(), 1):
        m = _TAB_INDENT.match(line)
        if m and line.strip():
            out.append(
                d.TAB_INDENT(
                    "tab character used for indentation",
                    Location(file, lineno, m.end()),
                    help="YAML indentation must use spaces; replace the tab with spaces",
                )
            )
            if len(out) >= 10:
                break
    return out


class _Abort(Exception):
    """Raised inside the builder to stop at a hazard that makes going on pointless."""


class _Builder:
    """Turns parser events into data + positions, enforcing the safety limits."""

    def __init__(self, file: str, lines: LineIndex) -> None:
        self.file = file
        self.lines = lines
        self.positions: dict[JsonPath, Location] = {}
        self.key_positions: dict[JsonPath, Location] = {}
        self.raw: dict[JsonPath, str] = {}
        self.diags: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = 0
        self.nodes = 0

    # -- helpers ---------------------------------------------------------------------
    def _loc(self, mark: Any, end: Any = None) -> Location:
        return _loc(self.file, self.lines, mark, end)

    def _count(self, n: int, mark: Any, alias: bool = False) -> None:
        self.nodes += n
        if self.nodes <= MAX_NODES:
            return
        if alias:
            self.diags.append(
                d.ALIAS_BOMB(
                    f"aliases expand the document to more than {MAX_NODES:,} values",
                    self._loc(mark),
                    help="aliases that repeat large anchors multiply the document; write the data out",
                )
            )
        else:
            self.diags.append(
                d.TOO_MANY_NODES(
                    f"file holds more than {MAX_NODES:,} values",
                    self._loc(mark),
                    help="split the rules into several files (one workflow or role per file)",
                )
            )
        raise _Abort

    def build(self, events: Iterator[Any]) -> Any:
        # Stack frames: [kind, container, path, pending_key, pending_key_event, size, anchor, merged_keys]
        stack: list[dict[str, Any]] = []
        root: Any = None
        root_done = False
        documents = 0
        for ev in events:
            if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent)):
                continue
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.diags.append(
                        d.MULTI_DOCUMENT(
                            "file holds more than one YAML document",
                            self._loc(ev.start_mark),
                            help="keep one document per file; split the rest into files of their own",
                        )
                    )
                    raise _Abort
                continue
            if isinstance(ev, yaml.DocumentEndEvent):
                continue

            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                value, size = frame["value"], frame["size"]
                if frame["anchor"]:
                    self.anchors[frame["anchor"]] = (value, size)
                if stack:
                    self._attach(stack[-1], value, size, frame["start"], frame["end"], raw=None, tag=None)
                else:
                    root, root_done = value, True
                continue

            if isinstance(ev, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    self.diags.append(
                        d.ALIAS_BOMB(
                            f"more than {MAX_ALIASES} aliases in one file",
                            self._loc(ev.start_mark),
                            help="write the data out instead of repeating anchors",
                        )
                    )
                    raise _Abort
                if ev.anchor not in self.anchors:
                    self.diags.append(
                        d.YAML_SYNTAX(
                            f"alias `*{ev.anchor}` refers to an unknown or recursive anchor",
                            self._loc(ev.start_mark),
                            help="define `&name` before using `*name`, outside the value it names",
                        )
                    )
                    raise _Abort
                value, size = self.anchors[ev.anchor]
                self._count(size, ev.start_mark, alias=True)
                if stack:
                    self._attach(stack[-1], value, size, ev.start_mark, ev.end_mark, raw=None, tag="alias")
                else:
                    root, root_done = value, True
                continue

            tag = ev.tag
            if tag is not None and tag != "!" and tag not in _SCALAR_TAGS | {_MAP, _SEQ}:
                self.diags.append(
                    d.UNSAFE_TAG(
                        f"tag `{tag.replace('tag:yaml.org,2002:', '!!')}` is not allowed",
                        self._loc(ev.start_mark),
                        help="rules files are plain data; remove the tag",
                    )
                )
                raise _Abort

            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                is_map = isinstance(ev, yaml.MappingStartEvent)
                if (is_map and tag == _SEQ) or (not is_map and tag == _MAP):
                    self.diags.append(
                        d.UNSAFE_TAG(
                            "tag does not match the collection it is on",
                            self._loc(ev.start_mark),
                            help="remove the tag",
                        )
                    )
                    raise _Abort
                if len(stack) >= MAX_DEPTH:
                    self.diags.append(
                        d.TOO_DEEP(
                            f"nesting deeper than {MAX_DEPTH} levels",
                            self._loc(ev.start_mark),
                            help="rules files are shallow; check for a runaway structure",
                        )
                    )
                    raise _Abort
                self._count(1, ev.start_mark)
                path = self._child_path(stack, ev.start_mark) if stack else ()
                self.positions[path] = self._loc(ev.start_mark, ev.end_mark)
                stack.append(
                    {
                        "map": is_map,
                        "value": {} if is_map else [],
                        "path": path,
                        "key": None,
                        "key_loc": None,
                        "key_raw": None,
                        "have_key": False,
                        "size": 1,
                        "anchor": ev.anchor,
                        "start": ev.start_mark,
                        "end": ev.end_mark,
                        "merged": set(),
                        "explicit": {},
                    }
                )
                continue

            if isinstance(ev, yaml.ScalarEvent):
                self._count(1, ev.start_mark)
                raw: str | None = None
                try:
                    if ev.implicit[0] and tag in (None, "!"):
                        rtag, value = _resolve_plain(ev.value)
                        if rtag not in (_STR, _MERGE):
                            raw = ev.value
                    else:
                        rtag, value = self._explicit_scalar(ev, tag)
                except NumberError as exc:
                    rtag, value, raw = self._bad_number(ev, exc, stack)
                if ev.anchor:
                    self.anchors[ev.anchor] = (value, 1)
                if stack:
                    self._attach(stack[-1], value, 1, ev.start_mark, ev.end_mark, raw=raw, tag=rtag)
                else:
                    root, root_done = value, True
                    self.positions[()] = self._loc(ev.start_mark, ev.end_mark)
                continue
        if not root_done:
            return None
        return root

    def _bad_number(self, ev: Any, exc: NumberError, stack: list[dict[str, Any]]) -> tuple[str, Any, str | None]:
        """Report a number out of range; a key goes on to be reported as not text."""
        if stack and stack[-1]["map"] and not stack[-1]["have_key"]:
            return _FLOAT, math.nan, ev.value
        self.diags.append(d.INVALID_NUMBER(str(exc), self._loc(ev.start_mark, ev.end_mark), help=RANGE_HELP))
        return _STR, ev.value, None

    def _explicit_scalar(self, ev: Any, tag: str | None) -> tuple[str, Any]:
        if tag is None or tag in ("!", _STR):
            return _STR, ev.value
        try:
            if tag == _INT:
                return _INT, read_int(ev.value.strip())
            if tag == _FLOAT:
                return _FLOAT, read_float(ev.value.strip())
            if tag == _BOOL:
                low = ev.value.lower()
                if low not in ("true", "false", "yes", "no", "on", "off"):
                    raise ValueError(ev.value)
                return _BOOL, low in ("true", "yes", "on")
            if tag == _NULL:
                return _NULL, None
        except ValueError:
            self.diags.append(
                d.YAML_SYNTAX(
                    f"`{ev.value}` does not fit tag `{tag.replace('tag:yaml.org,2002:', '!!')}`",
                    self._loc(ev.start_mark),
                )
            )
            raise _Abort from None
        return _STR, ev.value

    def _child_path(self, stack: list[dict[str, Any]], mark: Any) -> JsonPath:
        frame = stack[-1]
        if frame["map"]:
            if not frame["have_key"]:
                self.diags.append(
                    d.NON_STRING_KEY(
                        "mapping key is a collection",
                        self._loc(mark),
                        help="keys must be plain names",
                    )
                )
                raise _Abort
            return frame["path"] + (frame["key"],)
        return frame["path"] + (len(frame["value"]),)

    def _attach(
        self,
        frame: dict[str, Any],
        value: Any,
        size: int,
        start: Any,
        end: Any,
        raw: str | None,
        tag: str | None,
    ) -> None:
        frame["size"] += size
        if not frame["map"]:
            path = frame["path"] + (len(frame["value"]),)
            frame["value"].append(value)
            if tag != "alias" or path not in self.positions:
                self.positions[path] = self._loc(start, end)
            if raw is not None:
                self.raw[path] = raw
            return
        if not frame["have_key"]:
            self._take_key(frame, value, start, end, raw, tag)
            return
        key = frame["key"]
        frame["have_key"] = False
        if key is _MERGE_KEY:
            self._merge(frame, value, start)
            return
        if key is None:  # key was rejected; value dropped
            return
        path = frame["path"] + (key,)
        frame["value"][key] = value
        self.positions[path] = self._loc(start, end)
        self.key_positions[path] = frame["key_loc"]
        if raw is not None:
            self.raw[path] = raw

    def _take_key(
        self, frame: dict[str, Any], value: Any, start: Any, end: Any, raw: str | None, tag: str | None
    ) -> None:
        frame["have_key"] = True
        loc = self._loc(start, end)
        if tag == _MERGE:
            frame["key"] = _MERGE_KEY
            return
        if tag == _BOOL and raw is not None:
            self.diags.append(
                d.BOOLEAN_KEY(
                    f"key `{raw}` is read by YAML as the boolean {str(value).lower()}",
                    loc,
                    help=f'quote the key to keep it as text: `"{raw}":`',
                )
            )
            frame["key"] = None
            return
        if not isinstance(value, str):
            shown = raw if raw is not None else repr(value)
            self.diags.append(
                d.NON_STRING_KEY(
                    f"key `{shown}` is not text",
                    loc,
                    help=f'quote the key: `"{shown}":`',
                )
            )
            frame["key"] = None
            return
        if value in frame["explicit"]:
            first = frame["explicit"][value]
            self.diags.append(
                d.DUPLICATE_KEY(
                    f"duplicate key `{value}`",
                    loc,
                    help=f"the first `{value}` is at line {first.line}; YAML would silently keep only the last one",
                    related=(first,),
                )
            )
            frame["key"] = None
            return
        frame["explicit"][value] = loc
        frame["key"] = value
        frame["key_loc"] = loc

    def _merge(self, frame: dict[str, Any], value: Any, mark: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        for src in sources:
            if not isinstance(src, dict):
                self.diags.append(
                    d.YAML_SYNTAX(
                        "merge key `<<` needs a mapping or a list of mappings",
                        self._loc(mark),
                    )
                )
                return
            for k, v in src.items():
                if k not in frame["value"]:
                    frame["value"][k] = v
                    self.positions.setdefault(frame["path"] + (k,), self._loc(mark))


class _MergeKey:
    def __repr__(self) -> str:
        return "<<"


_MERGE_KEY: Any = _MergeKey()


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_text(text: str, file: str) -> LoadResult:
    """Load YAML text; ``file`` is the name used in locations."""
    lines = LineIndex(text)
    diags = _tab_indents(lines, file)
    if diags:
        return LoadResult(None, diags)
    builder = _Builder(file, lines)
    try:
        data = builder.build(yaml.parse(text, Loader=_Parser))
    except _Abort:
        return LoadResult(None, builder.diags)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = (exc.problem or "invalid YAML").strip()
        ctx = (exc.context or "").strip()
        loc = _loc(file, lines, mark) if mark is not None else Location(file, 1, 1)
        return LoadResult(
            None,
            builder.diags + [d.YAML_SYNTAX(_lower(msg), loc, help=f"YAML syntax: {ctx}" if ctx else None)],
        )
    except yaml.reader.ReaderError as exc:
        # libyaml counts this offset in bytes of the UTF-8 text, PyYAML in characters
        offset = char_offset(text, exc.position) if _C_PARSER else exc.position
        line, col = lines.position(offset)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return LoadResult(
            None,
            [
                d.ENCODING(
                    f"character `U+{ord(char):04X}` is not allowed in YAML",
                    Location(file, line, col),
                    help="remove control characters from the file",
                )
            ],
        )
    except yaml.YAMLError as exc:  # anything else the parser raises
        return LoadResult(None, [d.YAML_SYNTAX(_lower(str(exc).splitlines()[0]), Location(file, 1, 1))])
    except RecursionError:
        return LoadResult(None, [d.TOO_DEEP("nesting too deep to parse", Location(file, 1, 1))])
    if builder.diags:
        return LoadResult(None, builder.diags)
    if data is None:
        return LoadResult(
            None,
            [d.EMPTY_DOCUMENT("file is empty", Location(file, 1, 1), help="remove the file or give it content")],
        )
    return LoadResult(Document(file, data, builder.positions, builder.key_positions, builder.raw), [])


def _lower(msg: str) -> str:
    msg = msg.rstrip(".")
    return msg[:1].lower() + msg[1:] if msg else msg


def _too_large(size: int, file: str) -> Diagnostic:
    return d.TOO_LARGE(
        f"file is {size} bytes, above the limit of {MAX_FILE_BYTES}",
        Location(file, 1, 1),
        help="split the rules into several files",
    )


def load_bytes(data: bytes, file: str) -> LoadResult:
    """Decode UTF-8 (with or without BOM) and load; bad bytes are a located error."""
    if len(data) > MAX_FILE_BYTES:
        return LoadResult(None, [_too_large(len(data), file)])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + 1
        col = len(head[head.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        return LoadResult(
            None,
            [
                d.ENCODING(
                    f"byte `0x{data[exc.start]:02x}` is not valid UTF-8",
                    Location(file, line, col),
                    help="save the file as UTF-8",
                )
            ],
        )
    return load_text(text, file)


def load_file(path: Path, root: Path | None = None) -> LoadResult:
    """Load one file; ``root`` makes locations relative to the rules directory."""
    file = _display(path, root)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would block, a directory cannot be read
            return LoadResult(None, [d.WRONG_FILE_TYPE(f"`{file}` is not a regular file", Location(file))])
        if info.st_size > MAX_FILE_BYTES:
            return LoadResult(None, [_too_large(info.st_size, file)])
        raw = path.read_bytes()
    except OSError as exc:
        return LoadResult(None, [d.READ_ERROR(f"cannot read file: {exc.strerror or exc}", Location(file))])
    return load_bytes(raw, file)
