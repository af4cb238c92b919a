"""Run directories for the review tests, built by hand from real filings in tests/data.

``standin_parse`` is a tiny tag-stripping normalizer with an offset map back to the source, standing in
for ``extractor.parse.parse_document`` so the tests do not depend on the parser's exact output.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.record import FilingRecord

DATA = Path(__file__).parent / "data"
NUANCE = DATA / "edgarcrawler__1002517_8K_2011_0000950123-11-065257.htm"
HOSTILE = DATA / "review_hostile_8k.htm"


@dataclass(frozen=True)
class StandinParsed:
    """What the review reads of ``extractor.parse.ParsedFiling``."""

    record: FilingRecord
    text: str
    source_text: str
    source_offsets: list[int]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        n = len(self.source_offsets) - 1
        s = self.source_offsets[min(max(start, 0), n)]
        return (s, max(s, self.source_offsets[min(max(end, 0), n)]))


_TAG = re.compile(r"<[^>]*>", re.S)
_BLOCK = re.compile(r"</?(p|div|br|tr|table|h[1-6]|li|title)\b", re.I)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def standin_parse(path: str | Path) -> StandinParsed:
    source = Path(path).read_bytes().decode("latin-1")
    out: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(source)
    pending_space: int | None = None
    pending_newline = False

    def emit(ch: str, at: int) -> None:
        nonlocal pending_space, pending_newline
        if ch.isspace():
            if out and pending_space is None:
                pending_space = at
            pending_newline = pending_newline or ch == "\n"
            return
        if pending_space is not None:
            out.append("\n" if pending_newline else " ")
            offsets.append(pending_space)
            pending_space, pending_newline = None, False
        out.append(ch)
        offsets.append(at)

    while i < n:
        m = _TAG.match(source, i) if source[i] == "<" else None
        if m:
            emit("\n" if _BLOCK.match(m.group(0)) else " ", i)
            i = m.end()
            continue
        m = _ENTITY.match(source, i) if source[i] == "&" else None
        if m:
            for ch in html.unescape(m.group(0)):
                emit(ch if ch != "\xa0" else " ", i)
            i = m.end()
            continue
        emit(source[i] if source[i] != "\xa0" else " ", i)
        i += 1
    offsets.append(n)
    text = "".join(out)
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    record = FilingRecord.model_validate(
        {"source": {"path": str(path), "sha256": sha, "size_bytes": n}, "text_length": len(text)}
    )
    return StandinParsed(record=record, text=text, source_text=source, source_offsets=offsets)


def fld(
    text: str, quote: str | None, value: Any, conf: float, *, method: str = "parser", nth: int = 0, **kw: Any
) -> dict:
    """A Field dict whose span points at the ``nth`` occurrence of ``quote`` in ``text``."""
    span = None
    if quote is not None:
        at = -1
        for _ in range(nth + 1):
            at = text.index(quote, at + 1)
        span = [at, at + len(quote)]
    return {
        "value": value,
        "confidence": conf,
        "method": method,
        "span": span,
        "quote": quote,
        "alignment": kw.pop("alignment", "exact" if quote else None),
        "reasons": kw.pop("reasons", []),
    }


def nuance_record(path: Path = NUANCE) -> dict:
    """A filled record of the Nuance 2011 8-K (Item 1.01 + 9.01) with some fields flagged."""
    parsed = standin_parse(path)
    t = parsed.text
    item_start = t.index("Item 1.01")
    item_end = t.index("Item 9.01")
    rec = {
        "source": parsed.record.source.model_dump(mode="json"),
        "form_type": fld(t, "FORM 8-K", "8-K", 0.99, nth=1),
        "cover": {
            "company_name": fld(t, "NUANCE COMMUNICATIONS, INC.", "NUANCE COMMUNICATIONS, INC.", 0.95),
            "date_of_report": fld(t, "July 7, 2011", "2011-07-07", 0.55, reasons=["two dates on the cover"]),
            "state_of_incorporation": fld(t, "Delaware", "Delaware", 0.4, reasons=["label far from value"]),
            "commission_file_number": fld(t, "000-27038", "000-27038", 0.9),
            "irs_employer_id": fld(
                t, "94-3156479", "94-3156478", 0.3, alignment="fuzzy", reasons=["fuzzy match"]
            ),
            "address": fld(
                t, None, "1 Wayside Road, Boston", 0.8, alignment="none", reasons=["quote not found"]
            ),
            "zip_code": fld(t, "01803", "01803", 0.92),
            "phone": fld(t, "(781) 565-5000", "(781) 565-5000", 0.65),
        },
        "items": [
            {
                "number": "1.01",
                "title": "Entry into a Material Definitive Agreement",
                "legacy": False,
                "modern_equivalent": "1.01",
                "reported": True,
                "heading": "Item 1.01 Entry into a Material Definitive Agreement",
                "span": [item_start, item_end],
                "text": t[item_start:item_end],
                "event": {
                    "agreement_type": fld(
                        t, "amended and restated credit agreement", "credit agreement", 0.62, method="llm"
                    ),
                    "counterparties": [
                        fld(t, "Lenders", "Lenders", 0.2, method="llm", reasons=["vague party"])
                    ],
                    "agreement_date": fld(t, "July 7, 2011", "2011-07-07", 0.85, method="llm", nth=1),
                    "summary": fld(t, None, None, 0.0, method="llm", reasons=["fill failed: schema error"]),
                },
                "llm": {"model": "qwen2.5-3b", "prompt_name": "item_1.01.v1", "prompt_hash": "abc"},
            }
        ],
        "exhibits": [
            {
                "number": fld(t, "10.1", "10.1", 0.97),
                "description": fld(t, "Amendment Agreement", "Amendment Agreement", 0.5),
            },
        ],
        "signatures": [
            {
                "name": fld(t, "Thomas Beaudoin", "Thomas Beaudoin", 0.9, nth=1),
                "title": fld(t, "Chief Financial Officer", "Chief Financial Officer", 0.9),
                "date": fld(t, "July 12, 2011", "2011-07-12", 0.9),
            }
        ],
        "text_length": len(t),
    }
    return FilingRecord.model_validate(rec).model_dump(mode="json")


def hostile_record(path: Path = HOSTILE) -> dict:
    parsed = standin_parse(path)
    t = parsed.text
    rec = {
        "source": parsed.record.source.model_dump(mode="json"),
        "cover": {
            "company_name": fld(
                t,
                "<script>window.__pwned='text'</script> Evil Corp",
                "<img src=x onerror=\"window.__pwned='value'\"> Evil Corp",
                0.1,
            ),
            "phone": fld(t, "javascript:window.__pwned='link'", "javascript:window.__pwned='link'", 0.2),
        },
        "text_length": len(t),
    }
    return FilingRecord.model_validate(rec).model_dump(mode="json")


def make_run(run_dir: Path, records: list[dict]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / "records.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return run_dir


def rid(record: dict) -> str:
    from extractor.review.queue import record_id

    return record_id(record["source"]["sha256"], record["source"]["path"])


N = rid(nuance_record())  # record ids of the two test filings (qids are "RID:PATH")
H = rid(hostile_record())
