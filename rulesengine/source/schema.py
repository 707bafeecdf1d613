"""JSON Schema check of loaded documents, with errors mapped back to YAML positions.

Validation uses the very files shipped in ``rulesengine/schemas/`` that editors read
through the ``yaml-language-server`` modeline, so the editor and the engine never
disagree.  Every error is collected (not just the first), reduced to a best-match
headline per problem, rephrased in the project's message style and located on the
offending key or value.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema.exceptions import ValidationError, relevance

from .. import diagnostics as d
from ..diagnostics import Diagnostic
from ..numbers import shorten
from ..text import did_you_mean
from .loader import Document, JsonPath
from .schema_defs import DURATION_PATTERN, IDENT_PATTERN, schema_filename
from .schema_keywords import validator_class

KINDS = ("role", "workflow", "ticket", "suppressions")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The shipped JSON Schema of a document kind."""
    text = resources.files("rulesengine").joinpath("schemas", schema_filename(kind)).read_text("utf-8")
    return json.loads(text)


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every local ``$ref`` replaced by its target.

    The shipped schemas keep ``$defs`` for editors; validating against an inlined copy
    spares jsonschema a reference lookup at every node, which dominates the cost of
    checking thousands of rule files.  A definition that refers to itself (a condition's ``any_of`` lists conditions) keeps
    its ``$ref`` inside itself, and stays under ``$defs`` for it.
    """
    defs = schema.get("$defs", {})
    expanding: list[str] = []
    recursive: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.split("/")[-1]
                if name in expanding:
                    recursive.add(name)
                    return node
                expanding.append(name)
                target = walk(defs[name])
                expanding.pop()
                rest = {k: walk(v) for k, v in node.items() if k != "$ref"}
                merged = dict(target)
                if "description" in rest:
                    merged["description"] = rest.pop("description")
                if rest:
                    return {"allOf": [merged, rest]}
                return merged
            return {k: walk(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(schema)
    if recursive:
        kept: dict[str, Any] = {}
        for name in sorted(recursive):
            expanding.append(name)
            kept[name] = walk(defs[name])
            expanding.pop()
        out["$defs"] = kept
    return out


@cache
def _validator(kind: str) -> Any:
    return validator_class()(_inline_refs(load_schema(kind)))


def _show(doc: Document, path: JsonPath, value: Any) -> str:
    raw = doc.raw_text(path)
    if raw is not None:
        return shorten(raw, 60)
    if isinstance(value, str):
        return shorten(value, 60)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


_TYPE_WORDS = {
    "string": "text",
    "object": "a mapping",
    "array": "a list",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _where(path: JsonPath) -> str:
    return "/".join(str(p) for p in path) or "document"


def _rephrase(err: ValidationError, doc: Document) -> Diagnostic:
    path: JsonPath = tuple(err.absolute_path)
    loc = doc.locate(path)
    schema = err.schema if isinstance(err.schema, dict) else {}
    v = err.validator
    inst = err.instance
    shown = _show(doc, path, inst)
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed]
        key = extras[0] if extras else "?"
        hint = did_you_mean(key, allowed)
        allowed_txt = ", ".join(f"`{a}`" for a in allowed)
        return d.SCHEMA(
            f"unknown key `{key}` in {_where(path)}",
            doc.locate_key(path + (key,)),
            help=(hint + " " if hint else "") + f"allowed keys: {allowed_txt}",
        )
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(err.validator_value)
        return d.SCHEMA(
            f"missing required key `{missing}` in {_where(path)}",
            doc.locate_key(path) if path else loc,
            help=_prop_help(schema, missing),
        )
    if v == "type":
        want = err.validator_value
        wants = want if isinstance(want, list) else [want]
        words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wants)
        got = _type_of(inst)
        help_ = None
        if doc.raw_text(path) is not None and "string" in wants:
            help_ = f'YAML reads `{shown}` as {_TYPE_WORDS[got]}; quote it to keep it as text: `"{shown}"`'
        return d.SCHEMA(f"`{shown}` at {_where(path)} should be {words}, not {_TYPE_WORDS[got]}", loc, help=help_)
    if v == "enum":
        options = err.validator_value
        hint = did_you_mean(str(inst), options)
        opts = ", ".join(f"`{o}`" for o in options)
        return d.SCHEMA(
            f"`{shown}` at {_where(path)} is not one of {opts}",
            loc,
            help=hint,
        )
    if v == "pattern":
        pat = err.validator_value
        if pat == DURATION_PATTERN:
            return d.INVALID_DURATION(
                f"`{shown}` is not a valid duration",
                loc,
                help="write minutes `3m`, hours `4h`, days `1d`, a combination `1h30m`, or working days `1wd`",
            )
        if pat == IDENT_PATTERN:
            return d.SCHEMA(
                f"`{shown}` is not a valid id",
                loc,
                help="ids start with a letter or `_` and hold only letters, digits, `_` and `-`",
            )
        desc = schema.get("description")
        return d.SCHEMA(f"`{shown}` at {_where(path)} has the wrong form", loc, help=desc)
    if v == "propertyNames":
        # jsonschema reports the offending name as the instance; locate its key
        return d.SCHEMA(f"`{inst}` is not an allowed name in {_where(path)}", loc, help=None)
    if v in ("minItems", "minProperties"):
        return d.SCHEMA(f"{_where(path)} must not be empty", loc)
    if v == "uniqueItems":
        if isinstance(err.validator_value, int) and not isinstance(err.validator_value, bool) and path:
            first = doc.locate(path[:-1] + (err.validator_value,))
            return d.SCHEMA(
                f"`{shown}` is listed twice in {_where(path[:-1])}",
                loc,
                help=f"the first `{shown}` is at line {first.line}; remove the repeated item",
                related=(first,),
            )
        return d.SCHEMA(f"{_where(path)} lists the same item twice", loc, help="remove the repeated item")
    if v in ("minimum", "exclusiveMinimum"):
        return d.SCHEMA(f"`{shown}` at {_where(path)} is below the minimum {err.validator_value}", loc)
    if v in ("maximum", "exclusiveMaximum"):
        return d.SCHEMA(f"`{shown}` at {_where(path)} is above the maximum {err.validator_value}", loc)
    if v == "minLength":
        return d.SCHEMA(f"{_where(path)} must not be empty", loc)
    if v in ("oneOf", "anyOf"):
        return d.SCHEMA(
            f"{_where(path)} does not match any allowed form",
            loc,
            help=schema.get("description"),
        )
    if v == "not":
        return d.SCHEMA(f"{_where(path)} combines keys that exclude each other", loc, help=schema.get("description"))
    return d.SCHEMA(_lower(err.message), loc)


def _prop_help(schema: dict[str, Any], key: str) -> str | None:
    prop = schema.get("properties", {}).get(key)
    if isinstance(prop, dict) and prop.get("description"):
        return f"`{key}`: {prop['description']}"
    return None


def _lower(msg: str) -> str:
    msg = msg.rstrip(".")
    return msg[:1].lower() + msg[1:]


def _fix_property_names(err: ValidationError, doc: Document) -> Diagnostic | None:
    """propertyNames errors name the key in the instance; point at that key."""
    if err.validator != "pattern" or not err.relative_schema_path:
        return None
    if "propertyNames" not in err.relative_schema_path and "propertyNames" not in err.schema_path:
        return None
    parent: ValidationError | None = err.parent
    base: JsonPath = tuple(parent.absolute_path) if parent is not None else tuple(err.absolute_path)
    key = str(err.instance)
    shown = doc.raw_text(base + (key,)) or key
    return d.SCHEMA(
        f"`{shown}` is not a valid name in {_where(base)}",
        doc.locate_key(base + (key,)),
        help="names start with a letter or `_` and hold only letters, digits, `_` and `-`",
    )


def _pick(err: ValidationError) -> ValidationError | list[str]:
    """The error that best explains a problem, looking inside oneOf/anyOf.

    jsonschema's own best match often blames the wrong branch ("should be text" for a
    mapping); prefer the branches whose type the value already has.  When every branch
    wants another type, return the list of wanted types instead.
    """
    while err.validator in ("oneOf", "anyOf") and err.context:
        same_type = [e for e in err.context if e.validator != "type"]
        if not same_type:
            wants: list[str] = []
            for e in err.context:
                w = e.validator_value
                for t in w if isinstance(w, list) else [w]:
                    if t not in wants:
                        wants.append(t)
            return wants
        err = max(same_type, key=_branch_score)
    return err


def _branch_score(err: ValidationError) -> tuple[int, int, float]:
    """Rank oneOf branches: deeper errors, then branches that know the value's keys."""
    inst = err.instance
    props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
    known, similarity = 0, 0.0
    if isinstance(inst, dict) and props:
        known = sum(1 for k in inst if k in props)
        for k in inst:
            for p in props:
                similarity = max(similarity, difflib.SequenceMatcher(None, str(k), p).ratio())
    return (len(err.absolute_path), known, similarity)


