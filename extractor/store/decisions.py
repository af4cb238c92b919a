"""Review decisions: stored in ``RUN_DIR/review.sqlite`` and applied to records.

One row per decision, appended in its own transaction (WAL, ``synchronous=FULL``), so a decision is
on disk the moment the reviewer sees it saved and a crash loses nothing. Undo marks a row undone (it is
kept: the table is the full history). The decision in force for a field is its latest row not undone.

A field is identified by its filing (``source.sha256`` and ``source.path``) and its path in the record
(see :mod:`extractor.review.fields`), so decisions survive re-writing ``records.jsonl``.

Actions:
- ``accept``: the value is right as extracted.
- ``edit``: the right value is ``value`` (validated by the field's type; may be null).
- ``reject``: the value is wrong and the filing does not state it: the value becomes null.

:func:`apply_decisions` turns a record into its reviewed form: decided fields get ``method: "human"``,
confidence 1.0 and a reason saying who decided what and when.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..events.tree import get_at, set_at
from ..record import FilingRecord
from ..review.fields import path_parts

REVIEW_DB = "review.sqlite"
ACTIONS = ("accept", "edit", "reject")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    source_path TEXT NOT NULL,
    field_path TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'edit', 'reject')),
    value_json TEXT NOT NULL,       -- the reviewed value (JSON; null for reject)
    original_json TEXT NOT NULL,    -- the Field as extracted (JSON)
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL,       -- ISO 8601, UTC
    undone_at TEXT,                 -- set by undo; the row is kept as history
    evidence_json TEXT              -- {"span": [start, end], "quote": ...} the reviewer selected, or NULL
);
CREATE INDEX IF NOT EXISTS decisions_field ON decisions (sha256, source_path, field_path, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
"""


@dataclass(frozen=True)
class Decision:
    id: int
    sha256: str
    source_path: str
    field_path: str
    action: str
    value: Any
    original: dict
    reviewer: str
    decided_at: str
    evidence: dict | None = None  # {"span": [start, end], "quote": str} selected by the reviewer (edit only)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "value": self.value,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
            "evidence": self.evidence,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _row(r: tuple) -> Decision:
    return Decision(
        id=r[0],
        sha256=r[1],
        source_path=r[2],
        field_path=r[3],
        action=r[4],
        value=json.loads(r[5]),
        original=json.loads(r[6]),
        reviewer=r[7],
        decided_at=r[8],
        evidence=json.loads(r[9]) if r[9] else None,
    )


_COLS = "id, sha256, source_path, field_path, action, value_json, original_json, reviewer, decided_at, evidence_json"


