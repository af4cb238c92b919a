"""The review queue: which fields of a run need a human, in what order (lowest confidence first).

``RunIndex.load(run_dir)`` reads ``records.jsonl`` once, remembers each line's byte offset (records are
re-read one at a time when shown) and keeps only small entries for the flagged fields, so a queue of
10,000 fields filters and pages in milliseconds. A field is flagged when its confidence is below the
threshold, when it is ungrounded (alignment "none" with a value), or when its reasons say it failed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..events.tree import path_str
from .fields import describe, iter_fields

RECORDS = "records.jsonl"


class StaleRun(Exception):
    """records.jsonl changed under the index (the batch run rewrote it): reload."""


def record_id(sha256: str, path: str) -> str:
    """A short id of a filing in a run, stable when records.jsonl is rewritten."""
    return hashlib.sha256(f"{sha256}\0{path}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RecordMeta:
    rid: str  # record_id(sha256, path)
    offset: int  # byte offset of its line in records.jsonl
    path: str  # source.path
    sha256: str
    company: str
    file: str  # source file name

    @property
    def key(self) -> tuple[str, str]:
        return (self.sha256, self.path)


@dataclass(frozen=True)
class Entry:
    rec: str  # RecordMeta.rid
    path: str  # field path in the record
    group: str  # "cover", "Item 5.02", "exhibits", ...
    name: str  # generic field name: "date_of_report", "changes[].person"
    label: str
    model: str  # the LLM model for event fields, else the method ("parser", "header")
    confidence: float
    flags: tuple[str, ...]  # why it is in the queue: low, ungrounded, failed, empty
    preview: str  # value, shortened
    qid: str = ""  # "RID:PATH", the field's id

    def __post_init__(self) -> None:
        object.__setattr__(self, "qid", f"{self.rec}:{self.path}")


def flags_for(fld: dict, threshold: float, *, item_failed: bool = False) -> tuple[str, ...]:
    out = []
    conf = float(fld.get("confidence") or 0.0)
    if conf < threshold:
        out.append("low")
    if fld.get("alignment") == "none" and fld.get("value") is not None:
        out.append("ungrounded")
    reasons = " ".join(fld.get("reasons") or []).lower()
    if item_failed or "fail" in reasons or "error" in reasons:
        out.append("failed")
    if out and fld.get("value") is None:
        out.append("empty")
    return tuple(out)


def _preview(value: Any, n: int = 90) -> str:
    text = "—" if value is None else value if isinstance(value, str) else json.dumps(value)
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def entries_for(rec_id: str, record: dict, threshold: float, *, everything: bool = False) -> list[Entry]:
    out: list[Entry] = []
    for parts, fld in iter_fields(record):
        item_failed = False
        model = str(fld.get("method") or "parser")
        if parts and parts[0] == "items":
            llm = record["items"][parts[1]].get("llm") or {}
            model = llm.get("model") or model
            item_failed = llm.get("outcome", "ok") not in ("ok", None)
        flags = flags_for(fld, threshold, item_failed=item_failed)
        if not flags and not everything:
            continue
        if fld.get("method") == "human" and not everything:
            continue  # already reviewed upstream
        where = describe(parts, record)
        out.append(
            Entry(
                rec=rec_id,
                path=path_str(parts),
                group=where.group,
                name=where.name,
                label=where.label,
                model=model,
                confidence=float(fld.get("confidence") or 0.0),
                flags=flags,
                preview=_preview(fld.get("value")),
            )
        )
    return out


def _company(record: dict) -> str:
    name = ((record.get("cover") or {}).get("company_name") or {}).get("value")
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())
    src = record.get("source") or {}
    return src.get("cik") or Path(src.get("path", "?")).name


@dataclass
class RunIndex:
    run_dir: Path
    threshold: float
    records: list[RecordMeta] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # sorted: lowest confidence first
    by_qid: dict[str, Entry] = field(default_factory=dict)
    bad_lines: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # lines repeating an earlier filing

    @classmethod
    def load(cls, run_dir: str | Path, threshold: float = 0.7, *, everything: bool = False) -> RunIndex:
        run_dir = Path(run_dir)
        index = cls(run_dir=run_dir, threshold=threshold)
        path = run_dir / RECORDS
        if not path.exists():
            return index
        offset = 0
        index._meta = {}
        with path.open("rb") as fh:
            for idx, line in enumerate(fh):
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    src = record["source"]
                except (ValueError, KeyError, TypeError):
                    index.bad_lines.append(idx)
                    continue
                sha, spath = str(src.get("sha256", "")), str(src.get("path", ""))
                rid = record_id(sha, spath)
                if rid in index._meta:
                    index.duplicates.append(idx)
                    continue
                meta = RecordMeta(
                    rid=rid,
                    offset=start,
                    path=spath,
                    sha256=sha,
                    company=_company(record),
                    file=Path(spath).name,
                )
                index.records.append(meta)
                index._meta[rid] = meta
                index.entries.extend(entries_for(rid, record, threshold, everything=everything))
        index.entries.sort(key=lambda e: e.confidence)  # stable: document order within ties
        index.by_qid = {e.qid: e for e in index.entries}
        return index

    def meta(self, rid: str) -> RecordMeta:
        return self._meta[rid]

    def read_record(self, rid: str) -> dict:
        """The record ``rid`` as JSON data, read from its line of records.jsonl.

        Raises StaleRun when that line no longer holds it (records.jsonl was rewritten)."""
        meta = self._meta[rid]
        with (self.run_dir / RECORDS).open("rb") as fh:
            fh.seek(meta.offset)
            line = fh.readline()
        try:
            record = json.loads(line)
            src = record["source"]
        except (ValueError, KeyError, TypeError):
            raise StaleRun(rid) from None
        if (src.get("sha256"), src.get("path")) != (meta.sha256, meta.path):
            raise StaleRun(rid)
        return record

    def facets(self) -> dict[str, list[str]]:
        return {
            "item": sorted({e.group for e in self.entries}),
            "field": sorted({e.name for e in self.entries}),
            "model": sorted({e.model for e in self.entries}),
            "company": sorted({self._meta[e.rec].company for e in self.entries}),
        }

    def select(
        self,
        *,
        item: str = "",
        name: str = "",
        model: str = "",
        company: str = "",
        flag: str = "",
        done: Iterable[str] | None = None,
        status: str = "all",
    ) -> list[Entry]:
        """Entries matching the filters, in queue order. ``done`` is the set of decided qids."""
        done_set = set(done or ())
        out = []
        for e in self.entries:
            if item and e.group != item:
                continue
            if name and e.name != name:
                continue
            if model and e.model != model:
                continue
            if company and self._meta[e.rec].company != company:
                continue
            if flag == "valued":
                if "empty" in e.flags:
                    continue
            elif flag and flag not in e.flags:
                continue
            if status == "left" and e.qid in done_set:
                continue
            if status == "done" and e.qid not in done_set:
                continue
            out.append(e)
        return out

    _meta: dict[str, RecordMeta] = field(default_factory=dict, repr=False)
