"""The cover's text as lines, the captions the form prints, and how to find the value next to one."""

from __future__ import annotations

import re

from ...record import Field
from ..text import Line, lines

CAPTION = re.compile(r"\([^()]{3,120}\)")
FILE_NO = re.compile(r"(?<![\d-])(?:\d{1,3}|[A-Z]{1,2})-\d{3,6}(?:-\d{1,3})?(?![\d-])")
IRS_NO = re.compile(r"(?<![\d-])\d{2}\s?-\s?\d{6,7}(?![\d-])|(?<![\d-])\d{9}(?!\d)")
ZIP = re.compile(r"(?<![\d-])\d{5}(?:-\d{4})?(?![\d-])")
PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.\-]{0,3}\d{3}[\s.\-]\d{4}(?!\d)")

INTL_PHONE = re.compile(r"\+\d{1,3}[\s\-]?\(?\d{1,4}\)?[\s\-]\d{3,4}[\s\-]?\d{3,5}")

LABEL = {
    "name": re.compile(r"exact name of (?:the )?registrants?|name of registrant as specified", re.I),
    "state": re.compile(
        r"\(\s*state\s+or\s+other\b|state\s+(?:or\s+other\s+)?jurisdiction|state\s+(?:or\s+other\s+)?of\s+(?:incorporation|organization)|jurisdiction\s+of\s+incorporation|state\s+of\s+incorporation",
        re.I,
    ),
    "file": re.compile(r"commission\s+file\b|file\s+number|^\(?\s*commission\s*\)?\s*$", re.I),
    "irs": re.compile(
        r"\(\s*I\.\s?R\.\s?S\.(?=\s*(?:$|\||Employer|No|Identification))|I\.?\s?R\.?\s?S\.?\s+Employer|Employer\s+Identification|identification\s+no",
        re.I,
    ),
    "address": re.compile(
        r"address\s+of\s+principal\s+(?:executive\s+)?offices?|address,? including zip code"
        r"|address\s+and\s+telephone\s+number\s+of\s+(?:the\s+)?registrant'?s?\s+principal",
        re.I,
    ),
    "zip": re.compile(r"\(?\s*zip\s+code\s*\)?", re.I),
    "phone": re.compile(
        r"telephone\s+number,?\s+(?:including|with)\s+area\s+code|\btelephone\s+number\b", re.I
    ),
    "date": re.compile(
        r"date\s+of\s+report|date\s+of\s+earliest|earliest\s+event|^\W*event\s+reported", re.I
    ),
}
ANY_LABEL = re.compile(
    "|".join(p.pattern for k, p in LABEL.items() if k != "file")
    + r"|commission file|former name|check the appropriate",
    re.I,
)
RULES = {
    "rule_425": re.compile(r"Rule\s+425\b", re.I),
    "rule_14a12": re.compile(r"Rule\s+14a\s?-\s?12\b", re.I),
    "rule_14d2b": re.compile(r"Rule\s+14d\s?-\s?2\s?\(b\)", re.I),
    "rule_13e4c": re.compile(r"Rule\s+13e\s?-\s?4\s?\(c\)", re.I),
}
CHECKED = re.compile(r"[☒☑■✓✔⌧✗✘🗴🗵🗶🗷🗹]|\[\s*[xX✓]\s*\]|(?:^|\s)[xXýþ](?:\s|$)|\(\s*[xX]\s*\)")
UNCHECKED = re.compile(r"[☐□¨❑❒○◻⬜🞐]|\[\s*\]|\|_\||(?:^|\s)[oq0_](?:\s|$)|\(\s*\)")
STATES = [
    *(
        "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii "
        "Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan "
        "Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee "
        "Texas Utah Vermont Virginia Washington Wisconsin Wyoming"
    ).split(),
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "District of Columbia",
    "Puerto Rico", "Cayman Islands", "British Virgin Islands", "Bermuda", "Canada", "Ontario",
    "British Columbia", "Ireland", "England and Wales", "Netherlands", "Israel", "Marshall Islands",
    "Luxembourg", "Jersey", "Switzerland", "Bahamas", "Panama", "Quebec", "Alberta",
]  # fmt: skip
STATE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, STATES), key=len, reverse=True)) + r")\b", re.I
)


