"""The embedded model on one real filing (``EXTRACTOR_LIVE=1 pytest -m live``; needs extractor[local])."""

from __future__ import annotations

import os

import pytest
from llm_helpers import ORACLE_502, item_of, parsed

from extractor.config import load_settings
from extractor.fill import fill_record
from extractor.llm import make_provider

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("EXTRACTOR_LIVE") != "1", reason="set EXTRACTOR_LIVE=1 to run live tests"
    ),
]


def test_embedded_model_fills_oracle_502(tmp_path):
    record, text = parsed(ORACLE_502)
    settings = load_settings(
        {"use_cache": False, "item_max_seconds": 1800},
        env={k: v for k, v in os.environ.items() if k.startswith("EXTRACTOR_")},
    )
    provider = make_provider(settings)
    try:
        out = fill_record(record, text, provider, settings=settings)
    finally:
        provider.close()
    item = item_of(out, "5.02")
    assert item.llm is not None and item.llm.outcome == "ok" and item.llm.tokens_in > 0
    people = [c["person"] for c in item.event["changes"] if c["person"]["value"]]
    assert any("Fairhead" in p["value"] for p in people)
    for field in people:  # every returned value is grounded or explicitly flagged
        assert field["alignment"] in ("exact", "lenient", "fuzzy", "none")
        if field["alignment"] != "none":
            s, e = field["span"]
            assert text[s:e] == field["quote"]
