"""Test copies of corpus filings: each filing is copied into tests/data once, and a test finds it there."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def data_file(name: str, first: Path) -> Path:
    """The test copy of corpus file ``name``: in the folder ``first``, else the copy another folder of
    tests/data already holds."""
    for path in (first / name, *sorted(DATA.rglob(name))):
        if path.is_file():
            return path
    raise FileNotFoundError(name)
