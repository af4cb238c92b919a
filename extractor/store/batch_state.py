"""The OpenAI Batch API's state in the run ledger (``extractor run --batch-api``), resumable.

Tables ``batch_requests`` (parked requests by hash, and the job that took them), ``batch_jobs`` (one row
per submitted batch, with its file ids and status) and ``batch_results`` (downloaded answers by request
hash). :class:`BatchState` is part of :class:`~extractor.store.ledger.Ledger`: every change is one ledger
transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from ..errors import StoreError


class BatchState:
    """Batch API methods of the ledger (which provides ``_tx`` and ``_query``)."""

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def add_batch_requests(self, requests: dict[str, dict[str, Any]]) -> int:
        with self._tx() as db:
            before = db.execute("SELECT COUNT(*) FROM batch_requests").fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO batch_requests(key, body) VALUES (?, ?)",
                ((k, json.dumps(v, sort_keys=True)) for k, v in requests.items()),
            )
            after = db.execute("SELECT COUNT(*) FROM batch_requests").fetchone()[0]
        return int(after - before)

    def unsubmitted_batch_requests(self) -> dict[str, dict[str, Any]]:
        rows = self._query(
            "SELECT key, body FROM batch_requests WHERE job_id IS NULL AND key NOT IN (SELECT key FROM batch_results)"
        )
        return {k: json.loads(b) for k, b in rows}

    def create_batch_job(self, round_no: int, keys: Iterable[str]) -> int:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO batch_jobs(round, status, created_at, updated_at) VALUES (?, 'new', ?, ?)",
                (round_no, now, now),
            )
            job_id = int(cur.lastrowid or 0)
            keys = list(keys)
            db.executemany("UPDATE batch_requests SET job_id = ? WHERE key = ?", ((job_id, k) for k in keys))
            db.execute("UPDATE batch_jobs SET requests = ? WHERE id = ?", (len(keys), job_id))
        return job_id

    def update_batch_job(self, job_id: int, **fields: Any) -> None:
        allowed = {"batch_id", "input_file_id", "output_file_id", "error_file_id", "status"}
        bad = set(fields) - allowed
        if bad:
            raise StoreError(f"unknown batch job fields: {sorted(bad)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE batch_jobs SET {sets}, updated_at = ? WHERE id = ?",
                (*fields.values(), time.time(), job_id),
            )

    def batch_jobs(self, status: str | None = None) -> list[dict[str, Any]]:
        cols = "id, round, batch_id, input_file_id, output_file_id, error_file_id, status, requests"
        sql = f"SELECT {cols} FROM batch_jobs"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        names = [c.strip() for c in cols.split(",")]
        return [dict(zip(names, r, strict=True)) for r in self._query(sql + " ORDER BY id", args)]

    def job_request_bodies(self, job_id: int) -> dict[str, dict[str, Any]]:
        rows = self._query("SELECT key, body FROM batch_requests WHERE job_id = ?", (job_id,))
        return {k: json.loads(b) for k, b in rows}

    def release_job_requests(self, job_id: int) -> None:
        """A job failed / expired: its requests without results go back to the queue."""
        with self._tx() as db:
            db.execute(
                "UPDATE batch_requests SET job_id = NULL WHERE job_id = ? AND key NOT IN (SELECT key FROM batch_results)",
                (job_id,),
            )

    def put_batch_results(self, results: dict[str, tuple[int, str]]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO batch_results(key, status_code, body) VALUES (?, ?, ?)",
                ((k, code, body) for k, (code, body) in results.items()),
            )

    def drop_batch_result(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM batch_results WHERE key = ?", (key,))
            db.execute("UPDATE batch_requests SET job_id = NULL WHERE key = ?", (key,))

    def batch_result(self, key: str) -> tuple[int, str] | None:
        rows = self._query("SELECT status_code, body FROM batch_results WHERE key = ?", (key,))
        return (rows[0][0], rows[0][1]) if rows else None
