"""The normalized text as it is built: white space collapsed on the fly, anchors back to the source (pure)."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

from .offsets import OffsetMap

__all__ = ["Builder"]

_WS_SHIFT = re.compile(r"\s{2,}|[^\S ]")


class Builder:
    """Accumulates normalized text with anchors, collapsing white space as it goes.

    Memory stays near the size of the text: the parts are joined into one chunk every ``COMPACT`` parts
    (the last few stay apart, the only ones ever looked at or taken back), and the anchors are arrays of
    machine integers holding only the points where output and source stop advancing together."""

    COMPACT = 4096

    def __init__(self, src_length: int = 0) -> None:
        self.chunks: list[str] = []
        self.parts: list[str] = []
        self.length = 0
        # 4-byte offsets while they fit (the output can grow past the source: a tab becomes " | ")
        code = "i" if 3 * src_length < 2**31 else "q"
        self.out = array(code)
        self.src = array(code)
        self.last = "\n"  # last emitted character ("\n" at start: no leading blank lines)
        self.newlines = 2  # consecutive newlines at the end of the output
        self.cell_breaks = array("q")  # spaces written for blocks inside the current row's cells
        self.table_breaks = array("q")  # those of the current table's rows of a single non-empty cell
        self.data_table = False  # the current table has a row of two or more non-empty cells
        self.breaks = array("q")  # the spaces that become line breaks (tables used as frames)

    def _anchor(self, src_pos: int) -> None:
        out, src = self.out, self.src
        if out and out[-1] == self.length:
            src[-1] = src_pos
        elif not out or src_pos - src[-1] != self.length - out[-1]:
            out.append(self.length)
            src.append(src_pos)
        # else: on the line through the last anchor, so the map already gives src_pos here

    def text(self, s: str, src_pos: int) -> None:
        """Append text whose characters map 1:1 to source[src_pos:]; collapses white space.

        Single spaces map 1:1 and need no anchor; only longer runs and other white space do."""
        if not s:
            return
        i = 0
        for m in _WS_SHIFT.finditer(s):
            if m.start() > i:
                self._chunk(s[i : m.start()], src_pos + i)
            self._space(src_pos + m.start())
            i = m.end()
        if i < len(s):
            self._chunk(s[i:], src_pos + i)

    def _chunk(self, w: str, src_pos: int) -> None:
        if w[0] == " " and self.last in " \n":
            w = w[1:]
            src_pos += 1
            if not w:
                return
        if w == " ":
            self._space(src_pos)
            return
        self._word(w, src_pos)

    def _word(self, w: str, src_pos: int) -> None:
        self._anchor(src_pos)
        if len(self.parts) >= self.COMPACT:
            self.chunks.append("".join(self.parts[:-64]))
            del self.parts[:-64]
        self.parts.append(w)
        self.length += len(w)
        self.last = w[-1]
        self.newlines = 0

    def _space(self, src_pos: int) -> None:
        if self.last in " \n":
            return
        self._anchor(src_pos)
        self.parts.append(" ")
        self.length += 1
        self.last = " "

    def synthetic(self, s: str, src_pos: int) -> None:
        """Append text that is not in the source (e.g. a cell separator)."""
        if self.last == " ":
            self._drop_trailing_space()
        self._anchor(src_pos)
        self.parts.append(s)
        self.length += len(s)
        self.last = s[-1]
        self.newlines = 0
        self._anchor(src_pos)

    def drop_separator(self) -> bool:
        """Take back a cell separator just emitted; True when there was one."""
        if not (self.parts and self.parts[-1] == " | "):
            return False
        self.parts.pop()
        self.length -= 3
        while self.out and self.out[-1] > self.length:
            self.out.pop()
            self.src.pop()
        self.last = self.parts[-1][-1] if self.parts else "\n"
        return True

    def newline(self, src_pos: int, blank: bool = False) -> None:
        if self.last == " ":
            self._drop_trailing_space()
        want = 2 if blank else 1
        while self.newlines < want:
            self._anchor(src_pos)
            self.parts.append("\n")
            self.length += 1
            self.newlines += 1
            self.last = "\n"

    def _drop_trailing_space(self) -> None:
        last = self.parts[-1]
        self.parts[-1] = last[:-1]
        self.length -= 1
        if not self.parts[-1]:
            self.parts.pop()
        while self.out and self.out[-1] > self.length:
            self.out.pop()
            self.src.pop()
        self.last = self.parts[-1][-1] if self.parts else "\n"
        if self.last == "\n":
            # recount trailing newlines
            tail = "".join(self.parts[-3:])
            self.newlines = len(tail) - len(tail.rstrip("\n"))

    def block_in_cell(self, src_pos: int) -> None:
        """A block boundary inside a table cell: a space for now, a line break if the table turns out to
        be a frame, each of its rows a single non-empty cell (``end_row``, ``end_table``)."""
        if self.last not in " \n":
            self.cell_breaks.append(self.length)
        self._space(src_pos)

    def end_row(self, cells: int) -> None:
        if cells <= 1:
            self.table_breaks.extend(self.cell_breaks)
        else:
            self.data_table = True
        del self.cell_breaks[:]

    def end_table(self) -> None:
        if not self.data_table:
            self.breaks.extend(self.table_breaks)
        del self.table_breaks[:]
        self.data_table = False

    def _with_breaks(self, text: str) -> str:
        """The spaces kept in ``breaks`` as line breaks (same length: the offset map holds)."""
        chunks: list[str] = []
        out: list[str] = []
        i = 0
        for k in self.breaks:
            if i <= k < len(text) and text[k] == " ":
                out.append(text[i:k])
                out.append("\n")
                i = k + 1
                if len(out) >= self.COMPACT:  # memory near the text's size, however many breaks
                    chunks.append("".join(out))
                    out.clear()
        out.append(text[i:])
        chunks.append("".join(out))
        return "".join(chunks)

    def finish(self, src_length: int) -> tuple[str, OffsetMap]:
        pieces = self.chunks + self.parts
        self.chunks, self.parts = [], []
        while pieces and not pieces[-1].strip():
            pieces.pop()
        if pieces:
            pieces[-1] = pieces[-1].rstrip()
        stripped = "".join(pieces)  # == "".join(parts).rstrip(), without a second copy of the text
        del pieces
        if self.breaks:
            stripped = self._with_breaks(stripped)
        length = len(stripped)
        n = bisect_right(self.out, length)
        return stripped, OffsetMap(self.out[:n], self.src[:n], length, src_length)