_CELLS = " | "
_JOIN_MAX = 6  # lines one caption may be broken over
_LABEL_KEYS = ("name", "state", "irs", "address", "phone", "date", "file")


def _merged(text: str, first: Line, last: Line) -> Line:
    """One logical line from first to last: the line breaks read as spaces (offsets unchanged)."""
    return Line(first.start, last.end, text[first.start : last.end].replace("\n", " "))


def _opens(t: str) -> bool:
    return t.count("(") > t.count(")")


def _caption_across(a: Line, b: Line) -> bool:
    """A caption phrase that only matches once the two lines are read as one ("Date" / "of Report")."""
    joined = a.text + " " + b.text
    for key in _LABEL_KEYS:
        for m in LABEL[key].finditer(joined):
            if m.start() < len(a.text) < m.end():
                return True
    return False


def _closing(found: list[Line], i: int) -> int | None:
    """The line that closes the parenthesis line i leaves open (within a few short plain lines)."""
    depth = found[i].text.count("(") - found[i].text.count(")")
    for j in range(i + 1, min(len(found), i + _JOIN_MAX)):
        t = found[j].text
        if _CELLS in t or len(t) > 160:
            return None
        depth += t.count("(") - t.count(")")
        if depth <= 0:
            return j
    return None


def join_broken_lines(text: str, found: list[Line]) -> tuple[list[Line], int]:
    """Read phrases broken across lines as one line: an opening parenthesis closed on a later line
    ("(State" / "or other jurisdiction" / "of incorporation)", "(August 25," / "2000)"), and a caption
    split between two lines ("Date" / "of Report"). Lines laid out in columns (cells) are left alone.
    Returns the lines and how many joins were made."""
    out: list[Line] = []
    joins = 0
    i = 0
    while i < len(found):
        ln = found[i]
        if _CELLS not in ln.text:
            end = _closing(found, i) if _opens(ln.text) else None
            if end is not None:
                out.append(_merged(text, ln, found[end]))
                joins += 1
                i = end + 1
                continue
            if i + 1 < len(found) and _CELLS not in found[i + 1].text and _caption_across(ln, found[i + 1]):
                found[i + 1] = _merged(text, ln, found[i + 1])
                joins += 1
                i += 1
                continue
        out.append(ln)
        i += 1
    return out, joins


def missing(reason: str) -> Field:  # type: ignore[type-arg]
    return Field(value=None, confidence=0.5, reasons=[reason])


