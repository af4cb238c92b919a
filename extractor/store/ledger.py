"""The run ledger: one SQLite file per run directory (``RUN_DIR/ledger.sqlite``).

It is the single source of truth of a batch run; everything else in ``RUN_DIR`` is rebuilt from it.
WAL journal, ``synchronous=NORMAL``, and every state change is one short transaction, so a ``kill -9``
at any moment leaves the ledger consistent (the last committed transaction wins).

Tables::

    meta(key, value)                     run settings (model, created_at, schema version, ...)
    filings(id, path, ...)               one row per input, ``id`` = registration (input) order
        state      pending -> parsed -> done     (``parsed``: waiting for the fill stage)
        status     ok | partial | error           (the record's status once ``done``)
        parsed     the parser's FilingRecord JSON (kept so failed fills can be retried)
        record     the final FilingRecord JSON (what ``records.jsonl`` holds)
        text       zlib-compressed normalized text (spans of the record index it)
        fill_attempts, tokens_in, tokens_out, cost, error, updated_at
    stages(filing_id, stage, ...)        one row per filing and stage: ``parse``, ``fill:5.02``, ...
        status ok | error | skipped, attempts, error, model, tokens_in, tokens_out, cache_hit
    batch_jobs(id, round, ...)           OpenAI Batch API jobs (``--batch-api``), resumable
    batch_results(key, body)             downloaded Batch API responses keyed by request hash

A filing is *done* exactly once per ledger: ``records.jsonl`` is rewritten from the ``done`` rows in
``id`` order (atomic rename), never appended blindly, so it holds exactly one line per finished input.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .batch_state import BatchState

LEDGER_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS filings (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'parsed', 'done')),
    status TEXT CHECK (status IN ('ok', 'partial', 'error')),
    parsed TEXT,
    record TEXT,
    text BLOB,
    fill_attempts INTEGER NOT NULL DEFAULT 0,
    parse_attempts INTEGER NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,
    error TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS filings_state ON filings(state);
CREATE TABLE IF NOT EXISTS stages (
    filing_id INTEGER NOT NULL REFERENCES filings(id),
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    model TEXT,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    cache_hit INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (filing_id, stage)
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL,
    batch_id TEXT,
    input_file_id TEXT,
    output_file_id TEXT,
    error_file_id TEXT,
    status TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_requests (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    job_id INTEGER
);
CREATE TABLE IF NOT EXISTS batch_results (key TEXT PRIMARY KEY, status_code INTEGER NOT NULL, body TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FilingRow:
    id: int
    path: str
    state: str
    status: str | None
    fill_attempts: int
    parse_attempts: int
    error: str | None


@dataclass(frozen=True)
class StageResult:
    stage: str  # "parse", "fill:5.02"
    status: str  # ok | error | skipped
    error: str | None = None
    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cache_hit: bool = False


@dataclass(frozen=True)
class Summary:
    total: int
    pending: int
    parsed: int
    done: int
    ok: int
    partial: int
    error: int
    tokens_in: int
    tokens_out: int
    cost: float
    stage_errors: dict[str, int]
    meta: dict[str, str]


class Ledger(BatchState):
    """A run ledger. Thread-safe (one connection guarded by a lock); one writer process at a time.

    The Batch API's requests, jobs and results (``--batch-api``) are kept by :class:`BatchState`."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """``readonly``: for readers beside a run (the review app); never creates or writes the file."""
        self.path = Path(path)
        self._lock = threading.RLock()
        if readonly:
            uri = self.path.absolute().as_uri() + "?mode=ro"
            try:
                self._db = sqlite3.connect(
                    uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open run ledger {self.path}: {exc}") from exc
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(self.path), timeout=30, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open run ledger {self.path}: {exc}") from exc
        if self.get_meta("ledger_version") is None:
            self.set_meta("ledger_version", LEDGER_VERSION)

    # -- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self) -> _Tx:
        return _Tx(self)

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    # -- meta -----------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def meta(self) -> dict[str, str]:
        return dict(self._query("SELECT key, value FROM meta"))  # type: ignore[arg-type]

    # -- filings --------------------------------------------------------------------------------
    def register(self, paths: Iterable[str]) -> int:
        """Add inputs not seen before (in order). Returns how many were new."""
        now = time.time()
        with self._tx() as db:
            before = db.execute("SELECT COUNT(*) FROM filings").fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO filings(path, added_at, updated_at) VALUES (?, ?, ?)",
                ((p, now, now) for p in paths),
            )
            after = db.execute("SELECT COUNT(*) FROM filings").fetchone()[0]
        return int(after - before)

    def filings(self, state: str | None = None) -> list[FilingRow]:
        sql = "SELECT id, path, state, status, fill_attempts, parse_attempts, error FROM filings"
        args: tuple[Any, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            args = (state,)
        return [FilingRow(*r) for r in self._query(sql + " ORDER BY id", args)]

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM filings")[0][0])

    def commit_parse(
        self,
        filing_id: int,
        record_json: str,
        text: str | None,
        *,
        status: str,
        done: bool,
        error: str | None,
        fill_skipped: bool = False,
    ) -> None:
        """Store the parser's record. ``done``: no fill stage follows (parse-only, error, nothing to fill).

        ``fill_skipped``: the filing has items to fill but the run was parse-only; a later run with a model
        fills it (``reopen_skipped_fills``)."""
        now = time.time()
        blob = zlib.compress(text.encode("utf-8"), 3) if text else None
        with self._tx() as db:
            db.execute(
                """UPDATE filings SET state = ?, status = ?, parsed = ?, record = ?, text = ?, error = ?,
                   parse_attempts = parse_attempts + 1, updated_at = ? WHERE id = ?""",
                (
                    "done" if done else "parsed",
                    status if done else None,
                    record_json,
                    record_json if done else None,
                    blob,
                    error,
                    now,
                    filing_id,
                ),
            )
            _put_stage(
                db, filing_id, StageResult("parse", "error" if status == "error" else "ok", error), now
            )
            if fill_skipped:
                _put_stage(db, filing_id, StageResult("fill", "skipped", "parse-only run"), now)

    def reopen_skipped_fills(self) -> int:
        """Filings finished by a parse-only run go to the fill stage (a later run with a model)."""
        with self._tx() as db:
            cur = db.execute(
                """UPDATE filings SET state = 'parsed', status = NULL, updated_at = ?
                   WHERE state = 'done' AND parsed IS NOT NULL AND id IN
                   (SELECT filing_id FROM stages WHERE stage = 'fill' AND status = 'skipped')""",
                (time.time(),),
            )
            return int(cur.rowcount)

    def parse_failed(self, filing_id: int, error: str) -> None:
        """The parse attempt crashed (worker died): count the attempt, leave the filing pending."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                "UPDATE filings SET parse_attempts = parse_attempts + 1, error = ?, updated_at = ? WHERE id = ?",
                (error, now, filing_id),
            )
            _put_stage(db, filing_id, StageResult("parse", "error", error), now)

    def commit_fill(
        self,
        filing_id: int,
        record_json: str,
        *,
        status: str,
        stages: Iterable[StageResult],
        cost: float,
        error: str | None = None,
    ) -> None:
        now = time.time()
        stages = list(stages)
        tin = sum(s.tokens_in for s in stages)
        tout = sum(s.tokens_out for s in stages)
        with self._tx() as db:
            db.execute(
                """UPDATE filings SET state = 'done', status = ?, record = ?, error = ?,
                   fill_attempts = fill_attempts + 1, tokens_in = tokens_in + ?, tokens_out = tokens_out + ?,
                   cost = cost + ?, updated_at = ? WHERE id = ?""",
                (status, record_json, error, tin, tout, cost, now, filing_id),
            )
            db.execute("DELETE FROM stages WHERE filing_id = ? AND stage = 'fill'", (filing_id,))
            for s in stages:
                _put_stage(db, filing_id, s, now)

    def reopen_for_fill(self, filing_ids: Iterable[int]) -> int:
        """Send finished-but-failed filings back to the fill stage (a retry)."""
        ids = list(filing_ids)
        with self._tx() as db:
            db.executemany(
                "UPDATE filings SET state = 'parsed', updated_at = ? WHERE id = ? AND state = 'done' AND parsed IS NOT NULL",
                ((time.time(), i) for i in ids),
            )
        return len(ids)

    def retryable_fills(self, max_attempts: int) -> list[int]:
        """Done filings with a failed fill stage and attempts left."""
        rows = self._query(
            """SELECT DISTINCT f.id FROM filings f JOIN stages s ON s.filing_id = f.id
               WHERE f.state = 'done' AND s.stage LIKE 'fill:%' AND s.status = 'error'
               AND f.fill_attempts < ? ORDER BY f.id""",
            (max_attempts,),
        )
        return [r[0] for r in rows]

    def parsed_record(self, filing_id: int) -> tuple[str, str]:
        """(parser record JSON, normalized text) of a filing waiting for fill."""
        rows = self._query("SELECT parsed, text FROM filings WHERE id = ?", (filing_id,))
        if not rows or rows[0][0] is None:
            raise StoreError(f"filing {filing_id} has no parse record")
        parsed, blob = rows[0]
        return parsed, zlib.decompress(blob).decode("utf-8") if blob else ""

    def text(self, filing: int | str) -> str | None:
        """The normalized text of a filing, by id or input path (the text its spans index), if any.

        :class:`StoreError` when the file is no ledger or the stored text does not decompress."""
        key = "id" if isinstance(filing, int) else "path"
        try:
            rows = self._query(f"SELECT text FROM filings WHERE {key} = ?", (filing,))
            return zlib.decompress(rows[0][0]).decode("utf-8") if rows and rows[0][0] is not None else None
        except (sqlite3.Error, zlib.error, UnicodeDecodeError, TypeError) as exc:
            raise StoreError(f"cannot read the text of {filing!r} from {self.path}: {exc}") from exc

    def records(self) -> Iterator[tuple[int, str, str]]:
        """(id, path, record JSON) of every finished filing, in input order."""
        with self._lock:
            cur = self._db.execute("SELECT id, path, record FROM filings WHERE state = 'done' ORDER BY id")
            rows = cur.fetchall()
        yield from rows

    def stages(self, filing_id: int) -> list[StageResult]:
        rows = self._query(
            """SELECT stage, status, error, model, tokens_in, tokens_out, cache_hit FROM stages
               WHERE filing_id = ? ORDER BY stage""",
            (filing_id,),
        )
        return [StageResult(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def summary(self) -> Summary:
        (total, pending, parsed, done, ok, partial, error, tin, tout, cost) = self._query(
            """SELECT COUNT(*), SUM(state = 'pending'), SUM(state = 'parsed'), SUM(state = 'done'),
                      SUM(status = 'ok' AND state = 'done'), SUM(status = 'partial' AND state = 'done'),
                      SUM(status = 'error' AND state = 'done'),
                      COALESCE(SUM(tokens_in), 0), COALESCE(SUM(tokens_out), 0), COALESCE(SUM(cost), 0)
               FROM filings"""
        )[0]
        stage_errors = dict(
            self._query(
                """SELECT CASE WHEN stage LIKE 'fill:%' THEN 'fill' ELSE stage END AS s, COUNT(*)
                   FROM stages WHERE status = 'error' GROUP BY s"""
            )
        )
        return Summary(
            total=total or 0,
            pending=pending or 0,
            parsed=parsed or 0,
            done=done or 0,
            ok=ok or 0,
            partial=partial or 0,
            error=error or 0,
            tokens_in=int(tin),
            tokens_out=int(tout),
            cost=float(cost),
            stage_errors={str(k): int(v) for k, v in stage_errors.items()},
            meta=self.meta(),
        )

    def error_reasons(self, limit: int = 20) -> list[tuple[str, str]]:
        """(path, reason) of filings that ended with status error or partial."""
        rows = self._query(
            "SELECT path, COALESCE(error, status) FROM filings WHERE state = 'done' AND status != 'ok' "
            "ORDER BY id LIMIT ?",
            (limit,),
        )
        return [(r[0], r[1]) for r in rows]


class _Tx:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error) under the ledger's lock."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __enter__(self) -> sqlite3.Connection:
        self.ledger._lock.acquire()
        try:
            self.ledger._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self.ledger._lock.release()
            raise StoreError(f"cannot write run ledger {self.ledger.path}: {exc}") from exc
        return self.ledger._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self.ledger._db.execute("COMMIT")
            else:
                self.ledger._db.execute("ROLLBACK")
        except sqlite3.Error as err:
            raise StoreError(f"cannot commit run ledger {self.ledger.path}: {err}") from err
        finally:
            self.ledger._lock.release()


def _put_stage(db: sqlite3.Connection, filing_id: int, s: StageResult, now: float) -> None:
    db.execute(
        """INSERT INTO stages(filing_id, stage, status, attempts, error, model, tokens_in, tokens_out,
                              cache_hit, updated_at)
           VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(filing_id, stage) DO UPDATE SET status = excluded.status,
               attempts = stages.attempts + 1, error = excluded.error, model = excluded.model,
               tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
               cache_hit = excluded.cache_hit, updated_at = excluded.updated_at""",
        (filing_id, s.stage, s.status, s.error, s.model, s.tokens_in, s.tokens_out, int(s.cache_hit), now),
    )
