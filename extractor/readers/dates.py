"""Dates tied to their verb: entered into / dated as of, effective, terminated (pure).

A date counts for an event only through the words that tie it to the event:

- ``dated (as of) DATE`` right after the agreement phrase (the agreement's own date);
- ``effective (as of) DATE`` in the sentence of the event's verb;
- ``effective upon`` an event (the closing, the consummation of a separation) and no date: null, with
  the reason (the change takes effect on a day the filing does not know);
- ``effective immediately`` and no lead date: the report's date, with the reason (confidence 0.7);
- the sentence's lead (``On DATE, ...``, also after the sub-item letter: ``(e) On DATE``) when that sentence carries the verb; a sentence without a
  date takes the lead date of the sentence before it ("On DATE, X notified the Company ... . X will
  resign ..."); a future departure ("will not stand for re-election") takes the first date after the
  verb, in its sentence or the next ("will continue to serve until the Annual Meeting ... on DATE");
- a defined date term (``September 27, 2023 (the "Effective Date")``) stands for its date wherever it
  is used ("dated as of the Effective Date");
- a 2.03 maturity: ``matures on DATE``, ``maturity date of / to DATE``, ``principal ... due on DATE``,
  ``expires on DATE``, unless said of a former agreement.
"""

from __future__ import annotations

import datetime as dt
import re

from ..sections.text import DATE_RE, parse_date
from .text import sentence_at, sentences
from .values import ReaderValue, Segment, value_at

__all__ = ["dated_after", "defined_dates", "maturity_date", "sentence_date"]

Found = tuple[dt.date, int, int]


def defined_dates(text: str) -> dict[str, Found]:
    """Defined date terms: ``DATE (the "Effective Date")`` -> {"effective date": (date, start, end)}."""
    out: dict[str, Found] = {}
    for m in DATE_RE.finditer(text):
        d = parse_date(m)
        term = re.match(
            r"\s*\((?:the\s+)?[\"\u201c]([^\"\u201d]{3,40})[\"\u201d]\)", text[m.end() : m.end() + 60]
        )
        if d is not None and term is not None:
            out.setdefault(" ".join(term[1].lower().split()), (d, m.start(), m.end()))
    return out


def _date_or_term(text: str, pos: int, defined: dict[str, Found]) -> Found | None:
    m = DATE_RE.match(text, pos)
    if m is not None:
        d = parse_date(m)
        return (d, m.start(), m.end()) if d is not None else None
    t = re.match(r"the\s+([A-Z][\w ]{2,40}?Date)\b", text[pos:])
    if t is not None:
        key = " ".join(t[1].lower().split())
        if key in defined:
            return defined[key][0], pos, pos + t.end()
    return None


def dated_after(text: str, pos: int, offset: int, reader: str = "dated_as_of") -> ReaderValue | None:
    """``, dated (as of) DATE`` within a few words after ``pos`` (the end of an agreement phrase)."""
    m = re.match(r"(?:\s*\([^()]{0,80}\))?[^.;()]{0,40}?\bdated\s+(?:as\s+of\s+)?", text[pos : pos + 200])
    if m is None:
        return None
    got = _date_or_term(text, pos + m.end(), defined_dates(text))
    if got is None:
        return None
    d, s, e = got
    return value_at(text, s, e, offset, d.isoformat(), 0.85, reader)


_EFFECTIVE = re.compile(r"\b(?:effective|commencing)\s+(?:as\s+of\s+|on\s+)?", re.I)
_UPON = re.compile(
    r"\beffective\s+(?:upon|as\s+of|at|on)\s+(?:the\s+)?(?:consummation|closing|completion|effectiveness|"
    r"occurrence|effective\s+time)\b|\beffective\s+upon\b",
    re.I,
)
# "effective at the adjournment of the 2023 annual meeting": a meeting the sentence does not date
_AT_END_OF = re.compile(
    r"\beffective\s+(?:at|as\s+of|upon|on)\s+the\s+(?:adjournment|conclusion|end|close)\s+of\b", re.I
)
_IMMEDIATELY = re.compile(r"\beffective\s+immediately\b|\bimmediately\s+effective\b", re.I)
_LEAD = re.compile(r"\s*(?:\([a-f]\)\s*)?(?:On|As\s+of|Effective(?:\s+as\s+of)?)\s+", re.I)


_DATED = re.compile(r"\bdated\s+(?:as\s+of\s+)?$", re.I)


