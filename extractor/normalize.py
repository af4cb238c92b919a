"""HTML or plain text -> reading-order text plus an offset map back to the source (pure).

The normalized text is what every span in a record indexes. Its rules:

- block elements (p, div, br, li, headings, table rows, ...) end a line; at most one blank line in a row;
- a table row is one line, its non-empty cells joined by ``" | "``; a table whose rows each have one
  non-empty cell (a frame for layout, not a table of data) keeps the line breaks of the blocks inside it;
- runs of white space collapse to one space; lines carry no leading or trailing spaces;
- entities are decoded; non-breaking and typographic spaces become spaces, soft hyphens and zero-width
  characters vanish, curly quotes become straight ones, dashes become ``-``;
- hidden content is dropped: ``<script>``, ``<style>``, ``<head>``, inline XBRL's ``<ix:header>``, and
  any element styled ``display:none``;
- characters set in a Wingdings or Wingdings 2 font are mapped to the box they show (☒ / ☐; the table
  and its source are in ``glyphs.py``).

Plain text keeps its lines (tabs and runs of spaces collapse, stray inline tags such as ``<i>`` and
``<PAGE>`` markers go away).

The :class:`OffsetMap` maps every offset of the normalized text to an offset in the source string, so a
span can be shown in the original document.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from .glyphs import GLYPH_TABLES
from .offsets import OffsetMap
from .resegment import hard_wrap_width, resegment
from .textbuilder import Builder

__all__ = ["CHECKED", "UNCHECKED", "OffsetMap", "html_to_text", "text_to_text"]

# --- character-level rules ---------------------------------------------------------------------------

_TRANSLATE = {
    0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2004: " ", 0x2005: " ", 0x2006: " ", 0x2007: " ",
    0x2008: " ", 0x2009: " ", 0x200A: " ", 0x202F: " ", 0x205F: " ", 0x3000: " ",
    0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x00B4: "'",
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x201F: '"', 0x2033: '"',
    0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-", 0x2212: "-",
    0x2022: "\u2022",
    0x09: " ", 0x0B: " ", 0x0C: " ", 0x0D: " ",
}  # fmt: skip
_DELETE = "\x00\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DELETE_RE = re.compile(f"[{_DELETE}]")
_TABLE = str.maketrans(_TRANSLATE)


CHECKED = "☒"
UNCHECKED = "☐"


_WS = re.compile(r"\s+")


def _emit_text(b: Builder, raw: str, pos: int, wingdings: dict[int, str] | None) -> None:
    """Decode entities and special characters of one text run starting at source offset pos."""
    if "&" in raw:
        i = 0
        for m in _ENTITY.finditer(raw):
            if m.start() > i:
                _emit_plain(b, raw[i : m.start()], pos + i, wingdings)
            decoded = html.unescape(m.group(0))
            if decoded == m.group(0):
                _emit_plain(b, decoded, pos + m.start(), wingdings)
            else:
                _emit_plain(b, decoded, pos + m.start(), wingdings, atomic=True)
            i = m.end()
        if i < len(raw):
            _emit_plain(b, raw[i:], pos + i, wingdings)
    else:
        _emit_plain(b, raw, pos, wingdings)


def _emit_plain(b: Builder, s: str, pos: int, wingdings: dict[int, str] | None, atomic: bool = False) -> None:
    s = s.translate(_TABLE)
    if wingdings:
        s = s.translate(wingdings)
    if atomic:
        # an entity: the decoded character(s) all map to the entity's start
        s = _DELETE_RE.sub("", s)
        if s.strip():
            b._word(s, pos) if not s.isspace() else b._space(pos)
        elif s:
            b._space(pos)
        return
    if _DELETE_RE.search(s):
        i = 0
        for m in _DELETE_RE.finditer(s):
            b.text(s[i : m.start()], pos + i)
            i = m.end()
        b.text(s[i:], pos + i)
    else:
        b.text(s, pos)


_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")

# --- HTML ------------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^>]*>"  # doctype, processing instruction
    r"|</?([A-Za-z][A-Za-z0-9:_.-]*)((?:[^>\"']+|\"[^\"]*\"|'[^']*')*+)>",  # possessive: no memory per attribute
    re.S,
)
_BLOCK = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 center blockquote pre hr table tbody thead tfoot "
    "section article header footer nav aside form address fieldset figure figcaption main caption "
    "page title".split()
)
_BLANK_AFTER = frozenset("p h1 h2 h3 h4 h5 h6 table pre hr center blockquote".split())
_SKIP = frozenset("script style head ix:header xml noscript template object".split())
_STYLE_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_WINGDINGS_FACE = re.compile(r"wingdings(?:\s*([23]))?|webdings|symbol", re.I)
_IMPLICIT_END = frozenset("p li dt dd option".split())
_BLOCK_START = frozenset(
    "p div table tr li ul ol dl dt dd h1 h2 h3 h4 h5 h6 center blockquote pre hr".split()
)
_VOID = frozenset("br hr img meta link input area base col param source wbr".split())


def html_to_text(src: str, start: int = 0, end: int | None = None) -> tuple[str, OffsetMap]:
    """Normalize src[start:end] (HTML); offsets in the map are offsets into src."""
    end = len(src) if end is None else end
    b = Builder(len(src))
    skip_tag: str | None = None
    skip_depth = 0
    pre_depth = 0
    wingdings_stack: list[tuple[str, dict[int, str]]] = []  # tags that opened a symbol font, its glyphs
    cell_in_row = 0  # non-empty cells emitted in the current row
    row_len_before_cell = 0
    in_cell_depth = 0
    pos = start
    for m in _TOKEN.finditer(src, start, end):
        if m.start() > pos and skip_tag is None:
            _emit_run(b, src[pos : m.start()], pos, _glyphs(wingdings_stack), pre_depth > 0)
        pos = m.end()
        name = m.group(1)
        if name is None:
            continue  # comment, doctype, processing instruction
        tag = name.lower()
        closing = src[m.start() + 1] == "/"
        attrs = m.group(2) or ""
        if skip_tag is not None:
            if tag == skip_tag:
                skip_depth += -1 if closing else (0 if attrs.rstrip().endswith("/") else 1)
                if skip_depth <= 0:
                    skip_tag = None
                continue
            if not (skip_tag in _IMPLICIT_END and not closing and tag in _BLOCK_START):
                continue
            skip_tag = None  # an unclosed hidden <p> ends where the next block starts
        if not closing:
            if tag in _SKIP or (attrs and "isplay" in attrs and _STYLE_HIDDEN.search(attrs)):
                if tag not in _VOID and not attrs.rstrip().endswith("/"):
                    skip_tag, skip_depth = tag, 1
                continue
            face = _WINGDINGS_FACE.search(attrs) if "font-family" in attrs or "face" in attrs else None
            if face:
                wingdings_stack.append((tag, GLYPH_TABLES[f"wingdings{face.group(1) or ''}"]))
            if tag == "pre":
                pre_depth += 1
        else:
            if wingdings_stack and wingdings_stack[-1][0] == tag:
                wingdings_stack.pop()
            if tag == "pre":
                pre_depth = max(0, pre_depth - 1)

        if tag in ("td", "th"):
            if not closing and attrs.rstrip().endswith("/"):
                continue  # <td .../>: an empty cell, opened and closed at once
            if not closing:
                in_cell_depth += 1
                row_len_before_cell = b.length
                if cell_in_row:
                    b.synthetic(" | ", m.start())
                    row_len_before_cell = b.length
            else:
                in_cell_depth = max(0, in_cell_depth - 1)
                if b.length > row_len_before_cell and b.parts and b.last not in " |":
                    cell_in_row += 1
                elif b.length == row_len_before_cell and cell_in_row and b.drop_separator():
                    pass  # the cell stayed empty: its separator was taken back
                elif b.length > row_len_before_cell:
                    cell_in_row += 1
            continue
        if tag == "tr":
            b.end_row(cell_in_row)
            if cell_in_row or closing:
                _end_row(b, m.start())
            cell_in_row = 0
            continue
        if tag in _BLOCK:
            if in_cell_depth and tag not in ("table",):
                b.block_in_cell(m.start())  # keep a row on one line
                continue
            if tag == "table":
                b.end_row(cell_in_row)
                b.end_table()
                cell_in_row = 0
                in_cell_depth = 0
            b.newline(m.start(), blank=closing and tag in _BLANK_AFTER)
    if pos < end and skip_tag is None:
        _emit_run(b, src[pos:end], pos, _glyphs(wingdings_stack), pre_depth > 0)
    b.end_row(cell_in_row)
    b.end_table()
    return b.finish(len(src))


def _glyphs(stack: list[tuple[str, dict[int, str]]]) -> dict[int, str] | None:
    return stack[-1][1] if stack else None


def _end_row(b: Builder, pos: int) -> None:
    b.drop_separator()  # a dangling one
    b.newline(pos)


def _emit_run(b: Builder, raw: str, pos: int, wingdings: dict[int, str] | None, pre: bool) -> None:
    if not pre:
        _emit_text(b, raw, pos, wingdings)
        return
    i = 0
    for m in re.finditer(r"\r?\n", raw):
        _emit_text(b, raw[i : m.start()], pos + i, wingdings)
        b.newline(pos + m.start())
        i = m.end()
    _emit_text(b, raw[i:], pos + i, wingdings)


# --- plain text ----------------------------------------------------------------------------------------

_TEXT_TAGS = re.compile(
    r"</?(?:i|b|u|em|strong|font|sup|sub|small|big|tt|a|span|page|s|c|f\d*|r|fn|table|caption|center)(?:\s[^<>\n]*)?/?>",
    re.I,
)
_LINE = re.compile(r"[^\n]*(?:\n|\Z)")


def text_to_text(src: str, start: int = 0, end: int | None = None) -> tuple[str, OffsetMap]:
    """Normalize plain text src[start:end]: keep lines, collapse spaces, drop stray tags."""
    end = len(src) if end is None else end
    b = Builder(len(src))
    blank_run = 0
    pos = start
    width = hard_wrap_width(src, start, end)  # a line cut at this width goes on in the next line
    while pos < end:
        as_is = _as_is_end(src, pos, end) if width is None else pos
        if as_is > pos:  # whole lines that come out as they are: one copy, no anchor, no per-line work
            if blank_run and b.parts:
                b.newline(pos - 1, blank=True)
            blank_run = 0
            run = src[pos:as_is]
            b._word(run.translate(_TABLE) if _ONE_FOR_ONE.search(run) else run, pos)
            b.newline(as_is)
            pos = as_is + 1
            continue
        nl = src.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        line = src[pos:line_end]
        if line.strip():
            if blank_run and b.parts:
                b.newline(pos - 1, blank=True)  # the blank line's own newline: 1:1 when it is the only one
            blank_run = 0
            i = 0
            for m in _TEXT_TAGS.finditer(line):
                if m.start() > i:
                    _emit_columns(b, line[i : m.start()], pos + i)
                if m.group(0).lower().startswith("<page"):
                    b.newline(pos + m.start(), blank=True)
                else:
                    b._space(pos + m.start()) if b.last not in " \n" and _needs_space(line, m) else None
                i = m.end()
            if i < len(line):
                _emit_columns(b, line[i:], pos + i)
            if len(line) != width or src[line_end + 1 : line_end + 2] in ("", "\n"):
                b.newline(line_end)
        else:
            blank_run += 1
        pos = line_end + 1
    text, offsets = b.finish(len(src))
    return resegment(text, replace(offsets, resegmented=True) if width else offsets)


# what normalization would change in a line of plain text: white space other than single spaces between
# words (tabs, runs, leading or trailing spaces, two blank lines in a row), tags, entities, characters it
# drops or turns into spaces. Characters are found by one character class, pairs by str.find (both scan fast).
_AS_IS_BREAK = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\x00\xad<&]"
)
# characters translated one for one into a character that is not white space (quotes, dashes): an
# as-is run keeps its length and offsets through them
_ONE_FOR_ONE = re.compile("[" + "".join(chr(k) for k, v in _TRANSLATE.items() if not v.isspace()) + "]")
_AS_IS_PAIRS = ("  ", " \n", "\n\n\n", "\n ")


def _as_is_end(src: str, pos: int, end: int) -> int:
    """End of the whole lines from pos (a line start) that normalize to themselves (single blank lines
    between them included); pos when none do. The run ends on a line with text: blank lines after it
    are left to the caller, which collapses them.

    The window searched grows from 64 characters, so the cost of a call stays in proportion to what it
    returns (a break near pos is found without scanning far ahead)."""
    if src[pos] in " \n":
        return pos
    window = 64
    while True:
        stop = min(end, pos + window)
        m = _AS_IS_BREAK.search(src, pos, stop)
        q = m.start() if m else stop
        for pair in _AS_IS_PAIRS:
            k = src.find(pair, pos, min(stop, q + len(pair) - 1))
            if k >= 0:
                q = k
        if q == stop == end and src[end - 1] == " ":
            q = end - 1  # a trailing space at the very end
        if q < stop:
            # a newline here: the line it ends is fine, what follows is not; else up to the line q is in
            e = q if src[q] == "\n" else max(pos, src.rfind("\n", pos, q))
        elif stop == end:
            e = end
        elif window >= 1 << 22:
            e = max(pos, src.rfind("\n", pos, stop))
        else:
            window *= 8
            continue
        while e > pos and src[e - 1] == "\n":
            e -= 1
        return e


_COLUMN_GAP = re.compile(r"\t+ *|[ \xa0]{3,}")


def _emit_columns(b: Builder, s: str, pos: int) -> None:
    """Plain text lays tables out in columns: a tab or three spaces inside a line separates cells."""
    i = 0
    for m in _COLUMN_GAP.finditer(s):
        if m.start() > i and s[: m.start()].strip() and s[m.end() :].strip():
            _emit_text(b, s[i : m.start()], pos + i, None)
            if b.last not in "\n|" and not b.parts[-1].endswith(" | "):
                b.synthetic(" | ", pos + m.start())
            i = m.end()
    _emit_text(b, s[i:], pos + i, None)


def _needs_space(line: str, m: re.Match[str]) -> bool:
    before = line[m.start() - 1] if m.start() else " "
    after = line[m.end()] if m.end() < len(line) else " "
    return before.isspace() or after.isspace()
