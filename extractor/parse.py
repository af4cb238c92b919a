"""Public entry points of the deterministic parser (no LLM).

``parse_file`` / ``parse_bytes`` never raise on bad input: they return a record whose ``status`` is
``error`` with the reason in ``errors``. ``parse_document`` also returns the normalized text and the
offset map back to the source document (for showing a span in the original).

Pipeline: ingest (sniff, decode, pick the 8-K document) -> normalize (reading-order text + offset map)
-> sections (items, signatures, exhibit index, cover) -> record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import catalog
from .amendments import read_amendment
from .errors import InputError
from .ingest import DEFAULT_MAX_BYTES, RawFiling, document_blocks, read_bytes, read_filing
from .input_check import error_record
from .normalize import OffsetMap, html_to_text, text_to_text
from .record import (
    Boundary,
    Exhibit,
    Field,
    FilingRecord,
    Item,
    PartError,
    Sections,
    Source,
    Status,
)
from .sections import boundaries as bnd
from .sections import exhibits as exh
from .sections import items as itm
from .sections import links as lnk
from .sections import reconcile as rcn
from .sections import signatures as sig
from .sections.cover import COVER_SCALARS, cap_unfamiliar, parse_cover
from .sections.text import field, iter_lines


@dataclass(frozen=True)
class ParsedFiling:
    record: FilingRecord
    text: str  # the normalized text; every span in the record indexes it
    source_text: str  # the decoded source file the text was made from
    offsets: OffsetMap | None  # normalized offset -> offset in source_text

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalized text to the source document."""
        if self.offsets is None:
            return (0, 0)
        return self.offsets.span_to_source(start, end)


def parse_file(
    path: str | Path,
    *,
    include_text: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    include_exhibits: bool = False,
) -> FilingRecord:
    parsed = parse_document(path, max_bytes=max_bytes, include_exhibits=include_exhibits)
    if include_text:
        return parsed.record.model_copy(update={"text": parsed.text})
    return parsed.record


def parse_bytes(data: bytes, *, path: str = "<bytes>", include_text: bool = False) -> FilingRecord:
    try:
        raw = read_bytes(data, path=path)
    except InputError as exc:
        return error_record(path, str(exc), data=data)
    parsed = _parse_raw(raw)
    return parsed.record.model_copy(update={"text": parsed.text}) if include_text else parsed.record


def parse_document(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, include_exhibits: bool = False
) -> ParsedFiling:
    """Parse one file. ``include_exhibits`` keeps each attached exhibit document's normalized text in
    ``exhibits[].attached.text`` (its Fields' spans index that text)."""
    try:
        raw = read_filing(path, max_bytes=max_bytes)
    except InputError as exc:
        return ParsedFiling(error_record(str(path), str(exc)), "", "", None)
    try:
        return _parse_raw(raw, include_exhibits)
    except Exception as exc:  # a parser bug must not lose the input: report it as an error record
        rec = _base_record(raw)
        rec.status = Status.error
        rec.errors.append(PartError(part="parser", message=f"internal error: {type(exc).__name__}: {exc}"))
        return ParsedFiling(rec, "", raw.text, None)


def _base_record(raw: RawFiling) -> FilingRecord:
    cik = raw.header_value("CENTRAL INDEX KEY")
    return FilingRecord(
        source=Source(
            path=raw.path,
            sha256=raw.sha256,
            size_bytes=raw.size_bytes,
            format=raw.format,
            encoding=raw.encoding,
            accession=raw.header_value("ACCESSION NUMBER"),
            cik=cik.lstrip("0") or cik if cik else None,
            document=raw.doc_filename,
            attachments=list(raw.attachments),
        )
    )


_8K_MARK = re.compile(r"\b8\s?-\s?K\b|CURRENT\s+REPORT|\b8K\b", re.I)
_OTHER_FORM = re.compile(
    r"FORM\s+(10-K|10-Q|20-F|40-F|S-1|S-3|S-4|S-8|6-K|DEF\s*14A|10-K405|N-CSR|11-K)\b|"
    r"(ANNUAL REPORT PURSUANT TO SECTION 13|QUARTERLY REPORT PURSUANT TO SECTION 13)",
    re.I,
)


def _parse_raw(raw: RawFiling, include_exhibits: bool = False) -> ParsedFiling:
    rec = _base_record(raw)
    normalize = html_to_text if raw.body_is_html else text_to_text
    text, offsets = normalize(raw.text, raw.body_start, raw.body_end)
    rec.text_length = len(text)
    reason, headings = _rejection(raw, text)
    if reason is not None:
        rec.status = Status.error
        rec.errors.append(PartError(part="input", message=reason))
    else:
        _parse_parts(rec, raw, text, headings, include_exhibits)
        if offsets.resegmented:
            _resegmented(rec)
    return ParsedFiling(rec, text, raw.text, offsets)


