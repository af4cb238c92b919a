"""Fit the feature model of model-filled values' confidence, and measure it leave-one-filing-out (pure).

Input: the model-filled values of an eval run with the features the fill recorded
(``extractor.eval.ranking.llm_values``; ``extractor.fill.features``). Output: a logistic regression
P(right | features) in the shape ``extractor.calibration`` reads (``"logistic": {"llm": {...}}``).

**Encoding** (``columns_for``, over the training values only): a feature whose values are numbers or
bools is one column (a bool is 0/1); when some values are missing it also gets a missing-indicator
column ``NAME?`` and missing values take the training mean. A feature whose values are strings gets a
column ``NAME=VALUE`` for every value seen at least ``min_count`` times. Columns that are constant on the
training values are dropped.

**Fit**: columns standardized on the training values, L2-penalized logistic regression (penalty
``l2 * |w|^2 / 2`` on the weights, not the intercept) by Newton's method (IRLS) in pure Python, then the
weights folded back onto the unstandardized columns, so the stored model is one dot product.

**Measurement** (``lofo``): each filing's values are predicted by a model fitted without that filing,
then AUROC(wrong) and ECE (10 equal-width bins) with bootstrap CIs over filings
(``extractor.eval.ranking``) are compared with the confidence the run recorded and with the isotonic
curve on the raw score, fitted the same way leave-one-filing-out (the method this model replaces).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..calibration import Logistic, encode, sigmoid
from . import stats
from .calibrate import FitParams, fit_isotonic, supported
from .calibrate import Pair as _Pair
from .ranking import LLMValue, llm_values, ranking
from .results import obs_from_json

__all__ = [
    "FeatureParams",
    "columns_for",
    "feature_model",
    "fit_logistic",
    "lofo",
    "measure_features",
    "model_doc",
    "values_of_results",
]

Predict = Callable[[LLMValue], float]
CURVE_PARAMS = FitParams()


@dataclass(frozen=True)
class FeatureParams:
    l2: float = 4.0  # penalty on the standardized weights
    min_count: int = 25  # fewest training values of a string feature's value for it to get a column
    clip: tuple[float, float] = (0.02, 0.98)
    iterations: int = 50


def _is_number(v: Any) -> bool:
    return isinstance(v, bool | int | float)


def columns_for(feats: Sequence[dict[str, Any]], min_count: int) -> tuple[list[str], dict[str, float]]:
    """(columns, fill values of the numeric features) of the training feature dicts."""
    names = sorted({k for f in feats for k in f})
    columns: list[str] = []
    fill: dict[str, float] = {}
    for name in names:
        values = [f.get(name) for f in feats]
        present = [v for v in values if v is not None]
        if present and all(_is_number(v) for v in present):
            fill[name] = sum(float(v) for v in present) / len(present)
            columns.append(name)
            if len(present) < len(values):
                columns.append(f"{name}?")
        else:
            counts = Counter(str(v) for v in values)
            columns += [f"{name}={v}" for v, n in sorted(counts.items()) if n >= min_count]
    rows = [encode(f, columns, fill) for f in feats]
    keep = [c for k, c in enumerate(columns) if len({r[k] for r in rows}) > 1]
    return keep, fill


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a x = b (Gaussian elimination, partial pivoting; ``a`` is positive definite here)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        head = m[col]
        for r in range(col + 1, n):
            f = m[r][col] / head[col]
            if f:
                row = m[r]
                for c in range(col, n + 1):
                    row[c] -= f * head[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def _standardized(rows: list[list[float]], d: int) -> tuple[list[float], list[float]]:
    n = len(rows) or 1
    mean = [sum(r[k] for r in rows) / n for k in range(d)]
    std = [(sum((r[k] - mean[k]) ** 2 for r in rows) / n) ** 0.5 or 1.0 for k in range(d)]
    return mean, std


def fit_logistic(values: Sequence[LLMValue], params: FeatureParams = FeatureParams()) -> Logistic:
    """The logistic regression of right/wrong on the encoded features of ``values`` (module docstring)."""
    feats = [v.features or {} for v in values]
    columns, fill = columns_for(feats, params.min_count)
    d = len(columns)
    rows = [encode(f, columns, fill) for f in feats]
    y = [1.0 if v.correct else 0.0 for v in values]
    mean, std = _standardized(rows, d)
    z = [[1.0, *((r[k] - mean[k]) / std[k] for k in range(d))] for r in rows]
    prior = min(0.99, max(0.01, sum(y) / len(y))) if y else 0.5
    w = [math.log(prior / (1 - prior))] + [0.0] * d
    penalty = [0.0] + [params.l2] * d
    for _ in range(params.iterations):
        grad = [penalty[k] * w[k] for k in range(d + 1)]
        hess = [[0.0] * (d + 1) for _ in range(d + 1)]
        for zi, yi in zip(z, y, strict=True):
            p = sigmoid(sum(a * b for a, b in zip(w, zi, strict=True)))
            g, h = p - yi, p * (1 - p)
            for j in range(d + 1):
                grad[j] += g * zi[j]
                hz = h * zi[j]
                if hz:
                    row = hess[j]
                    for k in range(j + 1):
                        row[k] += hz * zi[k]
        for j in range(d + 1):
            hess[j][j] += penalty[j] + 1e-9
            for k in range(j):
                hess[k][j] = hess[j][k]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    coef = [w[k + 1] / std[k] for k in range(d)]
    intercept = w[0] - sum(w[k + 1] * mean[k] / std[k] for k in range(d))
    return Logistic(tuple(columns), tuple(round(c, 6) for c in coef), round(intercept, 6), fill, params.clip)


def lofo(values: Sequence[LLMValue], fit: Callable[[Sequence[LLMValue]], Predict]) -> list[float]:
    """Each value's prediction by ``fit`` trained on the values of every other filing."""
    out = [0.0] * len(values)
    for file in sorted({v.file for v in values}):
        train = [v for v in values if v.file != file]
        predict = fit(train)
        for k, v in enumerate(values):
            if v.file == file:
                out[k] = predict(v)
    return out


