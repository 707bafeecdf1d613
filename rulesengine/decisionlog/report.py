"""What ``verify-log`` found, as data: the command line prints it, a service may keep it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Problem(str, enum.Enum):
    """What is wrong with a record, or with the log's end (the values are stable)."""

    EDITED = "edited"  # the record's content changed: its hash is not the one its successor carries
    DELETED = "deleted"  # records with these numbers are gone
    INSERTED = "inserted"  # a record that is not part of the chain (or a second copy of one that is)
    REORDERED = "reordered"  # a record of the chain out of its place in the files
    TRUNCATED = "truncated"  # the log ends before the head the checkpoint (or --head) names
    TORN = "torn"  # the last line is incomplete: the writer stopped in the middle of a record
    REWRITTEN = "rewritten"  # no link verifies: rewritten without the key (or the key is wrong)


@dataclass(frozen=True)
class Finding:
    """One problem, where it is: file, line (1-based) and the record's number when known."""

    problem: Problem
    file: str
    line: int
    seq: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem.value,
            "file": self.file,
            "line": self.line,
            "seq": self.seq,
            "message": self.message,
        }

    def text(self) -> str:
        return f"{self.file}:{self.line}: {self.problem.value}: {self.message}"


@dataclass
class Verification:
    """The outcome of verifying one log: intact when there are no findings."""

    files: list[str]
    records: int
    first_seq: int | None
    last_seq: int | None
    first_at: str | None
    last_at: str | None
    rules: dict[str, int]
    alg: str
    key_id: str | None
    head: str | None = None
    head_count: int | None = None
    head_source: str | None = None
    starts_after: str | None = None  # the first record continues a file that was not given
    noncanonical: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        """One line: records, numbers, files, time span, rules versions, what anchored the end."""
        if not self.records:
            span = "no records"
        else:
            span = (
                f"{self.records:,} records (#{self.first_seq:,}–#{self.last_seq:,}) in "
                f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}, {self.first_at} to {self.last_at}"
            )
        rules = ", ".join(f"{h[:15]} ({n:,})" for h, n in sorted(self.rules.items(), key=lambda kv: -kv[1]))
        parts = [span]
        if rules:
            parts.append(f"rules {rules}")
        parts.append(self.alg + (f" key {self.key_id}" if self.key_id else ""))
        if self.head_source is None:
            parts.append("end not anchored (give --checkpoint or --head to detect truncation)")
        elif self.intact:
            at = f" (#{self.head_count:,})" if self.head_count else ""
            parts.append(f"holds the head {self.head_source} names{at}")
        if self.starts_after:
            parts.append(f"continues `{self.starts_after}`, not given")
        if self.noncanonical:
            parts.append(f"{self.noncanonical} re-formatted but unchanged")
        verdict = "intact" if self.intact else f"NOT intact ({len(self.findings)} findings)"
        return f"{verdict}: " + "; ".join(parts)

    def text_lines(self) -> list[str]:
        return [f.text() for f in self.findings] + [self.summary()]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "intact": self.intact,
            "files": self.files,
            "records": self.records,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "from": self.first_at,
            "to": self.last_at,
            "rules": self.rules,
            "alg": self.alg,
            "key_id": self.key_id,
            "head": {"hash": self.head, "count": self.head_count, "source": self.head_source},
            "starts_after": self.starts_after,
            "noncanonical": self.noncanonical,
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }
