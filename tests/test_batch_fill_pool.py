"""``extractor run --fill-procs N``: the real fill stage in worker processes, the ledger in the parent.

Real filings (tests/data/parser) through the real parser and the real fill (instructor + openai)
against the local fake OpenAI-compatible server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_helpers import normalized_records
from fakeserver import FakeOpenAIServer

from extractor.batch import RunConfig, run_batch
from extractor.batch.fill_pool import FillPool, WorkerSpec
from extractor.cli import main as cli_main
from extractor.errors import ConfigError
from extractor.store.ledger import Ledger

FILINGS = Path(__file__).parent / "data" / "parser"


def _run(url: str, run_dir: Path, cache: Path, procs: int, *extra: str) -> None:
    argv = ["run", str(FILINGS), "--out", str(run_dir), "--base-url", url, "--model", "fake-model",
            "--cache-dir", str(cache), "--fill-procs", str(procs), "--concurrency", "4",
            "--progress", "none", "--no-tables", *extra]  # fmt: skip
    code = cli_main(argv)
    # exit code 1 when some record is not ok (tests/data/parser holds a bad input: an error record)
    assert code == (1 if any(r["status"] != "ok" for r in _records(run_dir)) else 0)
    assert any(r["status"] == "error" for r in _records(run_dir))


def _records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]


def test_worker_processes_give_the_records_of_one_process(tmp_path: Path) -> None:
    n = len(list(FILINGS.iterdir()))
    with FakeOpenAIServer(latency_s=0.01) as srv:
        _run(srv.base_url, tmp_path / "one", tmp_path / "cache1", 1)
        one_requests = srv.requests
        _run(srv.base_url, tmp_path / "two", tmp_path / "cache2", 2)
        assert srv.requests == 2 * one_requests > 0  # the same requests, none lost or repeated
        # the workers wrote the response cache: a fresh run over it asks nothing
        _run(srv.base_url, tmp_path / "again", tmp_path / "cache2", 2)
        assert srv.requests == 2 * one_requests
    a, b = (
        normalized_records(tmp_path / "one" / "records.jsonl"),
        normalized_records(tmp_path / "two" / "records.jsonl"),
    )
    assert len(a) == n and a == b
    filled = [it for r in b for it in r["items"] if it.get("llm")]
    assert filled and all(it["llm"]["model"] == "fake-model" for it in filled)
    with Ledger(tmp_path / "two" / "ledger.sqlite") as led:
        s = led.summary()
        assert s.done == n and s.ok + s.partial + s.error == n
        assert s.tokens_in > 0  # token counts travel back from the workers


def test_a_killed_worker_fails_its_jobs_with_a_reason_and_the_run_finishes(tmp_path: Path) -> None:
    n = len(list(FILINGS.iterdir()))
    with FakeOpenAIServer(latency_s=0.3) as srv:
        build = {"model": "fake-model", "base_url": srv.base_url, "cache_dir": str(tmp_path / "cache")}
        pool = FillPool(WorkerSpec(build, requests_in_flight=4), 2, model="fake-model")
        killed: list[int] = []

        async def kill_one_busy_worker() -> None:
            while not killed:
                await asyncio.sleep(0.02)
                busy = [w for w in pool._workers if w is not None and w.alive and w.pending]
                if busy:
                    killed.append(busy[0].proc.pid)
                    os.kill(busy[0].proc.pid, signal.SIGKILL)

        async def main() -> object:
            killer = asyncio.create_task(kill_one_busy_worker())
            cfg = RunConfig(run_dir=tmp_path / "run", inputs=[str(FILINGS)], filings_in_flight=4, engine="inline",
                            tables=False)  # fmt: skip
            try:
                return await run_batch(cfg, pool)
            finally:
                killer.cancel()

        res = asyncio.run(main())
    assert killed
    recs = _records(tmp_path / "run")
    paths = [r["source"]["path"] for r in recs]
    assert len(paths) == len(set(paths)) == n == res.summary.done  # type: ignore[attr-defined]
    with Ledger(tmp_path / "run" / "ledger.sqlite") as led:
        rows = led.filings()
        assert all(f.state == "done" for f in rows)
        retried = [f for f in rows if f.fill_attempts > 1]
    # the killed worker's filings failed once ("fill worker 0 exited ...") and were filled on retry by
    # the replacement; nothing is left failed
    assert retried
    assert all(r["status"] != "partial" for r in recs)


def test_a_worker_that_cannot_start_is_a_clear_error() -> None:
    pool = FillPool(WorkerSpec({"model": "m", "no_such_option": 1}, requests_in_flight=2), 2, model="m")
    with pytest.raises(ConfigError, match=r"did not start: TypeError: .*no_such_option"):
        asyncio.run(pool.start())
    assert pool.pids == []


def test_workers_exit_when_the_run_is_killed(tmp_path: Path) -> None:
    """kill -9 of the run alone (not its process group): its fill workers see their stdin close and its
    parse workers see their parent gone; none is left behind."""
    with FakeOpenAIServer(latency_s=5.0) as srv:
        argv = [sys.executable, "-m", "extractor", "run", str(FILINGS), "--out", str(tmp_path / "run"),
                "--base-url", srv.base_url, "--model", "fake-model", "--cache-dir", str(tmp_path / "c"),
                "--fill-procs", "2", "--requests-in-flight", "4", "--workers", "2", "--progress", "none"]  # fmt: skip
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            kids: dict[int, bytes] = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and srv.requests == 0:
                time.sleep(0.1)
            kids = _children(p.pid)
            fill = [k for k, cmd in kids.items() if b"extractor.batch.fill_pool" in cmd]
            parse = [k for k, cmd in kids.items() if b"multiprocessing" in cmd and b"spawn_main" in cmd]
            assert len(fill) == 2 and len(parse) == 2 and srv.requests > 0  # all up, requests in flight
            p.kill()
            p.wait(10)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and any(_running(k) for k in kids):
                time.sleep(0.1)
            assert [k for k in kids if _running(k)] == []
        finally:
            with contextlib.suppress(ProcessLookupError):
                p.kill()


def _children(parent: int) -> dict[int, bytes]:
    """pid -> command line of the live children of ``parent`` (Linux /proc)."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and _running(int(d.name)):
            out[int(d.name)] = cmd
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_fill_procs_is_ignored_where_it_cannot_apply(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from extractor.cli.run import _fill_procs

    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACTOR_MODEL", "EXTRACTOR_MODEL_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EXTRACTOR_CONFIG", str(Path(os.devnull)))
    args = argparse.Namespace(fill_procs=3, batch_api=False, dry_run=False, model=None, base_url=None)
    assert _fill_procs(args) == 1  # the embedded model: one local server, one process
    assert "embedded model" in capsys.readouterr().err
    args.base_url = "http://127.0.0.1:9/v1"
    assert _fill_procs(args) == 3
    args.batch_api = True
    assert _fill_procs(args) == 1
    args.fill_procs = 0
    with pytest.raises(ConfigError):
        _fill_procs(args)


@pytest.mark.parametrize("procs", [1, 2])
def test_real_fill_against_a_faulty_server_every_filing_one_record(tmp_path: Path, procs: int) -> None:
    """The production transport (not a test stand-in) against 30% faults: 429, 500, hangs, garbage."""
    n = len(list(FILINGS.iterdir()))
    with FakeOpenAIServer(latency_s=0.01, fault_rate=0.3, hang_s=2.0, seed=3) as srv:
        build = {"model": "fake-model", "base_url": srv.base_url, "cache_dir": str(tmp_path / "cache"),
                 "settings_overrides": {"timeout_s": 0.5, "transport_retries": 1, "backoff_max_s": 0.05}}  # fmt: skip
        spec = WorkerSpec(build, requests_in_flight=4)
        cfg = RunConfig(run_dir=tmp_path / "run", inputs=[str(FILINGS)], filings_in_flight=4, engine="inline",
                        tables=False, max_attempts=2)  # fmt: skip
        if procs > 1:
            res = asyncio.run(run_batch(cfg, FillPool(spec, procs, model="fake-model")))
        else:
            res = asyncio.run(_in_process(cfg, spec))
        served = dict(srv.faults_served)
    assert set(served) == {"429", "500", "timeout", "garbage", "bad_content"}
    recs = _records(tmp_path / "run")
    paths = [r["source"]["path"] for r in recs]
    assert len(paths) == len(set(paths)) == n == res.summary.done
    for r in recs:
        for it in r["items"]:
            llm = it.get("llm")
            if llm and llm["outcome"] == "error":  # failed for good: the reason is kept
                assert llm["error"] and any(e["part"] == f"item {it['number']}" for e in r["errors"])
                assert r["status"] == "partial"
    assert res.summary.ok + res.summary.partial + res.summary.error == n


async def _in_process(cfg: RunConfig, spec: WorkerSpec) -> object:
    from extractor.batch.fill_stage import FillStage
    from extractor.batch.limits import Limiter
    from extractor.batch.providers import build_fill

    built = build_fill(limiter=Limiter(spec.requests_in_flight), **spec.build)
    try:
        return await run_batch(cfg, FillStage(built.afill, model=built.model, aclose=built.aclose))
    finally:
        built.close()
