"""A structured mutator of the bundled customer-service centre, for the fuzz suite.

:func:`cases` is a Hypothesis strategy of :class:`Case`: the bundled centre's YAML
files (``ticket.yaml``, ``roles/``, ``workflows/``, ``policies/`` and ``scenarios/``)
parsed, changed by a few mutations, serialised back to YAML and sometimes changed
once more as text.  The mutations are of two sorts:

* structural — delete a key or a list item, duplicate one, swap a value's type
  (string ↔ list ↔ mapping ↔ number), huge and non-finite numbers (``1e400``,
  ``.nan``, ``10**30``, hexadecimal), control characters and Unicode edge cases (NEL,
  U+2028, right-to-left marks, combining characters, emoji, empty and very long
  strings) in ids, names and values, a subtree copied from elsewhere, a required key
  removed, a whole file dropped or copied under another name (a duplicated id);
* semantic — the edits a rule author makes: a role reporting to itself, a grant naming
  an unknown workflow, state or role, an escalation to a missing role, a transition
  moved to another state, permission kinds swapped, limits, conditions, flags and
  durations changed.  Many of these keep the rules valid, so that the analysis, the
  matrix, the diagrams, the simulation and the scenario tests run on them too.

Text mutations then duplicate a key line, change line ends, add a byte-order mark,
insert a control character, truncate the file, add a YAML tag or an undefined alias,
or re-encode the file.  Every case carries a log of what was done (``Case.log``),
which is what Hypothesis shows for a failing example; :meth:`Case.write` puts the
files in a directory to reproduce it with the command line.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("roles", "workflows", "policies", "scenarios")

JsonPath = tuple[str | int, ...]


# -- the bundled centre ------------------------------------------------------------------
@functools.cache
def centre_texts() -> dict[str, str]:
    """The bundled centre as {relative path: text}."""
    out = {"ticket.yaml": (ROOT / "ticket.yaml").read_text(encoding="utf-8")}
    for part in PARTS:
        for p in sorted((ROOT / part).glob("*.yaml")):
            out[f"{part}/{p.name}"] = p.read_text(encoding="utf-8")
    return out


@functools.cache
def _centre_data() -> dict[str, Any]:
    return {path: yaml.safe_load(text) for path, text in centre_texts().items()}


def centre_data() -> dict[str, Any]:
    """A fresh deep copy of the parsed bundled centre, {relative path: data}."""
    return copy.deepcopy(_centre_data())


# -- odd values ----------------------------------------------------------------------------
class Raw(str):
    """A scalar written into the YAML text exactly as it is (``1e400``, ``0x1F``, ``on``)."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _represent_raw(dumper: yaml.SafeDumper, value: Raw) -> yaml.ScalarNode:
    text = str(value)
    tag = dumper.resolve(yaml.ScalarNode, text, (True, False))
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Raw, _represent_raw)

LONG = "长" * 5_000 + "x" * 5_000

WEIRD_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "\u0085",  # NEL
    "a\u2028b",  # line separator
    "a\u2029b",  # paragraph separator
    "\u200fagent\u200e",  # right-to-left and left-to-right marks
    "\u202eexe.txt",  # right-to-left override
    "e\u0301",  # e + combining acute
    "\u0301",  # a lone combining mark
    "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # a ZWJ family
    "\U0001f1e8\U0001f1f3",  # a flag
    "客服",
    "\x1b[31mred\x1b[0m",
    "tab\there",
    "two\nlines",
    "trailing\n",
    "\ufeffbom",
    "\u00a0",
    "\x00",
    "\x7f",
    "\x9b",
    "\U0010ffff",
    "İ",
    "\u212a",  # Kelvin sign, folds to k
    "null",
    "~",
    "yes",
    "on",
    "-",
    "a: b",
    "#comment",
    "*alias",
    "&anchor",
    "!tag",
    "{a}",
    "[a]",
    "../../etc/passwd",
    "roles/x",
    "UPPER_case",
    "-leading-dash",
    "with space",
    "x" * 300,
    LONG,
)

