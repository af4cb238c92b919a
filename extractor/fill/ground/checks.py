"""Value checks: is the value the model gave what its quote says? (pure)

A date must be a date the quote states, a number must appear in the quote, a name must appear in it;
free-text fields (``PARAPHRASE``: summaries, descriptions) are the model's wording and are not checked.
An enum value (5.02 and 4.01 ``change``) is checked against the words of its quote, and corrected when
they state exactly one other value of the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from ...sections.text import MONTHS
from .align import FUZZY_MIN, normalize_with_map

# free-text fields: the value is the model's wording, not a copy, so it is not checked against the quote
PARAPHRASE = frozenset(
    {"summary", "description", "name", "agreement_type", "instrument", "securities", "consideration"}
)
# name-like fields: the value must appear in its quote
NAMES = frozenset(
    {"person", "counterparties", "counterparty", "former_auditor", "new_auditor", "exchange", "position"}
)


_MONTHS = MONTHS  # one month table for the parser and grounding
_MON = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_RE_MDY = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4})", re.I)
_RE_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?" + _MON + r",?\s+(\d{4})", re.I)
_RE_MD = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{4})", re.I)
_RE_MY = re.compile(_MON + r",?\s+(\d{4})", re.I)
_RE_NUM = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")
_RE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def date_mentions(text: str) -> list[tuple[str, Any, int, int]]:
    """Every date ``text`` states, as (form, value, start, end): form "full" (a ``dt.date``), "md"
    ((month, day), no year printed) or "ym" ((year, month), no day printed)."""
    out: list[tuple[str, Any, int, int]] = []

    def full(m: re.Match[str], y: int, mo: int, d: int) -> None:
        day = _mk(y, mo, d)
        if day:
            out.append(("full", day, m.start(), m.end()))

    for m in _RE_MDY.finditer(text):
        full(m, int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    for m in _RE_DMY.finditer(text):
        full(m, int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    for m in _RE_NUM.finditer(text):
        y = int(m.group(3))
        full(m, y + (2000 if y < 50 else 1900) if y < 100 else y, int(m.group(1)), int(m.group(2)))
    for m in _RE_ISO.finditer(text):
        full(m, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _RE_MD.finditer(text):
        out.append(("md", (_MONTHS[m.group(1).lower()], int(m.group(2))), m.start(), m.end()))
    for m in _RE_MY.finditer(text):
        out.append(("ym", (int(m.group(2)), _MONTHS[m.group(1).lower()]), m.start(), m.end()))
    return out


def dates_in(text: str) -> tuple[set[dt.date], set[tuple[int, int]], set[tuple[int, int]]]:
    """Full dates, (month, day) without year, and (year, month) stated in ``text``."""
    found = date_mentions(text)
    return (
        {v for f, v, _s, _e in found if f == "full"},
        {v for f, v, _s, _e in found if f == "md"},
        {v for f, v, _s, _e in found if f == "ym"},
    )


def numbers_in(text: str) -> set[int]:
    return {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text) if n.replace(",", "").isdigit()}


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "partial" | "fail" | "n/a"
    reason: str | None = None
    corrected: Any = None  # the value its quote states instead (enum fields), else None


# Kinds of change that a quote states in so many words. A departure cue is looked for first and its words
# are then removed ("will not stand for re-election" is a departure, not an election). Groups are the value
# sets of one field: 5.02 ``change`` and 4.01 ``change``.
_DEPARTURE = re.compile(
    r"\b(?:resign\w*|retir\w*|step(?:s|ped|ping)?\s+down|depart\w*|terminat\w*|separat\w*|"
    r"(?:will|would|to)\s+leave|left\s+the\s+company|not\s+(?:to\s+)?(?:stand|seek|run)\s+for\s+re-?election|"
    r"declin\w*\s+to\s+stand|passed\s+away|death|removed)\b",
    re.I,
)
ENUM_CUES: dict[str, list[dict[str, re.Pattern[str]]]] = {
    "change": [
        {
            "departure": _DEPARTURE,
            "appointment": re.compile(
                r"\b(?:appoint\w*|named|hire[ds]?|hiring|join\w*|promot\w*|designat\w*)\b", re.I
            ),
            "election": re.compile(r"\b(?:elected|election\s+of|elect)\b", re.I),
            "compensation": re.compile(
                r"\b(?:salary|salaries|bonus\w*|award\w*|compensat\w*|grant\w*|incentive|severance|retention)\b",
                re.I,
            ),
        },
        {
            "dismissed": re.compile(r"\bdismiss\w*", re.I),
            "resigned": re.compile(r"\bresign\w*", re.I),
            "declined": re.compile(r"\bdeclin\w*\s+to\s+stand", re.I),
            "engaged": re.compile(r"\b(?:engag\w*|appoint\w*|select\w*|retain\w*)\b", re.I),
        },
    ],
}


def enum_check(name: str, value: Any, quote: str) -> Check:
    """Does the quote state the enum value? When its words state exactly one other value of the same
    field ("he was resigning" given as an appointment), that value is the correction."""
    for group in ENUM_CUES.get(name, []):
        if value not in group:
            continue
        rest = quote
        stated = set()
        if "departure" in group and group["departure"].search(rest):
            stated.add("departure")
            rest = group["departure"].sub(" ", rest)
        stated |= {k for k, cue in group.items() if k != "departure" and cue.search(rest)}
        if value in stated:
            return Check("ok")
        if len(stated) == 1:
            (other,) = stated
            return Check("partial", f"the quote states {other!r}, not {value!r}: corrected", corrected=other)
        return Check("n/a")
    return Check("n/a")


def check_value(name: str, kind: str, value: Any, quote: str | None) -> Check:
    """Is ``value`` what ``quote`` says? Dates and numbers parsed; names looked up; others n/a."""
    if value is None or not quote:
        return Check("n/a")
    if kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        full, md, ym = dates_in(quote)
        if day in full:
            return Check("ok")
        if (day.month, day.day) in md or (day.year, day.month) in ym:
            return Check("partial", "quote states the date only in part")
        if full or md:
            return Check("fail", "date differs from the date in its quote")
        return Check("fail", "no date in its quote")
    if kind in ("int", "float"):
        if int(value) in numbers_in(quote):
            return Check("ok")
        return Check("fail", "number not in its quote")
    if kind == "str":
        if name in PARAPHRASE:
            return Check("n/a")
        nv, _ = normalize_with_map(str(value))
        nq, _ = normalize_with_map(quote)
        if nv and nv in nq:
            return Check("ok")
        if fuzz.partial_ratio(nv, nq) >= FUZZY_MIN:
            return Check("partial", "value only approximately in its quote")
        if name in NAMES:
            return Check("fail", "value not in its quote")
        return Check("partial", "value not in its quote")
    if kind == "enum":
        return enum_check(name, value, quote)
    return Check("n/a")
