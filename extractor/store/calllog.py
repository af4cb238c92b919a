"""Call log (SQLite): one row per item fill (all chunks), for ``extractor logs``.

Columns: ts, filing, item, provider, model, prompt_name, prompt_hash, tokens_in, tokens_out, latency_s,
attempts, cache_hit, outcome (ok | error | budget | cached), error. No secrets, no filing text.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ._sqlite import open_store

COLUMNS = (
    "ts",
    "filing",
    "item",
    "provider",
    "model",
    "prompt_name",
    "prompt_hash",
    "tokens_in",
    "tokens_out",
    "latency_s",
    "attempts",
    "cache_hit",
    "outcome",
    "error",
)


class CallLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_store(
            path,
            "CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, ts REAL, filing TEXT, item TEXT,"
            " provider TEXT, model TEXT, prompt_name TEXT, prompt_hash TEXT, tokens_in INTEGER,"
            " tokens_out INTEGER, latency_s REAL, attempts INTEGER, cache_hit INTEGER, outcome TEXT,"
            " error TEXT)",
            "call log",
        )
        self._lock = threading.Lock()

    def log(self, **row: Any) -> None:
        row.setdefault("ts", time.time())
        values = tuple(row.get(c) for c in COLUMNS)
        try:
            with self._lock:
                self._db.execute(
                    f"INSERT INTO calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    values,
                )
                self._db.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write call log {self.path}: {exc}") from exc

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._db.execute(
                f"SELECT {', '.join(COLUMNS)} FROM calls ORDER BY id DESC LIMIT ?", (limit,)
            )
            rows = cur.fetchall()
        return [dict(zip(COLUMNS, r, strict=True)) for r in reversed(rows)]

    def summary(self) -> dict[str, Any]:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(tokens_in),0), COALESCE(SUM(tokens_out),0),"
                " COALESCE(SUM(latency_s),0), COALESCE(SUM(cache_hit),0),"
                " COALESCE(SUM(outcome != 'ok' AND outcome != 'cached'),0) FROM calls"
            ).fetchone()
        keys = ("calls", "tokens_in", "tokens_out", "latency_s", "cache_hits", "failures")
        return dict(zip(keys, row, strict=True))

    def close(self) -> None:
        with self._lock:
            self._db.close()
