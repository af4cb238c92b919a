"""Small pure helpers shared by the section parsers: lines with offsets, dates, fields."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

from ..record import Field, Method

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}

MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    rf"\b(?P<mon>{MONTH_RE})\.?\s*(?P<day>\d{{1,2}})\s*(?:st|nd|rd|th)?\s*,?\s*(?P<year>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<mon2>{MONTH_RE})\.?,?\s+(?P<year2>(?:19|20)\d{{2}})\b"
    r"|\b(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>(?:19|20)?\d{2})\b",
    re.I,
)


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def parse_date(m: re.Match[str]) -> dt.date | None:
    try:
        if m.group("mon"):
            return dt.date(int(m.group("year")), _month(m.group("mon")), int(m.group("day")))
        if m.group("mon2"):
            return dt.date(int(m.group("year2")), _month(m.group("mon2")), int(m.group("day2")))
        year = int(m.group("y3"))
        if year < 100:
            year += 2000 if year < 50 else 1900
        return dt.date(year, int(m.group("m3")), int(m.group("d3")))
    except (ValueError, KeyError):
        return None


def date_across(head: str, tail: str) -> dt.date | None:
    """The date a narrow cell wrapped over two lines ("Date: February" / "14, 2022"): one date that starts
    in ``head`` and takes the whole of ``tail``."""
    joined = f"{head.rstrip()} {tail.strip()}"
    cut = len(head.rstrip())
    for m in DATE_RE.finditer(joined):
        if m.start() < cut < m.end() and m.end() == len(joined.rstrip(" .")):
            return parse_date(m)
    return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[tuple[dt.date, int, int]]:
    out = []
    for m in DATE_RE.finditer(text, start, len(text) if end is None else end):
        d = parse_date(m)
        if d is not None:
            out.append((d, m.start(), m.end()))
    return out


class Line(NamedTuple):
    start: int
    end: int
    text: str

    @property
    def cells(self) -> list[tuple[int, int, str]]:
        """The line's table cells (split on the " | " separator) with absolute offsets."""
        out = []
        pos = 0
        for part in self.text.split(" | "):
            out.append((self.start + pos, self.start + pos + len(part), part))
            pos += len(part) + 3
        return out


def iter_lines(
    text: str, start: int = 0, end: int | None = None, *, having: re.Pattern[str] | None = None
) -> Iterator[Line]:
    """The non-empty lines of text[start:end] one at a time, keeping nothing.

    ``having``: only the lines in which this pattern finds a match, found by the regex engine over the
    whole range (a filter the caller's own test of ``line.text`` implies, so the lines it keeps are the
    ones a full pass would keep). In MULTILINE mode its ``^`` anchors at each line start, so the filter
    can say "within the first few characters"; the first line, when ``start`` is inside a line, is tested
    on its own."""
    end = len(text) if end is None else end
    if having is None:
        pos = start
        find = text.find
        while pos < end:
            nl = find("\n", pos, end)
            e = end if nl < 0 else nl
            if e > pos:
                yield Line(pos, e, text[pos:e])
            pos = e + 1
        return
    pos = start
    if 0 < start < end and text[start - 1] != "\n":
        nl = text.find("\n", start, end)
        e = end if nl < 0 else nl
        if e > start and having.search(text[start:e]):
            yield Line(start, e, text[start:e])
        pos = e + 1
    while pos < end:
        m = having.search(text, pos, end)
        if m is None:
            return
        s = max(pos, text.rfind("\n", pos, m.start()) + 1)  # the line the match starts in
        nl = text.find("\n", m.start(), end)
        e = end if nl < 0 else nl
        if e > s:
            yield Line(s, e, text[s:e])
        pos = e + 1


