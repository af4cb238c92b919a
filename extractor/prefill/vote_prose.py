"""Item 5.07 vote facts stated in prose (pure): vote counts in sentences and the meeting date.

``prose_counts(text, start, end)`` finds "1,806,791,973 shares in favor, 508,390,449 shares against" and
"For: 931,126,456" phrases; ``meeting_date(text, offset)`` the date of the shareholders' meeting ("annual
meeting ... held on <date>", "On <date>, X held its annual meeting"). Used by the vote reader
(``prefill.votes``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..record import Field
from ..sections.text import DATE_RE, find_dates, first_date

# -- prose counts -------------------------------------------------------------------------------------
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d{4,})"
_KEYWORD = (
    r"(in\s+favou?r(?:\s+of\s+(?:every|each)\s+(?:one|two|three|1|2|3)?\s*years?)?|for(?:\s+every\s+(?:one\s+|two\s+|three\s+|1\s+|2\s+|3\s+)?years?|\s+(?:one|two|three|1|2|3)\s+years?)?"
    r"|against|withheld|abstain(?:ed|ing)?|abstentions?|broker\s+non-?votes?)"
)
_AFTER = r"(?=\s*(?:[,;.:()|]|and\b|or\b|$|\(|votes?\b|shares?\b|were\b|was\b))"
_PROSE_NUM_FIRST = re.compile(
    rf"{_NUMBER}\s+(?:(?:shares|votes)\s+(?:of\s+common\s+stock\s+)?(?:were\s+)?(?:cast\s+|voted\s+)?)?{_KEYWORD}{_AFTER}",
    re.I,
)
_PROSE_WORD_FIRST = re.compile(
    rf"\b(?:votes?\s+|shares\s+)?(?:cast\s+)?{_KEYWORD}\s*(?:[:=-]|were|was|of)?\s*{_NUMBER}\b(?!\s*%)", re.I
)
_NO_BROKER = re.compile(r"\b(?:there\s+were\s+)?no\s+broker\s+non-?votes\b", re.I)


def _kind_of_word(word: str) -> str | None:
    w = re.sub(r"\s+", " ", word.lower())
    if re.search(r"\b(?:every|one|two|three|1|2|3)\b.*years?|years?$", w):
        if re.search(r"\b(?:one|1)\b", w) or re.fullmatch(r"(?:for|in favou?r of) every year", w):
            return "y1"
        if re.search(r"\b(?:two|2)\b", w):
            return "y2"
        if re.search(r"\b(?:three|3)\b", w):
            return "y3"
        return None
    if w.startswith("for") or w.startswith("in favo"):
        return "votes_for"
    if w in ("against", "withheld"):
        return "votes_against"
    if w.startswith("abstain") or w.startswith("abstention"):
        return "abstentions"
    if w.startswith("broker"):
        return "broker_non_votes"
    return None


def prose_counts(text: str, start: int, end: int) -> list[tuple[str, int, int, int]]:
    """(column, count, start, end) of every "<n> votes for" / "for: <n>" phrase in text[start:end]."""
    out: list[tuple[str, int, int, int]] = []
    taken: list[tuple[int, int]] = []
    for rx in (_PROSE_NUM_FIRST, _PROSE_WORD_FIRST):
        for m in rx.finditer(text, start, end):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            num_group = 1 if rx is _PROSE_NUM_FIRST else 2
            word_group = 2 if rx is _PROSE_NUM_FIRST else 1
            kind = _kind_of_word(m.group(word_group))
            if kind is None:
                continue
            n = int(m.group(num_group).replace(",", ""))
            out.append((kind, n, m.start(num_group), m.end(num_group)))
            taken.append((m.start(), m.end()))
    for m in _NO_BROKER.finditer(text, start, end):
        out.append(("broker_non_votes", 0, m.start(), m.end()))
    return sorted(out, key=lambda t: t[2])


_SENT = r"(?:[^.\n]|\b(?:Inc|Corp|Co|Ltd|Mr|Ms|Mrs|No|L\.P|N\.V|S\.A)\.)"  # within one sentence
_MEETING_AFTER = re.compile(
    rf"\b(?:annual|special)\s+(?:general\s+)?meeting\b{_SENT}{{0,160}}?\b(?:held\s+)?on\s+", re.I
)
_MEETING_BEFORE = re.compile(
    rf"\bOn\s+(?P<date>{DATE_RE.pattern}),?\s+(?:{_SENT}{{0,160}}?\bheld\s+(?:its|an?|the)\b{_SENT}{{0,60}}?|at\s+(?:its|an?|the)\s+{_SENT}{{0,20}}?)"
    r"\b(?:annual|special)\s+(?:general\s+)?meeting\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b(?:to\s+be|will\s+be)\s+held\b|\bnext\s+(?:annual|special)\b|\bheld\s+in\s+\d{4}\b", re.I
)


def meeting_date(text: str, offset: int = 0) -> Field[Any] | None:
    """The date of the shareholders' meeting ("annual meeting ... held on <date>", "On <date>, X held its
    annual meeting"), or None. Several distinct candidates lower the confidence."""
    found: list[tuple[dt.date, int, int]] = []
    for m in _MEETING_BEFORE.finditer(text):
        dates = find_dates(text, m.start("date"), m.end("date") + 1)
        if dates:
            found.append(dates[0])
    for m in _MEETING_AFTER.finditer(text):
        if _FUTURE.search(m.group(0)):
            continue
        dates = [d for d in find_dates(text, m.end(), min(len(text), m.end() + 30)) if d[1] == m.end()]
        if dates:
            found.append(dates[0])
    return first_date(text, found, offset, many_confidence=0.6, what="meeting dates")
