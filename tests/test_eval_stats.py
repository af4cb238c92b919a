"""Bootstrap reproducibility and calibration metrics checked against values computed by hand."""

from __future__ import annotations

import pytest

from extractor.eval import stats
from extractor.eval.compare import Obs
from extractor.eval.stats import MetricDef

# (confidence, right) pairs; see the hand computation in each test.
PAIRS = [(0.9, True), (0.8, True), (0.7, False), (0.3, False), (0.95, True), (0.2, True)]


def test_ece_by_hand():
    # bins of width 0.1: 0.2 -> |1-0.2|, 0.3 -> |0-0.3|, 0.7 -> |0-0.7|, 0.8 -> |1-0.8|,
    # [0.9, 1.0] holds 0.9 and 0.95 -> |1-0.925| * 2. ECE = (0.8+0.3+0.7+0.2+0.15)/6
    assert stats.ece(PAIRS) == pytest.approx(2.15 / 6)
    assert stats.ece([]) is None
    assert stats.ece([(1.0, True)] * 4) == 0.0


def test_binning_robust_calibration_errors_by_hand():
    # sorted: 0.2 T, 0.3 F, 0.7 F, 0.8 T, 0.9 T, 0.95 T. Equal-mass bins: 2 bins share right 1/3, 1;
    # 3 bins 1/2, 1/2, 1 (still monotone); 4 bins start [0.2 T] 1, [0.3 F, 0.7 F] 0: broken -> 3 bins
    assert stats.sweep_bins(PAIRS) == 3
    assert stats.ece_sweep(PAIRS) == pytest.approx((0.5 + 0.5 + 0.15) / 6)  # |.5-.25|, |.5-.75|, |1-.925|
    assert stats.ece_sweep([]) is None and stats.ce_debiased([]) is None
    # debiased L2 over 3 equal-mass bins: (0.25^2 - 0.25/1) twice, (0.075^2 - 0) once: negative -> 0
    assert stats.ce_debiased(PAIRS, bins=3) == 0.0
    # one value per bin: nothing to debias, the RMS gap of the six values
    gaps = (0.8**2 + 0.3**2 + 0.7**2 + 0.2**2 + 0.1**2 + 0.05**2) / 6
    assert stats.ce_debiased(PAIRS, bins=10) == pytest.approx(gaps**0.5)


def test_ece_floor_is_the_ece_of_a_calibrated_predictor():
    assert stats.ece_floor([1.0] * 5) == 0.0 and stats.ece_floor([]) is None
    # four values at 0.5: k of 4 right ~ Binomial(4, 1/2), ECE = |k/4 - 1/2|, expected 3/16
    assert stats.ece_floor([0.5] * 4, draws=4000) == pytest.approx(3 / 16, abs=0.01)
    assert stats.ece_floor([0.5] * 4, draws=50, seed=3) == stats.ece_floor([0.5] * 4, draws=50, seed=3)


def test_reliability_bins_by_hand():
    bins = stats.reliability(PAIRS)
    assert len(bins) == 10
    top = bins[9]
    assert (top.count, top.accuracy) == (2, 1.0)
    assert top.mean_confidence == pytest.approx(0.925)
    assert bins[3].count == 1 and bins[3].accuracy == 0.0
    assert sum(b.count for b in bins) == 6
    assert stats.reliability([(1.0, True)])[9].count == 1  # 1.0 lands in the last bin


def test_auroc_by_hand():
    # wrong at 0.7 and 0.3; right at 0.9, 0.8, 0.95, 0.2. Each wrong value is below 3 of the 4 right
    # values: 6 of 8 pairs ordered -> 0.75
    assert stats.auroc_wrong(PAIRS) == pytest.approx(0.75)
    # ties count half
    assert stats.auroc_wrong([(0.5, True), (0.5, False)]) == pytest.approx(0.5)
    assert stats.auroc_wrong([(0.9, True), (0.1, False)]) == 1.0
    assert stats.auroc_wrong([(0.9, True)]) is None  # needs both classes
    # weights act like repeated values
    weighted = stats.auroc_wrong([(0.9, True), (0.5, False), (0.2, True)], [1.0, 1.0, 3.0])
    assert weighted == pytest.approx(stats.auroc_wrong([(0.9, True), (0.5, False)] + [(0.2, True)] * 3))


def test_review_load_by_hand():
    load = stats.review_load(PAIRS, 0.75)
    # flagged (< 0.75): 0.7 wrong, 0.3 wrong, 0.2 right
    assert (load.total, load.flagged, load.errors, load.errors_caught) == (6, 3, 2, 2)
    assert load.error_recall == 1.0
    assert load.flag_precision == pytest.approx(2 / 3)
    assert load.flagged_share == 0.5


def _field(key: str, ok: bool) -> Obs:
    return Obs(key=key, kind="field", correct=ok, score=float(ok), reason="")


def _set(key: str, tp: int, fp: int, fn: int) -> Obs:
    return Obs(key=key, kind="set", correct=fp == fn == 0, score=0.0, reason="", tp=tp, fp=fp, fn=fn)


def test_point_metrics_micro_average_over_filings():
    filings = [
        [_set("items", 2, 0, 0), _field("cover.phone", True)],
        [_set("items", 1, 1, 1), _field("cover.phone", False)],
    ]
    f1 = stats.per_filing_counts(filings, MetricDef("items", "f1", lambda o: o.key == "items"))
    assert f1 == [(2, 0, 0), (1, 1, 1)]
    # micro: tp 3, fp 1, fn 1 -> P = R = F1 = 0.75
    assert stats.point("f1", f1) == pytest.approx(0.75)
    acc = stats.per_filing_counts(filings, MetricDef("phone", "acc", lambda o: o.key == "cover.phone"))
    assert stats.point("acc", acc) == 0.5


def test_bootstrap_reproducible_with_a_seed():
    a = stats.replicate_weights(30, 200, seed=7)
    b = stats.replicate_weights(30, 200, seed=7)
    c = stats.replicate_weights(30, 200, seed=8)
    assert a == b
    assert a != c
    assert all(sum(w) == 30 for w in a)
    counts = [(1, 1, 0)] * 20 + [(0, 1, 0)] * 10  # accuracy 2/3
    lo, hi = stats.ci(stats.replicate_stats("acc", counts, a))
    assert lo < 2 / 3 < hi
    assert (lo, hi) == stats.ci(stats.replicate_stats("acc", counts, b))
    # identical filings: the interval collapses to the point
    assert stats.ci(stats.replicate_stats("acc", [(1, 2, 0)] * 10, a)) == (0.5, 0.5)


def test_paired_difference_uses_the_same_replicates():
    w = stats.replicate_weights(40, 300, seed=1)
    better = [(1, 1, 0)] * 40
    worse = [(1, 1, 0)] * 30 + [(0, 1, 0)] * 10
    diff = stats.paired_diff(stats.replicate_stats("acc", better, w), stats.replicate_stats("acc", worse, w))
    assert diff is not None and diff[0] > 0  # a real difference: the CI excludes 0
    same = stats.paired_diff(stats.replicate_stats("acc", worse, w), stats.replicate_stats("acc", worse, w))
    assert same == (0.0, 0.0)


def test_percentile_interpolates():
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert stats.percentile([5], 0.975) == 5
