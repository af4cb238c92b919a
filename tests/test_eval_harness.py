"""The eval harness end to end on hand-made records: comparison keys, events in the filled shape,
results with CIs and paired differences, baseline regressions, the HTML report and the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from eval_helpers import record_from_gold, wrap_event

from extractor.cli import main
from extractor.eval.compare import compare, compare_event, era_of, sniff_format
from extractor.eval.gold import load_gold, load_gold_dir
from extractor.eval.html import render_html
from extractor.eval.results import build_results, compare_baseline
from extractor.eval.runner import FunctionRunner, Output, run_model
from extractor.record import Exhibit
from extractor.record import Field as F

DATA = Path(__file__).parent / "data" / "eval"
GOLD = DATA / "gold"
CORPUS = DATA / "corpus"
APPLE = "coverparser__0000320193-19-000032_copyofreference8-kform8xkq.htm"
TYSON = "edgarcrawler__100493_8K_2017_0000100493-17-000003.htm"


def _gold(name: str):
    return load_gold(GOLD / f"{name}.json")


def test_perfect_record_scores_everything_right():
    for gold in load_gold_dir(GOLD):
        obs = compare(gold, record_from_gold(gold))
        assert obs, gold.file
        assert all(o.correct for o in obs), [o.reason for o in obs if not o.correct]


def test_format_and_era_come_from_file_and_gold():
    assert sniff_format((CORPUS / APPLE).read_bytes()) == "html"
    assert sniff_format((CORPUS / "seed__000_bd0abfb8ce1b425c.txt").read_bytes()) == "text"
    assert (
        sniff_format((CORPUS / "coverparser__0000703901-98-000003_0000703901-98-000003.txt").read_bytes())
        == "sgml"
    )
    assert era_of(_gold(APPLE)) == "2004+"
    assert era_of(_gold("coverparser__0000703901-98-000003_0000703901-98-000003.txt")) == "pre-2004"


def test_wrong_cover_values_and_missing_exhibit_are_reported_with_reasons():
    gold = _gold("seed__000_bd0abfb8ce1b425c.txt")
    record = record_from_gold(gold)
    record.cover.date_of_report = F(value=dt.date(2008, 2, 1), confidence=0.4)
    record.cover.phone = F(value="(617) 995 2500", confidence=0.8)  # same digits: right
    record.exhibits = [Exhibit(number=F(value="99.9"), description=F(value="x"))]
    by_key = {o.key: o for o in compare(gold, record)}
    date = by_key["cover.date_of_report"]
    assert not date.correct and date.reason == "date 2008-02-01 != gold 2008-01-31" and date.confidence == 0.4
    assert by_key["cover.phone"].correct
    ex = by_key["exhibits"]
    assert (ex.tp, ex.fp, ex.fn) == (0, 1, 1)
    assert "missed '99.1'" in ex.reason and "extra '99.9'" in ex.reason


def test_unlabeled_keys_are_not_scored():
    gold = _gold("seed__000_bd0abfb8ce1b425c.txt")
    keys = {o.key for o in compare(gold, record_from_gold(gold))}
    labeled = {f"cover.{k}" for k in gold.cover.model_fields_set}
    assert {k for k in keys if k.startswith("cover.")} == labeled


def test_event_5_07_proposals_matched_one_to_one_in_any_order():
    gold = _gold(APPLE)
    plain = copy.deepcopy(gold.events["5.07"])
    plain["proposals"] = list(reversed(plain["proposals"]))
    plain["proposals"][0]["votes_for"] += 1  # last gold proposal, now first: one wrong count
    del plain["proposals"][1]  # drop one proposal
    obs = compare_event("5.07", gold.events["5.07"], wrap_event(plain, 0.7))
    by_key: dict[str, list] = {}
    for o in obs:
        by_key.setdefault(o.key, []).append(o)
    (props,) = by_key["event.5.07.proposals"]
    assert (props.tp, props.fp, props.fn) == (11, 0, 1)
    votes = by_key["event.5.07.proposals.votes_for"]
    assert len(votes) == 11 and sum(not o.correct for o in votes) == 1
    assert by_key["event.5.07.meeting_date"][0].correct


def test_event_missing_item_counts_misses_but_nulls_stay_right():
    gold = _gold(TYSON)
    obs = compare_event("5.02", gold.events["5.02"], None)
    (changes,) = obs
    assert (changes.tp, changes.fp, changes.fn) == (0, 0, 2)
    # an event whose gold value is null: no prediction is the right answer
    obs = compare_event("2.02", {"period_end": None}, None)
    assert obs[0].correct and obs[0].reason == "both null"


def test_event_5_02_changes_match_on_person_and_kind():
    gold = _gold(TYSON)
    pred = copy.deepcopy(gold.events["5.02"])
    pred["changes"][0]["change"] = "appointment"  # Donnie Smith departed
    pred["changes"][1]["position"] = "Chief Financial Officer"
    obs = compare_event("5.02", gold.events["5.02"], wrap_event(pred, 0.9))
    by_key = {}
    for o in obs:
        by_key.setdefault(o.key, []).append(o)
    assert by_key["event.5.02.changes"][0].tp == 2
    assert [o.correct for o in by_key["event.5.02.changes.change"]] == [False, True]
    assert [o.correct for o in by_key["event.5.02.changes.position"]] == [True, False]


def _runners():
    golds = {g.file: g for g in load_gold_dir(GOLD)}

    def perfect(path: Path) -> Output:
        return Output(record_from_gold(golds[path.name], 0.95), tokens_in=1000, tokens_out=100, calls=1)

    def sloppy(path: Path) -> Output:
        rec = record_from_gold(golds[path.name], 0.9, events=False)
        rec.cover.date_of_report = F(value=dt.date(1990, 1, 1), confidence=0.2)
        rec.signatures = []
        return Output(rec)

    return golds, FunctionRunner("perfect", perfect), FunctionRunner("sloppy", sloppy, events=False)


def test_results_with_intervals_diffs_and_calibration():
    golds, perfect, sloppy = _runners()
    runs = {r.name: run_model(r, golds.values(), CORPUS) for r in (perfect, sloppy)}
    prices = {"perfect": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}}
    res = build_results(runs, gold_dir=str(GOLD), seed=3, replicates=200, prices=prices)
    p, s = res["models"]["perfect"], res["models"]["sloppy"]
    assert p["metrics"]["items"]["value"] == 1.0
    assert p["metrics"]["cover.date_of_report"] == {**p["metrics"]["cover.date_of_report"], "value": 1.0}
    assert s["metrics"]["cover.date_of_report"]["value"] == 0.0
    assert s["metrics"]["signatures"]["value"] == 0.0 and s["metrics"]["signatures"]["recall"] == 0.0
    assert s["metrics"]["signatures"]["lo"] == 0.0
    # 4 filings, 1000 in + 100 out tokens each: 4 * (1000 * 1 + 100 * 2) / 1e6 USD
    assert p["cost"]["usd_total"] == pytest.approx(4 * 1200 / 1e6)
    assert p["cost"]["tokens_per_filing"] == 1100
    # calibration: the sloppy dates are wrong with confidence 0.2, everything else right at 0.9
    cal = s["calibration"]
    assert cal["wrong"] == 4 and cal["auroc"] == 1.0
    assert cal["review"]["errors_caught"] == 4
    # the headline event accuracy counts the same observations for every model; matched sub-fields do not
    assert p["metrics"]["events"]["n"] == s["metrics"]["events"]["n"] > 0
    assert p["metrics"]["events.matched"]["n"] > 0 and "events.matched" not in s["metrics"]
    diff = next(c for c in res["comparisons"] if c["metric"] == "signatures")
    assert diff["diff"] == 1.0 and diff["significant"]
    # reproducible
    again = build_results(runs, gold_dir=str(GOLD), seed=3, replicates=200, prices=prices)
    assert again["models"]["perfect"]["metrics"] == p["metrics"]
    assert again["comparisons"] == res["comparisons"]
    json.dumps(res)  # JSON-able


def test_baseline_regressions_beyond_threshold():
    current = {
        "models": {
            "m": {"metrics": {"items": {"value": 0.90}, "cover": {"value": 0.99}, "x": {"value": 0.5}}}
        }
    }
    base = {
        "models": {
            "m": {"metrics": {"items": {"value": 0.95}, "cover": {"value": 0.98}, "x": {"value": 0.2}}}
        }
    }
    changes = {
        c.metric: c for c in compare_baseline(current, base, max_drop=0.02, per_metric={"cover": 0.005})
    }
    assert changes["items"].status == "regression"
    assert changes["cover"].status == "improvement"
    assert changes["x"].status == "improvement"
    gated = compare_baseline(current, base, metrics=["cover"])
    assert [c.metric for c in gated] == ["cover"]


def test_html_report_is_self_contained_and_escapes_filing_text():
    golds, perfect, sloppy = _runners()
    runs = {r.name: run_model(r, golds.values(), CORPUS) for r in (perfect, sloppy)}
    # filing-derived text with markup in a miss reason / value
    evil = "<script>alert(1)</script>"
    rec_runs = runs["sloppy"]
    rec_runs[0].observations[0] = type(rec_runs[0].observations[0])(
        key="cover.company_name",
        kind="field",
        correct=False,
        score=0.0,
        reason=evil,
        gold=evil,
        pred='"><img src=x>',
    )
    res = build_results(runs, gold_dir="evals/<gold>", seed=0, replicates=50)
    page = render_html(res)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
    assert "evals/&lt;gold&gt;" in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert page.count("<svg") >= 5  # 2 bar charts, 2 reliability diagrams, cost plot
    assert "Content-Security-Policy" in page


def test_cli_parser_eval_with_stand_in_parser(tmp_path, monkeypatch, capsys):
    import extractor.parse

    golds = {g.file: g for g in load_gold_dir(GOLD)}
    monkeypatch.setattr(
        extractor.parse, "parse_file", lambda path, **_: record_from_gold(golds[Path(path).name])
    )
    out, report = tmp_path / "r.json", tmp_path / "r.html"
    code = main(
        [
            "eval",
            "--gold",
            str(GOLD),
            "--corpus",
            str(CORPUS),
            "--config",
            str(tmp_path / "none.toml"),
            "--out",
            str(out),
            "--report",
            str(report),
            "--replicates",
            "50",
            "--quiet",
        ]
    )
    assert code == 2  # a named config file that does not exist is an error
    code = main(
        [
            "eval",
            "--gold",
            str(GOLD),
            "--corpus",
            str(CORPUS),
            "--out",
            str(out),
            "--report",
            str(report),
            "--replicates",
            "50",
            "--quiet",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "items F1" in text and "pre-2004" in text
    res = json.loads(out.read_text())
    assert res["models"]["parser"]["metrics"]["items"]["value"] == 1.0
    assert res["models"]["parser"]["breakdown"]["format"]["sgml"]["_filings"] == 1
    assert report.read_text().startswith("<!DOCTYPE html>")

    # a worse parser against that baseline: exits 1 and names the regression
    def worse(path, **_):
        rec = record_from_gold(golds[Path(path).name])
        rec.items = []
        return rec

    monkeypatch.setattr(extractor.parse, "parse_file", worse)
    code = main(
        [
            "eval",
            "--gold",
            str(GOLD),
            "--corpus",
            str(CORPUS),
            "--baseline",
            str(out),
            "--replicates",
            "0",
            "--quiet",
        ]
    )
    assert code == 1
    assert "regression" in capsys.readouterr().out


def test_cli_subset_and_files_filters(tmp_path, monkeypatch):
    import extractor.parse

    golds = {g.file: g for g in load_gold_dir(GOLD)}
    monkeypatch.setattr(
        extractor.parse, "parse_file", lambda path, **_: record_from_gold(golds[Path(path).name])
    )
    cfg = tmp_path / "eval.toml"
    cfg.write_text('replicates = 0\n[subsets]\ntwo = ["seed__000", "coverparser__0000703901"]\n')
    out = tmp_path / "r.json"
    args = [
        "eval",
        "--gold",
        str(GOLD),
        "--corpus",
        str(CORPUS),
        "--config",
        str(cfg),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main([*args, "--subset", "two"]) == 0
    assert [f["file"] for f in json.loads(out.read_text())["filings"]] == [
        "coverparser__0000703901-98-000003_0000703901-98-000003.txt",
        "seed__000_bd0abfb8ce1b425c.txt",
    ]
    assert main([*args, "--files", f"{APPLE[:20]},{TYSON[:25]}"]) == 0
    assert len(json.loads(out.read_text())["filings"]) == 2
    assert main([*args, "--subset", "nope"]) == 2


def test_counterparties_as_a_list_of_field_dicts_and_amounts():
    gold = {
        "instrument": "senior notes",
        "principal_amount": "$400 million",
        "counterparties": ["Wells Fargo Bank, N.A.", "JPMorgan Chase Bank"],
    }
    pred = {
        "instrument": {"value": "Senior Notes", "confidence": 0.8},
        "principal_amount": {"value": "$400,000,000", "confidence": 0.7},
        "counterparties": [
            {"value": "JPMORGAN CHASE BANK", "confidence": 0.9},
            {"value": "Citibank", "confidence": 0.3},
        ],
    }
    by_key = {o.key: o for o in compare_event("2.03", gold, pred)}
    assert by_key["event.2.03.instrument"].correct
    assert by_key["event.2.03.principal_amount"].correct
    cp = by_key["event.2.03.counterparties"]
    assert (cp.tp, cp.fp, cp.fn) == (1, 1, 1)
    assert cp.elements == ((0.9, True), (0.3, False))  # calibration: each predicted element


def test_explicit_null_from_a_model_is_a_calibrated_claim():
    pred = {"period_end": {"value": None, "confidence": 0.6, "span": None}}
    (obs,) = compare_event("2.02", {"period_end": "2007-12-31"}, pred)
    assert not obs.correct and obs.confidence == 0.6
    (obs,) = compare_event("2.02", {"period_end": None}, pred)
    assert obs.correct and obs.confidence == 0.6


def test_parser_error_record_scores_misses_not_crashes():
    from extractor.record import FilingRecord, PartError, Source, Status

    gold = _gold(APPLE)
    rec = FilingRecord(
        source=Source(path="x", sha256="", size_bytes=0),
        status=Status.error,
        errors=[PartError(part="input", message="empty")],
    )
    by_key = {o.key: o for o in compare(gold, rec)}
    assert not by_key["cover.company_name"].correct
    assert by_key["cover.company_name"].confidence is None  # an empty default field is no claim
    assert by_key["cover.securities_12b"].correct  # gold null (no 12(b) section) and nothing predicted
    assert by_key["items"].fn == 1


def test_model_names_resolve_to_settings(tmp_path):
    from extractor.eval.config import load_config

    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(
        '[models.small]\nkind = "llm"\nsettings = { local_model = "qwen2.5-coder-0.5b" }\ninput_per_mtok = 0.5\n'
    )
    cfg = load_config(cfg_file, required=True)
    assert cfg.model("small").settings == {"local_model": "qwen2.5-coder-0.5b"}
    assert cfg.prices()["small"] == {"input_per_mtok": 0.5, "output_per_mtok": 0.0}
    assert cfg.model("parser").kind == "parser"
    assert cfg.model("local:qwen2.5-coder-1.5b").settings == {"local_model": "qwen2.5-coder-1.5b"}
    assert cfg.model("llama3@http://127.0.0.1:8080/v1").settings == {
        "model": "llama3",
        "base_url": "http://127.0.0.1:8080/v1",
    }
    bad = tmp_path / "bad.toml"
    bad.write_text("replicates = 'many'\n")
    with pytest.raises(Exception, match="invalid eval config"):
        load_config(bad)


def test_cached_answers_keep_their_original_model_time():
    from extractor.eval.runner import _timing_cache
    from extractor.store.cache import ResponseCache

    cache = _timing_cache(ResponseCache)(":memory:")
    cache.put("k", "m", {"x": 1}, {"latency_s": 12.5, "model": "m"})
    assert cache.get("missing") is None
    assert cache.get("k") == ({"x": 1}, {"latency_s": 12.5, "model": "m"})
    cache.get("k")
    assert cache.cached_latency_s == 25.0
    cache.close()


def test_docs_record_the_exact_help(monkeypatch, capsys):
    from extractor.cli import build_parser

    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["eval", "--help"])
    help_text = capsys.readouterr().out.strip()
    doc = (Path(__file__).parents[1] / "docs" / "evals.md").read_text()
    documented = doc.split("## `extractor eval --help`\n```text\n")[1].split("\n```")[0]
    assert documented == help_text


def test_a_named_group_aggregates_exactly_its_fields_and_its_diffs_can_be_listed():
    from extractor.eval.report import diff_table

    golds = {g.file: g for g in load_gold_dir(DATA / "gold")}

    def perfect(path: Path) -> Output:
        return Output(record_from_gold(golds[path.name], 0.95))

    def no_officers(path: Path) -> Output:  # every event right except the 5.02 changes, which it misses
        rec = record_from_gold(golds[path.name], 0.95)
        for item in rec.items:
            if item.number == "5.02" and item.event is not None:
                item.event["changes"] = []
        return Output(rec)

    runners = [FunctionRunner("perfect", perfect), FunctionRunner("no_officers", no_officers)]
    runs = {r.name: run_model(r, golds.values(), DATA / "corpus") for r in runners}
    groups = {"targeted": ["event.5.02.", "event.2.02.period_end"]}
    res = build_results(runs, gold_dir="g", seed=1, replicates=50, groups=groups)
    perfect_m, missing_m = res["models"]["perfect"]["metrics"], res["models"]["no_officers"]["metrics"]
    # the scalar part is 2.02 period_end only (5.02 has no top-level scalar): both models have it right
    assert perfect_m["targeted"]["n"] == missing_m["targeted"]["n"] == perfect_m["event.2.02.period_end"]["n"]
    assert missing_m["targeted"]["value"] == 1.0
    # the set part is the 5.02 changes: all found by one, none by the other
    assert perfect_m["targeted.sets"]["value"] == 1.0 and missing_m["targeted.sets"]["value"] == 0.0
    assert missing_m["targeted.sets"]["fn"] == perfect_m["event.5.02.changes"]["tp"] > 0
    rows = {(r["metric"]): r for r in res["comparisons"] if r["a"] == "perfect"}
    assert rows["targeted.sets"]["diff"] == 1.0
    shown = diff_table(res, prefixes=["targeted"]).columns[2]._cells
    assert "targeted" in shown and "targeted.sets" in shown and "event.5.02.changes" not in shown
