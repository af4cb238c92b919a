"""Confidence features recorded at fill time, the ranking of model-filled values, the feature model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_helpers import item_of, q

from extractor.calibration import CURVE_DIR, Curve, Logistic, ModelCurves, calibrate, column_value
from extractor.eval.compare import compare_event
from extractor.eval.fit import FeatureParams, columns_for, feature_model, fit_logistic, lofo
from extractor.eval.observations import Obs
from extractor.eval.ranking import LLMValue, llm_values, ranking, ranking_of_runs
from extractor.eval.ranking import item_of as item_of_key
from extractor.eval.results import FilingRun, obs_from_json
from extractor.fill import fill_record
from extractor.fill.confidence import score_tree
from extractor.fill.features import token_probs
from extractor.fill.ground import ground_event
from extractor.fill.plan import facts_of
from extractor.jsonspans import value_spans
from extractor.llm.base import TokenLogprob
from extractor.llm.fake import FakeProvider
from extractor.llm.fake import _null_answer as null_answer  # the dry run's answer: every field null
from extractor.parse import parse_document
from extractor.readers import read_item
from extractor.schemas import MaterialAgreement

ROOT = Path(__file__).resolve().parent.parent
NUANCE_101 = ROOT / "tests" / "data" / "parser" / "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm"
RESULTS = ROOT / "evals" / "results" / "gold-qwen15.json"


ANSWER = {
    "agreement_type": q("Material Definitive Agreement", "Entry into a Material Definitive Agreement"),
    "counterparties": [q("Barclays Bank plc", "with Barclays Bank plc"), q("Goldman Sachs", "Goldman Sachs")],
    "agreement_date": q("2016-04-15", "On April 15, 2016"),
    "summary": q(
        "Nuance entered into a revolving credit agreement.", "entered into a revolving credit agreement"
    ),
}


@pytest.fixture(scope="module")
def nuance_scored() -> dict:
    """Nuance's 1.01 (a revolving credit agreement with a parties clause) answered by a scripted model
    with the item's title, one bank of the clause and one the filing never names, grounded and scored
    as the fill does before the readers' merge (``fill.call._chunk_event``)."""
    parsed = parse_document(NUANCE_101)
    item = item_of(parsed.record, "1.01")
    facts = facts_of(parsed.record)
    tree = ground_event(MaterialAgreement, ANSWER, item.text, item.span[0], heading=item.heading)
    readings = read_item("1.01", [(item.text, item.span[0])], facts.registrants)
    return score_tree(tree, facts=facts, item="1.01", readings=readings)


def test_features_of_a_title_answer_quoted_from_the_heading(nuance_scored):
    f = nuance_scored["agreement_type"]["features"]
    assert (f["item"], f["field"], f["kind"]) == ("1.01", "agreement_type", "str")
    assert f["in_heading"] and f["problem"] and f["align"] == "none"
    assert f["reader"] == "disagree"  # the defined-term reader read "revolving credit agreement"
    assert f["p_mean"] is None and f["sample"] is None  # no logprobs given; no second sample


def test_reader_and_parser_agreement_features(nuance_scored):
    barclays, goldman = nuance_scored["counterparties"]
    assert barclays["features"]["reader"] == "agree" and barclays["features"]["align"] == "exact"
    assert goldman["features"]["reader"] == "disagree"  # the whole parties clause was read: not in it
    date = nuance_scored["agreement_date"]["features"]
    assert date["parser"] == "agree" and date["reader"] == "agree" and date["kind"] == "date"
    assert nuance_scored["summary"]["features"]["reader"] is None  # no reader for a summary


