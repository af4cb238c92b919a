"""Batch runs end to end: bad inputs, a faulty server, kill -9 and resume, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from batch_helpers import PARSER, StandinFill, make_filing, normalized_records
from batch_helpers import main as batch_main

from extractor.batch import RunConfig, run_batch
from extractor.batch.fakeserver import FakeOpenAIServer
from extractor.batch.fill_stage import FillStage
from extractor.batch.limits import LimitedTransport, Limiter
from extractor.cli import main as cli_main
from extractor.record import Method
from extractor.store.ledger import Ledger

HERE = Path(__file__).parent


def _corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_filing(folder, f"f{i:03d}", ["5.02", "9.01"] if i % 3 == 0 else ["8.01", "7.01"])
        for i in range(n)
    ]


def _records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]


def test_bad_inputs_get_error_records_and_the_run_goes_on(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    good = _corpus(inp, 3)
    (inp / "empty.htm").write_bytes(b"")
    (inp / "binary.pdf").write_bytes(bytes(range(256)) * 40)
    (inp / "tenk.txt").write_text("FORM 10-K\nANNUAL REPORT\n")
    huge = inp / "huge.txt"
    with open(huge, "wb") as f:  # sparse 50 MB file
        f.truncate(50 * 1024 * 1024)
    (inp / "crash.txt").write_text("FORM 8-K\nPARSER-CRASH\n")
    os.symlink(tmp_path / "gone.txt", inp / "dangling.txt")
    locked = inp / "locked.txt"
    locked.write_text("FORM 8-K\nItem 8.01 Other Events\nx\n")
    locked.chmod(0)
    cfg = RunConfig(run_dir=tmp_path / "run", inputs=[str(inp), str(tmp_path / "nothing-*.htm")], parser=PARSER,
                    parse_only=True, engine="inline")  # fmt: skip
    res = asyncio.run(run_batch(cfg, None))
    recs = {Path(r["source"]["path"]).name: r for r in _records(tmp_path / "run")}
    assert len(recs) == 3 + 7 + 1 and res.summary.total == 11
    for g in good:
        assert recs[g.name]["status"] == "ok"
    reason = {k: (v["status"], v["errors"][0]["message"] if v["errors"] else "") for k, v in recs.items()}
    assert reason["empty.htm"] == ("error", "empty file")
    assert reason["binary.pdf"] == ("error", "binary file")
    assert reason["tenk.txt"] == ("error", "not a Form 8-K")
    assert reason["huge.txt"][0] == "error" and reason["huge.txt"][1].startswith(
        "file too large: 52428800 bytes"
    )
    assert reason["crash.txt"] == ("error", "parser failed: RuntimeError: planted parser bug")
    assert reason["dangling.txt"][0] == "error" and "cannot read file" in reason["dangling.txt"][1]
    assert reason["nothing-*.htm"][0] == "error"
    if os.geteuid() != 0:  # root reads anything
        assert reason["locked.txt"] == ("error", "cannot read file: permission denied")
    assert recs["huge.txt"]["source"]["sha256"] != ""


def test_fault_injection_every_filing_one_record(tmp_path: Path) -> None:
    files = _corpus(tmp_path / "in", 24)
    with FakeOpenAIServer(latency_s=0.01, fault_rate=0.3, hang_s=1.0, seed=7) as srv:
        lim = Limiter(8)
        fill = StandinFill(
            srv.base_url, LimitedTransport(httpx.AsyncHTTPTransport(), lim), timeout=0.3, retries=1
        )
        cfg = RunConfig(run_dir=tmp_path / "run", inputs=[str(tmp_path / "in")], parser=PARSER, concurrency=8,
                        engine="inline", max_attempts=2)  # fmt: skip
        res = asyncio.run(run_batch(cfg, FillStage(fill, model="fake-model")))
        served = dict(srv.faults_served)
    assert set(served) == {"429", "500", "timeout", "garbage", "bad_content"}
    recs = _records(tmp_path / "run")
    paths = [r["source"]["path"] for r in recs]
    assert len(paths) == len(set(paths)) == len(files) == res.summary.done
    for r in recs:
        assert r["status"] in ("ok", "partial")
        for it in r["items"]:
            if it["number"] == "9.01":
                continue
            if it["event"] is None:  # failed for good: the reason is on the item and in errors
                assert it["llm"]["outcome"] == "error" and it["llm"]["error"]
                assert any(e["part"] == f"item {it['number']}" for e in r["errors"])
                assert r["status"] == "partial"
    with Ledger(tmp_path / "run" / "ledger.sqlite") as led:
        s = led.summary()
        for f in led.filings():
            assert f.state == "done" and f.fill_attempts <= 2
    assert s.ok + s.partial == len(files)
    items = pq.read_table(tmp_path / "run" / "tables" / "items.parquet").to_pylist()
    assert len(items) == sum(len(r["items"]) for r in recs)


def _run_sub(run_dir: Path, url: str, inp: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    return subprocess.Popen(
        [sys.executable, str(HERE / "batch_helpers.py"), str(run_dir), url, str(inp)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip


def _done(run_dir: Path) -> int:
    """Filings done so far, read without taking part in the run's transactions."""
    db = run_dir / "ledger.sqlite"
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=1)  # (a mode=ro connection cannot open a WAL database reliably)
        try:
            return int(con.execute("SELECT COUNT(*) FROM filings WHERE state = 'done'").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_kill_9_at_random_points_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    _corpus(inp, 40)
    rng = random.Random(11)
    with FakeOpenAIServer(latency_s=0.03) as srv:
        ref = tmp_path / "ref"
        assert batch_main([str(ref), srv.base_url, str(inp)]) == 0  # uninterrupted, in this process
        crash = tmp_path / "crash"
        kills = 0
        # kill points are chosen by progress (filings done), not by wall time, so that a fast machine
        # does not finish the run before the kill lands
        for target in sorted(rng.sample(range(2, 36), 3)):
            p = _run_sub(crash, srv.base_url, inp)
            deadline = time.monotonic() + 60
            while p.poll() is None and time.monotonic() < deadline and _done(crash) < target:
                time.sleep(0.01)
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)  # the run and its parse workers
                kills += 1
            p.wait(30)
            if (crash / "records.jsonl").exists():  # never a duplicate, even right after a kill
                paths = [r["source"]["path"] for r in _records(crash)]
                assert len(paths) == len(set(paths))
        assert kills >= 2
        with Ledger(crash / "ledger.sqlite") as led:
            assert led.summary().done < 40  # the kills left work to resume
        p = _run_sub(crash, srv.base_url, inp)
        assert p.wait(60) == 0
    a, b = normalized_records(ref / "records.jsonl"), normalized_records(crash / "records.jsonl")
    assert len(a) == 40 and a == b
    for t in ("fields", "items", "exhibits"):
        assert (ref / "tables" / f"{t}.csv").read_text() == (crash / "tables" / f"{t}.csv").read_text()
    with Ledger(crash / "ledger.sqlite") as led:
        assert Counter(f.state for f in led.filings()) == {"done": 40}


