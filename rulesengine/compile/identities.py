"""Stage 2: role and workflow ids, unique and matching their file names."""

from __future__ import annotations

from pathlib import Path

from .. import diagnostics as d
from ..source.loader import Document
from .context import Context


# --------------------------------------------------------------------------------------
def check_identities(docs: list[Document], what: str, ctx: Context) -> dict[str, Document]:
    by_id: dict[str, Document] = {}
    for doc in docs:
        rid = doc.data["id"]
        loc = doc.locate(("id",))
        if rid in by_id:
            first = by_id[rid].locate(("id",))
            ctx.add(
                d.DUPLICATE_ID(
                    f"{what} id `{rid}` is already used",
                    loc,
                    help=f"the first `{rid}` is in {first}; ids must be unique",
                    related=(first,),
                )
            )
            continue
        stem = Path(doc.file).name.rsplit(".", 1)[0]
        if stem != rid:
            ctx.add(
                d.ID_MISMATCH(
                    f"{what} id `{rid}` differs from its file name `{Path(doc.file).name}`",
                    loc,
                    help=f"rename the file to `{rid}.yaml` so that it can be found by id",
                )
            )
        by_id[rid] = doc
    return by_id