def _resegmented(rec: FilingRecord) -> None:
    """The text had no usable line structure (resegment.py restored its lines, or lines hard-wrapped
    inside words were joined): an unfamiliar layout."""
    fields = [getattr(rec.cover, name) for name in COVER_SCALARS]
    fields += [f for e in rec.exhibits for f in (e.number, e.description)]
    fields += [f for s in rec.signatures for f in (s.name, s.title, s.date)]
    cap_unfamiliar(fields, "text without usable line structure: line breaks restored or wrapped lines joined")


def _rejection(raw: RawFiling, text: str) -> tuple[str | None, list[itm.Heading]]:
    """Why the document is not an 8-K we can parse (None when it is), and its Item headings."""
    if not text.strip():
        return "the document has no text once markup is removed", []
    if raw.doc_type and not raw.doc_type.upper().startswith("8-K"):
        return f"not an 8-K: the document is of type {raw.doc_type} (an exhibit or other form)", []
    headings = itm.find_headings(text)
    if raw.format.value != "sgml" or not raw.doc_type:
        head = text[:4000]
        other = _OTHER_FORM.search(head)
        marked = _8K_MARK.search(head)
        if other and not (marked and marked.start() < other.start()):
            form = other.group(1) or "an annual/quarterly report"
            return f"not an 8-K: the document is a Form {form}", headings
        if not marked and not headings:
            return (
                "does not look like a Form 8-K: no 'Form 8-K'/'Current Report' cover and no Item headings",
                headings,
            )
    return None, headings


