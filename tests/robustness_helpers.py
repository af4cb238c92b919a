"""The record of a test filing's variants against the original's (tests of extractor/eval/robustness.py
and of the families it found)."""

from __future__ import annotations

from pathlib import Path

from data_helpers import data_file

from extractor.eval import robustness as rb
from extractor.ingest import read_filing
from extractor.parse import parse_bytes, parse_file

DATA = Path(__file__).parent / "data" / "robustness"


def find(name: str) -> Path:
    """A test filing: in tests/data/robustness, else the copy another test folder of tests/data holds."""
    return data_file(name, DATA)


def variants(name: str, only: set[str]) -> dict[str, dict[str, bool]]:
    path = find(name)
    raw = read_filing(path)
    ref = rb.reference(parse_file(path))
    src = rb.Source(name, raw.text, raw.body, raw.body_is_html)
    converters = [c for c in rb.available_converters() if c in only]
    out = {}
    for t, text in rb.variants(src, converters, tuple(x for x in rb.TEXT_TRANSFORMS if x in only)):
        if t in only:
            out[t] = rb.agreement(ref, parse_bytes(text.encode("utf-8"), path=f"{name}:{t}"))
    return out
