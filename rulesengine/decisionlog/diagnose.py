"""What happened to a log whose chain breaks: the second pass of ``verify-log``.

The chain is walked back from its end by hash.  Every step either finds the record the
current one links to (by hash: unchanged, wherever it is in the files), or not; then
the record that holds the expected number was *edited* (its hash is not the one its
successor carries), and when no record holds that number the numbers in between were
*deleted*.  What the walk never reaches was *inserted*; what it reaches out of file
order was *reordered* (the records outside the longest run in file order are the
ones named).  The end is held against the head of a checkpoint: a log that ends
before it was *truncated*; the record at the head's number with another hash was
edited.

A record whose successor vouches for it is trusted; an edited record is not, so its
own link backwards names nothing: with two adjacent edits, the earlier one is
reported only when its own successor still vouches for another hash.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable

from .records import Linker
from .report import Finding, Problem
from .verify import Anchor, Rec


def _lis(values: list[int]) -> set[int]:
    """Positions (in ``values``) of one longest strictly increasing subsequence."""
    tails: list[int] = []  # tails[k]: position of the smallest tail of an increasing run of length k+1
    back = [-1] * len(values)
    for i, v in enumerate(values):
        k = _bisect(values, tails, v)
        if k > 0:
            back[i] = tails[k - 1]
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    keep: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        keep.add(i)
        i = back[i]
    return keep


def _bisect(values: list[int], tails: list[int], v: int) -> int:
    lo, hi = 0, len(tails)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[tails[mid]] < v:
            lo = mid + 1
        else:
            hi = mid
    return lo


def diagnose(
    recs: list[Rec], names: list[str], anchor: Anchor, link: Linker, torn: tuple[int, int] | None
) -> tuple[list[Finding], str | None]:
    """The findings for a broken log, and the file the chain continues when that file was not given."""
    out: list[Finding] = []

    def at(r: Rec) -> str:
        return f"{names[r.file]}:{r.line}"

    def add(problem: Problem, r: Rec, message: str, seq: int | None = None) -> None:
        out.append(Finding(problem, names[r.file], r.line, r.seq if seq is None else seq, message))

    if torn is not None:
        out.append(
            Finding(
                Problem.TORN,
                names[torn[0]],
                torn[1],
                None,
                "the last line is incomplete: the writer stopped in the middle of a record (a crash?), or the file was cut",
            )
        )
    if not recs:
        if anchor.count:
            where = names[-1] if names else "?"
            out.append(
                Finding(Problem.TRUNCATED, where, 1, None, f"no records, but {anchor.source} counts {anchor.count:,}")
            )
        return out, None

    byhash: dict[str, list[int]] = defaultdict(list)
    byseq: dict[int, list[int]] = defaultdict(list)
    for r in recs:
        byhash[r.hash].append(r.idx)
        byseq[r.seq].append(r.idx)
    seqs = sorted(byseq)
    referenced = {r.prev for r in recs if r.prev is not None}
    ends = [r for r in recs if r.hash not in referenced]
    tail = ends[-1] if ends else recs[-1]
    untrusted: set[int] = set()

    # -- the end against the head ----------------------------------------------------------
    if anchor.hash is not None or anchor.count is not None:
        found = byhash.get(anchor.hash or "", [])
        top = seqs[-1]
        if anchor.count is not None and anchor.count > top:
            gone = f"#{anchor.count:,} is" if top + 1 == anchor.count else f"#{top + 1:,}–#{anchor.count:,} are"
            add(
                Problem.TRUNCATED,
                recs[-1],
                f"the log ends at #{top:,} but {anchor.source} counts {anchor.count:,}: {gone} missing after this line",
                anchor.count,
            )
        elif not found and anchor.hash is not None:
            holders = byseq.get(anchor.count, []) if anchor.count is not None else []
            if holders:
                untrusted.add(holders[-1])  # reported after the walk, unless a rewrite takes it in
            else:
                add(
                    Problem.TRUNCATED,
                    recs[-1],
                    f"the head {anchor.hash[:16]}… of {anchor.source} is in no record: the log was cut short "
                    "after this line, or its last record changed",
                )

    # -- the walk back -----------------------------------------------------------------------
    visited: set[int] = set()
    chain: list[Rec] = []
    run: list[tuple[Rec, Rec, bool]] = []  # consecutive links that fail: (record, the one before, trusted)
    starts_after = None
    head_rec = next((recs[i] for i in byhash.get(anchor.hash or "", ())), None)
    cur = tail
    trusted = tail.idx not in untrusted

    rewritten: list[tuple[int, int]] = []

    def flush() -> None:
        """Report a run of failing links: a few are edits, a long run is a rewrite."""
        if len(run) >= 3:
            rewritten.append(_rewritten(run, link, add))
        else:
            for later, earlier, vouched in run:
                if earlier is head_rec and later.seq > earlier.seq:
                    add(
                        Problem.EDITED,
                        later,
                        f"it does not link to #{earlier.seq:,} ({at(earlier)}), which {anchor.source} vouches for: "
                        "it was changed, or added by someone without the key",
                    )
                elif vouched:
                    changed = "" if earlier.seq == later.seq - 1 else f" (it now claims #{earlier.seq:,})"
                    maybe = (
                        f" (or the last record, {at(later)}, was: without a checkpoint nothing vouches for it)"
                        if later is tail and head_rec is None
                        else ""
                    )
                    add(
                        Problem.EDITED,
                        earlier,
                        f"its content changed{changed}: #{later.seq:,} ({at(later)}) carries another hash "
                        f"for #{later.seq - 1:,}{maybe}",
                        later.seq - 1,
                    )
        run.clear()

    while True:
        visited.add(cur.idx)
        chain.append(cur)
        if cur.prev is None:
            break
        preds = [i for i in byhash.get(cur.prev, ()) if i not in visited]
        if preds:
            flush()
            cur, trusted = recs[max(preds, key=lambda i: _placed(recs, i, cur))], True
            continue
        want = cur.seq - 1
        cands = [i for i in byseq.get(want, ()) if i not in visited]
        slot = recs[cur.idx - 1] if cur.idx > 0 and cur.idx - 1 not in visited else None
        if not cands and slot is not None and _fits(slot, want, recs, byhash):
            cands = [slot.idx]  # the record in the slot, its number changed as well
        if cands:
            before = [i for i in cands if i < cur.idx]
            nxt = recs[max(before) if before else min(cands)]
            run.append((cur, nxt, trusted))
            # an edited record's own link backwards names nothing; after it, nothing holds the next one
            cur, trusted = nxt, not trusted or nxt is head_rec
            continue
        flush()
        k = bisect.bisect_left(seqs, want)
        lower = next((s for s in reversed(seqs[:k]) if any(i not in visited for i in byseq[s])), None)
        gone = f"#{want:,} is" if lower is not None and lower + 1 == want else f"#{(lower or 0) + 1:,}–#{want:,} are"
        if lower is None:
            if cur.prev_file is not None and cur.seq > 1:
                starts_after = cur.prev_file
            else:
                add(Problem.DELETED, cur, f"{'#1 is' if want == 1 else gone} missing before this line", want)
            break
        pick = [i for i in byseq[lower] if i not in visited]
        before = [i for i in pick if i < cur.idx]
        nxt = recs[max(before) if before else min(pick)]
        add(Problem.DELETED, cur, f"{gone} missing between {at(nxt)} and this line", want)
        cur, trusted = nxt, True
    flush()
    for i in untrusted:
        r = recs[i]
        if not any(lo <= r.seq <= hi for lo, hi in rewritten):
            add(Problem.EDITED, r, f"its content changed: its hash is not the head {anchor.source} names")

    # -- records off the chain, and records out of place -----------------------------------
    on_chain = {r.hash: r for r in chain}
    for r in recs:
        if r.idx in visited:
            continue
        twin = on_chain.get(r.hash)
        if twin is not None:
            add(Problem.INSERTED, r, f"a copy of #{twin.seq:,} ({at(twin)})")
        else:
            holder = next((recs[i] for i in byseq.get(r.seq, ()) if i in visited), None)
            add(
                Problem.INSERTED,
                r,
                "not part of the chain: no record links to it"
                + (f"; it claims #{r.seq:,}, which {at(holder)} holds" if holder else f" (it claims #{r.seq:,})"),
            )
    forward = chain[::-1]
    keep = _lis([r.idx for r in forward])
    for pos, r in enumerate(forward):
        if pos not in keep:
            after = forward[pos - 1] if pos > 0 else None
            add(
                Problem.REORDERED,
                r,
                "out of place"
                + (f": it belongs right after #{after.seq:,} ({at(after)})" if after else ": it belongs first"),
            )
    return out, starts_after


def _rewritten(
    run: list[tuple[Rec, Rec, bool]], link: Linker, add: Callable[[Problem, Rec, str], None]
) -> tuple[int, int]:
    """One finding for a run of failing links, at the earliest record whose link was rewritten."""
    first, latest = run[-1][0], run[0][0]
    said = {(later.alg, later.key) for later, _, _ in run}
    mine = (link.alg.value, link.key_id)
    why = ""
    if mine not in said:
        theirs = ", ".join(a + (f" key {k}" if k else "") for a, k in sorted(said, key=str))
        why = f"the records say {theirs}, checked with {mine[0]}" + (f" key {mine[1]}" if mine[1] else "")
        why += ": the wrong key, or "
    add(
        Problem.REWRITTEN,
        first,
        f"no record from here to #{latest.seq:,} links to the one before ({len(run)} records): {why}"
        "the chain was rewritten" + (" without the key" if link.key_id else ""),
    )
    return first.seq, latest.seq


def _placed(recs: list[Rec], i: int, successor: Rec) -> tuple[bool, bool, int]:
    """How well copy ``i`` of a record sits in its place: after its predecessor, before its successor.

    Identical copies cannot be told apart; the one in place is taken for the record and
    the others are reported as inserted copies.
    """
    r = recs[i]
    after_its_predecessor = recs[i - 1].seq == r.seq - 1 if i > 0 else r.seq == 1 or r.prev_file is not None
    return after_its_predecessor, i < successor.idx, i


def _fits(r: Rec, want: int, recs: list[Rec], byhash: dict[str, list[int]]) -> bool:
    """Whether ``r`` links to the record numbered ``want - 1`` (so it sits in slot ``want``)."""
    if r.prev is None:
        return want == 1
    return any(recs[i].seq == want - 1 for i in byhash.get(r.prev, ()))
