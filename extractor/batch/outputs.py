"""Outputs of a run directory, rebuilt from the ledger (never the other way round).

``RUN_DIR/records.jsonl``
    one FilingRecord JSON per finished input, in input order; rewritten atomically (temp file +
    rename) at checkpoints and at the end, so it never holds a partial line or a duplicate.
``RUN_DIR/tables/{fields,items,exhibits}.{parquet,csv}``
    flat tables (``write_tables``):
    fields: filing, path, item, field, value, confidence, grounded, span_start, span_end, alignment,
            method, model, quote
    items: filing, path, item, title, legacy, modern_equivalent, reported, span_start, span_end,
           has_event, model, outcome, error, tokens_in, tokens_out, cache_hit
    exhibits: filing, path, number, description, document, confidence
    ``filing`` is the accession number when the parser found one, else the file name. ``item`` is the item
    number, or ``cover`` / ``form`` / ``signatures`` for parser-read parts. ``field`` is a dotted path into
    the event (``changes[0].person``). ``value`` is JSON text (strings unquoted).

Reviewed values: ``export_run(run_dir)`` applies ``extractor.store.decisions.apply_decisions(record,
run_dir)`` to every record before writing, so corrected fields come out with ``method: "human"``. The ledger keeps the machine values; review keeps the decisions.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..events.tree import iter_fields
from ..record import FilingRecord
from ..store.ledger import Ledger

FIELD_COLUMNS = [
    "filing", "path", "item", "field", "value", "confidence", "grounded", "span_start", "span_end",
    "alignment", "method", "model", "quote",
]  # fmt: skip
ITEM_COLUMNS = [
    "filing", "path", "item", "title", "legacy", "modern_equivalent", "reported", "span_start", "span_end",
    "has_event", "model", "outcome", "error", "tokens_in", "tokens_out", "cache_hit",
]  # fmt: skip
EXHIBIT_COLUMNS = ["filing", "path", "number", "description", "document", "confidence"]


@contextlib.contextmanager
def _atomic_file(path: Path, **open_args: Any) -> Iterator[Any]:
    """Write ``path`` through a temporary file of a unique name in the same folder, renamed over it at
    the end: a reader sees the old file or the new one, and two writers (a run's checkpoint and an
    ``export``) never share a temporary file."""
    mode = open_args.pop("mode", "w")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # as an ordinary file (mkstemp makes it 0600)
        with open(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_lines(path: Path, lines: Iterable[str]) -> int:
    n = 0
    with _atomic_file(path, encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line)
            f.write("\n")
            n += 1
    return n


def write_records(ledger: Ledger, run_dir: Path) -> int:
    """Rewrite ``records.jsonl`` from the ledger's finished rows. Returns the number of lines."""
    return _atomic_write_lines(run_dir / "records.jsonl", (rec for _, _, rec in ledger.records()))


def iter_records(ledger: Ledger, run_dir: Path, *, reviewed: bool = True) -> Iterator[FilingRecord]:
    from ..store.decisions import apply_decisions

    for _, _, rec in ledger.records():
        record = FilingRecord.model_validate_json(rec)
        yield apply_decisions(record, run_dir) if reviewed else record