class CoverText:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.lines, self.joined = join_broken_lines(text, list(lines(text, start, end)))

    # -- locating captions ---------------------------------------------------------------------------
    def find(self, key: str, after: int = 0) -> tuple[int, re.Match[str]] | None:
        pat = LABEL[key]
        for i, ln in enumerate(self.lines):
            if ln.end <= after:
                continue
            m = pat.search(ln.text)
            if m and not (key == "file" and self._agency_name(i, m)):
                return i, m
        return None

    def _agency_name(self, i: int, m: re.Match[str]) -> bool:
        """ "Commission" alone on a line is a caption broken over cells, unless it ends the agency's name
        in the form's heading ("SECURITIES AND EXCHANGE" / "COMMISSION")."""
        prev = self.lines[i - 1].text if i > 0 else ""
        return "(" not in m.group(0) and bool(re.search(r"\bexchange\W*$", prev, re.I))

    def cell_at(self, ln: Line, pos: int) -> tuple[int, tuple[int, int, str]]:
        cells = ln.cells
        for k, c in enumerate(cells):
            if c[0] <= pos <= c[1]:
                return k, c
        return len(cells) - 1, cells[-1]

    def before_in_cell(self, ln: Line, m: re.Match[str]) -> tuple[int, int] | None:
        """Text before the caption in the same cell, minus the caption's opening parenthesis."""
        pos = ln.start + m.start()
        _, (cs, _ce, _ct) = self.cell_at(ln, pos)
        seg = self.text[cs:pos]
        # cut at the opening parenthesis of the caption
        p = seg.rfind("(")
        if p >= 0:
            seg = seg[:p]
        # and after any earlier caption in the same cell
        close = seg.rfind(")")
        base = cs
        if close >= 0 and ANY_LABEL.search(seg[: close + 1]):
            base = cs + close + 1
            seg = seg[close + 1 :]
        if seg.strip(" :|"):
            ls = len(seg) - len(seg.lstrip(" :|"))
            return base + ls, base + len(seg.rstrip(" :|"))
        return None

    def after_colon(self, ln: Line, m: re.Match[str]) -> tuple[int, int] | None:
        rest = ln.text[m.end() :]
        cm = re.match(r"[^:|]{0,40}?(?:\)\s*)?[:|]\s*", rest)
        if cm:
            s = ln.start + m.end() + cm.end()
            if ln.end > s:
                return s, ln.end
        return None

    def value_row(self, i: int, skip_captions: bool = True) -> Line | None:
        """The nearest line above line i that is not itself a caption row."""
        j = i - 1
        while j >= 0:
            ln = self.lines[j]
            t = ln.text.strip()
            if t and not (skip_captions and is_caption_row(t)):
                return ln
            j -= 1
        return None

    def _lone_caption(self, j: int) -> bool:
        t = self.lines[j].text.strip()
        return t.startswith("(") and t.endswith(")") and bool(ANY_LABEL.search(t) or LABEL["file"].search(t))

    def stacked(self, i: int) -> tuple[int, int] | None:
        """Values and captions of a cover row each on a line of their own, as converters write a table
        they cannot lay out: n value lines, then their n captions in the same order. The value line of
        the caption on line i."""
        if not self._lone_caption(i):
            return None
        a = b = i
        while a > 0 and self._lone_caption(a - 1):
            a -= 1
        while b + 1 < len(self.lines) and self._lone_caption(b + 1):
            b += 1
        n = b - a + 1
        if n < 2:
            return None
        values: list[Line] = []
        j = a - 1
        while j >= 0 and len(values) < n:
            t = self.lines[j].text.strip()
            if not RULE_LINE.match(t):
                if is_caption_row(t) or ANY_LABEL.search(t) or _CELLS in t:
                    break
                values.insert(0, self.lines[j])
            j -= 1
        if len(values) != n:
            return None
        v = values[i - a]
        return v.start, v.end

    def aligned(self, i: int, m: re.Match[str]) -> tuple[int, int] | None:
        """The cell above the caption's cell when captions and values form aligned table rows."""
        ln = self.lines[i]
        k, _ = self.cell_at(ln, ln.start + m.start())
        n = len(ln.cells)
        above = self.value_row(i)
        if above is None or n < 2:
            return None
        cells = above.cells
        if len(cells) == n and cells[k][2].strip():
            return cells[k][0], cells[k][1]
        return None


CAPTION_WORDS = re.compile(
    r"^(?:of|or|and|other|the|in|its|as|incorporation|organization|identification|number|no\.?|employer|"
    r"i\.?r\.?s\.?|irs|code|zip|charter|specified|jurisdiction|state|commission|file|registrant'?s?|"
    r"exact|name|address|principal|executive|offices?|telephone|including|area|former|if|changed|since|"
    r"last|report|fiscal|year|date|earliest|event|reported)$",
    re.I,
)
RULE_LINE = re.compile(r"^[\s_\-=|*.]*$")


def is_caption_row(t: str) -> bool:
    if RULE_LINE.match(t):
        return True
    stripped = CAPTION.sub("", t).replace("|", " ").strip()
    if t.startswith("(") and len(stripped) < 5:
        return True
    if ANY_LABEL.search(t) and t.startswith("("):
        return True
    # a wrapped caption: "of incorporation) Identification Number)"
    words = re.sub(r"[()|,:]", " ", t).split()
    return bool(words) and ")" in t and all(CAPTION_WORDS.match(w) for w in words)


def first_match(
    pat: re.Pattern[str], text: str, start: int, end: int, exclude: re.Pattern[str] | None = None
) -> tuple[int, int] | None:
    for m in pat.finditer(text, start, end):
        if exclude is not None and any(
            x.start() <= m.start() < x.end() or m.start() <= x.start() < m.end()
            for x in exclude.finditer(text, max(start, m.start() - 12), min(end, m.end() + 12))
        ):
            continue
        return m.start(), m.end()
    return None
