"""Opening the small SQLite stores (response cache, call log) the same way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import StoreError


def open_store(path: str | Path, create_sql: str, what: str) -> sqlite3.Connection:
    """Connect (creating the folder), WAL + synchronous=NORMAL, and create the table.

    WAL + NORMAL: a crash can lose the last few entries but never corrupts the file; these are a cache
    and a log, and FULL costs an fsync per call inside the event loop."""
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(create_sql)
        db.commit()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {what} {path}: {exc}") from exc
    return db
