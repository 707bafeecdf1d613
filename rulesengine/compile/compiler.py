"""Compile schema-checked documents into the immutable :class:`~rulesengine.model.ruleset.Ruleset`.

Compilation runs in named stages (:class:`~.context.Stage`), each in a module of its own;
a stage that reports an error stops the pipeline, because later stages would only report
the same mistake again in other words:

1. ``attributes`` — ticket attributes and business-hours calendars (``ticket.yaml``);
2. ``identities`` — role and workflow ids: unique, matching their file names;
3. ``references`` — every name used anywhere resolves (with "did you mean"), every
   condition, limit, duration and SLA makes sense; the model is built here.
4. ``policies`` — compliance policies (``policies/*.yaml``) name only roles, workflows,
   states, transitions, SLAs and values that exist.

The number of errors reported is capped so a badly broken directory stays readable.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path

from .. import diagnostics as d
from ..diagnostics import Diagnostic, Location
from ..model.ruleset import (
    ESCALATED,
    Attribute,
    AttrType,
    Name,
    Policy,
    Role,
    Ruleset,
    Workflow,
    frozen_map,
    hours_attribute,
)
from ..source.files import Sources, as_bytes, load_sources, read_rules_dir
from .calendars import compile_attributes, compile_calendars
from .context import MAX_ERRORS, CompileResult, Context, Stage, Stop
from .identities import check_identities
from .roles import RoleStage, reporting_cycles
from .workflows import WorkflowStage

__all__ = ["CompileResult", "Resolver", "Stage", "compile_files", "compile_sources", "content_digest", "load_rules"]


class Resolver(RoleStage, WorkflowStage):
    """The resolver of stage 3 and of the policies: references, roles and workflows."""


def compile_sources(src: Sources, prior: list[Diagnostic] | None = None) -> CompileResult:
    """Compile loaded documents; stops after the first stage that reports errors."""
    ctx = Context()
    ctx.diags.extend(prior or [])
    stage = Stage.ATTRIBUTES
    try:
        if not src.roles and not any(f.startswith("roles/") for f in src.files):
            ctx.add(
                d.EMPTY_RULES(
                    "no roles: the rules directory has no `roles/*.yaml` files",
                    Location(src.root),
                    help="add one YAML file per role under `roles/`",
                )
            )
        if not src.workflows and not any(f.startswith("workflows/") for f in src.files):
            ctx.add(
                d.EMPTY_RULES(
                    "no workflows: the rules directory has no `workflows/*.yaml` files",
                    Location(src.root),
                    help="add one YAML file per workflow under `workflows/`",
                )
            )
        if ctx.errors:
            return CompileResult(None, _finish(ctx), Stage.LOAD)
        attrs = compile_attributes(src.ticket, ctx)
        calendars = compile_calendars(src.ticket, ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        stage = Stage.IDENTITIES
        role_docs = check_identities(src.roles, "role", ctx)
        wf_docs = check_identities(src.workflows, "workflow", ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        stage = Stage.REFERENCES
        res = Resolver(ctx, attrs, calendars, role_docs, wf_docs)
        roles: dict[str, Role] = {}
        for rid in sorted(role_docs):
            role = res.role(rid, role_docs[rid])
            if role is not None:
                roles[rid] = role
        raw_roles = {rid: doc.data for rid, doc in role_docs.items()}
        workflows: dict[str, Workflow] = {}
        for wid in sorted(wf_docs):
            wf = res.workflow(wid, wf_docs[wid], raw_roles)
            if wf is not None:
                workflows[wid] = wf
        reporting_cycles(roles, ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        if res.reads_escalated and ESCALATED not in attrs:
            attrs[ESCALATED] = Attribute(
                ESCALATED,
                AttrType.BOOLEAN,
                Name("escalated", "已升级"),
                values=(False, True),
            )
        elif res.reads_escalated and attrs[ESCALATED].type is not AttrType.BOOLEAN:
            ctx.add(
                d.INVALID_CONDITION(
                    f"`{ESCALATED}` is written by escalations as true or false, but ticket.yaml declares it "
                    f"as {attrs[ESCALATED].type.value}",
                    attrs[ESCALATED].location,
                    help=f"declare `{ESCALATED}` as a boolean attribute, or rename this attribute",
                )
            )
            return CompileResult(None, _finish(ctx), stage)
        for cal in sorted(res.hour_calendars):
            aid = hours_attribute(cal)
            attrs[aid] = Attribute(
                aid,
                AttrType.BOOLEAN,
                Name(f"within the hours of `{cal}`", f"在 `{cal}` 工作时间内"),
                values=(False, True),
                location=calendars[cal].location,
            )
        policies: tuple[Policy, ...] = ()
        if src.policies:
            from .policies import compile_policies

            stage = Stage.POLICIES
            policies = compile_policies(src.policies, res, workflows, calendars)
            if ctx.errors:
                return CompileResult(None, _finish(ctx), stage)
    except Stop:
        diags = _finish(ctx)
        diags.append(
            d.TOO_MANY_ERRORS(
                f"stopped after {MAX_ERRORS} errors",
                None,
                help="fix these first; more may follow",
            )
        )
        return CompileResult(None, diags, stage)
    ruleset = Ruleset(
        root=src.root,
        attributes=frozen_map(dict(sorted(attrs.items()))),
        calendars=frozen_map(dict(sorted(calendars.items()))),
        roles=frozen_map(roles),
        workflows=frozen_map(workflows),
        files=tuple(sorted(src.files)),
        policies=policies,
    )
    return CompileResult(ruleset, _finish(ctx), Stage.DONE, src.suppressions)


def _finish(ctx: Context) -> list[Diagnostic]:
    return d.sort_diagnostics(ctx.diags)


def compile_files(files: Mapping[str, bytes | str], root: str = ".") -> CompileResult:
    """Load, schema-check and compile an in-memory rules directory."""
    src, diags = load_sources(files, root)
    if d.has_errors(diags):
        capped = d.sort_diagnostics(diags)
        errors = [x for x in capped if x.severity is d.Severity.ERROR]
        if len(errors) > MAX_ERRORS:
            keep = set(map(id, errors[:MAX_ERRORS]))
            capped = [x for x in capped if x.severity is not d.Severity.ERROR or id(x) in keep]
            capped.append(d.TOO_MANY_ERRORS(f"stopped after {MAX_ERRORS} errors", None, help="fix these first"))
        stage = Stage.LOAD if src.unloadable else Stage.SCHEMA
        return CompileResult(None, capped, stage)
    result = compile_sources(src, diags)
    if result.ruleset is not None:
        result.ruleset = dataclasses.replace(result.ruleset, digest=content_digest(files))
    return result


def content_digest(files: Mapping[str, bytes | str]) -> str:
    """The content hash of a rules directory: every file's path and bytes, in path order.

    Decisions carry it so that an auditor can tell which version of the rules decided;
    it changes with any byte of any file and with nothing else (not the directory's
    location, not file times).
    """
    h = hashlib.sha256()
    for path in sorted(files):
        raw = as_bytes(files[path])
        name = path.replace("\\", "/").encode("utf-8", "surrogateescape")
        h.update(b"%d:%s\0%d:" % (len(name), name, len(raw)))
        h.update(raw)
    return "sha256:" + h.hexdigest()


def load_rules(path: str | Path) -> CompileResult:
    """Load, check and compile a rules directory from disk."""
    files, diags = read_rules_dir(Path(path))
    if d.has_errors(diags):
        return CompileResult(None, d.sort_diagnostics(diags), Stage.LOAD)
    result = compile_files(files, root=str(path))
    result.diagnostics = d.sort_diagnostics(diags + result.diagnostics)
    return result