class DecisionStore:
    """``RUN_DIR/review.sqlite``. Thread-safe (one connection behind a lock)."""

    def __init__(self, run_dir: str | Path, *, create: bool = True) -> None:
        self.path = Path(run_dir) / REVIEW_DB
        if not create and not self.path.exists():
            raise FileNotFoundError(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        if create:
            with self._lock:
                self._db.executescript(f"BEGIN; {_SCHEMA} COMMIT;")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self,
        *,
        sha256: str,
        source_path: str,
        field_path: str,
        action: str,
        value: Any,
        original: dict,
        reviewer: str,
        evidence: dict | None = None,
    ) -> Decision:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action != "edit":
            evidence = None
        if action == "reject":
            value = None
        args = (
            sha256,
            source_path,
            field_path,
            action,
            json.dumps(value),
            json.dumps(original, sort_keys=True),
            reviewer,
            _now(),
            json.dumps(evidence) if evidence else None,
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    """INSERT INTO decisions (sha256, source_path, field_path, action, value_json,
                       original_json, reviewer, decided_at, evidence_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    args,
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            row = self._db.execute(f"SELECT {_COLS} FROM decisions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _row(row)

    def undo_last(self, reviewer: str) -> Decision | None:
        """Undo this reviewer's latest decision in force; returns it (or None when there is none)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    f"""SELECT {_COLS} FROM decisions WHERE reviewer = ? AND undone_at IS NULL
                        ORDER BY id DESC LIMIT 1""",
                    (reviewer,),
                ).fetchone()
                if row is not None:
                    self._db.execute("UPDATE decisions SET undone_at = ? WHERE id = ?", (_now(), row[0]))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return _row(row) if row else None

    def current(self, sha256: str | None = None, source_path: str | None = None) -> dict[tuple, Decision]:
        """Decisions in force, keyed by ``(sha256, source_path, field_path)``; optionally one filing."""
        where, args = "undone_at IS NULL", []
        if sha256 is not None:
            where += " AND sha256 = ? AND source_path = ?"
            args = [sha256, source_path]
        with self._lock:
            rows = self._db.execute(
                f"""SELECT {_COLS} FROM decisions WHERE id IN (
                        SELECT MAX(id) FROM decisions WHERE {where}
                        GROUP BY sha256, source_path, field_path)
                    ORDER BY id""",
                args,
            ).fetchall()
        return {(r[1], r[2], r[3]): _row(r) for r in rows}

    def history(self, sha256: str, source_path: str, field_path: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                f"""SELECT {_COLS}, undone_at FROM decisions
                    WHERE sha256 = ? AND source_path = ? AND field_path = ? ORDER BY id""",
                (sha256, source_path, field_path),
            ).fetchall()
        return [{**_row(r[:10]).as_json(), "undone_at": r[10]} for r in rows]


def human_field(original: dict, decision: Decision) -> dict:
    """The reviewed form of one Field (JSON data)."""
    fld = dict(original)
    before = original.get("value")
    note = f"reviewed: {decision.action} by {decision.reviewer} at {decision.decided_at}"
    if decision.action == "edit" and decision.value != before:
        note += f" (was {json.dumps(before)})"
    if decision.action == "reject":
        note += f" (was {json.dumps(before)})"
        fld.update(span=None, quote=None, alignment=None)
    if decision.evidence:
        fld.update(span=list(decision.evidence["span"]), quote=decision.evidence["quote"], alignment="exact")
        note += " (evidence selected by the reviewer)"
    fld.update(
        value=decision.value,
        confidence=1.0,
        method="human",
        reasons=[*(original.get("reasons") or []), note],
    )
    return fld


def apply_to_dict(record: dict, decisions: dict[tuple, Decision]) -> tuple[dict, int]:
    """Apply decisions (for this record's filing) to a JSON-mode record; returns (record, applied)."""
    applied = 0
    for (_sha, _path, field_path), decision in decisions.items():
        parts = path_parts(field_path)
        try:
            original = get_at(record, parts)
        except KeyError:
            continue  # the record no longer has this field (re-run with a different structure)
        if not isinstance(original, dict):
            continue
        set_at(record, parts, human_field(original, decision))
        applied += 1
    return record, applied


def load_current(run_dir: str | Path) -> dict[tuple[str, str], dict[tuple, Decision]]:
    """All decisions in force in a run, grouped by filing ``(sha256, source_path)``.

    Cached per run directory until ``review.sqlite`` changes, so applying decisions to every record of
    a large run reads the database once."""
    path = Path(run_dir) / REVIEW_DB
    if not path.exists():
        return {}
    stamp = tuple(
        (p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
        for p in (path, path.with_name(REVIEW_DB + "-wal"))
    )
    key = str(path.resolve())
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    with DecisionStore(run_dir, create=False) as store:
        grouped: dict[tuple[str, str], dict[tuple, Decision]] = {}
        for k, d in store.current().items():
            grouped.setdefault((k[0], k[1]), {})[k] = d
    _CACHE[key] = (stamp, grouped)
    return grouped


_CACHE: dict[str, tuple[tuple, dict]] = {}


def apply_decisions(record: FilingRecord, run_dir: str | Path) -> FilingRecord:
    """``record`` with the review decisions of ``RUN_DIR/review.sqlite`` applied.

    Reviewed fields carry ``method: "human"`` and confidence 1.0. Returns ``record`` itself when the
    run has no review database or no decision for this filing."""
    decisions = load_current(run_dir).get((record.source.sha256, record.source.path))
    if not decisions:
        return record
    data, applied = apply_to_dict(record.model_dump(mode="json"), decisions)
    return FilingRecord.model_validate(data) if applied else record
