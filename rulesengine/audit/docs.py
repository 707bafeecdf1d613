"""The page of every violation kind, written to ``docs/audit/`` (tests keep them current).

python -c "from rulesengine.audit.docs import write_docs; write_docs('docs/audit')"
"""

from __future__ import annotations

from pathlib import Path

from .kinds import Kind

# (what it finds, why it matters, example log rows, how to fix)
DOCS: dict[Kind, tuple[str, str, str, str]] = {
    Kind.ILLEGAL_TRANSITION: (
        "An event that the ticket's workflow does not allow from the state the ticket is in (the engine's "
        "`not-from-state`, `final-state`, `ambiguous-event`, `no-owner-after`, `several-owners-after`).",
        "The ticket skipped or repeated steps of its process: a refund closed during verification, a closed ticket "
        "worked again. The record no longer shows the process the rules promise.",
        "T17,close,2026-03-02T10:05:00+08:00,frontline_agent-03,frontline_agent  # `close` leaves only `follow_up`",
        "Find out why the ticket system let the move through; have it ask `Engine.decide` before every change.",
    ),
    Kind.UNAUTHORIZED_ACTOR: (
        "A person fired an event the engine refuses them: they do not hold the owning role (`not-owner`), the "
        "owner's grant does not cover the ticket (`condition-failed`, `limit-exceeded`, `no-grant`, "
        "`role-not-listed`), a transfer to a role the grant does not name, or a person firing a timer.",
        "Acting without the right (越权处理) is what the permission boundaries exist to prevent: a refund above the "
        "agent's limit, a ticket closed by someone who never owned it.",
        "T18,approve,2026-03-02T10:06:00+08:00,frontline_agent-01,frontline_agent  # 1,500 CNY: the super agent's",
        "Route the ticket to its owner; if the person should have the right, change the role's grant and review it "
        "with `rulesengine diff`.",
    ),
    Kind.UNKNOWN_ACTIVITY: (
        "An activity that is neither a transition nor a timer of the ticket's workflow. The ticket stays where it "
        "was. `--map activity:VALUE=transition` maps a ticket system's own names to the rules'.",
        "Work the rules do not describe is work nobody is responsible for; or the export names activities "
        "differently from the rules.",
        "T19,update_notes,2026-03-02T10:07:00+08:00,frontline_agent-02,frontline_agent",
        "Map the activity to a transition with `--map`, or add the step to the workflow.",
    ),
    Kind.UNKNOWN_ACTOR_OR_ROLE: (
        "An event with no person, no role, or a role the rules do not define (timers fire without a person: "
        "`timer:N` with empty resource and role). The move is replayed as the ticket's owner would have made it.",
        "Nobody can be held responsible for work done under no known role (责任不明确).",
        "T20,solve,2026-03-02T10:08:00+08:00,trainee-01,trainee",
        "Give the person a role of the rules, or add the role to `roles/`.",
    ),
    Kind.REQUIRED_STEP_SKIPPED: (
        "A ticket reached a final state without passing a state its workflow marks `required: true` (reported "
        "instead of `illegal-transition` for the move that skipped it).",
        "The closed loop (闭环) promises every customer the required step, such as the follow-up call (回访).",
        "T21,close,2026-03-02T10:09:00+08:00,super_agent-01,super_agent  # complaint closed at `resolving`",
        "Make the ticket system refuse closing before the required step; reopen and complete the ticket.",
    ),
    Kind.SLA_BREACH: (
        "An SLA clock of the ticket that stopped after its target, or never stopped before the ticket closed, "
        "measured by the engine's clocks (`rulesengine.model.slaclock`): business hours, holidays, make-up days, pause "
        "and stop states honoured; the time a ticket spent in a state with its own `sla:` limit, too. The "
        "violation says by how much (`breached_by_seconds` in JSON).",
        "First response within 3 minutes on live channels and one working day on email are the plans' promises.",
        "T22,answer,2026-03-02T10:14:00+08:00,frontline_agent-04,frontline_agent  # 14 minutes after `create`",
        "Staff for the arrival pattern; check that the timed escalations fire in the ticket system.",
    ),
    Kind.DUPLICATE_HANDLING: (
        "A second person of the owning role worked the ticket while the first still held it, without a hand-off "
        "(the engine's `not-assignee`): the person who first works a ticket for its owning role keeps it while "
        "that role owns it.",
        "Duplicate handling (重复处理) wastes effort and gives the customer two answers; one ticket, one owner, to "
        "the end (一单到底).",
        "T23,solve,2026-03-02T10:10:00+08:00,frontline_agent-07,frontline_agent  # frontline_agent-02 holds it",
        "Reassign explicitly (a hand-off) instead of picking up a colleague's ticket.",
    ),
    Kind.TRANSFER_LOOP: (
        "A hand-off (a transfer, an escalation or a timer) that gives the ticket back to a role which passed it on "
        "by a transfer earlier in its life.",
        "Blame shifting (责任推诿): the ticket bounces between teams and nobody finishes it; the plans track "
        "transfers per ticket (2.3 → 1.1).",
        "supervisor transfers to tech_expert (`transfer_to_expert`), who raises it back (`request_review`)",
        "Let the role that receives a transfer finish the ticket, or make the transfer rules one-way.",
    ),
    Kind.POLICY_VIOLATION: (
        "A ticket's history breaks a compliance policy of `policies/` — judged by the same definitions "
        "(`rulesengine.model.policies`) the static check proves them with: separation of duties, never-handles, "
        "four-eyes (by person), owners, required-before, max-transfers, max-escalation-depth. `sla` policies are "
        "promises of the rules, checked by `rulesengine check`, not by the audit.",
        "Policies are the auditors' own rules; a history that breaks one is a finding whatever the engine allowed.",
        "T24,close,2026-03-02T10:11:00+08:00,qa_inspector-01,qa_inspector  # breaks qa-never-handles",
        "Follow the policy's `description`; the evidence names the policy's line.",
    ),
    Kind.NEVER_CLOSED: (
        "A ticket still open when the log ends (at its last event time) with an SLA clock, or its state's time "
        "limit, beyond target; each overdue clock is listed. Open tickets within their targets are not reported.",
        "A ticket forgotten half-way is a customer without an answer.",
        "T25 answered on 2026-03-03 and never touched again; the log ends on 2026-03-21",
        "Find the owner in the ticket system and close the loop; check the timed escalations.",
    ),
}


def page(kind: Kind) -> str:
    finds, why, example, fix = DOCS[kind]
    return (
        f"# {kind.code} {kind.label}\n\n"
        f"**Default severity:** {kind.severity.value} · reported by `rulesengine audit`\n\n"
        f"## What it finds\n\n{finds}\n\n"
        f"## Why it matters\n\n{why}\n\n"
        f"## Example\n\n```\n{example}\n```\n\n"
        f"## How to fix\n\n{fix}\n\n"
        f"Fail a CI job on it with `--fail-on {kind.severity.value}`.\n"
    )


def index() -> str:
    lines = [
        "# Audit violations",
        "",
        "Found by `rulesengine audit LOG` in real ticket histories. Codes are stable; names are aliases.",
        "",
        "| code | name | severity |",
        "|---|---|---|",
    ]
    lines += [f"| [{k.code}]({k.code}.md) | `{k.label}` | {k.severity.value} |" for k in Kind]
    return "\n".join(lines) + "\n"


def write_docs(out: str | Path) -> list[Path]:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for k in Kind:
        p = d / f"{k.code}.md"
        p.write_text(page(k), encoding="utf-8")
        written.append(p)
    p = d / "README.md"
    p.write_text(index(), encoding="utf-8")
    written.append(p)
    return written
