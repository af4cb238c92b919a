"""Concurrent use of one run directory (issue 17): one run at a time, export beside a running run, and
the parse stage's time limit. Runs are real subprocesses against the fake OpenAI server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
from batch_helpers import main as batch_main
from batch_helpers import make_filing, start_run
from fakeserver import FakeOpenAIServer

from extractor.batch.outputs import export_run
from extractor.batch.parse_stage import parse_one
from extractor.cli import main as cli_main
from extractor.parse import parse_document
from extractor.store.ledger import Ledger
from extractor.store.runlock import RunLock, RunLocked

HERE = Path(__file__).parent


def _inputs(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        make_filing(folder, f"f{i:02d}", ["5.02", "8.01"])
    return folder


def _start(run_dir: Path, url: str, inp: Path) -> subprocess.Popen[bytes]:
    return start_run(run_dir, url, inp)  # type: ignore[no-any-return]


def _holder(run_dir: Path, timeout: float = 60) -> dict:
    """The lock file's label once the run has taken the lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return json.loads((run_dir / "run.lock").read_text())
        except (OSError, ValueError):
            time.sleep(0.02)
    raise AssertionError("the run never took its lock")


def test_a_second_run_on_a_run_dir_is_refused_and_nothing_doubles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path / "in", 8)
    with FakeOpenAIServer(latency_s=0.25) as srv:
        ref = tmp_path / "ref"
        assert batch_main([str(ref), srv.base_url, str(inp)]) == 0
        one_run = srv.requests
        run = tmp_path / "run"
        first = _start(run, srv.base_url, inp)
        try:
            holder = _holder(run)
            assert holder["pid"] == first.pid and holder["host"] == socket.gethostname()
            with pytest.raises(RunLocked) as err:  # the library call
                batch_main([str(run), srv.base_url, str(inp)])
            assert f"pid {first.pid} on {socket.gethostname()}, started {holder['started']}" in str(err.value)
            # the command line: refused, non-zero, before any model or worker starts
            assert (
                cli_main(["run", str(inp), "--out", str(run), "--dry-run", "--progress", "none"]) == 2
            )  # setup error
            assert f"is in use by another run (pid {first.pid}" in capsys.readouterr().err
            assert first.wait(120) == 0
        finally:
            if first.poll() is None:
                first.kill()
        assert srv.requests == 2 * one_run  # the reference run and the first run, nothing more
    with Ledger(run / "ledger.sqlite") as led:
        assert {f.fill_attempts for f in led.filings()} == {1}
        assert led.summary().done == 8
    with RunLock(run):  # free again once the holder is gone
        pass


def test_a_killed_run_leaves_no_lock_behind(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in", 6)
    with FakeOpenAIServer(latency_s=0.5) as srv:
        run = tmp_path / "run"
        p = _start(run, srv.base_url, inp)
        _holder(run)
        os.killpg(p.pid, 9)
        p.wait(30)
        assert batch_main([str(run), srv.base_url, str(inp)]) == 0  # the resume takes the lock
    with Ledger(run / "ledger.sqlite") as led:
        assert led.summary().done == 6


def test_export_beside_a_running_run_never_collides(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in", 10)
    with FakeOpenAIServer(latency_s=0.05) as srv:
        run = tmp_path / "run"
        p = _start(run, srv.base_url, inp)  # checkpoints records.jsonl every 0.2 s
        try:
            _holder(run)
            while not (run / "ledger.sqlite").exists():
                time.sleep(0.02)
            exports = 0
            while p.poll() is None:
                counts = export_run(run)  # raised FileNotFoundError on a shared records.jsonl.tmp
                assert counts["records"] <= 10
                exports += 1
            assert p.wait(60) == 0 and exports >= 3
        finally:
            if p.poll() is None:
                p.kill()
    assert export_run(run)["records"] == 10
    lines = (run / "records.jsonl").read_text().splitlines()
    assert len(lines) == len({json.loads(x)["source"]["path"] for x in lines}) == 10
    leftovers = [f.name for f in [*run.iterdir(), *(run / "tables").iterdir()] if f.name.endswith(".tmp")]
    assert leftovers == []


def test_a_parse_past_the_time_limit_ends_in_an_error_record(tmp_path: Path) -> None:
    # a real filing followed by many lines that normalization must rewrite (double spaces, blank runs)
    seed = HERE / "data" / "parser" / "seed__000_bd0abfb8ce1b425c.txt"
    slow = tmp_path / "slow.txt"
    slow.write_bytes(seed.read_bytes() + b"a  b \n\n\n" * 200_000)  # a few seconds of parsing
    out = parse_one(str(slow), parse_document, timeout_s=0.2)
    rec = json.loads(out.record_json)
    assert out.status == "error" and rec["errors"][0]["part"] == "parse"
    assert rec["errors"][0]["message"] == (
        "parse time limit exceeded: still parsing after 0.2 s (raise with --parse-timeout)"
    )
    assert rec["source"]["size_bytes"] == slow.stat().st_size and len(rec["source"]["sha256"]) == 64
    assert parse_one(str(seed), parse_document).status == "ok"  # the default limit leaves a filing alone
