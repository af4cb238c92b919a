"""Turn reviewed filings into gold labels (``extractor review export RUN_DIR --to evals/gold``).

Only what a person decided becomes gold: a key absent from a gold file means "not labeled", so an
unreviewed value is never copied into the eval set. Scalars (cover fields, form type, EGC) are exported
one by one; a list or group (registrants, checkboxes, 12(b) securities, exhibits, signatures, an item's
event) only when every field in it was reviewed, because gold lists must be complete. A rejected field
is an explicit null ("the filing does not state it"). Items are not exported: they carry no Fields.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..eval.gold import GoldFiling
from ..events.tree import is_field
from ..sections.cover import COVER_SCALARS
from ..store.decisions import apply_to_dict, load_current
from .fields import iter_fields
from .queue import RECORDS


def _human(fld: Any) -> bool:
    return is_field(fld) and fld.get("method") == "human"


def _all_human(obj: Any) -> bool:
    """True when ``obj`` holds at least one Field and every Field in it was reviewed."""
    found = list(iter_fields(obj))
    return bool(found) and all(f.get("method") == "human" for _, f in found)


def _plain(obj: Any) -> Any:
    """Replace every Field by its value."""
    if is_field(obj):
        return obj.get("value")
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def gold_from_record(record: dict, labeler: str, notes: str = "") -> dict[str, Any] | None:
    """Gold label data (GoldFiling JSON) for the reviewed parts of a reviewed record; None if none."""
    cover = record.get("cover") or {}
    gold_cover: dict[str, Any] = {}
    for name in COVER_SCALARS:
        if _human(cover.get(name)):
            gold_cover[name] = cover[name]["value"]
    if _human(cover.get("emerging_growth_company")):
        gold_cover["emerging_growth_company"] = cover["emerging_growth_company"]["value"]
    regs = cover.get("registrants") or []
    if regs and all(_human(r.get("name")) for r in regs):
        gold_cover["registrants"] = [r["name"]["value"] for r in regs]
    boxes = cover.get("checkboxes")
    if boxes and _all_human(boxes) and all(v.get("value") is not None for v in boxes.values()):
        gold_cover["checkboxes"] = _plain(boxes)
    secs = cover.get("securities_12b") or []
    if secs and _all_human(secs):
        gold_cover["securities_12b"] = _plain(secs)

    gold: dict[str, Any] = {"file": Path(record["source"]["path"]).name, "labeler": labeler, "notes": notes}
    if _human(record.get("form_type")):
        gold["form_type"] = record["form_type"]["value"]
    if gold_cover:
        gold["cover"] = gold_cover
    for part in ("exhibits", "signatures"):
        rows = record.get(part) or []
        if rows and _all_human(rows):
            gold[part] = _plain(rows)
    events = {}
    for item in record.get("items") or []:
        event = item.get("event")
        if event and _all_human(event):
            events[item["number"]] = _plain(event)
    if events:
        gold["events"] = events
    if set(gold) <= {"file", "labeler", "notes"}:
        return None
    return gold


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _merge(existing: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(existing)
    out["cover"] = {**(existing.get("cover") or {}), **(new.get("cover") or {})}
    for key in ("form_type", "exhibits", "signatures"):
        if key in new:
            out[key] = new[key]
    if "events" in new:
        out["events"] = {**(existing.get("events") or {}), **new["events"]}
    labelers = [x for x in (existing.get("labeler"), new["labeler"]) if x]
    out["labeler"] = " + ".join(dict.fromkeys(labelers))
    out["notes"] = " ".join(x for x in (existing.get("notes"), new["notes"]) if x)
    return out


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    skipped_existing: list[Path] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    reviewed_filings: int = 0


def export_gold(
    run_dir: str | Path, to: str | Path, *, merge: bool = False, overwrite: bool = False
) -> ExportReport:
    run_dir, to = Path(run_dir), Path(to)
    report = ExportReport()
    decisions = load_current(run_dir)
    records = run_dir / RECORDS
    if not decisions or not records.exists():
        return report
    stamp = dt.datetime.now(dt.UTC).date().isoformat()
    with records.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            src = record.get("source") or {}
            mine = decisions.get((str(src.get("sha256", "")), str(src.get("path", ""))))
            if not mine:
                continue
            report.reviewed_filings += 1
            record, _ = apply_to_dict(record, mine)
            reviewers = sorted({d.reviewer for d in mine.values()})
            notes = f"from review of run {run_dir.name} ({len(mine)} fields reviewed, exported {stamp})"
            gold = gold_from_record(record, "review: " + ", ".join(reviewers), notes)
            if gold is None:
                continue
            target = to / f"{gold['file']}.json"
            if target.exists() and not overwrite:
                if not merge:
                    report.skipped_existing.append(target)
                    continue
                gold = _merge(json.loads(target.read_text(encoding="utf-8")), gold)
            try:
                checked = GoldFiling.model_validate(gold)
            except ValidationError as exc:
                report.invalid.append((gold["file"], str(exc).splitlines()[0]))
                continue
            data = checked.model_dump(mode="json", exclude_unset=True)
            data["cover"] = checked.cover.model_dump(mode="json", exclude_unset=True)
            _write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            report.written.append(target)
    return report