def check_document(doc: Document, kind: str) -> list[Diagnostic]:
    """Every schema problem of ``doc``, one diagnostic per problem, in source order."""
    validator = _validator(kind)
    out: list[Diagnostic] = []
    for err in sorted(validator.iter_errors(doc.data), key=relevance):
        best = _pick(err)
        if isinstance(best, list):
            path: JsonPath = tuple(err.absolute_path)
            words = " or ".join(_TYPE_WORDS.get(w, w) for w in best)
            shown = _show(doc, path, err.instance)
            diag = d.SCHEMA(
                f"`{shown}` at {_where(path)} should be {words}, not {_TYPE_WORDS[_type_of(err.instance)]}",
                doc.locate(path),
                help=err.schema.get("description") if isinstance(err.schema, dict) else None,
            )
        elif "propertyNames" in list(err.schema_path):
            diag = _property_name_error(err, doc)
        else:
            diag = _fix_property_names(best, doc) or _rephrase(best, doc)
        out.append(diag)
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for diag in out:
        key = (diag.location, diag.message)
        if key not in seen:
            seen.add(key)
            unique.append(diag)
    return d.sort_diagnostics(unique)


def _property_name_error(err: ValidationError, doc: Document) -> Diagnostic:
    base: JsonPath = tuple(err.absolute_path)
    # the failing name is the deepest instance that is a string key of the object
    name = None
    for sub in [err, *err.context]:
        if (
            isinstance(sub.instance, str)
            and isinstance(doc_get(doc.data, base), dict)
            and sub.instance in doc_get(doc.data, base)
        ):
            name = sub.instance
    if name is None:
        obj = doc_get(doc.data, base)
        if isinstance(err.instance, str):
            name = err.instance
        elif isinstance(obj, dict):
            name = next(iter(obj), "?")
    where = _where(base)
    if where.startswith("hours") or where.endswith("/hours"):
        help_ = "use a weekday `mon`…`sun` or a range such as `mon-fri`"
    else:
        help_ = "names start with a letter or `_` and hold only letters, digits, `_` and `-`"
    return d.SCHEMA(f"`{name}` is not a valid name in {where}", doc.locate_key(base + (str(name),)), help=help_)


def doc_get(data: Any, path: JsonPath) -> Any:
    cur = data
    for p in path:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return None
    return cur
