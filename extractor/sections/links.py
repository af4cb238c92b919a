"""Exhibits linked to the submission's attached documents and to the items that cite them (pure).

- **Document**: an exhibit entry is linked to the ``<DOCUMENT>`` whose ``<TYPE>`` names the same exhibit
  number ("EX-99.1" for 99.1: confidence 0.95), else to the one document of the same major number
  ("EX-99" for 99.1: 0.75), else to the document whose ``<DESCRIPTION>`` or file name matches the entry's
  description (0.6). The link records the document's sequence, type and file name and the reason.
- **Citing item**: an item whose text names the exhibit ("Exhibit 99.1", "Exhibits 99.1 and 99.2") cites
  it (the mention's span, 0.9). An exhibit no item names is given to the item its number serves by
  convention (99.x furnishes 2.02, 7.01 or 8.01; 10.x is the agreement of 1.01 or the compensatory
  arrangement of 5.02; ...) when the filing declares such an item (0.5, reason "by convention").
- **Press release**: for a linked 99.x document, the headline (the first title-like line before the
  dateline) and the date (the first date of the dateline) are read from that document's own normalized
  text; those Fields' spans index it (``AttachedText.text``, kept with ``--include-exhibits``, which also
  keeps the text of every other attached exhibit).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from ..ingest import DocumentBlock
from ..normalize import html_to_text, text_to_text
from ..record import AttachedText, Citation, Exhibit, ExhibitLink, Field, Item
from .exhibits import normalize_number
from .text import MONTH_RE, MONTHS, Line, field, lines

_TEXT_TYPES = re.compile(r"^EX-(?!101\b|101\.)", re.I)  # exhibits with text (not XBRL parts)
CONVENTION: dict[str, tuple[str, ...]] = {
    "99": ("2.02", "7.01", "8.01", "2.01", "1.01", "5.02"),
    "10": ("1.01", "5.02", "2.03", "2.01"),
    "2": ("2.01", "1.01"),
    "3": ("5.03", "3.03"),
    "4": ("2.03", "3.03", "1.01", "8.01"),
    "16": ("4.01",),
    "17": ("5.02",),
    "1": ("8.01", "1.01"),
    "5": ("8.01",),
    "23": ("9.01", "8.01"),
}
MAX_EXHIBIT_CHARS = 2_000_000  # an attached document larger than this is linked but not read
RELEASE_HEAD_CHARS = 30_000  # source characters normalized to find a release's headline and dateline


def _major(number: str) -> str:
    m = re.match(r"\d+", number)
    return m.group(0) if m else number


def _type_number(doc_type: str) -> str | None:
    t = doc_type.strip().upper()
    return normalize_number(t[3:]).lower() if t.startswith("EX-") else None


def link_document(exhibit: Exhibit, docs: Sequence[DocumentBlock]) -> DocumentBlock | None:
    """The attached document of an exhibit entry, and set ``exhibit.link`` (pure apart from that)."""
    number = str(exhibit.number.value or "").lower()
    if not number:
        return None
    typed = [(d, _type_number(d.attachment.type)) for d in docs]
    chosen, reason, conf = None, "", 0.0
    exact = [d for d, n in typed if n == number]
    same_major = [d for d, n in typed if n is not None and _major(n) == _major(number)]
    if exact:
        chosen, reason, conf = exact[0], f"its <TYPE> {exact[0].attachment.type} names exhibit {number}", 0.95
    elif len(same_major) == 1:
        d = same_major[0]
        chosen, reason, conf = d, f"the only document of exhibit type {d.attachment.type} for {number}", 0.75
    else:
        desc = str(exhibit.description.value or "").lower()
        best, score = None, 0.0
        for d, n in typed:
            if n is None:
                continue
            label = f"{d.attachment.description or ''} {d.attachment.filename or ''}".lower()
            s = fuzz.token_set_ratio(desc, label) if desc and label.strip() else 0.0
            if s > score:
                best, score = d, s
        if best is not None and score >= 80:
            chosen, reason, conf = best, f"its description matches the entry ({score:.0f}/100)", 0.6
    if chosen is None:
        return None
    a = chosen.attachment
    exhibit.link = ExhibitLink(
        type=a.type, sequence=a.sequence, filename=a.filename, reason=reason, confidence=conf
    )
    return chosen


def _mention(number: str) -> re.Pattern[str]:
    n = re.escape(number)
    return re.compile(
        rf"\bExhibits?\s+(?:No\.?\s*)?(?:[\d.()a-z]+\s*(?:,|and|&|through)\s*)*{n}(?![\d.]*\d)", re.I
    )


def cite(exhibit: Exhibit, items: Sequence[Item]) -> list[Citation]:
    """The items citing an exhibit: by name in their text, else by the number's convention."""
    number = str(exhibit.number.value or "")
    if not number:
        return []
    pattern = _mention(number)
    out = []
    for it in items:
        if (it.modern_equivalent or it.number) == "9.01":
            continue
        m = pattern.search(it.text)
        if m:
            s = it.span[0] + m.start()
            out.append(
                Citation(
                    item=it.number,
                    reason=f"Item {it.number} names Exhibit {number}",
                    span=(s, it.span[0] + m.end()),
                    confidence=0.9,
                )
            )
    if out:
        return out
    declared = {(it.modern_equivalent or it.number): it.number for it in items}
    for candidate in CONVENTION.get(_major(number), ()):
        if candidate in declared:
            return [
                Citation(
                    item=declared[candidate],
                    reason=f"by convention: exhibit {_major(number)}.x serves Item {candidate}",
                    confidence=0.5,
                )
            ]
    return []