def test_features_reach_the_observations_and_never_the_record():
    """The fill path end to end: the merge keeps the model's summary (no reader reads one) with its
    features; the eval's observation carries them through the result JSON; the record has none."""
    parsed = parse_document(NUANCE_101)
    fake = FakeProvider({"MaterialAgreementQuoted": ANSWER}, default=null_answer)
    out = fill_record(parsed.record, parsed.text, fake)
    assert "features" not in out.model_dump_json()  # in memory only, like raw_confidence
    event = item_of(out, "1.01").event
    assert event is not None and event["summary"]["method"] == "llm"
    assert event["agreement_type"]["method"] == "parser"  # the title answer was replaced by the reader
    gold = {
        "summary": "Nuance entered into a revolving credit agreement",
        "agreement_type": "credit agreement",
    }
    obs = {o.key: o for o in compare_event("1.01", gold, event)}
    summary = obs["event.1.01.summary"]
    assert summary.features is not None and summary.features["field"] == "summary"
    assert obs["event.1.01.agreement_type"].features is None  # a reader's value has no model features
    run = FilingRun(file="nuance", format="html", era="2004+", observations=list(obs.values()))
    again = [obs_from_json(d) for d in json.loads(json.dumps(run.to_json()))["observations"]]
    assert again == list(obs.values())
    values = llm_values("nuance", again)
    assert [v.key for v in values] == ["event.1.01.summary"] and values[0].features


def test_text_features_of_a_truncated_name_and_a_summary_of_the_form():
    """What the item's text says of each value: a bank named by the start of its name ("Royal Bank" of
    "Royal Bank of Canada") extends; a full name and a defined short name ("Barclays", also used alone)
    do not; a name the filing never gives is unknown; a summary naming the exhibit, not the event, has
    form words; where each quote starts and how many of the value's words the item has."""
    parsed = parse_document(NUANCE_101)
    item = item_of(parsed.record, "1.01")
    answer = {
        "agreement_type": q("revolving credit agreement", "a revolving credit agreement"),
        "counterparties": [
            q("Royal Bank", "Royal Bank of Canada"),
            q("Barclays Bank plc", "with Barclays Bank plc"),
            q("Barclays", "Barclays, Morgan Stanley"),
            q("Goldman Sachs", "Goldman Sachs"),
        ],
        "agreement_date": q("2016-04-15", "On April 15, 2016"),
        "summary": q("The press release is attached as Exhibit 99.1.", "Exhibit 99.1"),
    }
    tree = ground_event(MaterialAgreement, answer, item.text, item.span[0], heading=item.heading)
    scored = score_tree(tree, item="1.01", text=(item.text, item.span[0]))
    royal, barclays_plc, barclays, goldman = (c["features"] for c in scored["counterparties"])
    assert royal["extends"] is True and barclays_plc["extends"] is False and barclays["extends"] is False
    assert goldman["extends"] is None and goldman["cover"] == 0.0 and goldman["at"] is None
    assert royal["cover"] == 1.0 and 0 < barclays_plc["at"] < royal["at"] < 0.2
    summary = scored["summary"]["features"]
    assert summary["form_words"] is True and royal["form_words"] is False
    assert scored["agreement_type"]["features"]["form_words"] is False
    date = scored["agreement_date"]["features"]
    assert date["extends"] is None and date["cover"] is None and date["form_words"] is None
    untexted = score_tree(tree, item="1.01")["counterparties"][0]["features"]
    assert (untexted["extends"], untexted["at"], untexted["cover"]) == (None, None, None)


def test_token_probs_mean_and_min():
    tokens = ['{"a": {"value": ', '"Ro', 'na"', "}}"]
    lps = [0.0, -2.0, -0.5, 0.0]
    logprobs, off = [], 0
    for t, lp in zip(tokens, lps, strict=True):
        logprobs.append(TokenLogprob(token=t, logprob=lp, offset=off))
        off += len(t)
    mean, low = token_probs(logprobs, value_spans("".join(tokens)))[("a", "value")]
    assert abs(mean - 0.2865) < 1e-3 and abs(low - 0.1353) < 1e-3  # exp(-1.25), exp(-2)


def _obs(key: str, conf: float, ok: bool, method: str = "llm") -> Obs:
    return Obs(key=key, kind="field", correct=ok, score=float(ok), reason="", confidence=conf, method=method)


