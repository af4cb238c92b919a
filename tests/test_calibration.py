"""Confidence calibration: the isotonic fit, its cross-validated measurement, the runtime curves and the
``extractor eval calibrate`` command (no model, no network)."""

from __future__ import annotations

import json
import random

import pytest

from extractor.calibration import (
    CURVE_DIR,
    Curve,
    ModelCurves,
    calibrate,
    curves_from_json,
    load_curves,
)
from extractor.cli import main
from extractor.eval import stats
from extractor.eval.calibrate import (
    FitParams,
    Pair,
    build_curves,
    cross_validate,
    fit_isotonic,
    fold_of,
    isotonic_blocks,
    measure,
    pairs_from_results,
    pool_results,
)
from extractor.eval.compare import Obs, compare_event, unwrap
from extractor.eval.results import FilingRun, build_results, obs_from_json
from extractor.fill.confidence import score_tree
from extractor.fill.ground import ground_event
from extractor.prefill.scoring import ParserFacts
from extractor.schemas import MaterialAgreement

NO_SMOOTHING = FitParams(min_bin=1, prior=0.0, clip=(0.0, 1.0), min_n=1, min_each=0)


# ------------------------------------------------------------------------------------------- fit


def test_pav_pools_violators_on_a_hand_made_example():
    pairs = [(0.1, False), (0.2, True), (0.3, False), (0.4, True), (0.5, True)]
    blocks = isotonic_blocks(pairs)
    # 0.2 (right) and 0.3 (wrong) violate the order and are pooled to 1/2
    assert [(b.n, b.mean) for b in blocks] == [(1, 0.0), (2, 0.5), (1, 1.0), (1, 1.0)]
    curve = fit_isotonic(pairs, NO_SMOOTHING)
    assert curve is not None
    assert curve.x == (0.1, 0.25, 0.4, 0.5) and curve.y == (0.0, 0.5, 1.0, 1.0)
    assert curve(0.0) == 0.0 and curve(0.9) == 1.0  # flat outside the knots
    assert curve(0.175) == pytest.approx(0.25)  # linear between them
    flat = fit_isotonic([*pairs, (0.45, True), (0.6, True)], NO_SMOOTHING)
    assert flat is not None and flat.x == (0.1, 0.25, 0.4, 0.6)  # 0.45 and 0.5 sat inside a flat run


def test_tied_scores_get_one_value_and_pav_of_a_decreasing_sequence_is_one_block():
    blocks = isotonic_blocks([(0.5, True), (0.5, False), (0.5, True), (0.9, False)])
    assert [(b.n, round(b.mean, 3)) for b in blocks] == [(4, 0.5)]
    curve = fit_isotonic([(0.5, True), (0.5, False), (0.7, True), (0.7, True)], NO_SMOOTHING)
    assert curve is not None and curve(0.5) == 0.5 and curve(0.7) == 1.0


def test_fit_is_monotone_has_big_enough_steps_and_is_never_certain():
    rng = random.Random(7)
    pairs = [(x, rng.random() < x) for x in (rng.random() for _ in range(300))]
    params = FitParams(min_bin=20)
    blocks = isotonic_blocks(pairs, params.min_bin)
    assert all(b.n >= 20 for b in blocks)
    means = [b.mean for b in blocks]
    assert means == sorted(means)
    curve = fit_isotonic(pairs, params)
    assert curve is not None
    grid = [curve(k / 100) for k in range(101)]
    assert grid == sorted(grid)
    assert min(grid) >= 0.02 and max(grid) <= 0.98
    # all right / all wrong: smoothing and clipping keep it off 0 and 1
    assert fit_isotonic([(0.9, True)] * 3, FitParams(min_bin=1)).y == (0.98,)  # type: ignore[union-attr]
    low = fit_isotonic([(0.1, False)] * 3 + [(0.9, True)] * 3, FitParams(min_bin=1, prior=2.0))
    assert low is not None and low.y == (pytest.approx(0.2), pytest.approx(0.8))


def test_small_steps_merge_into_the_closer_neighbor():
    pairs = [(0.1, False)] * 10 + [(0.5, True)] + [(0.6, True)] * 9 + [(0.9, True)] * 10
    blocks = isotonic_blocks(pairs, min_bin=5)
    # the single 0.5 (right) joins the 0.6 step (all right), not the 0.1 one (all wrong)
    assert [(b.n, b.mean, round(b.xsum / b.n, 3)) for b in blocks] == [
        (10, 0, 0.1),
        (10, 1, 0.59),
        (10, 1, 0.9),
    ]
    # every step below min_bin is merged, the smallest first
    assert [b.n for b in isotonic_blocks([*pairs, (0.9, True), (0.9, True)], min_bin=11)] == [20, 12]


# ----------------------------------------------------------------------------------- measurement


