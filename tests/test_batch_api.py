"""--batch-api against the fake server's Batch API endpoints: results mapped back, resumable."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from batch_helpers import make_filing
from fakeserver import FakeOpenAIServer

from extractor.batch import RunConfig, run_batch
from extractor.batch.fill_stage import FillStage
from extractor.batch.limits import Limiter
from extractor.batch.providers import build_fill
from extractor.store.ledger import Ledger


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    for i in range(4):
        make_filing(
            folder,
            f"b{i}",
            ["8.01"] if i % 2 else ["2.02", "9.01"],
            f"The company announced its results ({i}).",
        )  # fmt: skip  (no period: the model must be asked)
    return folder


async def _run(run_dir: Path, inp: Path, url: str, cache: Path, *, stop_when_submitted: bool = False):
    built = build_fill(model="fake-model", base_url=url, limiter=Limiter(8), batch_api=True, run_dir=run_dir,
                       poll_s=0.05, cache_dir=cache)  # fmt: skip
    cfg = RunConfig(run_dir=run_dir, inputs=[str(inp)], filings_in_flight=100, engine="inline", tables=False)
    try:
        task = asyncio.ensure_future(run_batch(cfg, FillStage(built.afill, model=built.model)))
        if not stop_when_submitted:
            return await task
        for _ in range(600):
            await asyncio.sleep(0.05)
            if (run_dir / "ledger.sqlite").exists():
                with Ledger(run_dir / "ledger.sqlite") as led:
                    if any(j["batch_id"] for j in led.batch_jobs()):
                        break
        task.cancel()  # like a kill: the job stays submitted on the server, its id in the ledger
        with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
            await task
        return None
    finally:
        built.close()


def test_batch_api_maps_results_back_and_resumes_without_resubmitting(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    run = tmp_path / "run"
    with FakeOpenAIServer(batch_polls=40) as srv:
        asyncio.run(_run(run, inp, srv.base_url, tmp_path / "cache", stop_when_submitted=True))
        assert len(srv.batches) == 1 and srv.requests == 0  # submitted, not finished, no direct calls
        with Ledger(run / "ledger.sqlite") as led:
            jobs = led.batch_jobs()
            assert [j["batch_id"] for j in jobs] == list(srv.batches)
            assert led.summary().done == 0
        res = asyncio.run(_run(run, inp, srv.base_url, tmp_path / "cache"))
        assert len(srv.batches) == 1  # resumed the same job
        assert srv.requests == 0 and srv.batch_requests == 4  # 4 fillable items, each sent once
    assert res.summary.done == 4 and res.summary.ok == 4
    recs = [json.loads(x) for x in (run / "records.jsonl").read_text().splitlines()]
    filled = [it for r in recs for it in r["items"] if it["llm"]]
    assert len(filled) == 4
    assert all(it["llm"]["outcome"] == "ok" and it["event"] is not None for it in filled)
    with Ledger(run / "ledger.sqlite") as led:
        assert [j["status"] for j in led.batch_jobs()] == ["completed"]