def sentence_date(
    text: str,
    pos: int,
    offset: int,
    verb: re.Pattern[str],
    reader: str = "verb_date",
    *,
    after_verb: bool = False,
    report_date: dt.date | None = None,
    name: str = "",
    undated: bool = False,
) -> ReaderValue | None:
    """The date of the sentence around ``pos`` tied to ``verb``: the "effective DATE" nearest ``pos``,
    else the sentence's lead date, else the date nearest the verb; None when the sentence has no such
    verb. ``after_verb``: the first date after ``pos`` comes first (a departure at a future meeting).
    ``report_date`` stands for "effective immediately" when the sentence has no lead date; ``name``, the
    person's surname, must be in the sentence after for its date to count. ``undated``: a date that
    dates an agreement ("dated as of August 7, 2013") is not the one asked for (when it was terminated)."""
    spans = sentences(text)
    ss, se = sentence_at(spans, pos)
    if not verb.search(text, ss, se):
        return None
    defined = defined_dates(text)
    if after_verb:
        nxt = next((e for s, e in spans if s >= se), se)
        m = DATE_RE.search(text, pos, nxt)
        d = parse_date(m) if m else None
        if m is not None and d is not None:
            # "will not stand for re-election at the annual meeting ... on DATE": the meeting's date
            meeting = re.search(r"\bmeeting\b", text[pos : m.start()], re.I) is not None
            return value_at(text, m.start(), m.end(), offset, d.isoformat(), 0.8 if meeting else 0.7, reader,
                            reasons=("after the verb",))  # fmt: skip
    effective = [(got, abs(m.start() - pos)) for m in _EFFECTIVE.finditer(text, ss, se)
                 if (got := _date_or_term(text, m.end(), defined)) is not None]  # fmt: skip
    if effective:
        got = min(effective, key=lambda t: t[1])[0]
        return value_at(text, got[1], got[2], offset, got[0].isoformat(), 0.8, reader, reasons=("effective",))
    upon = _UPON.search(text, ss, se)
    if upon is None and (end_of := _AT_END_OF.search(text, ss, se)) is not None:
        dated = _end_of_dated(text, end_of.end(), se, offset, reader, defined)
        if dated is not None:
            return dated
        if not DATE_RE.search(text, end_of.end(), se):
            upon = end_of
    if upon is not None:
        return value_at(text, upon.start(), upon.end(), offset, None, 0.7, reader,
                        reasons=("effective upon an event the filing does not date",))  # fmt: skip
    lead = _lead_date(text, ss, defined)
    if lead is not None:
        return value_at(text, lead[1], lead[2], offset, lead[0].isoformat(), 0.75, reader, reasons=("lead",))
    now = _IMMEDIATELY.search(text, ss, se)
    if now is not None and report_date is not None:
        return value_at(text, now.start(), now.end(), offset, report_date.isoformat(), 0.7, reader,
                        reasons=("effective immediately: the date of the report",))  # fmt: skip
    v = verb.search(text, ss, se)
    assert v is not None
    near: list[Found] = []
    for m in DATE_RE.finditer(text, ss, se):
        d = parse_date(m)
        if d is not None and not (undated and _DATED.search(text, max(ss, m.start() - 20), m.start())):
            near.append((d, m.start(), m.end()))
    if not near:
        return _across(text, spans, ss, se, offset, reader, defined, name)
    d, s, e = min(near, key=lambda f: abs(f[1] - v.start()))
    return value_at(text, s, e, offset, d.isoformat(), 0.6, reader, reasons=("nearest the verb",))


def _end_of_dated(
    text: str, pos: int, se: int, offset: int, reader: str, defined: dict[str, Found]
) -> ReaderValue | None:
    """The date of the event a change takes effect at the end of (``pos`` just after "effective at the
    adjournment of"): a defined term's ('... on September 27, 2023 (the "Annual Meeting") ... of the
    Annual Meeting'), else a date printed soon after ("of the 2023 annual meeting ... on September 27,
    2023")."""
    rest = text[pos : pos + 80].lower()
    term = next((k for k in defined if re.match(rf"\s+(?:the\s+)?{re.escape(k)}\b", rest)), None)
    if term is not None:
        got = defined[term]
    else:
        m = DATE_RE.search(text, pos, min(se, pos + 120))
        day = parse_date(m) if m is not None else None
        if m is None or day is None:
            return None
        got = (day, m.start(), m.end())
    return value_at(text, got[1], got[2], offset, got[0].isoformat(), 0.75, reader,
                    reasons=("effective at the end of a dated event",))  # fmt: skip


def _across(
    text: str,
    spans: list[tuple[int, int]],
    ss: int,
    se: int,
    offset: int,
    reader: str,
    defined: dict[str, Found],
    name: str,
) -> ReaderValue | None:
    """The date of a sentence without one, from its neighbours: the lead date of the sentence before
    ("On DATE, X notified the Company ... . X will resign ..."), else the "effective / commencing DATE"
    of the sentence after ("... entered into a new employment agreement with X. The agreement ... has a
    term commencing as of DATE"), when it names the person again."""
    before = [s for s, e in spans if e <= ss]
    got = _lead_date(text, before[-1], defined) if before else None
    why = "lead of the sentence before"
    if got is None:
        ns, ne = next(((s, e) for s, e in spans if s >= se), (se, se))
        named = not name or re.search(rf"\b{re.escape(name)}\b", text[ns:ne], re.I) is not None
        found = [g for m in _EFFECTIVE.finditer(text, ns, ne) if (g := _date_or_term(text, m.end(), defined))]
        found = found if named else []
        got, why = (found[0] if found else None), "effective in the sentence after"
    if got is None:
        return None
    return value_at(text, got[1], got[2], offset, got[0].isoformat(), 0.6, reader, reasons=(why,))


def _lead_date(text: str, ss: int, defined: dict[str, Found]) -> Found | None:
    lead = _LEAD.match(text, ss)
    return _date_or_term(text, lead.end(), defined) if lead is not None else None


_MATURITY = re.compile(
    r"\b(?:matures?\s+on|maturity(?:\s+date)?\s+(?:is|of|to|will\s+be|on)|"
    r"(?:principal|balance|amounts?)\s+(?:[\w-]+\s+){0,2}?due\s+(?:and\s+payable\s+)?on|expires?\s+on)\s+",
    re.I,
)
_FORMER = re.compile(r"\b(?:had\s+been|existing|prior|previous|former|original)\b[^.;]{0,40}$", re.I)


def maturity_date(segments: list[Segment]) -> ReaderValue | None:
    """A 2.03 obligation's maturity: the first "matures on DATE", "maturity date (is / of / to) DATE",
    "principal ... due on DATE" or "expires on DATE" that is not said of a former agreement ("had been
    due to mature on")."""
    for text, offset in segments:
        for m in _MATURITY.finditer(text):
            d = DATE_RE.match(text, m.end())
            day = parse_date(d) if d else None
            if d is None or day is None or _FORMER.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            return value_at(text, d.start(), d.end(), offset, day.isoformat(), 0.75, "maturity_phrase")
    return None