RAW_NUMBERS: tuple[Any, ...] = (
    Raw("1e400"),
    Raw("1.0e+400"),
    Raw("-1.0e+400"),
    Raw(".nan"),
    Raw(".NaN"),
    Raw(".inf"),
    Raw("-.inf"),
    Raw("0x1F"),
    Raw("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
    Raw("0o17"),
    Raw("0b101"),
    Raw("1_000"),
    Raw("1.5e+3"),
    Raw("1.0e-400"),
    Raw("-0"),
    Raw("190:20:30"),
    Raw("2026-01-01"),
    Raw("1e15"),
    10**30,
    -(10**30),
    10**15,
    10**15 + 1,
    -(10**15),
    2**63,
    2**64,
    0,
    1,
    -1,
    0.1,
    1.5,
    1e-300,
    5e-324,
    1e308,
    True,
    False,
    None,
)

WEIRD_DURATIONS: tuple[str, ...] = (
    "0m",
    "-3m",
    "3x",
    "1wd",
    "0wd",
    "",
    "1h30m",
    "99999999999999999999d",
    "1000000000000000m",
    "1e400m",
    "2d",
    "1m1m",
    "３m",  # a full-width digit
)

BAD_KEYS: tuple[Any, ...] = (Raw("on"), Raw("no"), Raw("yes"), Raw("1"), Raw("null"), Raw("~"), "", "\u2028", "id ")


# -- the case --------------------------------------------------------------------------------
@dataclass
class Case:
    """One mutated rules directory: {relative path: text or bytes}, and what was done."""

    files: dict[str, str | bytes]
    log: list[str] = field(default_factory=list)
    seed: int = 0  # for the choices the pipeline makes (formats, workflow, state)

    def __repr__(self) -> str:
        return f"Case(seed={self.seed}, log={self.log!r})"

    def write(self, root: Path) -> Path:
        """Write the files under ``root`` (created); returns ``root``."""
        root.mkdir(parents=True, exist_ok=True)
        for rel, content in self.files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_bytes(content.encode("utf-8", "surrogatepass"))
        return root

    def as_bytes(self) -> dict[str, bytes]:
        return {k: (v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass")) for k, v in self.files.items()}


# -- walking the data ------------------------------------------------------------------------
def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``1 == True`` is not the same)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _paths(value: Any, prefix: JsonPath = ()) -> Iterator[JsonPath]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _get(value: Any, path: JsonPath) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(root: Any, path: JsonPath, new: Any) -> Any:
    """Replace the value at ``path``; returns the new root (the root itself may change)."""
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(path: JsonPath) -> str:
    return ".".join(str(p) for p in path) or "(document)"


class _Ops:
    """The mutations; each takes the data of every file and returns a log line or None."""

    def __init__(self, draw: st.DrawFn, docs: dict[str, Any]) -> None:
        self.draw = draw
        self.docs = docs

    # helpers
    def pick(self, seq: Any) -> Any:
        items = list(seq)
        return items[self.draw(st.integers(0, len(items) - 1))] if items else None

    def chance(self, n: int) -> bool:
        """True one time in ``n``."""
        return self.draw(st.integers(0, n - 1)) == 0

    def files(self, prefix: str = "") -> list[str]:
        return sorted(p for p in self.docs if p.startswith(prefix))

    def mapping_files(self, prefix: str) -> list[str]:
        return [p for p in self.files(prefix) if isinstance(self.docs[p], dict)]

    def role_ids(self) -> list[str]:
        return [d["id"] for p in self.mapping_files("roles/") if isinstance((d := self.docs[p]).get("id"), str)]

    def workflows(self) -> dict[str, dict[str, Any]]:
        out = {}
        for p in self.mapping_files("workflows/"):
            d = self.docs[p]
            if isinstance(d.get("id"), str):
                out[d["id"]] = d
        return out

    def states_of(self, wf: dict[str, Any]) -> list[str]:
        states = wf.get("states")
        return [s for s in states if isinstance(s, str)] if isinstance(states, dict) else []

    def attributes(self) -> dict[str, Any]:
        t = self.docs.get("ticket.yaml")
        attrs = t.get("attributes") if isinstance(t, dict) else None
        return attrs if isinstance(attrs, dict) else {}

    def weird_string(self) -> str:
        if self.chance(4):
            return str(self.draw(st.text(max_size=12)))
        return str(self.pick(WEIRD_STRINGS))

    def weird_number(self) -> Any:
        if self.chance(5):
            return self.draw(st.one_of(st.integers(), st.floats()))
        return self.pick(RAW_NUMBERS)

    def an_id(self, known: list[str]) -> str:
        """An existing id, a typo of one, a missing one or an odd string."""
        k = self.draw(st.integers(0, 9))
        if k < 5 and known:
            return str(self.pick(known))
        if k < 7 and known:
            base = str(self.pick(known))
            return base[:-1] if len(base) > 1 else base + "x"
        if k < 8:
            return "ghost_" + str(self.pick(["role", "workflow", "state", "x"]))
        return self.weird_string()

    def bound(self) -> Any:
        """A threshold: usually an ordinary one, sometimes an extreme or odd number."""
        k = self.draw(st.integers(0, 3))
        if k == 0:
            return self.pick([0, 200, 200.5, 1e15, -1e15, 5e-324, 199.99999999999997, -0.0, 2000, 10_000])
        if k == 1:
            return self.weird_number()
        return self.draw(st.integers(-10, 20_000))

    def ref(self, known: list[str]) -> str:
        """Mostly an existing id; one time in six anything :meth:`an_id` gives."""
        return str(self.pick(known)) if known and not self.chance(6) else self.an_id(known)

    def retyped(self, value: Any) -> Any:
        k = self.draw(st.integers(0, 8))
        if k == 0:
            return str(value) if not isinstance(value, str) else [value]
        if k == 1:
            return [value]
        if k == 2:
            return {"x": value}
        if k == 3:
            return {}
        if k == 4:
            return []
        if k == 5:
            return self.weird_number()
        if k == 6:
            return self.weird_string()
        if k == 7:
            return [self.weird_string(), self.weird_number()]
        return None

    def any_path(self, path: str, leaves: bool = False) -> JsonPath | None:
        paths = [p for p in _paths(self.docs[path]) if p]
        if leaves:
            paths = [p for p in paths if not isinstance(_get(self.docs[path], p), dict | list)] or paths
        return self.pick(paths)

    def grant_paths(self) -> list[tuple[str, JsonPath]]:
        out = []
        for p in self.mapping_files("roles/"):
            d = self.docs[p]
            for kind in ("handle", "coordinate", "escalate"):
                if isinstance(d.get(kind), list):
                    out.extend((p, (kind, i)) for i, g in enumerate(d[kind]) if isinstance(g, dict))
        return out

    def transition_paths(self) -> list[tuple[str, JsonPath]]:
        out = []
        for p in self.mapping_files("workflows/"):
            ts = self.docs[p].get("transitions")
            if isinstance(ts, list):
                out.extend((p, ("transitions", i)) for i, t in enumerate(ts) if isinstance(t, dict))
        return out

    def escalation_paths(self) -> list[tuple[str, JsonPath]]:
        out = []
        for p in self.mapping_files("workflows/"):
            es = self.docs[p].get("escalations")
            if isinstance(es, list):
                out.extend((p, ("escalations", i)) for i, e in enumerate(es) if isinstance(e, dict))
        return out

    def condition(self) -> Any:
        attrs = self.attributes()
        if not attrs or self.chance(6):
            return {self.an_id(list(attrs)): self.retyped("x")}
        a = self.pick(sorted(attrs))
        spec = attrs[a]
        values = spec.get("values") if isinstance(spec, dict) else None
        names = list(values) if isinstance(values, dict | list) else []
        names = [v for v in names if isinstance(v, str)]
        k = self.draw(st.integers(0, 4))
        if k == 0 and names:
            return {a: self.pick(names)}
        if k == 1 and names:
            return {a: {"not": [self.pick(names)]}}
        if k == 2:
            bounds = {self.pick(["gt", "gte", "lt", "lte"]): self.bound() for _ in range(self.draw(st.integers(1, 3)))}
            return {a: bounds}
        if k == 3:
            return {a: [self.an_id(names), self.an_id(names)]}
        return {a: self.retyped(a)}

    # structural mutations, anywhere
    def delete(self) -> str | None:
        f = self.pick(self.files())
        p = self.any_path(f)
        if p is None:
            return None
        del _get(self.docs[f], p[:-1])[p[-1]]
        return f"{f}: delete {_where(p)}"

    def retype(self) -> str | None:
        f = self.pick(self.files())
        p = self.any_path(f)
        if p is None:
            return None
        new = self.retyped(_get(self.docs[f], p))
        _set(self.docs[f], p, new)
        return f"{f}: {_where(p)} ← {_short(new)}"

    def number(self) -> str | None:
        f = self.pick(self.files())
        p = self.any_path(f, leaves=True)
        if p is None:
            return None
        new = self.weird_number()
        _set(self.docs[f], p, new)
        return f"{f}: {_where(p)} ← number {_short(new)}"

    def string(self) -> str | None:
        f = self.pick(self.files())
        p = self.any_path(f, leaves=True)
        if p is None:
            return None
        new = self.weird_string()
        _set(self.docs[f], p, new)
        return f"{f}: {_where(p)} ← string {_short(new)}"

    def rename_key(self) -> str | None:
        f = self.pick(self.files())
        maps = [p for p in _paths(self.docs[f]) if isinstance(_get(self.docs[f], p), dict) and _get(self.docs[f], p)]
        p = self.pick(maps)
        if p is None:
            return None
        m = _get(self.docs[f], p)
        old = self.pick(list(m))
        new = self.pick(BAD_KEYS) if self.chance(3) else self.weird_string()
        items = [(new if k == old else k, v) for k, v in m.items()]
        m.clear()
        m.update(items)
        return f"{f}: key {_where((*p, old))} renamed {_short(new)}"

    def duplicate_item(self) -> str | None:
        f = self.pick(self.files())
        lists = [p for p in _paths(self.docs[f]) if isinstance(_get(self.docs[f], p), list) and _get(self.docs[f], p)]
        p = self.pick(lists)
        if p is None:
            return None
        items = _get(self.docs[f], p)
        i = self.draw(st.integers(0, len(items) - 1))
        items.insert(i, copy.deepcopy(items[i]))
        return f"{f}: duplicate {_where((*p, i))}"

    def crossover(self) -> str | None:
        src = self.pick(self.files())
        sp = self.any_path(src)
        dst = self.pick(self.files())
        dp = self.any_path(dst)
        if sp is None or dp is None:
            return None
        value = copy.deepcopy(_get(self.docs[src], sp))
        _set(self.docs[dst], dp, value)
        return f"{dst}: {_where(dp)} ← copy of {src}:{_where(sp)}"

    def remove_required(self) -> str | None:
        f = self.pick([p for p in self.files() if isinstance(self.docs[p], dict) and self.docs[p]])
        if f is None:
            return None
        key = self.pick(list(self.docs[f]))
        del self.docs[f][key]
        return f"{f}: remove top-level `{key}`"

    def top_level_type(self) -> str | None:
        f = self.pick(self.files())
        new = self.retyped(self.docs[f])
        self.docs[f] = new
        return f"{f}: whole document ← {_short(new)}"

    # whole files
    def drop_file(self) -> str | None:
        f = self.pick(self.files())
        if f is None:
            return None
        del self.docs[f]
        return f"drop {f}"

    def copy_file(self) -> str | None:
        f = self.pick(self.files("roles/") + self.files("workflows/") + self.files("policies/"))
        if f is None:
            return None
        folder = f.split("/")[0]
        name = self.pick(["copy.yaml", "copy.yml", "Copy.yaml", "sub/copy.yaml", "\u00e9.yaml", "x y.yaml"])
        self.docs[f"{folder}/{name}"] = copy.deepcopy(self.docs[f])
        return f"copy {f} to {folder}/{name} (same id)"

    def empty_file(self) -> str | None:
        folder = self.pick(["roles", "workflows", "policies", "scenarios"])
        self.docs[f"{folder}/empty.yaml"] = self.pick([None, {}, [], "", 0])
        return f"add {folder}/empty.yaml"

    # semantic mutations
    def self_report(self) -> str | None:
        f = self.pick(self.mapping_files("roles/"))
        if f is None:
            return None
        d = self.docs[f]
        d["reports_to"] = d.get("id")
        return f"{f}: reports_to ← itself ({_short(d.get('id'))})"

    def report_to(self) -> str | None:
        f = self.pick(self.mapping_files("roles/"))
        if f is None:
            return None
        new = self.an_id(self.role_ids())
        self.docs[f]["reports_to"] = new
        return f"{f}: reports_to ← {_short(new)}"

    def dangling_grant(self) -> str | None:
        f = self.pick(self.mapping_files("roles/"))
        if f is None:
            return None
        wfs = self.workflows()
        kind = self.pick(["handle", "coordinate", "escalate"])
        wid = self.an_id(list(wfs))
        states = self.states_of(wfs[wid]) if wid in wfs else []
        grant: dict[str, Any] = {"workflows": [wid]}
        if self.chance(2):
            grant["states"] = [self.an_id(states)]
        if kind == "coordinate":
            grant["with"] = [self.an_id(self.role_ids())]
        elif kind == "escalate":
            grant["to"] = self.an_id(self.role_ids())
        if self.chance(3):
            grant["when"] = self.condition()
        d = self.docs[f]
        if not isinstance(d.get(kind), list):
            d[kind] = []
        d[kind].append(grant)
        return f"{f}: add {kind} grant {_short(grant, 80)}"

    def escalate_to(self) -> str | None:
        if self.chance(2):
            f, p = self.pick(self.escalation_paths()) or (None, None)
        else:
            f, p = self.pick([(f, p) for f, p in self.grant_paths() if p[0] == "escalate"]) or (None, None)
        if f is None or p is None:
            return None
        new = self.an_id(self.role_ids())
        _get(self.docs[f], p)["to"] = new
        return f"{f}: {_where(p)}.to ← {_short(new)}"

    def coordinate_with(self) -> str | None:
        f, p = self.pick([(f, p) for f, p in self.grant_paths() if p[0] == "coordinate"]) or (None, None)
        if f is None or p is None:
            return None
        own = self.docs[f].get("id")
        new = [own] if self.chance(2) else [self.an_id(self.role_ids()) for _ in range(self.draw(st.integers(0, 3)))]
        _get(self.docs[f], p)["with"] = new
        return f"{f}: {_where(p)}.with ← {_short(new)}"

    def retarget_transition(self) -> str | None:
        f, p = self.pick(self.transition_paths()) or (None, None)
        if f is None or p is None:
            return None
        t = _get(self.docs[f], p)
        states = self.states_of(self.docs[f])
        key = self.pick(["from", "to"])
        new: Any = self.an_id(states) if not self.chance(4) else [self.an_id(states), self.an_id(states)]
        t[key] = new
        return f"{f}: {_where(p)}.{key} ← {_short(new)}"

    def transition_by(self) -> str | None:
        f, p = self.pick(self.transition_paths()) or (None, None)
        if f is None or p is None:
            return None
        new = self.pick(["handle", "coordinate", "escalate", "Handle", "", "timer"])
        _get(self.docs[f], p)["by"] = new
        return f"{f}: {_where(p)}.by ← {new!r}"

    def transition_roles(self) -> str | None:
        f, p = self.pick(self.transition_paths()) or (None, None)
        if f is None or p is None:
            return None
        new = [self.an_id(self.role_ids()) for _ in range(self.draw(st.integers(0, 2)))]
        _get(self.docs[f], p)["roles"] = new
        return f"{f}: {_where(p)}.roles ← {_short(new)}"

    def drop_entry(self) -> str | None:
        choices = self.grant_paths() + self.transition_paths() + self.escalation_paths()
        f, p = self.pick(choices) or (None, None)
        if f is None or p is None:
            return None
        del _get(self.docs[f], p[:-1])[p[-1]]
        return f"{f}: drop {_where(p)}"

    def grant_states(self) -> str | None:
        f, p = self.pick(self.grant_paths()) or (None, None)
        if f is None or p is None:
            return None
        g = _get(self.docs[f], p)
        wfs = self.workflows()
        named = g.get("workflows") if isinstance(g.get("workflows"), list) else list(wfs)
        states = sorted({s for w in named if w in wfs for s in self.states_of(wfs[w])})
        if self.chance(4):
            g.pop("states", None)
            return f"{f}: {_where(p)}: drop states"
        new = [self.an_id(states) for _ in range(self.draw(st.integers(0, 3)))]
        g["states"] = new
        return f"{f}: {_where(p)}.states ← {_short(new)}"

    def grant_workflows(self) -> str | None:
        f, p = self.pick(self.grant_paths()) or (None, None)
        if f is None or p is None:
            return None
        g = _get(self.docs[f], p)
        if self.chance(3):
            g.pop("workflows", None)
            return f"{f}: {_where(p)}: drop workflows"
        new = [self.an_id(list(self.workflows())) for _ in range(self.draw(st.integers(0, 2)))]
        g["workflows"] = new
        return f"{f}: {_where(p)}.workflows ← {_short(new)}"

    def limit(self) -> str | None:
        f, p = self.pick(self.grant_paths()) or (None, None)
        if f is None or p is None:
            return None
        attrs = self.attributes()
        numeric = [a for a, s in attrs.items() if isinstance(s, dict) and s.get("type") in ("number", "integer")]
        attr = self.pick(numeric) if numeric and not self.chance(5) else self.an_id(list(attrs))
        value = self.bound()
        _get(self.docs[f], p)["limits"] = {attr: value}
        return f"{f}: {_where(p)}.limits ← {{{attr!r}: {_short(value)}}}"

    def when(self) -> str | None:
        choices = self.grant_paths() + self.transition_paths() + self.escalation_paths()
        choices += [(f, ()) for f in self.mapping_files("workflows/")]
        f, p = self.pick(choices) or (None, None)
        if f is None or p is None:
            return None
        cond = self.condition()
        key = "applies_when" if p == () else "when"
        _get(self.docs[f], p)[key] = cond
        return f"{f}: {_where(p)}.{key} ← {_short(cond, 80)}"

    def state_flag(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        states = self.docs[f].get("states")
        if not isinstance(states, dict) or not states:
            return None
        s = self.pick(list(states))
        if not isinstance(states[s], dict):
            states[s] = {}
        flag = self.pick(["final", "required", "pause"])
        value = self.pick([True, False]) if not self.chance(6) else self.retyped(True)
        states[s][flag] = value
        return f"{f}: states.{s}.{flag} ← {_short(value)}"

    def add_state(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        states = self.docs[f].get("states")
        if not isinstance(states, dict):
            return None
        sid = self.an_id(self.states_of(self.docs[f])) if self.chance(2) else "island"
        states[sid] = {} if self.chance(2) else {"sla": self.pick(WEIRD_DURATIONS)}
        return f"{f}: add state {_short(sid)}"

    def rename_state(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        states = self.docs[f].get("states")
        if not isinstance(states, dict) or not states:
            return None
        old = self.pick(list(states))
        new = self.weird_string()
        items = [(new if k == old else k, v) for k, v in states.items()]
        states.clear()
        states.update(items)
        return f"{f}: rename state {old!r} → {_short(new)}"

    def initial(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        new = self.an_id(self.states_of(self.docs[f]))
        self.docs[f]["initial"] = new
        return f"{f}: initial ← {_short(new)}"

    def set_id(self) -> str | None:
        f = self.pick(self.mapping_files("roles/") + self.mapping_files("workflows/"))
        if f is None:
            return None
        known = self.role_ids() if f.startswith("roles/") else list(self.workflows())
        new = self.an_id(known)
        self.docs[f]["id"] = new
        return f"{f}: id ← {_short(new)}"

    def display_text(self) -> str | None:
        f = self.pick(self.files())
        if f is None:
            return None
        paths = [
            p
            for p in _paths(self.docs[f])
            if p and p[-1] in ("en", "zh", "description", "note", "label", "name", "unit")
        ]
        p = self.pick(paths)
        if p is None:
            return None
        new = self.weird_string()
        _set(self.docs[f], p, new)
        return f"{f}: {_where(p)} ← text {_short(new)}"

    def ownership(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        new = self.pick(["single", "shared", "none", ""])
        self.docs[f]["ownership"] = new
        return f"{f}: ownership ← {new!r}"

    def assign(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        roles = self.role_ids()
        if self.chance(3):
            self.docs[f].pop("assign", None)
            return f"{f}: drop assign"
        new = [self.an_id(roles) for _ in range(self.draw(st.integers(0, 4)))]
        self.docs[f]["assign"] = new
        return f"{f}: assign ← {_short(new)}"

    def role_scalar(self) -> str | None:
        f = self.pick(self.mapping_files("roles/"))
        if f is None:
            return None
        key = self.pick(["headcount", "handles_tickets"])
        new = self.weird_number() if key == "headcount" or self.chance(3) else self.pick([True, False])
        self.docs[f][key] = new
        return f"{f}: {key} ← {_short(new)}"

    def duration(self) -> str | None:
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        paths = [p for p in _paths(self.docs[f]) if p and p[-1] in ("sla", "after", "target", "at", "max")]
        p = self.pick(paths)
        if p is None:
            return None
        if isinstance(_get(self.docs[f], p), dict):
            return None
        new: Any = self.pick(WEIRD_DURATIONS) if p[-1] != "at" else self.pick(["0%", "100%", "150%", "-5%", "80"])
        if self.chance(5):
            new = self.weird_number()
        _set(self.docs[f], p, new)
        return f"{f}: {_where(p)} ← {_short(new)}"

    def sla_ref(self) -> str | None:
        f, p = self.pick(self.escalation_paths()) or (None, None)
        if f is None or p is None:
            return None
        slas = self.docs[f].get("sla")
        names = list(slas) if isinstance(slas, dict) else []
        e = _get(self.docs[f], p)
        new = self.an_id(names)
        e.pop("after", None)
        e["at"] = self.pick(["80%", "100%", "0%", "200%"])
        e["of"] = new
        return f"{f}: {_where(p)} at/of ← {_short(new)}"

    def attribute_values(self) -> str | None:
        attrs = self.attributes()
        a = self.pick(sorted(attrs))
        if a is None:
            return None
        spec = attrs[a]
        if not isinstance(spec, dict):
            return None
        k = self.draw(st.integers(0, 3))
        values = spec.get("values")
        if k == 0 and isinstance(values, dict) and values:
            gone = self.pick(list(values))
            del values[gone]
            return f"ticket.yaml: attributes.{a}: drop value {gone!r}"
        if k == 1 and isinstance(values, dict):
            new = self.weird_string()
            values[new] = {"en": "odd", "zh": "怪"}
            return f"ticket.yaml: attributes.{a}: add value {_short(new)}"
        if k == 2:
            new_type = self.pick(["number", "integer", "boolean", "enum", "string"])
            spec["type"] = new_type
            return f"ticket.yaml: attributes.{a}.type ← {new_type!r}"
        key = self.pick(["minimum", "maximum"])
        value = self.weird_number()
        spec[key] = value
        return f"ticket.yaml: attributes.{a}.{key} ← {_short(value)}"

    def calendar(self) -> str | None:
        t = self.docs.get("ticket.yaml")
        cals = t.get("calendars") if isinstance(t, dict) else None
        if not isinstance(cals, dict) or not cals:
            return None
        c = self.pick(list(cals))
        if not isinstance(cals[c], dict):
            return None
        key = self.pick(["timezone", "hours", "holidays", "workdays"])
        options: dict[str, list[Any]] = {
            "timezone": ["Mars/Olympus", "UTC", "", "Asia/Shanghai\n", "../../etc", "EST5EDT"],
            "hours": [
                {"mon-fri": "18:00-09:00"},
                {"sun-mon": "00:00-24:00"},
                {"mon": "25:00-26:00"},
                {"fri-mon": "09:00-09:00"},
                {},
                {"mon-fri": "9-18"},
            ],
            "holidays": [["2026-02-30"], ["not a date"], ["2026-01-01", "2026-01-01"], [], ["9999-12-31"]],
            "workdays": [["2026-02-30"], ["2026-01-01"], ["0001-01-01"]],
        }
        new = self.pick(options[key])
        cals[c][key] = new
        return f"ticket.yaml: calendars.{c}.{key} ← {_short(new)}"

    def policy(self) -> str | None:
        entries = []
        for f in self.mapping_files("policies/"):
            ps = self.docs[f].get("policies")
            if isinstance(ps, list):
                entries.extend((f, i) for i, x in enumerate(ps) if isinstance(x, dict))
        f, i = self.pick(entries) or (None, None)
        if f is None or i is None:
            return None
        pol = self.docs[f]["policies"][i]
        key = self.pick(["roles", "kind", "max", "min", "states", "workflows", "before", "state", "sla", "first"])
        states = sorted({s for w in self.workflows().values() for s in self.states_of(w)})
        options: dict[str, Callable[[], Any]] = {
            "roles": lambda: [self.an_id(self.role_ids()) for _ in range(self.draw(st.integers(0, 3)))],
            "kind": lambda: self.pick(
                [
                    "separation-of-duties",
                    "never-handles",
                    "four-eyes",
                    "owners",
                    "required-before",
                    "sla",
                    "max-transfers",
                    "max-escalation-depth",
                    "other",
                ]
            ),
            "max": lambda: (
                self.pick([0, 1, 3, -1, "3m", "1wd", *WEIRD_DURATIONS[:4]])
                if not self.chance(3)
                else self.weird_number()
            ),
            "min": lambda: self.pick([0, 1, 2, -1]),
            "states": lambda: [self.an_id(states)],
            "workflows": lambda: [self.an_id(list(self.workflows()))],
            "before": lambda: self.an_id(states),
            "state": lambda: self.an_id(states),
            "sla": lambda: self.pick(["first_response", "resolution", "ghost", "first_response_live"]),
            "first": lambda: self.pick(["submit", "approve", "close", "ghost"]),
        }
        new = options[key]()
        pol[key] = new
        return f"{f}: policies.{i}.{key} ← {_short(new)}"

    def add_policy(self) -> str | None:
        f = self.pick(self.mapping_files("policies/"))
        if f is None or not isinstance(self.docs[f].get("policies"), list):
            return None
        roles, wfs = self.role_ids(), self.workflows()
        wid = self.ref(list(wfs))
        wf = wfs.get(wid, {})
        states = self.states_of(wf)
        events = [t["name"] for t in wf.get("transitions") or [] if isinstance(t, dict) and "name" in t]
        kind = self.pick(
            [
                "separation-of-duties",
                "never-handles",
                "four-eyes",
                "owners",
                "required-before",
                "sla",
                "max-transfers",
                "max-escalation-depth",
            ]
        )
        pol: dict[str, Any] = {"id": f"fuzz-{len(self.docs[f]['policies'])}", "name": {"en": "Fuzz", "zh": "模糊"}}
        pol["kind"] = kind
        if self.chance(2):
            pol["workflows"] = [wid]
        if self.chance(4):
            pol["when"] = self.condition()
        if kind == "separation-of-duties":
            pol["roles"] = list(dict.fromkeys([self.ref(roles), self.ref(roles)]))
        elif kind == "never-handles":
            pol["roles"] = [self.ref(roles)]
        elif kind == "four-eyes":
            pol["first"], pol["then"] = self.ref(events), self.ref(events)
        elif kind == "owners":
            pol["min"], pol["max"] = self.draw(st.integers(0, 2)), self.draw(st.integers(0, 3))
            if self.chance(2):
                pol["states"] = [self.ref(states)]
        elif kind == "required-before":
            pol["before"], pol["state"] = self.ref(states), self.ref(states)
        elif kind == "sla":
            pol["sla"] = self.pick(["first_response", "resolution", "first_response_live", "ghost"])
            pol["max"] = self.pick(["3m", "1wd", "2d", "1h", "5wd"])
        else:
            pol["max"] = self.draw(st.integers(0, 3)) if not self.chance(6) else self.weird_number()
        self.docs[f]["policies"].append(pol)
        return f"{f}: add policy {_short(pol, 120)}"

    def edge_workflow(self) -> str | None:
        """A workflow pushed to an edge: no moves, a final start, self-loops only, all required."""
        f = self.pick(self.mapping_files("workflows/"))
        if f is None:
            return None
        wf = self.docs[f]
        states = wf.get("states")
        if not isinstance(states, dict) or not states:
            return None
        first = wf.get("initial") if wf.get("initial") in states else next(iter(states))
        how = self.pick(["no_transitions", "final_start", "self_loops", "all_required", "one_state", "all_escalate"])
        if how == "no_transitions":
            wf["transitions"] = []
        elif how == "final_start":
            states[first] = {"final": True}
        elif how == "self_loops":
            wf["transitions"] = [
                {"name": f"loop_{i}", "from": s, "to": s, "by": self.pick(["handle", "coordinate", "escalate"])}
                for i, s in enumerate(states)
            ]
        elif how == "all_required":
            for s in states:
                if isinstance(states[s], dict):
                    states[s]["required"] = True
        elif how == "one_state":
            wf["states"] = {first: {}}
            wf["initial"] = first
            wf["transitions"] = [{"name": "again", "from": first, "to": first, "by": "handle"}]
            wf.pop("escalations", None)
            wf.pop("sla", None)
        else:
            for t in wf.get("transitions") or []:
                if isinstance(t, dict):
                    t["by"] = "escalate"
        return f"{f}: edge case {how}"

    def clone(self) -> str | None:
        """A role or workflow copied under a new id: more owners, overlapping workflows."""
        f = self.pick(self.mapping_files("roles/") + self.mapping_files("workflows/"))
        if f is None:
            return None
        folder = f.split("/")[0]
        new_id = self.pick(["clone", "clone_2", "z_last", "a_first"])
        doc = copy.deepcopy(self.docs[f])
        doc["id"] = new_id
        if folder == "workflows" and self.chance(2):
            doc.pop("applies_when", None)
        self.docs[f"{folder}/{new_id}.yaml"] = doc
        return f"clone {f} as {folder}/{new_id}.yaml"

    def suppression(self) -> str | None:
        wfs = self.workflows()
        wid = self.ref(list(wfs))
        entry: dict[str, Any] = {
            "rule": self.pick(["duplicate-ownership", "RE201", "ownership-gap", "RE105", "unused-role", "RE999", "x"]),
            "reason": self.pick(["accepted", "", "理由"]),
        }
        if self.chance(2):
            entry["workflow"] = wid
        if self.chance(2):
            entry["state"] = self.ref(self.states_of(wfs.get(wid, {})))
        if self.chance(3):
            entry["role"] = self.ref(self.role_ids())
        doc = self.docs.setdefault("suppressions.yaml", {"suppressions": []})
        if not isinstance(doc, dict) or not isinstance(doc.get("suppressions"), list):
            return None
        doc["suppressions"].append(entry)
        return f"suppressions.yaml: add {_short(entry, 100)}"

    def add_attribute(self) -> str | None:
        attrs = self.attributes()
        if not attrs and "ticket.yaml" in self.docs:
            return None
        name = self.pick(["urgent", "region", "score", "Région", "x"])
        spec = self.pick(
            [
                {"type": "boolean"},
                {"values": ["north", "south", "east"]},
                {"type": "integer", "minimum": 0, "maximum": 10},
                {"type": "number"},
                {"values": []},
                {"values": ["only"]},
            ]
        )
        attrs[name] = copy.deepcopy(spec)
        return f"ticket.yaml: add attribute {name!r}: {spec!r}"

    def scenario(self) -> str | None:
        steps = []
        for f in self.mapping_files("scenarios/"):
            sc = self.docs[f].get("scenarios")
            if not isinstance(sc, list):
                continue
            for i, s in enumerate(sc):
                if isinstance(s, dict) and isinstance(s.get("steps"), list):
                    steps.extend((f, ("scenarios", i, "steps", j)) for j in range(len(s["steps"])))
        f, p = self.pick(steps) or (None, None)
        if f is None or p is None:
            return None
        step = _get(self.docs[f], p)
        if not isinstance(step, dict):
            return None
        key = self.pick(["actor", "event", "after", "expect", "target"])
        wfs = self.workflows()
        events = sorted(
            {
                t.get("name")
                for w in wfs.values()
                for t in (w.get("transitions") or [])
                if isinstance(t, dict) and isinstance(t.get("name"), str)
            }
        )
        options: dict[str, Callable[[], Any]] = {
            "actor": lambda: (
                self.an_id(self.role_ids())
                if not self.chance(3)
                else {"id": "p1", "roles": [self.an_id(self.role_ids())]}
            ),
            "event": lambda: (
                self.an_id(events) if not self.chance(4) else self.pick(["timer:0", "timer:99", "timer:x"])
            ),
            "after": lambda: self.pick(WEIRD_DURATIONS),
            "expect": lambda: {
                self.pick(["state", "owner", "allowed", "reason", "grant", "fresh_assignment"]): self.retyped("x")
            },
            "target": lambda: self.an_id(self.role_ids()),
        }
        new = options[key]()
        step[key] = new
        return f"{f}: {_where(p)}.{key} ← {_short(new)}"


STRUCTURAL = (
    "delete",
    "retype",
    "number",
    "string",
    "rename_key",
    "duplicate_item",
    "crossover",
    "remove_required",
    "top_level_type",
    "drop_file",
    "copy_file",
    "empty_file",
)
SEMANTIC = (  # those that most often keep the rules valid first: Hypothesis favours low indexes
    "drop_entry",
    "clone",
    "edge_workflow",
    "scenario",
    "suppression",
    "add_attribute",
    "initial",
    "add_state",
    "transition_by",
    "state_flag",
    "display_text",
    "escalate_to",
    "grant_states",
    "ownership",
    "assign",
    "retarget_transition",
    "sla_ref",
    "grant_workflows",
    "add_policy",
    "limit",
    "when",
    "report_to",
    "dangling_grant",
    "role_scalar",
    "set_id",
    "attribute_values",
    "calendar",
    "duration",
    "transition_roles",
    "policy",
    "coordinate_with",
    "self_report",
    "rename_state",
)


# -- serialising and text mutations ---------------------------------------------------------
def dump(value: Any, *, flow: bool | None = False, unicode: bool = True, width: int = 100, indent: int = 2) -> str:
    """YAML text of ``value``; :class:`Raw` scalars are written as they are."""
    return yaml.dump(
        value,
        Dumper=_Dumper,
        allow_unicode=unicode,
        default_flow_style=flow,
        sort_keys=False,
        width=width,
        indent=indent,
    )


_KEY_LINE = re.compile(r"^(\s*)(- )?([^\s#\-'\"{\[][^:\n]*):( |$)", re.M)

TEXT_MUTATIONS = (
    "duplicate_key_line",
    "crlf",
    "cr",
    "bom",
    "insert_char",
    "truncate",
    "delete_line",
    "indent",
    "tag",
    "alias",
    "anchor_alias",
    "second_document",
    "encoding",
    "hex_value",
)

INSERTED_CHARS = ("\u0085", "\u2028", "\u2029", "\t", "\x1b", "\x00", "\ufeff", "\u200f", "\r", "\x0c", "\ud800")


def text_mutation(draw: st.DrawFn, text: str, which: str) -> tuple[str | bytes, str]:
    """Change the YAML text of one file; returns the new content and a log line."""

    def offset() -> int:
        return int(draw(st.integers(0, len(text))))

    if which == "duplicate_key_line":
        keys = list(_KEY_LINE.finditer(text))
        if not keys:
            return text, "no key line to duplicate"
        m = keys[draw(st.integers(0, len(keys) - 1))]
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        line = text[start:end]
        indent, dash = m.group(1), m.group(2) or ""
        dup = (indent + " " * len(dash) + line[len(indent) + len(dash) :]) if dash else line
        return text[:end] + "\n" + dup + text[end:], f"duplicate key line {line.strip()[:40]!r}"
    if which == "crlf":
        return text.replace("\n", "\r\n"), "CRLF line ends"
    if which == "cr":
        return text.replace("\n", "\r"), "CR line ends"
    if which == "bom":
        return "\ufeff" + text, "byte-order mark"
    if which == "insert_char":
        ch = INSERTED_CHARS[draw(st.integers(0, len(INSERTED_CHARS) - 1))]
        i = offset()
        return text[:i] + ch + text[i:], f"insert {ch!r} at {i}"
    if which == "truncate":
        i = offset()
        return text[:i], f"truncate at {i}"
    if which == "delete_line":
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        return "\n".join(lines[:i] + lines[i + 1 :]), f"delete line {i + 1}"
    if which == "indent":
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from(["", " ", "  ", "\t", "   "])) + lines[i].lstrip(" ")
        return "\n".join(lines), f"re-indent line {i + 1}"
    if which == "tag":
        tag = draw(st.sampled_from(["!!python/object:os.system", "!custom", "!!binary", "!!set", "!!omap", "!!str"]))
        keys = list(_KEY_LINE.finditer(text))
        if not keys:
            return text, "no value to tag"
        m = keys[draw(st.integers(0, len(keys) - 1))]
        return text[: m.end()] + tag + " " + text[m.end() :], f"tag {tag} after {m.group(3)[:30]!r}"
    if which == "alias":
        keys = list(_KEY_LINE.finditer(text))
        if not keys:
            return text, "no value to alias"
        m = keys[draw(st.integers(0, len(keys) - 1))]
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        return text[: m.end()] + "*nowhere" + text[end:], f"undefined alias at {m.group(3)[:30]!r}"
    if which == "anchor_alias":
        bomb = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
        for c, p in zip("bcdefgh", "abcdefg"):
            bomb += f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        return bomb + text, "alias bomb"
    if which == "second_document":
        return text + "\n---\nid: second\n", "second document"
    if which == "encoding":
        enc = draw(st.sampled_from(["utf-16", "latin-1", "gb18030", "cp1252"]))
        return text.encode(enc, errors="replace"), f"encoded as {enc}"
    # hex_value
    keys = [m for m in _KEY_LINE.finditer(text) if m.group(4) == " "]
    if not keys:
        return text, "no value for hex"
    m = keys[draw(st.integers(0, len(keys) - 1))]
    end = text.find("\n", m.end())
    end = len(text) if end < 0 else end
    value = draw(st.sampled_from(["0x1F", "0xFFFFFFFFFFFFFFFFFFFFFFFF", "1e400", ".nan", "-.inf", "0o777", "1_0_0"]))
    return text[: m.end()] + value + text[end:], f"{m.group(3)[:30]!r} ← {value}"


# -- the strategy ------------------------------------------------------------------------------
@st.composite
def cases(
    draw: st.DrawFn,
    max_mutations: int = 4,
    text_odds: int = 6,
    structural_odds: int = 4,
    only: tuple[str, ...] = (),
) -> Case:
    """A mutated bundled centre.

    1 to ``max_mutations`` data mutations, each structural one time in
    ``structural_odds`` and semantic otherwise (or one of ``only``, names from
    :data:`STRUCTURAL` and :data:`SEMANTIC`); one case in ``text_odds`` also gets one
    or two text mutations (0: never).
    """
    docs = centre_data()
    ops = _Ops(draw, docs)
    log: list[str] = []
    count = draw(st.integers(1, max_mutations)) if draw(st.integers(0, 2)) == 0 else 1
    for _ in range(count):
        if only:
            names = only
        else:
            names = STRUCTURAL if draw(st.integers(0, structural_odds - 1)) == 0 else SEMANTIC
        name = names[draw(st.integers(0, len(names) - 1))]
        line = getattr(ops, name)()
        log.append(f"{name}: {line}" if line else f"{name}: (nothing to do)")
    flow = draw(st.sampled_from([False, None, True]))
    unicode = draw(st.booleans())
    width = draw(st.sampled_from([100, 20, 4096]))
    files: dict[str, str | bytes] = {}
    original, texts = _centre_data(), centre_texts()
    for path, data in docs.items():
        if path in original and same(data, original[path]):
            files[path] = texts[path]  # unchanged: the file as shipped, comments and all
        else:
            files[path] = dump(data, flow=flow, unicode=unicode, width=width)
    if text_odds and draw(st.integers(0, text_odds - 1)) == 0:
        for _ in range(draw(st.integers(1, 2))):
            path = draw(st.sampled_from(sorted(files)))
            content = files[path]
            if isinstance(content, bytes):
                continue
            which = draw(st.sampled_from(TEXT_MUTATIONS))
            files[path], line = text_mutation(draw, content, which)
            log.append(f"text {which}: {path}: {line}")
    seed = draw(st.integers(0, 2**32 - 1))
    return Case(files, log, seed)