_LABEL = re.compile(
    r"^[\W_]*(?:exhibit|ex\.?-?)\s*\d|^[\W_]*(?:for\s+immediate\s+release|news\s+release|press\s+release|news|"
    r"media|investors?|investor\s+relations|release|source)\b",
    re.I,
)
_CONTACT = re.compile(r"@|\(\d{3}\)|\d{3}[-.]\d{3}[-.]\d{4}|\bcontacts?\b|\bwww\.|https?://", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'&\-]*")
DATELINE = re.compile(
    rf"^(?:[A-Z][A-Za-z.,'()\- ]{{1,70}}?(?:[,\s]|\.{{2,}}|-{{1,2}}|\()\s*\(?)?(?:\w+day,?\s+)?"
    rf"(?P<date>(?P<mon>{MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d{{2}}))?)\b"
    r"\s*(?:/|-{1,2}|\)|\.{2,}|$|,\s*\d{1,2}:\d{2})",
    re.I,
)


def _headline_like(line: str) -> bool:
    t = line.strip()
    if _LABEL.match(t) or _CONTACT.search(t) or " | " in t or t.startswith("[") or DATELINE.match(t):
        return False
    words = _WORD.findall(t)
    capital = sum(w[0].isupper() for w in words)
    return (
        5 <= len(words) <= 45
        and 25 <= len(t) <= 320
        and capital >= 0.5 * len(words)
        and (t[0].isupper() or t[0].isdigit())
    )


def _dateline(ls: Sequence[Line], report_date: dt.date | None) -> tuple[int, int, int, dt.date] | None:
    """(line index, start, end, date) of the release's dateline ("SAN JOSE, Calif., Jan. 10 /PRNewswire/
    --"); a date printed without its year takes the year of the 8-K's date of report."""
    for k, ln in enumerate(ls):
        m = DATELINE.match(ln.text)
        if not m:
            continue
        year = int(m.group("year")) if m.group("year") else (report_date.year if report_date else None)
        if year is None:
            continue
        try:
            value = dt.date(year, MONTHS[m.group("mon").lower().rstrip(".")[:3]], int(m.group("day")))
        except (ValueError, KeyError):
            continue
        if not m.group("year") and report_date is not None and value > report_date + dt.timedelta(days=31):
            value = value.replace(year=year - 1)
        return k, ln.start + m.start("date"), ln.start + m.end("date"), value
    return None


def read_release(text: str, report_date: dt.date | None = None) -> tuple[Field | None, Field | None]:  # type: ignore[type-arg]
    """(headline, date) of a press release's normalized text: the date of its dateline, and the first
    title-like line before it (a contact block, logos, labels and the exhibit caption are skipped; a headline
    wrapped over several upper-case lines is joined)."""
    ls = lines(text, 0, min(len(text), 8000))
    found = _dateline(ls, report_date)
    stop = found[0] if found else min(len(ls), 15)
    headline = None
    in_contact = False
    for k in range(stop):
        ln = ls[k]
        blank_before = k > 0 and "\n\n" in text[ls[k - 1].end : ln.start + 1]
        if blank_before:
            in_contact = False
        if re.match(r"^[\W_]*contacts?\b", ln.text, re.I):
            in_contact = True
        if in_contact or not _headline_like(ln.text):
            continue
        end = ln.end
        j = k + 1
        while (
            j < stop
            and text[ls[j - 1].end : ls[j].start] == "\n"
            and ls[j].text.isupper() == ln.text.isupper()
        ):
            end = ls[j].end
            j += 1
        headline = field(text, ln.start, end, re.sub(r"\s+", " ", text[ln.start : end]).strip(), 0.75)
        break
    date = None
    if found is not None:
        _k, s, e, value = found
        date = field(text, s, e, value, 0.8, reasons=["the dateline's date"])
    return headline, date


def attached_text(
    doc: DocumentBlock, source: str, number: str, report_date: dt.date | None = None, *, keep: bool = False
) -> AttachedText | None:
    """What is read from an exhibit's attached document: a press release's (99.x) headline and date, and
    with ``keep`` the document's whole normalized text (which the Fields' spans index). Without ``keep``
    only the head of a press release is normalized (a prefix normalizes to a prefix of the same text)."""
    release = _major(number) == "99"
    if doc.end - doc.start > MAX_EXHIBIT_CHARS or not _TEXT_TYPES.match(doc.attachment.type):
        return None
    if not (keep or release):
        return None
    normalize = html_to_text if doc.is_html else text_to_text
    end = doc.end if keep else min(doc.end, doc.start + RELEASE_HEAD_CHARS)
    text, _ = normalize(source, doc.start, end)
    headline, date = read_release(text, report_date) if release else (None, None)
    if not keep:
        return AttachedText(headline=headline, date=date)
    return AttachedText(headline=headline, date=date, text_length=len(text), text=text)


def link_exhibits(
    exhibits: list[Exhibit],
    items: Sequence[Item],
    docs: Sequence[DocumentBlock],
    source: str,
    report_date: dt.date | None = None,
    keep_texts: bool = False,
) -> None:
    """Set ``link``, ``cited_by`` and ``attached`` on each exhibit (``keep_texts``: every attached
    document's normalized text, as ``--include-exhibits`` asks)."""
    attached = [d for d in docs if not d.attachment.type.upper().replace(" ", "").startswith("8-K")]
    for e in exhibits:
        doc = link_document(e, attached)
        e.cited_by = cite(e, items)
        if doc is not None:
            e.attached = attached_text(doc, source, str(e.number.value), report_date, keep=keep_texts)