def _pair(raw: float, ok: bool, file: str, method: str = "llm") -> Pair:
    return Pair(raw, ok, "event.1.01.summary", method, file, "m")


def test_folds_are_by_filing():
    assert fold_of(["b", "a", "c", "a"], 0) == {"a": 0, "b": 1, "c": 2}
    assert fold_of(["a", "b", "c", "d"], 2) == {"a": 0, "b": 1, "c": 0, "d": 1}


def test_cross_validation_calibrates_each_filing_with_a_curve_fitted_without_it():
    params = FitParams(min_bin=1, prior=0.0, clip=(0.0, 1.0), min_n=2, min_each=1)
    pairs = [
        _pair(0.9, True, "a"),
        _pair(0.9, False, "a"),
        _pair(0.9, True, "b"),
        _pair(0.9, True, "b"),
        _pair(0.9, False, "c"),
        _pair(0.9, True, "c"),
        _pair(0.9, True, "c"),
        _pair(0.9, True, "c"),
    ]
    out = {(p.file, p.correct): c for p, c in cross_validate(pairs, params)}
    assert out[("a", True)] == pytest.approx(5 / 6, abs=1e-4)  # b + c: 5 right of 6
    assert out[("b", True)] == pytest.approx(4 / 6, abs=1e-4)  # a + c
    assert out[("c", False)] == pytest.approx(3 / 4, abs=1e-4)  # a + b
    m = measure(pairs, params, replicates=50)
    raw = [(p.raw, p.correct) for p in pairs]
    assert m["ece_raw"] == pytest.approx(stats.ece(raw))  # one bin: |0.75 - 0.9|
    assert m["ece_raw"] == pytest.approx(0.15)
    cv = [(c, p.correct) for p, c in cross_validate(pairs, params)]
    assert m["ece_cv"] == pytest.approx(stats.ece(cv))
    assert m["cv"] == "leave-one-filing-out" and m["filings"] == 3
    assert m["ece_cv"] != pytest.approx(0.0)  # out-of-fold, not the in-sample zero
    assert len(m["ece_raw_ci"]) == 2 and len(m["ece_diff_ci"]) == 2


def test_a_fold_without_enough_training_data_keeps_the_raw_score():
    pairs = [_pair(0.4, True, "a"), _pair(0.6, False, "b")]
    out = cross_validate(pairs, FitParams())  # min_n 30: never supported
    assert [c for _, c in out] == [0.4, 0.6]


# -------------------------------------------------------------------------------------- runtime


CURVES = {
    "tiny-model": ModelCurves("tiny-model", {"llm": Curve((0.2, 0.9), (0.1, 0.6))}),
}


def test_calibrate_with_and_without_a_curve():
    value, reason = calibrate(0.9, "tiny-model", "llm", CURVES)
    assert value == 0.6 and reason == "confidence calibrated 0.900 -> 0.600 (tiny-model/llm v1)"
    assert calibrate(0.9, "other-model", "llm", CURVES) == (0.9, None)
    assert calibrate(0.9, "tiny-model", "parser", CURVES) == (0.9, None)
    assert calibrate(0.9, None, "llm", CURVES) == (0.9, None)


def _agreement_tree():
    text = "Item 1.01 Entry into a Material Definitive Agreement\nAcme Corp entered into a credit agreement with Big Bank N.A."
    start = text.index("Item 1.01")
    output = {"counterparties": [{"value": "Big Bank N.A.", "quote": "with Big Bank N.A."}]}
    return ground_event(MaterialAgreement, output, text[start:], start)


def test_score_tree_applies_the_model_curve_and_keeps_the_raw_score():
    tree = _agreement_tree()
    raw = score_tree(tree, facts=ParserFacts())["counterparties"][0]
    assert raw["confidence"] == 0.9 and not any("calibrated" in r for r in raw["reasons"])
    cal = score_tree(tree, facts=ParserFacts(), model="tiny-model", curves=CURVES)["counterparties"][0]
    assert cal["confidence"] == 0.6 and cal["method"] == "llm"
    assert cal["raw_confidence"] == 0.9 and "raw_confidence" not in raw
    assert "confidence calibrated 0.900 -> 0.600 (tiny-model/llm v1)" in cal["reasons"]
    other = score_tree(tree, facts=ParserFacts(), model="no-curve", curves=CURVES)["counterparties"][0]
    assert other == raw