def _raw(v: LLMValue) -> float:
    return v.raw if v.raw is not None else v.confidence


def _isotonic(params: FitParams) -> Callable[[Sequence[LLMValue]], Predict]:
    def fit(train: Sequence[LLMValue]) -> Predict:
        pairs = [_Pair(_raw(v), v.correct, v.key, "llm", v.file, "") for v in train]
        curve = (
            fit_isotonic([(p.raw, p.correct) for p in pairs], params) if supported(pairs, params) else None
        )
        return (lambda v: curve(_raw(v))) if curve is not None else _raw

    return fit


def _logistic(params: FeatureParams) -> Callable[[Sequence[LLMValue]], Predict]:
    def fit(train: Sequence[LLMValue]) -> Predict:
        model = fit_logistic(train, params)
        return lambda v: model(v.features or {})

    return fit


def _auroc_diff(
    values: Sequence[LLMValue], a: Sequence[float], b: Sequence[float], files: Sequence[str], weights: Any
) -> list[float] | None:
    """Bootstrap CI (over filings, the same replicates) of AUROC(b) - AUROC(a)."""
    if not weights:
        return None
    index = {f: i for i, f in enumerate(files)}
    owner = [index[v.file] for v in values]
    pa = [(s, v.correct) for s, v in zip(a, values, strict=True)]
    pb = [(s, v.correct) for s, v in zip(b, values, strict=True)]
    diffs: list[float | None] = []
    for w in weights:
        ws = [float(w[i]) for i in owner]
        x, y = stats.auroc_wrong(pa, ws), stats.auroc_wrong(pb, ws)
        diffs.append(None if x is None or y is None else y - x)
    interval = stats.ci(diffs)
    return None if interval is None else [interval[0], interval[1]]


def measure_features(
    values: Sequence[LLMValue],
    files: Sequence[str],
    *,
    params: FeatureParams = FeatureParams(),
    curve_params: FitParams = CURVE_PARAMS,
    replicates: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Recorded confidence vs isotonic-on-raw (LOFO) vs the feature model (LOFO): ``ranking`` of each
    (overall and per item, CIs over ``files``), and the paired CI of the AUROC gain of the feature model
    over each of the other two."""
    with_features = [v for v in values if v.features]
    weights = stats.replicate_weights(len(files), replicates, seed) if replicates and files else None
    recorded = [v.confidence for v in with_features]
    iso = lofo(with_features, _isotonic(curve_params))
    logit = lofo(with_features, _logistic(params))
    out: dict[str, Any] = {"values": len(with_features), "without_features": len(values) - len(with_features)}
    for name, scores in (("recorded", recorded), ("isotonic_lofo", iso), ("features_lofo", logit)):
        by = dict(zip(map(id, with_features), scores, strict=True))
        out[name] = ranking(with_features, files, weights, score=lambda v, by=by: by[id(v)])  # type: ignore[misc]
    out["auroc_gain_vs_recorded_ci"] = _auroc_diff(with_features, recorded, logit, files, weights)
    out["auroc_gain_vs_isotonic_ci"] = _auroc_diff(with_features, iso, logit, files, weights)
    return out


def model_doc(values: Sequence[LLMValue], params: FeatureParams = FeatureParams()) -> dict[str, Any]:
    """The ``logistic.llm`` entry of a calibration file, fitted on every value with features."""
    model = fit_logistic([v for v in values if v.features], params)
    return {
        "columns": list(model.columns),
        "coef": list(model.coef),
        "intercept": model.intercept,
        "fill": {k: round(v, 6) for k, v in model.fill.items()},
        "clip": list(model.clip),
        "n": sum(1 for v in values if v.features),
        "wrong": sum(1 for v in values if v.features and not v.correct),
        "params": {"l2": params.l2, "min_count": params.min_count},
    }


def values_of_results(
    docs: Sequence[tuple[str, dict[str, Any]]], model: str
) -> tuple[list[LLMValue], list[str]]:
    """The model-filled values of ``model`` over result files, and every filing of its runs; a filing
    scored in more than one file is taken from the first (as ``calibrate.pool_results``)."""
    files: list[str] = []
    values: list[LLMValue] = []
    for _path, doc in docs:
        for run in doc.get("models", {}).get(model, {}).get("runs", []):
            if run["file"] in files:
                continue
            files.append(run["file"])
            values += llm_values(run["file"], [obs_from_json(o) for o in run.get("observations", [])])
    return values, files


def feature_model(
    docs: Sequence[tuple[str, dict[str, Any]]],
    model: str,
    *,
    params: FeatureParams = FeatureParams(),
    replicates: int = 1000,
    seed: int = 0,
    measure: bool = True,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the ``logistic.llm`` entry, or None when the values do not support a fit; its measurement, when
    ``measure``). A fit needs ``calibrate.FitParams`` ``min_n`` values with features, ``min_each`` right
    and wrong."""
    values, files = values_of_results(docs, model)
    measured = (
        measure_features(values, files, params=params, replicates=replicates, seed=seed) if measure else {}
    )
    with_features = [v for v in values if v.features]
    pairs = [_Pair(v.confidence, v.correct, v.key, "llm", v.file, model) for v in with_features]
    if not supported(pairs, CURVE_PARAMS):
        measured["note"] = "not fitted: too few model-filled values with features (or too few right / wrong)"
        return None, measured
    return model_doc(with_features, params), measured
