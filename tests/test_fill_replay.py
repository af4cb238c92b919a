"""The fill path replayed on the 58 dev gold filings: every record byte-identical to the recorded one.

The fixture (``tests/data/fill_replay``, made by ``scripts/fill_replay_fixture.py`` from the response
cache of a ``extractor eval --models qwen-1.5b`` run) holds the raw filings, the embedded model's
answers keyed as the response cache keys them, and the records the fill path made from them with the
scripted dry-run fake and with the model. Here each filing is parsed and filled again through the real
fill path (``extractor.fill.fill_record``); the model's answers come only from the fixture (a request it
cannot answer is counted as a miss), and each record's JSON must equal the recorded bytes.
"""

from __future__ import annotations

import gzip
import json
import sys
import tarfile
from pathlib import Path

import pytest

from extractor.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "fill_replay"
sys.path.insert(0, str(ROOT / "scripts"))

from fill_replay_fixture import UsedEntries, fill_all  # noqa: E402


def _jsonl(name: str) -> list[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict], list[dict], int]:
    meta = json.loads((DATA / "meta.json").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("filings")
    with tarfile.open(DATA / "filings.tar.gz") as tar:
        tar.extractall(folder, filter="data")
    expected = _jsonl("records.jsonl.gz")
    cache = UsedEntries({e["key"]: (e["output"], e["call"]) for e in _jsonl("cache.jsonl.gz")})
    paths = [folder / f for f in sorted({r["file"] for r in expected})]
    rows, misses = fill_all(paths, cache, Settings(**meta["settings"]))
    return meta, expected, rows, misses


def test_every_dev_gold_record_is_byte_identical(replay):
    meta, expected, rows, _misses = replay
    assert len(expected) == 2 * meta["filings"] == 116
    want = {(r["file"], r["provider"]): r["record"] for r in expected}
    got = {(r["file"], r["provider"]): r["record"] for r in rows}
    assert got.keys() == want.keys()
    differ = [key for key in want if got[key] != want[key]]
    assert differ == []


def test_the_model_answers_all_come_from_the_fixture(replay):
    meta, expected, _rows, misses = replay
    assert misses == meta["misses"]
    filled = [json.loads(r["record"]) for r in expected if r["provider"] == "model"]
    calls = [i["llm"] for rec in filled for i in rec["items"] if i["llm"] is not None]
    assert calls and all(c["model"] == meta["settings"]["local_model"] for c in calls)
    assert sum(c["cache_hit"] for c in calls) == len(calls) - misses
