"""Small pure helpers shared by the section parsers: lines with offsets, dates, fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

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

_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    rf"\b(?P<mon>{_MONTH_RE})\.?\s*(?P<day>\d{{1,2}})\s*(?:st|nd|rd|th)?\s*,?\s*(?P<year>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<mon2>{_MONTH_RE})\.?,?\s+(?P<year2>(?:19|20)\d{{2}})\b"
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


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[tuple[dt.date, int, int]]:
    out = []
    for m in DATE_RE.finditer(text, start, len(text) if end is None else end):
        d = parse_date(m)
        if d is not None:
            out.append((d, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Line:
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


def lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        e = end if nl < 0 else nl
        if e > pos:
            out.append(Line(pos, e, text[pos:e]))
        pos = e + 1
    return out


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    yield from lines(text, start, end)


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