def filing_key(record: FilingRecord) -> str:
    return record.source.accession or Path(record.source.path).name


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _walk_fields(obj: Any, prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(dotted name, Field dict)`` of every Field under ``obj`` (``events.tree`` walks it); names read
    ``a.b[0].c`` after ``prefix``."""
    for path, f in iter_fields(obj):
        name = prefix
        for part in path:
            name = f"{name}[{part}]" if isinstance(part, int) else (f"{name}.{part}" if name else part)
        yield name, f


def _field_row(
    filing: str, path: str, item: str, name: str, f: dict[str, Any], model: str | None
) -> dict[str, Any]:
    span = f.get("span")
    alignment = f.get("alignment")
    return {
        "filing": filing,
        "path": path,
        "item": item,
        "field": name,
        "value": _value_text(f.get("value")),
        "confidence": float(f.get("confidence") or 0.0),
        "grounded": bool(span) and alignment != "none",
        "span_start": span[0] if span else None,
        "span_end": span[1] if span else None,
        "alignment": alignment,
        "method": f.get("method"),
        "model": model if f.get("method") == "llm" else None,
        "quote": f.get("quote"),
    }


def flatten(record: FilingRecord) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(field rows, item rows, exhibit rows) of one record."""
    filing, path = filing_key(record), record.source.path
    data = record.model_dump(mode="json")
    fields: list[dict[str, Any]] = []
    for name, f in _walk_fields(data["form_type"], "form_type"):
        fields.append(_field_row(filing, path, "form", name, f, None))
    for name, f in _walk_fields(data["cover"], ""):
        fields.append(_field_row(filing, path, "cover", name, f, None))
    for i, sig in enumerate(data["signatures"]):
        for name, f in _walk_fields(sig, f"[{i}]"):
            fields.append(_field_row(filing, path, "signatures", name, f, None))
    items = []
    for it in data["items"]:
        llm = it.get("llm") or {}
        model = llm.get("model")
        if it.get("event"):
            for name, f in _walk_fields(it["event"], ""):
                fields.append(_field_row(filing, path, it["number"], name, f, model))
        span = it.get("span") or [None, None]
        items.append(
            {
                "filing": filing,
                "path": path,
                "item": it["number"],
                "title": it["title"],
                "legacy": it["legacy"],
                "modern_equivalent": it["modern_equivalent"],
                "reported": it["reported"],
                "span_start": span[0],
                "span_end": span[1],
                "has_event": it.get("event") is not None,
                "model": model,
                "outcome": llm.get("outcome"),
                "error": llm.get("error"),
                "tokens_in": llm.get("tokens_in"),
                "tokens_out": llm.get("tokens_out"),
                "cache_hit": llm.get("cache_hit"),
            }
        )
    exhibits = [
        {
            "filing": filing,
            "path": path,
            "number": ex["number"]["value"],
            "description": ex["description"]["value"],
            "document": ex.get("document"),
            "confidence": min(ex["number"]["confidence"], ex["description"]["confidence"]),
        }
        for ex in data["exhibits"]
    ]
    return fields, items, exhibits


def write_tables(records: Iterable[FilingRecord], run_dir: Path) -> dict[str, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = run_dir / "tables"
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {"fields": [], "items": [], "exhibits": []}
    for rec in records:
        f, i, e = flatten(rec)
        rows["fields"].extend(f)
        rows["items"].extend(i)
        rows["exhibits"].extend(e)
    schemas = {
        "fields": pa.schema(
            [
                ("filing", pa.string()),
                ("path", pa.string()),
                ("item", pa.string()),
                ("field", pa.string()),
                ("value", pa.string()),
                ("confidence", pa.float64()),
                ("grounded", pa.bool_()),
                ("span_start", pa.int64()),
                ("span_end", pa.int64()),
                ("alignment", pa.string()),
                ("method", pa.string()),
                ("model", pa.string()),
                ("quote", pa.string()),
            ]
        ),
        "items": pa.schema(
            [
                ("filing", pa.string()),
                ("path", pa.string()),
                ("item", pa.string()),
                ("title", pa.string()),
                ("legacy", pa.bool_()),
                ("modern_equivalent", pa.string()),
                ("reported", pa.bool_()),
                ("span_start", pa.int64()),
                ("span_end", pa.int64()),
                ("has_event", pa.bool_()),
                ("model", pa.string()),
                ("outcome", pa.string()),
                ("error", pa.string()),
                ("tokens_in", pa.int64()),
                ("tokens_out", pa.int64()),
                ("cache_hit", pa.bool_()),
            ]
        ),
        "exhibits": pa.schema(
            [
                ("filing", pa.string()),
                ("path", pa.string()),
                ("number", pa.string()),
                ("description", pa.string()),
                ("document", pa.string()),
                ("confidence", pa.float64()),
            ]
        ),
    }
    counts = {}
    for name, schema in schemas.items():
        table = pa.Table.from_pylist(rows[name], schema=schema)
        with _atomic_file(out / f"{name}.parquet", mode="wb") as fb:
            pq.write_table(table, fb)
        with _atomic_file(out / f"{name}.csv", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=schema.names)
            w.writeheader()
            w.writerows(rows[name])
        counts[name] = len(rows[name])
    return counts


def export_run(run_dir: str | Path, *, reviewed: bool = True) -> dict[str, int]:
    """Rebuild every output of ``run_dir`` from its ledger (with reviewed values when there are any)."""
    run_dir = Path(run_dir)
    with Ledger(run_dir / "ledger.sqlite") as ledger:
        n = write_records(ledger, run_dir)
        counts = write_tables(iter_records(ledger, run_dir, reviewed=reviewed), run_dir)
    counts["records"] = n
    return counts
