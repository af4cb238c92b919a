"""Response cache (SQLite): identical requests are answered from disk.

Key: sha256 of (model, prompt hash, schema hash, input hash). The value is the model's JSON output (the
quoted object) with the call record of the call that produced it. Thread-safe (one connection, a lock);
WAL journal so several processes can share the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ._sqlite import open_store


def cache_key(model: str, prompt_hash: str, schema_hash: str, input_text: str) -> str:
    input_hash = hashlib.sha256(input_text.encode("utf-8")).hexdigest()
    return hashlib.sha256("\0".join((model, prompt_hash, schema_hash, input_hash)).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_store(
            path,
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT, output TEXT,"
            " call TEXT, created REAL)",
            "response cache",
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        with self._lock:
            row = self._db.execute("SELECT output, call FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return json.loads(row[0]), json.loads(row[1])

    def put(self, key: str, model: str, output: dict[str, Any], call: dict[str, Any]) -> None:
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
                    (key, model, json.dumps(output), json.dumps(call), time.time()),
                )
                self._db.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write response cache {self.path}: {exc}") from exc

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