class Lines(Sequence[Line]):
    """The non-empty lines of text[start:end] as a sequence (what ``lines`` returns).

    A short range (up to ``MATERIALIZE`` characters) is held as a list of lines. A longer one costs no
    memory per line: iterating reads the lines one at a time, and indexing uses the start of every
    ``STEP``-th line (found by the regex engine on first use) and reads forward from there."""

    MATERIALIZE = 1 << 18
    STEP = 64
    _NONEMPTY = re.compile(r"[^\n]+")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self._list: list[Line] | None = (
            list(iter_lines(text, start, end)) if end - start <= self.MATERIALIZE else None
        )
        self._marks: array[int] | None = None
        self._count = 0

    def __iter__(self) -> Iterator[Line]:
        return iter(self._list) if self._list is not None else iter_lines(self.text, self.start, self.end)

    def _index(self) -> array[int]:
        if self._marks is None:
            found = self._NONEMPTY.finditer(self.text, self.start, self.end)
            self._marks = array("q", map(re.Match.start, itertools.islice(found, 0, None, self.STEP)))
            tail = 0
            if self._marks:
                tail = sum(
                    1 for _ in itertools.islice(iter_lines(self.text, self._marks[-1], self.end), self.STEP)
                )
            self._count = self.STEP * max(0, len(self._marks) - 1) + tail
        return self._marks

    def __len__(self) -> int:
        if self._list is not None:
            return len(self._list)
        self._index()
        return self._count

    @overload
    def __getitem__(self, k: int) -> Line: ...

    @overload
    def __getitem__(self, k: slice) -> list[Line]: ...

    def __getitem__(self, k: int | slice) -> Line | list[Line]:
        if self._list is not None:
            return self._list[k]
        n = len(self)
        if isinstance(k, slice):
            r = range(*k.indices(n))
            if r.step == 1 and r:
                return list(itertools.islice(iter_lines(self.text, self[r.start].start, self.end), len(r)))
            return [self[i] for i in r]
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("line index out of range")
        marks = self._index()
        it = iter_lines(self.text, marks[k // self.STEP], self.end)
        return next(itertools.islice(it, k % self.STEP, None))

    def index(self, line: object, start: int = 0, stop: int | None = None) -> int:
        if self._list is not None:
            return self._list.index(line, start, len(self._list) if stop is None else stop)  # type: ignore[arg-type]
        if not isinstance(line, Line):
            raise ValueError("not a line")
        marks = self._index()
        c = max(0, bisect_right(marks, line.start) - 1)
        for j, ln in enumerate(itertools.islice(iter_lines(self.text, marks[c], self.end), self.STEP)):
            k = c * self.STEP + j
            if ln == line and start <= k and (stop is None or k < stop):
                return k
        raise ValueError("line not in lines")

    def __contains__(self, line: object) -> bool:
        try:
            self.index(line)
        except ValueError:
            return False
        return True


def lines(text: str, start: int = 0, end: int | None = None) -> Lines:
    """The non-empty lines of text[start:end] with their offsets (see :class:`Lines`)."""
    return Lines(text, start, len(text) if end is None else end)


def stripped_length(text: str, start: int, end: int) -> int:
    """``len(text[start:end].strip())`` without copying the slice."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return end - start


def field(
    text: str,
    start: int,
    end: int,
    value: object,
    confidence: float,
    *,
    reasons: list[str] | None = None,
    offset: int = 0,
) -> Field:  # type: ignore[type-arg]
    """A parser Field whose quote is exactly text[start:end] (trimmed of surrounding spaces). ``offset``:
    where ``text`` starts in the normalized filing (an item's text), so that the span indexes the filing."""
    while start < end and text[start] in " \t|":
        start += 1
    while end > start and text[end - 1] in " \t|":
        end -= 1
    return Field(
        value=value,
        confidence=round(confidence, 3),
        method=Method.parser,
        span=(start + offset, end + offset),
        quote=text[start:end],
        reasons=reasons or [],
    )


def null_field(reason: str) -> Field:  # type: ignore[type-arg]
    """A parser Field for a value the text does not state."""
    return Field(value=None, confidence=0.6, reasons=[reason])


def first_date(
    text: str, found: list[tuple[dt.date, int, int]], offset: int, *, many_confidence: float, what: str
) -> Field | None:  # type: ignore[type-arg]
    """The first (by position) of the dates a reader found, as a parser Field; when they name several
    different dates its confidence is ``many_confidence`` (else 0.92) and the reason says how many."""
    if not found:
        return None
    value, s, e = min(found, key=lambda t: t[1])
    distinct = {d for d, _s, _e in found}
    if len(distinct) == 1:
        return field(text, s, e, value, 0.92, offset=offset)
    reasons = [f"{len(distinct)} different {what} in the text"]
    return field(text, s, e, value, many_confidence, reasons=reasons, offset=offset)


def clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" \t|,;:")
