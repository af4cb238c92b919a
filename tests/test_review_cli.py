"""``extractor review`` command line: documented help, export, errors, port binding."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from review_helpers import make_run, nuance_record

from extractor.cli import build_parser, main
from extractor.cli.review import _bind
from extractor.store.decisions import DecisionStore

DOC = Path(__file__).parents[1] / "docs" / "review.md"


def test_docs_record_the_exact_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["review", "--help"])
    help_text = capsys.readouterr().out.strip()
    documented = DOC.read_text().split("## `extractor review --help`\n```text\n")[1].split("\n```")[0]
    assert documented == help_text


def test_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = nuance_record()
    run = make_run(tmp_path / "run", [rec])
    with DecisionStore(run) as store:
        store.record(
            sha256=rec["source"]["sha256"],
            source_path=rec["source"]["path"],
            field_path="cover/zip_code",
            action="accept",
            value="01803",
            original=rec["cover"]["zip_code"],
            reviewer="ann",
        )
    assert main(["review", "export", str(run), "--to", str(tmp_path / "gold")]) == 0
    out = capsys.readouterr().out
    assert "1 reviewed filings, 1 gold files written" in out
    gold = json.loads((tmp_path / "gold" / (Path(rec["source"]["path"]).name + ".json")).read_text())
    assert gold["cover"] == {"zip_code": "01803"}


def test_not_a_run_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(tmp_path), "--no-browser"]) == 2
    assert "no records.jsonl" in capsys.readouterr().err
    assert main(["review", "export", str(tmp_path)]) == 2


def test_bind_falls_back_to_a_free_port_only_for_the_default() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(OSError):
            _bind("127.0.0.1", port)
        sock = _bind("127.0.0.1", None)
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        sock.close()
    finally:
        taken.close()
