"""``rulesengine diff``: a change of the rules as who gained or lost which responsibility.

Two versions of a rules directory (two directories, or a directory and a git revision
of it) are compiled and checked, and compared cell by cell over the common refinement
of their ticket classes (:mod:`.refine`): permissions and owners (:mod:`.cells`),
elements added, removed or changed (:mod:`.structure`) and findings of ``check``
(:mod:`.core`).  The result is data (:mod:`.model`); :mod:`.render` turns it into
text or Markdown and :func:`.model.diff_json` into the versioned JSON document.
"""

from .core import diff_dirs, diff_git, diff_results, diff_versions, finding_changes, open_version
from .gitrev import GitError
from .model import (
    DIFF_VERSION,
    ChangeKind,
    Direction,
    FindingChange,
    FindingDiff,
    InvalidSide,
    ItemChange,
    OwnerChange,
    PermissionChange,
    RulesDiff,
    Side,
    Subject,
    TicketSet,
    diff_json,
    invalid_json,
)
from .refine import Refinement, refine

__all__ = [
    "DIFF_VERSION",
    "ChangeKind",
    "Direction",
    "FindingChange",
    "FindingDiff",
    "GitError",
    "InvalidSide",
    "ItemChange",
    "OwnerChange",
    "PermissionChange",
    "Refinement",
    "RulesDiff",
    "Side",
    "Subject",
    "TicketSet",
    "diff_dirs",
    "diff_git",
    "diff_json",
    "diff_results",
    "diff_versions",
    "finding_changes",
    "invalid_json",
    "open_version",
    "refine",
]