def test_ranking_counts_model_values_only_per_item():
    runs = [
        ("a", [_obs("event.1.01.agreement_type", 0.9, True), _obs("event.1.01.summary", 0.2, False)]),
        (
            "b",
            [_obs("event.5.02.changes.change", 0.8, True), _obs("cover.company_name", 0.1, False, "parser")],
        ),
    ]
    r = ranking_of_runs(runs, replicates=50)
    assert r["overall"]["n"] == 3 and r["overall"]["wrong"] == 1 and r["overall"]["auroc"] == 1.0
    assert set(r["items"]) == {"1.01", "5.02"} and r["items"]["5.02"]["auroc"] is None
    assert r["overall"]["ece"] == pytest.approx((0.1 + 0.2 + 0.2) / 3)
    assert "auroc_ci" in r["overall"] and item_of_key("event.5.02.changes.person") == "5.02"


def test_the_eval_summary_reports_the_model_values_of_the_committed_run():
    doc = json.loads(RESULTS.read_text(encoding="utf-8"))
    runs = doc["models"]["qwen-1.5b"]["runs"]
    counted = 0
    for run in runs:
        for o in run["observations"]:
            if o.get("method") == "llm":
                counted += len(o["elements"]) if o["kind"] == "set" else int(o.get("confidence") is not None)
    summary = doc["models"]["qwen-1.5b"]["calibration"]["llm"]
    assert summary["overall"]["n"] == counted and summary["bins"] == "10 equal-width on [0, 1]"
    lo, hi = summary["overall"]["auroc_ci"]
    assert lo <= summary["overall"]["auroc"] <= hi


def test_column_encoding_and_the_feature_model_at_run_time():
    feats = {"p_mean": None, "align": "none", "problem": True}
    assert column_value("p_mean", feats, {"p_mean": 0.8}) == 0.8
    assert column_value("p_mean?", feats, {}) == 1.0
    assert column_value("align=none", feats, {}) == 1.0 and column_value("align=exact", feats, {}) == 0.0
    assert column_value("problem", feats, {}) == 1.0
    model = Logistic(("problem", "align=none"), (-2.0, -1.0), 1.0)
    curves = {"m": ModelCurves("m", {"llm": Curve((0.0, 1.0), (0.3, 0.7))}, logistic={"llm": model})}
    value, reason = calibrate(0.5, "m", "llm", curves, feats)
    assert value == 0.119 and reason == "confidence calibrated 0.500 -> 0.119 (m/llm features v1)"
    assert calibrate(0.5, "m", "llm", curves)[0] == 0.5  # no features: the curve


def _synthetic(n_files: int = 12) -> list[LLMValue]:
    """Values whose rightness follows one feature (a bool) and not another (a string), by filing."""
    out = []
    for k in range(n_files):
        for j in range(10):
            problem = j < 4
            correct = not problem or j in (0, 1)  # two exceptions per filing, one per item
            feats = {"problem": problem, "item": "1.01" if j % 2 else "5.02"}
            out.append(LLMValue(f"f{k}", "event.x.y", "x", 0.5, correct, None, feats))
    return out


def test_fit_learns_the_informative_feature_and_lofo_holds_files_out():
    values = _synthetic()
    columns, _fill = columns_for([v.features or {} for v in values], 25)
    assert columns == ["item=1.01", "item=5.02", "problem"]
    model = fit_logistic(values, FeatureParams(l2=1.0))
    coef = dict(zip(model.columns, model.coef, strict=True))
    assert coef["problem"] < -2 and abs(coef["item=1.01"]) < 0.2
    seen: list[set[str]] = []

    def fit(train):
        seen.append({v.file for v in train})
        return lambda v: 0.5

    assert lofo(values, fit) == [0.5] * len(values)
    assert len(seen) == 12 and all(len(s) == 11 for s in seen)
    r = ranking(values, sorted({v.file for v in values}), None, score=model_score(model))
    assert r["overall"]["auroc"] > 0.7


