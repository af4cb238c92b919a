"""Parse engines give the same records: in-process, local process pool, Dask and Ray (local clusters)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from batch_helpers import PARSER, make_filing

from extractor.batch import RunConfig, run_batch


def _run(tmp: Path, inp: Path, engine: str) -> list[dict]:
    run = tmp / f"run-{engine}"
    cfg = RunConfig(run_dir=run, inputs=[str(inp)], parser=PARSER, parse_only=True, engine=engine, workers=2,
                    tables=False)  # fmt: skip
    asyncio.run(run_batch(cfg, None))
    return [json.loads(x) for x in (run / "records.jsonl").read_text().splitlines()]


def test_dask_engine_matches_inline(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(6):
        make_filing(inp, f"d{i}", ["5.02", "9.01"])
    (inp / "empty.txt").write_text("")
    (inp / "crash.txt").write_text("FORM 8-K\nPARSER-CRASH\n")
    inline = _run(tmp_path, inp, "inline")
    dask = _run(tmp_path, inp, "dask")
    assert len(inline) == 8 and dask == inline
    assert sum(r["status"] == "error" for r in dask) == 2


def test_ray_engine_matches_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ray")
    # Ray's workers are fresh interpreters: they find the test parser (batch_helpers) through PYTHONPATH
    here = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(4):
        make_filing(inp, f"r{i}", ["1.01", "9.01"])
    (inp / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (inp / "crash.txt").write_text("FORM 8-K\nPARSER-CRASH\n")
    inline = _run(tmp_path, inp, "inline")
    ray = _run(tmp_path, inp, "ray")
    assert len(inline) == 6 and ray == inline
    assert sum(r["status"] == "error" for r in ray) == 2
