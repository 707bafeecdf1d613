"""Line and column numbers as editors count them.

YAML 1.1 parsers (PyYAML and libyaml) also break lines at NEL (U+0085) and at the
Unicode line and paragraph separators (U+2028, U+2029), and Python's
:meth:`str.splitlines` adds form feeds, vertical tabs and more.  Editors break lines
only at LF, CRLF and a lone CR, so every position shown to rule authors is computed
here from a character offset rather than taken from the parser's own line count.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps character offsets of one text to 1-based (line, column) pairs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        self._end = len(text.rstrip())

    def __len__(self) -> int:
        """Number of lines (a final line break does not start another line)."""
        n = len(self.starts)
        return n - 1 if n > 1 and self.starts[-1] == len(self.text) else n

    def position(self, index: int) -> tuple[int, int]:
        """(line, column) of the character at ``index``.

        An offset at or past the end of the text (``found unexpected end of stream``)
        points just after the last non-blank character, on the last real line, rather
        than at a line that does not exist.
        """
        if index >= len(self.text):
            index = self._end
        index = max(index, 0)
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str | None:
        """The text of a 1-based line, without its line break; None when out of range."""
        if line < 1 or line > len(self):
            return None
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        text = self.text[start:end]
        if text.endswith("\r\n"):
            return text[:-2]
        return text[:-1] if text.endswith(("\r", "\n")) else text

    def lines(self) -> list[str]:
        """Every line, without line breaks."""
        return [self.line_text(i) or "" for i in range(1, len(self) + 1)]


def char_offset(text: str, byte_offset: int) -> int:
    """The character offset of a byte offset into the UTF-8 encoding of ``text``."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
