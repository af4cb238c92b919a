"""The fill path replayed on the 58 dev gold filings: every record byte-identical to the recorded one.

The fixture (``tests/data/fill_replay``, made by ``scripts/fill_replay_fixture.py`` from the response
cache of a ``extractor eval --models qwen-1.5b`` run) holds the raw filings, the embedded model's
answers keyed as the response cache keys them, and the records the fill path made from them with the
scripted dry-run fake and with the model. Here each filing is parsed and filled again through the real
fill path (``extractor.fill.fill_record``); the model's answers come only from the fixture (a request it
cannot answer is counted as a miss), and each record's JSON must equal the recorded bytes.
"""

from __future__ import annotations

import asyncio
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

from fill_replay_fixture import CacheOnlyProvider, UsedEntries, fill_all, record_json  # noqa: E402


def _jsonl(name: str) -> list[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    meta = json.loads((DATA / "meta.json").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("filings")
    with tarfile.open(DATA / "filings.tar.gz") as tar:
        tar.extractall(folder, filter="data")
    expected = _jsonl("records.jsonl.gz")
    cache = UsedEntries({e["key"]: (e["output"], e["call"]) for e in _jsonl("cache.jsonl.gz")})
    paths = [folder / f for f in sorted({r["file"] for r in expected})]
    rows, misses = fill_all(paths, cache, Settings(**meta["settings"]))
    return meta, expected, rows, misses, (folder, cache)


def test_every_dev_gold_record_is_byte_identical(replay):
    meta, expected, rows, _misses, _src = replay
    assert len(expected) == 2 * meta["filings"] == 116
    want = {(r["file"], r["provider"]): r["record"] for r in expected}
    got = {(r["file"], r["provider"]): r["record"] for r in rows}
    assert got.keys() == want.keys()
    differ = [key for key in want if got[key] != want[key]]
    assert differ == []


def test_the_model_answers_all_come_from_the_fixture(replay):
    meta, expected, _rows, misses, _src = replay
    assert misses == meta["misses"]
    filled = [json.loads(r["record"]) for r in expected if r["provider"] == "model"]
    calls = [i["llm"] for rec in filled for i in rec["items"] if i["llm"] is not None]
    assert calls and all(c["model"] == meta["settings"]["local_model"] for c in calls)
    assert sum(c["cache_hit"] for c in calls) == len(calls) - misses


def test_the_async_fill_makes_the_same_records(replay):
    """``afill_record`` (batch runs) and ``fill_record`` share one core: the same bytes, items in order."""
    from extractor.fill import afill_record
    from extractor.parse import parse_document

    meta, expected, _rows, _misses, (folder, cache) = replay
    settings = Settings(**meta["settings"])
    provider = CacheOnlyProvider(settings.local_model)
    want = {r["file"]: r["record"] for r in expected if r["provider"] == "model"}

    async def fill_all_async() -> dict[str, str]:
        out = {}
        for file in sorted(want):
            parsed = parse_document(folder / file)
            rec = await afill_record(parsed.record, parsed.text, provider, cache=cache, settings=settings)
            out[file] = record_json(rec, file)
        return out

    got = asyncio.run(fill_all_async())
    assert [f for f in want if got[f] != want[f]] == []
    assert provider.misses == meta["misses"]