def test_cli_parse_only_resume_adds_new_inputs_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = tmp_path / "in"
    _corpus(inp, 3)
    run = tmp_path / "run"
    argv = ["run", str(inp), "--out", str(run), "--parse-only", "--engine", "inline", "--parser", PARSER,
            "--progress", "plain"]  # fmt: skip
    assert cli_main(argv) == 0
    assert "3/3 filings: 3 ok, 0 partial, 0 error" in capsys.readouterr().out
    make_filing(inp, "late", ["8.01"])
    (inp / "empty.txt").write_text("")
    assert (
        cli_main(
            ["run", "--resume", str(run), "--engine", "inline", "--parser", PARSER, "--progress", "none"]
        )
        == 0
    )
    assert "5/5 filings: 4 ok, 0 partial, 1 error" in capsys.readouterr().out
    assert len(_records(run)) == 5
    assert cli_main(["status", str(run)]) == 0
    out = capsys.readouterr().out
    assert (
        "5 total, 5 done" in out
        and "4 ok, 0 partial, 1 error" in out
        and "empty.txt: input: empty file" in out
    )
    assert cli_main(["status", str(run), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["error"] == 1
    (run / "records.jsonl").unlink()
    assert cli_main(["run", "export", str(run)]) == 0
    assert len(_records(run)) == 5


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    _corpus(inp, 30)
    run = tmp_path / "run"
    # 0.4 s per answer at concurrency 4: the fill takes ~3 s, so the interrupt lands mid-run even on a
    # fast idle machine
    with FakeOpenAIServer(latency_s=0.4) as srv:
        p = _run_sub(run, srv.base_url, inp)
        for _ in range(200):  # wait until some filings are committed
            time.sleep(0.05)
            if _done(run) >= 3:
                break
        os.killpg(p.pid, signal.SIGINT)  # like Ctrl-C on a terminal: the whole process group
        assert p.wait(30) == 130
        with Ledger(run / "ledger.sqlite") as led:
            s = led.summary()
        assert 3 <= s.done < 30
        assert len(_records(run)) == s.done  # records.jsonl written on the way out
        p = _run_sub(run, srv.base_url, inp)
        assert p.wait(60) == 0
    assert len(_records(run)) == 30


def test_parse_only_run_is_filled_by_a_later_run_with_a_model(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    _corpus(inp, 4)
    run = tmp_path / "run"
    asyncio.run(
        run_batch(
            RunConfig(run_dir=run, inputs=[str(inp)], parser=PARSER, parse_only=True, engine="inline"), None
        )
    )
    assert all(it["llm"] is None for r in _records(run) for it in r["items"])
    with FakeOpenAIServer() as srv:
        fill = StandinFill(srv.base_url, LimitedTransport(httpx.AsyncHTTPTransport(), Limiter(4)))
        cfg = RunConfig(run_dir=run, inputs=[str(inp)], parser=PARSER, engine="inline")
        res = asyncio.run(run_batch(cfg, FillStage(fill, model="fake-model")))
        assert srv.requests == 6  # 1 + 2 + 2 + 1 fillable items (9.01 has no schema)
    assert res.summary.done == 4 and res.summary.ok == 4
    assert sum(it["llm"] is not None for r in _records(run) for it in r["items"]) == 6


def test_export_applies_review_decisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.batch.outputs as outputs

    inp = tmp_path / "in"
    _corpus(inp, 2)
    run = tmp_path / "run"
    asyncio.run(
        run_batch(
            RunConfig(run_dir=run, inputs=[str(inp)], parser=PARSER, parse_only=True, engine="inline"), None
        )
    )

    def apply(record, run_dir):  # what extractor.review.decisions.apply_decisions does to a field
        assert Path(run_dir) == run
        ft = record.form_type.model_copy(update={"value": "8-K/A", "method": Method.human, "confidence": 1.0})
        return record.model_copy(update={"form_type": ft})

    monkeypatch.setattr(outputs, "review_hook", lambda: apply)
    assert cli_main(["export", str(run)]) == 0
    rows = pq.read_table(run / "tables" / "fields.parquet").to_pylist()
    form = [r for r in rows if r["field"] == "form_type"]
    assert [(r["value"], r["method"]) for r in form] == [("8-K/A", "human")] * 2
    assert all(r["form_type"]["value"] == "8-K" for r in _records(run))  # records.jsonl keeps machine values
