"""Build the fill-replay fixture: the dev gold filings, the model answers the fill path asked for (as
the response cache keys them) and the records the fill path made from them.

    .venv/bin/python scripts/fill_replay_fixture.py                 # -> tests/data/fill_replay/
    .venv/bin/python scripts/fill_replay_fixture.py --out /tmp/x    # records elsewhere (before/after diffs)

Each gold filing (``--gold``, files from ``--corpus``) is parsed and filled twice through the real fill
path (``extractor.fill.fill_record``):

- by the scripted fake of ``extract --dry-run`` (no cache);
- by the eval model ``--model`` (default ``qwen-1.5b`` of ``evals/config.toml``) answered *only* from the
  response cache ``--cache`` (default ``~/.cache/extractor/cache.sqlite``, filled by
  ``extractor eval --models qwen-1.5b``). The model is never started: a request the cache cannot answer
  goes to a provider that fails it with a fixed message and is counted (``misses`` in ``meta.json``).

Written to ``--out``: ``filings.tar.gz`` (the raw filings), ``cache.jsonl.gz`` (one cache entry per line:
key, model, output, call; only the entries used), ``records.jsonl.gz`` (one line per filing and provider:
the record's exact JSON, ``source.path`` set to the file name so the bytes do not depend on where the
corpus lies) and ``meta.json``. ``tests/test_fill_replay.py`` replays the cache entries through the fill
path and asserts every record is byte-identical.

Works against any checkout whose ``extractor`` package has ``parse.parse_document``, ``fill.fill_record``,
``llm.fake.FakeProvider`` and ``store.cache.ResponseCache`` (run with ``PYTHONPATH=<checkout>`` to make
the "before" records of an older commit).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MISS = "replay: no cached answer for this request"


class CacheOnlyProvider:
    """Answers nothing: every request the cache did not answer fails with ``MISS`` and is counted."""

    name = "local"

    def __init__(self, model: str) -> None:
        self.model = model
        self.misses = 0

    def _miss(self) -> Any:
        from extractor.llm.base import CallRecord, FillError

        self.misses += 1
        call = CallRecord(provider=self.name, model=self.model, outcome="error", error=MISS)
        raise FillError(MISS, call=call)

    def fill(self, schema: Any, messages: Any, *, budget: Any = None) -> Any:
        return self._miss()

    async def afill(self, schema: Any, messages: Any, *, budget: Any = None) -> Any:
        return self._miss()

    def close(self) -> None:
        pass


class UsedEntries:
    """A read-only view of a response cache that remembers the entries it returned."""

    def __init__(self, entries: Any) -> None:
        self.entries = entries
        self.used: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def get(self, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        hit = self.entries.get(key)
        if hit is not None:
            self.used[key] = hit
        return hit

    def put(self, key: str, model: str, output: Any, call: Any) -> None:
        raise AssertionError("the replay never calls a model, so nothing is stored")


def record_json(record: Any, file: str) -> str:
    """The record's JSON with ``source.path`` set to the file name."""
    source = record.source.model_copy(update={"path": file})
    return str(record.model_copy(update={"source": source}).model_dump_json())


def fill_all(paths: list[Path], cache: Any, settings: Any) -> tuple[list[dict[str, str]], int]:
    """(one row per filing and provider, model requests the cache missed)."""
    from extractor.fill import fill_record
    from extractor.llm.fake import FakeProvider
    from extractor.parse import parse_document

    rows: list[dict[str, str]] = []
    provider = CacheOnlyProvider(settings.local_model)
    for path in paths:
        parsed = parse_document(path)
        dry = fill_record(parsed.record, parsed.text, FakeProvider.dry_run(), settings=settings)
        rows.append({"file": path.name, "provider": "dry-run", "record": record_json(dry, path.name)})
        filled = fill_record(parsed.record, parsed.text, provider, cache=cache, settings=settings)
        rows.append({"file": path.name, "provider": "model", "record": record_json(filled, path.name)})
    return rows, provider.misses


def write_jsonl_gz(path: Path, rows: list[dict[str, Any]]) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        for row in rows:
            fh.write((json.dumps(row, sort_keys=True) + "\n").encode("utf-8"))


def write_filings(path: Path, paths: list[Path]) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for p in paths:
            data = p.read_bytes()
            info = tarfile.TarInfo(p.name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as fh:
        fh.write(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "evals" / "gold")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "raw")
    ap.add_argument("--config", type=Path, default=ROOT / "evals" / "config.toml")
    ap.add_argument("--model", default="qwen-1.5b", help="model name of the eval config")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "extractor" / "cache.sqlite")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "fill_replay")
    ap.add_argument("--no-filings", action="store_true", help="do not write filings.tar.gz")
    args = ap.parse_args(argv)

    import tomllib

    from extractor.config import Settings
    from extractor.store.cache import ResponseCache

    overrides = tomllib.loads(args.config.read_text(encoding="utf-8"))["models"][args.model]["settings"]
    settings = Settings(**overrides)
    files = sorted(json.loads(p.read_text(encoding="utf-8"))["file"] for p in args.gold.glob("*.json"))
    paths = [args.corpus / f for f in files]
    cache = UsedEntries(ResponseCache(args.cache))
    rows, misses = fill_all(paths, cache, settings)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = [
        {"key": k, "model": settings.local_model, "output": out, "call": call}
        for k, (out, call) in sorted(cache.used.items())
    ]
    write_jsonl_gz(args.out / "cache.jsonl.gz", entries)
    write_jsonl_gz(args.out / "records.jsonl.gz", rows)
    if not args.no_filings:
        write_filings(args.out / "filings.tar.gz", paths)
    meta = {"model": args.model, "settings": overrides, "filings": len(paths), "entries": len(entries),
            "misses": misses}  # fmt: skip
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"{len(paths)} filings, {len(entries)} cache entries used, {misses} requests missed -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