def _run(rec: FilingRecord, part: str, fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except Exception as exc:  # one part failing leaves the others
        rec.errors.append(PartError(part=part, message=f"internal error: {type(exc).__name__}: {exc}"))
        return None


def _parse_parts(
    rec: FilingRecord, raw: RawFiling, text: str, headings: list[itm.Heading], include_exhibits: bool = False
) -> None:
    first_item = headings[0].start if headings else None
    block = sig.find_block(text, after=first_item or 0)
    if block is None and first_item is not None:
        block = sig.find_block(text, after=0)
        if block is not None and block.start < first_item:
            block = None
    sig_start = block.start if block else len(text)
    body_headings = [h for h in headings if h.start < sig_start]
    if not body_headings and headings:
        body_headings = headings  # signatures before the items: keep the items
    index_start = exh.find_index(text, first_item or 0)

    # items
    items: list[Item] = []
    banners = [ln.start for ln in iter_lines(text, having=itm.SECTION_HINT) if itm.is_section_banner(ln)]
    for k, h in enumerate(body_headings):
        nxt = body_headings[k + 1].start if k + 1 < len(body_headings) else None
        raw_end, why = bnd.item_end(
            h.end, nxt, block.start if block else None, index_start, banners, len(text)
        )
        end = _rstrip_end(text, h.start, raw_end)
        reported = not itm.is_not_reported(text, h.end, end)
        after = min(
            p for p in (nxt, block.start if block else None, len(text)) if p is not None and p >= raw_end
        )
        boundary = bnd.assess(text, h.end, end, why, after)
        for number in h.numbers:
            items.append(_item(number, h.text.strip(), (h.start, end), text, reported, boundary))
    if not items:
        for number, s, e in itm.lee_items(text):
            items.append(_item(number, text[s:e], (s, e), text, True))
    rec.items = items
    rec.sections = Sections(
        cover=(0, first_item) if first_item else (0, min(len(text), sig_start)),
        body=(first_item, sig_start) if first_item is not None else None,
        signatures=(block.start, min(len(text), block.start + 6000)) if block else None,
        exhibit_index=(index_start, _index_end(text, index_start, sig_start))
        if index_start is not None
        else None,
    )

    # cover
    cover_end = first_item if first_item is not None else min(sig_start, 12000)
    cover = _run(rec, "cover", parse_cover, text, 0, cover_end)
    if cover is not None:
        rec.cover = cover
    rec.form_type = _form_type(raw, text, cover_end)
    if rec.form_type.value == "8-K/A":
        rec.amendment = _run(rec, "amendment", read_amendment, text, cover_end)
    header = raw.text[: raw.body_start] if raw.format.value == "sgml" else ""
    when = rec.cover.date_of_report.value
    rec.reconciliation = _run(rec, "reconciliation", rcn.reconcile, text, items, header, when)

    # signatures
    if block is not None:
        sigs = _run(rec, "signatures", sig.parse_signatures, text, block)
        rec.signatures = sigs or []

    # exhibits
    exhibits = _run(rec, "exhibits", _exhibits, rec, text, index_start, sig_start, block) or []
    _link_attachments(exhibits, raw)
    docs = document_blocks(raw.text) if raw.format.value == "sgml" and len(raw.attachments) > 1 else []
    _run(rec, "exhibits", lnk.link_exhibits, exhibits, items, docs, raw.text, when, include_exhibits)
    rec.exhibits = exhibits

    if not items:
        rec.errors.append(PartError(part="items", message="no Item headings found in the document"))
    if rec.errors:
        rec.status = Status.partial


_PAGE_JUNK = re.compile(
    r"(?:^|\n)[ |]*(?:-\s*)?(?:page\s+)?\d{1,3}(?:\s*-)?[ |]*$|(?:^|\n)[ |]*table of contents[ |]*$", re.I
)


def _rstrip_end(text: str, start: int, end: int) -> int:
    """Trim white space, and page numbers / "Table of Contents" links left at the end of a part."""
    while True:
        while end > start and text[end - 1] in " \n|":
            end -= 1
        m = _PAGE_JUNK.search(text, max(start, end - 40), end)
        if m and m.end() == end and m.start() > start:
            end = m.start()
            continue
        return end


def _item(
    number: str,
    heading: str,
    span: tuple[int, int],
    text: str,
    reported: bool,
    boundary: Boundary | None = None,
) -> Item:
    return Item(
        number=number,
        title=catalog.canonical_title(number),
        legacy=catalog.is_legacy(number),
        modern_equivalent=catalog.modern_equivalent(number),
        reported=reported,
        heading=heading[:300],
        span=span,
        text=text[span[0] : span[1]],
        boundary=boundary,
    )


def _index_end(text: str, start: int, sig_start: int) -> int:
    end = sig_start if sig_start > start else min(len(text), start + 6000)
    return _rstrip_end(text, start, end)


_EXHIBITS_SUBHEADING = re.compile(r"(?im)^\s*(?:\(?[a-d]\)\s*)?exhibits?\s*[.:]?\s*$")


def _exhibits(
    rec: FilingRecord, text: str, index_start: int | None, sig_start: int, block: sig.Block | None
) -> list[Exhibit]:
    found: list[Exhibit] = []
    for it in rec.items:
        if it.modern_equivalent == "9.01" or (it.number == "7"):
            found += exh.parse_exhibit_lines(text, it.span[0], it.span[1], confidence=0.9)
    if not found:
        # no Item 9.01 / 7: an "Exhibits" sub-heading inside another item
        for it in rec.items:
            m = _EXHIBITS_SUBHEADING.search(text, it.span[0], it.span[1])  # (an item starts a line)
            if m:
                found += exh.parse_exhibit_lines(text, m.end(), it.span[1], confidence=0.8)
    if index_start is not None:
        end = _index_end(text, index_start, sig_start)
        found += exh.parse_exhibit_lines(text, index_start, end, confidence=0.88)
    elif block is not None and not found:
        # an exhibit list printed after the signatures without an index heading
        tail = block.start + 6000
        m = re.search(
            r"(?im)^\s*(?:exhibit\s+(?:no\.?|number)|exhibits?)\s*(?:\||$)", text[block.start : tail]
        )
        if m:
            found += exh.parse_exhibit_lines(
                text, block.start + m.start(), min(len(text), tail), confidence=0.75
            )
    # an exhibit listed twice (Item 9.01 and the index): keep the fuller description
    seen: dict[str, Exhibit] = {}
    for e in found:
        key = str(e.number.value)
        if key not in seen or len(e.description.value or "") > len(seen[key].description.value or ""):
            seen[key] = e
    return sorted(
        seen.values(), key=lambda e: found.index(next(f for f in found if f.number.value == e.number.value))
    )


def _link_attachments(exhibits: list[Exhibit], raw: RawFiling) -> None:
    by_number: dict[str, str] = {}
    for a in raw.attachments:
        t = a.type.upper()
        if t.startswith("EX-"):
            by_number.setdefault(exh.normalize_number(t[3:]).lower(), a.filename or a.type)
    for e in exhibits:
        key = str(e.number.value).lower()
        doc = by_number.get(key) or by_number.get(key.split(".")[0] if key.endswith(".0") else "")
        if doc:
            e.document = doc


_FORM_RE = re.compile(r"\bFORM\s+8\s?-\s?K(?P<a>\s*/\s*A)?\b|\b8-K/A\b|\bAMENDMENT\s+NO\.?\s*\d", re.I)


def _form_type(raw: RawFiling, text: str, cover_end: int) -> Field:  # type: ignore[type-arg]
    m = _FORM_RE.search(text, 0, max(cover_end, min(len(text), 3000)))
    if m:
        amended = (
            bool(m.group("a")) or "/A" in m.group(0).upper() or m.group(0).upper().startswith("AMENDMENT")
        )
        return field(text, m.start(), m.end(), "8-K/A" if amended else "8-K", 0.95)
    if raw.doc_type:
        value = "8-K/A" if raw.doc_type.upper().replace(" ", "").startswith("8-K/A") else "8-K"
        return Field(value=value, confidence=0.8, method="header", reasons=["from the submission's <TYPE>"])  # type: ignore[arg-type]
    return Field(value="8-K", confidence=0.5, reasons=["no form name printed; assumed 8-K"])