def test_the_eval_reads_the_raw_score_of_calibrated_values():
    tree = _agreement_tree()
    event = score_tree(tree, facts=ParserFacts(), model="tiny-model", curves=CURVES)
    assert unwrap(event["counterparties"][0]) == ("Big Bank N.A.", 0.6)
    (obs,) = compare_event("1.01", {"counterparties": ["Big Bank N.A."]}, event)
    assert obs.elements == ((0.6, True),) and obs.raw_elements == (0.9,) and obs.method == "llm"
    assert obs.raw_pairs() == [(0.9, True)]
    event["summary"] = {"value": "x", "confidence": 0.6, "method": "llm", "reasons": [], "span": None}
    event["summary"]["raw_confidence"] = 0.85  # a calibrated Field dict in memory
    summary = next(o for o in compare_event("1.01", {"summary": "x"}, event) if o.key.endswith("summary"))
    assert summary.confidence == 0.6 and summary.raw == 0.85
    # and through the result JSON
    run = FilingRun(file="f1", format="html", era="2004+", observations=[obs, summary])
    again = [obs_from_json(d) for d in run.to_json()["observations"]]
    assert again == [obs, summary]
    pairs = pairs_from_results(build_results({"m": [run]}, gold_dir="g", replicates=0))
    assert sorted((p.raw, p.correct, p.method) for p in pairs) == [(0.85, True, "llm"), (0.9, True, "llm")]


def test_shipped_curves_are_valid():
    curves = load_curves(CURVE_DIR)
    for name, mc in curves.items():
        assert mc.model == name and mc.methods
        for curve in mc.methods.values():
            grid = [curve(k / 50) for k in range(51)]
            assert grid == sorted(grid) and min(grid) > 0.0 and max(grid) < 1.0


def test_curve_files_of_another_version_are_refused():
    with pytest.raises(ValueError, match="version"):
        curves_from_json({"version": 99, "model": "m", "methods": {}})
    with pytest.raises(ValueError, match="increase"):
        Curve((0.5, 0.4), (0.1, 0.2))


# ------------------------------------------------------------------------------------------- CLI


def _results(files: int = 8, seed: int = 3) -> dict:
    """A small result document: model 'm' with llm values right about as often as their raw score says
    minus 0.2, and parser values that are all right."""
    rng = random.Random(seed)
    runs = []
    for k in range(files):
        observations = []
        for j in range(12):
            raw = round(rng.uniform(0.3, 0.95), 2)
            ok = rng.random() < raw - 0.2
            observations.append(
                Obs(f"event.1.01.f{j}", "field", ok, float(ok), "", confidence=raw, method="llm")
            )
        observations.append(
            Obs("cover.company_name", "field", True, 1.0, "", confidence=0.92, method="parser")
        )
        run = FilingRun(file=f"filing-{k}", format="html", era="2004+", observations=observations)
        run.llm_model = "tiny-model"
        runs.append(run)
    return build_results({"m": runs}, gold_dir="g", replicates=0)


def test_cli_fits_and_writes_a_curve_file(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_results()), encoding="utf-8")
    out = tmp_path / "curves" / "tiny.json"
    code = main(["eval", "calibrate", str(path), "--out", str(out), "--replicates", "20", "--min-bin", "8"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "leave-one-filing-out" in printed and "ECE raw" in printed
    doc = json.loads(out.read_text())
    assert doc["version"] == 1 and doc["model"] == "tiny-model" and doc["kind"] == "isotonic"
    llm = doc["methods"]["llm"]
    assert llm["n"] == 96 and llm["y"] == sorted(llm["y"]) and len(llm["x"]) == len(llm["y"])
    assert doc["methods"]["parser"] is None  # 8 values, none wrong: not fitted
    prov = doc["provenance"]
    assert prov["results"][0]["path"] == str(path) and len(prov["results"][0]["sha256"]) == 64
    assert prov["filings"] == 8 and prov["params"]["min_bin"] == 8
    measured = prov["measured"]["llm"]
    assert measured["cv"] == "leave-one-filing-out"
    assert measured["ece_raw"] > measured["ece_cv"]  # raw scores are 0.2 too high: the curve fixes that
    # the runtime reads what the command wrote
    curves = load_curves(out.parent)
    assert calibrate(0.9, "tiny-model", "llm", curves)[0] < 0.9


def test_cli_refuses_ambiguous_or_missing_models(tmp_path, capsys):
    doc = _results(files=2)
    doc["models"]["m2"] = doc["models"]["m"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["eval", "calibrate", str(path)]) == 2
    assert main(["eval", "calibrate", str(path), "--model", "nope"]) == 2
    assert main(["eval", "calibrate", str(tmp_path / "missing.json")]) == 2
    assert main(["eval", "calibrate", str(path), "--model", "m2", "--replicates", "0"]) == 0


def test_a_filing_in_two_result_files_is_used_once():
    doc = _results(files=3)
    pairs, notes = pool_results([("a.json", doc), ("b.json", doc)], "m")
    assert len(pairs) == 3 * 13 and notes and "3 filing(s)" in notes[0]
    built = build_curves([("a.json", doc)], "m", params=FitParams(min_n=100), replicates=0)
    assert built["methods"]["llm"] is None and "not fitted" in built["provenance"]["measured"]["llm"]["note"]