def model_score(model: Logistic):
    return lambda v: model(v.features or {})


def test_shipped_feature_model_is_refit_exactly_from_the_results_it_names():
    doc = json.loads((CURVE_DIR / "qwen2.5-coder-1.5b.json").read_text(encoding="utf-8"))
    shipped = doc["logistic"]["llm"]
    sources = doc["provenance"]["results"]
    docs = [(s["path"], json.loads((ROOT / s["path"]).read_text(encoding="utf-8"))) for s in sources]
    params = FeatureParams.from_json(shipped["params"])
    entry, _measured = feature_model(docs, "qwen-1.5b", params=params, measure=False)
    assert entry is not None
    assert entry["columns"] == shipped["columns"] and entry["n"] == shipped["n"]
    assert entry["coef"] == pytest.approx(shipped["coef"], abs=1e-5)


def test_model_values_are_rescored_after_the_readers_merge(nuance_scored):
    """After the merge (``fill.rescore``): the model's summary, which no reader reads, gets the feature
    model's confidence from its features once, with one calibration reason; the title answer the merge
    replaced by the reader's value keeps the reader's confidence and gets no model features."""
    from extractor.calibration import shipped
    from extractor.fill.rescore import rescore
    from extractor.readers import merge as merge_readings

    model = "qwen2.5-coder-1.5b"
    parsed = parse_document(NUANCE_101)
    item = item_of(parsed.record, "1.01")
    facts = facts_of(parsed.record)
    tree = ground_event(MaterialAgreement, ANSWER, item.text, item.span[0], heading=item.heading)
    readings = read_item("1.01", [(item.text, item.span[0])], facts.registrants)
    merged = merge_readings(
        score_tree(tree, facts=facts, item="1.01", readings=readings, model=model), readings
    )
    event = rescore(merged, "1.01", model)
    summary = event["summary"]
    fitted = shipped()[model].logistic["llm"]
    assert summary["confidence"] == round(fitted(summary["features"]), 3)
    assert sum(r.startswith("confidence calibrated") for r in summary["reasons"]) == 1
    assert event["agreement_type"]["method"] == "parser"
    assert event["agreement_type"]["confidence"] == merged["agreement_type"]["confidence"]
    assert "features" not in event["agreement_type"]
    assert rescore(merged, "1.01", "no-such-model") == merged  # no feature model: the merge's confidences


def test_nested_choice_and_temper_are_made_on_the_training_values_only():
    """``choose`` takes one (l2, min count) of the grids by inner-fold log loss and a temper (a, b)
    with b in [0, 4]; ``fit_model`` folds the temper into the weights (the stored model is still one
    dot product); an ignored feature gets no column; the same values give the same model."""
    from extractor.eval.fit import choose, fit_model, logit_of

    values = _synthetic()
    params = FeatureParams(l2_grid=(1.0, 64.0), min_count_grid=(10, 200), inner_folds=3)
    chosen, (a, b) = choose(values, params)
    assert chosen.l2 in (1.0, 64.0) and chosen.min_count in (10, 200) and 0.0 <= b <= 4.0
    assert chosen.l2_grid == () and chosen.min_count_grid == () and chosen.temper == params.temper
    model = fit_model(values, params)
    plain = fit_logistic(values, chosen)
    f = values[0].features or {}
    assert logit_of(model, f) == pytest.approx(a + b * logit_of(plain, f), abs=1e-4)
    assert fit_model(values, params) == model
    ignoring = fit_model(
        values, FeatureParams(l2_grid=(), min_count_grid=(), temper=False, ignore=("problem",))
    )
    assert not any(c.startswith("problem") for c in ignoring.columns)
    assert FeatureParams.from_json(params.to_json()) == params
    old = FeatureParams.from_json({"l2": 4.0, "min_count": 25})  # a file written before the nested choice
    assert (old.l2_grid, old.min_count_grid, old.temper, old.ignore) == ((), (), False, ())
