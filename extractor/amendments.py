"""8-K/A amendments: which report an amendment amends, and a view where its values supersede (pure).

``read_amendment`` reads an 8-K/A's explanatory text (the "Explanatory Note", else the cover and the
first items) for the amendment number, the original report's date ("the Current Report on Form 8-K
filed on May 3, 2019"), the items it names and an accession number when one is printed; the header's
``FILED AS OF DATE`` is not the original's, so it is not used.

``amended_view`` groups the records of a run into reports: an amendment joins the original whose
accession it names, else the original of the same company (CIK, else name) whose date of report or filing
matches the amendment's original date. Each report comes out once, with the original's values and every
amendment's values applied in order (an amended item replaces the item of the same number; cover values
and exhibits the amendment states replace the original's), and both versions kept: ``versions`` lists the
records, ``superseded`` every original value an amendment replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .record import Amendment, FilingRecord
from .sections.text import DATE_RE, field, parse_date

_NUMBER = re.compile(r"\bAmendment\s+No\.?\s*(\d{1,2})\b", re.I)
_NOTE = re.compile(r"^[\W_]*EXPLANATORY\s+NOTE\b", re.I | re.M)
_ORIGINAL = re.compile(
    r"(?:amend\w*|supplement\w*)[^.]{0,200}?\b(?:Current\s+Report|Form\s+8-K)\b[^.]{0,160}?"
    r"\b(?:filed|dated|furnished|submitted)\b[^.]{0,60}?(?P<date>" + DATE_RE.pattern + ")",
    re.I | re.S,
)
_ITEMS = re.compile(r"\bItems?\s+(\d{1,2}\.\d{2})(?:\s*(?:,|and|&)\s*(\d{1,2}\.\d{2}))*", re.I)
_ACCESSION = re.compile(r"\b\d{10}-\d{2}-\d{6}\b")


def read_amendment(text: str, cover_end: int) -> Amendment:
    """What an 8-K/A's text says of the report it amends."""
    note = _NOTE.search(text)
    start = note.start() if note else 0
    window_end = min(len(text), start + 6000, max(cover_end + 3000, start + 3000))
    reasons: list[str] = []
    number = None
    m = _NUMBER.search(text, 0, max(cover_end, min(len(text), 4000)))
    if m:
        number = int(m.group(1))
    out = Amendment(number=number)
    o = _ORIGINAL.search(text, start, window_end)
    if o:
        d = parse_date(DATE_RE.match(o.group("date")))  # type: ignore[arg-type]
        if d is not None:
            out.original_date = field(text, o.start("date"), o.end("date"), d, 0.85)
        s = o.start()
        stop = re.compile(r"\.(?!\d)").search(text, o.end())
        sentence_end = stop.end() if stop else len(text)
        out.purpose = field(text, s, sentence_end, re.sub(r"\s+", " ", text[s:sentence_end]).strip(), 0.8)
        para = text.find("\n\n", sentence_end)
        para_end = len(text) if para < 0 else para
        items: list[str] = []
        for im in _ITEMS.finditer(text, s, para_end):
            if text[text.rfind("\n", 0, im.start()) + 1 : im.start()].strip(" |"):
                items += [g for g in im.groups() if g and g not in items]  # named in prose, not a heading
        out.original_items = items
    else:
        reasons.append("no sentence names the report this amendment amends")
    a = _ACCESSION.search(text, start, window_end)
    if a:
        out.original_accession = field(text, a.start(), a.end(), a.group(0), 0.9)
    out.reasons = reasons
    return out


def is_amendment(record: FilingRecord) -> bool:
    return str(record.form_type.value or "").upper().replace(" ", "") == "8-K/A"


def _company(rec: FilingRecord) -> str:
    return rec.source.cik or str(rec.cover.company_name.value or "").strip().lower()


def _key(rec: FilingRecord) -> str:
    return rec.source.accession or Path(rec.source.path).name


def find_original(amendment: FilingRecord, originals: list[FilingRecord]) -> tuple[FilingRecord, str] | None:
    """The original an amendment amends among ``originals``, and why."""
    info = amendment.amendment
    if info is None:
        return None
    acc = info.original_accession.value
    if acc:
        for o in originals:
            if o.source.accession == acc:
                return o, f"accession {acc} named in the amendment"
    when = info.original_date.value
    if when is None:
        return None
    same = [o for o in originals if _company(o) and _company(o) == _company(amendment)]
    for o in same:
        if o.cover.date_of_report.value == when:
            return o, f"same company, date of report {when} named in the amendment"
    return None


def _fields_of(obj: Any) -> bool:
    return isinstance(obj, dict) and "value" in obj and "confidence" in obj


def supersede(
    original: dict[str, Any], amendment: dict[str, Any], source: str
) -> tuple[dict[str, Any], list[dict]]:
    """(merged record dict, superseded values): the amendment's items, stated cover values and exhibits
    replace the original's."""
    merged = dict(original)
    superseded: list[dict] = []
    cover = dict(original.get("cover") or {})
    for name, value in (amendment.get("cover") or {}).items():
        was = cover.get(name)
        if (
            _fields_of(value)
            and value.get("value") is not None
            and (not isinstance(was, dict) or was.get("value") != value["value"])
        ):
            superseded.append({"part": f"cover.{name}", "was": was, "by": source})
            cover[name] = value
    merged["cover"] = cover
    items = {it["number"]: it for it in original.get("items") or []}
    for it in amendment.get("items") or []:
        if it["number"] in items:
            superseded.append({"part": f"item {it['number']}", "was": items[it["number"]], "by": source})
        items[it["number"]] = it
    merged["items"] = sorted(items.values(), key=lambda it: [int(p) for p in it["number"].split(".")])
    exhibits = {e["number"]["value"]: e for e in original.get("exhibits") or []}
    for e in amendment.get("exhibits") or []:
        if e["number"]["value"] in exhibits:
            superseded.append(
                {
                    "part": f"exhibit {e['number']['value']}",
                    "was": exhibits[e["number"]["value"]],
                    "by": source,
                }
            )
        exhibits[e["number"]["value"]] = e
    merged["exhibits"] = list(exhibits.values())
    return merged, superseded


def amended_view(records: Iterable[FilingRecord]) -> Iterator[dict[str, Any]]:
    """One row per report: ``record`` (amendments applied), ``versions``, ``superseded``, ``matches``."""
    recs = list(records)
    originals = [r for r in recs if not is_amendment(r)]
    chains: dict[str, list[tuple[FilingRecord, str]]] = {}
    unmatched = []
    for r in recs:
        if not is_amendment(r):
            continue
        found = find_original(r, originals)
        if found is None:
            unmatched.append(r)
        else:
            chains.setdefault(_key(found[0]), []).append((r, found[1]))
    for o in originals:
        merged = o.model_dump(mode="json")
        superseded: list[dict] = []
        versions = [_key(o)]
        matches = []
        for amendment, why in chains.get(_key(o), []):
            merged, gone = supersede(merged, amendment.model_dump(mode="json"), _key(amendment))
            superseded += gone
            versions.append(_key(amendment))
            matches.append({"amendment": _key(amendment), "reason": why})
        yield {
            "report": _key(o),
            "versions": versions,
            "matches": matches,
            "superseded": superseded,
            "record": merged,
        }
    for r in unmatched:
        yield {
            "report": _key(r),
            "versions": [_key(r)],
            "matches": [],
            "superseded": [],
            "record": r.model_dump(mode="json"),
            "note": "amendment whose original is not in this run",
        }
