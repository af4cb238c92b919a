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

**Nested choice** (``choose``, ``fit_model``): the penalty and the min count are not fixed by hand but
chosen, on the training values only, from the pre-declared grids of ``FeatureParams`` (l2 1, 4, 16, 64;
min count 10, 25) by the log loss of 5-fold (by filing) predictions; with ``temper`` a 1-D logistic
regression of right/wrong on those inner-fold logits rescales the fitted logit (a temperature and a
shift, folded into the weights). Inside ``lofo`` the choice is made again for every held-out filing, so
the measurement includes it; a refit on another set of values makes its own choice. Features named in
``ignore`` are recorded by the fill but left out of the fit.

**Measurement** (``lofo``): each filing's values are predicted by a model fitted without that filing,
then AUROC(wrong) and ECE (10 equal-width bins) with bootstrap CIs over filings
(``extractor.eval.ranking``) are compared with the confidence the run recorded and with the isotonic
curve on the raw score, fitted the same way leave-one-filing-out (the method this model replaces).
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..calibration import Logistic, encode, sigmoid
from . import stats
from .calibrate import FitParams, fit_isotonic, fold_of, supported
from .calibrate import Pair as _Pair
from .ranking import LLMValue, llm_values, ranking
from .results import obs_from_json

__all__ = [
    "FeatureParams",
    "choose",
    "columns_for",
    "feature_model",
    "fit_logistic",
    "fit_model",
    "holdout_check",
    "lofo",
    "measure_features",
    "model_doc",
    "values_of_results",
]

Predict = Callable[[LLMValue], float]
CURVE_PARAMS = FitParams()


@dataclass(frozen=True)
class FeatureParams:
    l2: float = 4.0  # penalty on the standardized weights (when l2_grid is empty)
    min_count: int = 25  # fewest training values of a string feature's value for it to get a column
    clip: tuple[float, float] = (0.02, 0.98)
    iterations: int = 50
    # the nested choice (``fit_model``): each (l2, min_count) of the grids is scored by the log loss of
    # its ``inner_folds``-fold (by filing) predictions on the training values; the best is fitted. An
    # empty grid keeps the fixed value above.
    l2_grid: tuple[float, ...] = (1.0, 4.0, 16.0, 64.0)
    min_count_grid: tuple[int, ...] = (10, 25)
    inner_folds: int = 5
    temper: bool = True  # rescale the fitted logit by a 1-D logistic fit on the inner-fold predictions
    # features recorded but left out of the fit (measured, not kept: docs/llm-fill.md)
    ignore: tuple[str, ...] = ("extends", "magnitude", "form_words", "at", "cover")

    def fixed(self, l2: float | None = None, min_count: int | None = None) -> FeatureParams:
        """These params with ``l2`` and / or ``min_count`` fixed (their grid emptied)."""
        out = self
        if l2 is not None:
            out = replace(out, l2=l2, l2_grid=())
        if min_count is not None:
            out = replace(out, min_count=min_count, min_count_grid=())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "l2": self.l2,
            "min_count": self.min_count,
            "l2_grid": list(self.l2_grid),
            "min_count_grid": list(self.min_count_grid),
            "inner_folds": self.inner_folds,
            "temper": self.temper,
            "ignore": list(self.ignore),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FeatureParams:
        """The params of a shipped model (older files name only l2 and min_count: fixed, untempered)."""
        return cls(
            l2=float(doc["l2"]),
            min_count=int(doc["min_count"]),
            l2_grid=tuple(float(x) for x in doc.get("l2_grid", ())),
            min_count_grid=tuple(int(x) for x in doc.get("min_count_grid", ())),
            inner_folds=int(doc.get("inner_folds", 5)),
            temper=bool(doc.get("temper", False)),
            ignore=tuple(str(x) for x in doc.get("ignore", ())),
        )


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
    feats = [{k: x for k, x in (v.features or {}).items() if k not in params.ignore} for v in values]
    columns, fill = columns_for(feats, params.min_count)
    d = len(columns)
    rows = [encode(f, columns, fill) for f in feats]
    y = [1.0 if v.correct else 0.0 for v in values]
    mean, std = _standardized(rows, d)
    z = [[1.0, *((r[k] - mean[k]) / std[k] for k in range(d))] for r in rows]
    prior = min(0.99, max(0.01, sum(y) / len(y))) if y else 0.5
    w = [math.log(prior / (1 - prior))] + [0.0] * d
    penalty = [0.0] + [params.l2] * d
    cols = [list(c) for c in zip(*z, strict=True)] if z else [[] for _ in range(d + 1)]
    for _ in range(params.iterations):
        ps = [sigmoid(sum(map(operator.mul, w, zi))) for zi in z]
        g = [p - yi for p, yi in zip(ps, y, strict=True)]
        h = [p * (1 - p) for p in ps]
        grad = [penalty[k] * w[k] + sum(map(operator.mul, g, cols[k])) for k in range(d + 1)]
        hess = [[0.0] * (d + 1) for _ in range(d + 1)]
        for j in range(d + 1):
            hz = list(map(operator.mul, h, cols[j]))
            for k in range(j + 1):
                hess[j][k] = hess[k][j] = sum(map(operator.mul, hz, cols[k]))
            hess[j][j] += penalty[j] + 1e-9
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    coef = [w[k + 1] / std[k] for k in range(d)]
    intercept = w[0] - sum(w[k + 1] * mean[k] / std[k] for k in range(d))
    return Logistic(tuple(columns), tuple(round(c, 6) for c in coef), round(intercept, 6), fill, params.clip)


def logit_of(model: Logistic, features: dict[str, Any]) -> float:
    """The model's linear score (before the sigmoid and the clip)."""
    return model.intercept + sum(map(operator.mul, model.coef, encode(features, model.columns, model.fill)))


def _inner_logits(values: Sequence[LLMValue], params: FeatureParams) -> list[float]:
    """Each value's logit by ``fit_logistic`` fitted without its fold (``params.inner_folds`` by filing)."""
    assign = fold_of([v.file for v in values], params.inner_folds)
    out = [0.0] * len(values)
    for fold in sorted(set(assign.values())):
        model = fit_logistic([v for v in values if assign[v.file] != fold], params)
        for k, v in enumerate(values):
            if assign[v.file] == fold:
                out[k] = logit_of(model, v.features or {})
    return out


def _log_loss(logits: Sequence[float], values: Sequence[LLMValue], clip: tuple[float, float]) -> float:
    ps = [min(clip[1], max(clip[0], sigmoid(z))) for z in logits]
    return -sum(math.log(p if v.correct else 1 - p) for p, v in zip(ps, values, strict=True)) / len(ps)


def _temper(logits: Sequence[float], values: Sequence[LLMValue], iterations: int = 50) -> tuple[float, float]:
    """(a, b) of the 1-D logistic regression P(right) = sigmoid(a + b * logit), Newton's method; b is
    kept in [0, 4] (a temperature, never a flip)."""
    a, b = 0.0, 1.0
    y = [1.0 if v.correct else 0.0 for v in values]
    for _ in range(iterations):
        ps = [sigmoid(a + b * z) for z in logits]
        ga = sum(p - t for p, t in zip(ps, y, strict=True))
        gb = sum((p - t) * z for p, t, z in zip(ps, y, logits, strict=True))
        hs = [p * (1 - p) for p in ps]
        haa = sum(hs) + 1e-6
        hab = sum(h * z for h, z in zip(hs, logits, strict=True))
        hbb = sum(h * z * z for h, z in zip(hs, logits, strict=True)) + 1e-6
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a - da, min(4.0, max(0.0, b - db))
        if max(abs(da), abs(db)) < 1e-9:
            break
    return a, b


def choose(values: Sequence[LLMValue], params: FeatureParams) -> tuple[FeatureParams, tuple[float, float]]:
    """(the params with the chosen l2 and min_count fixed, the temper (a, b); (0, 1) when not
    tempered): the module docstring's nested choice, on ``values`` only."""
    grid = [
        params.fixed(l2, mc)
        for l2 in params.l2_grid or (params.l2,)
        for mc in params.min_count_grid or (params.min_count,)
    ]
    files = {v.file for v in values}
    if len(files) < 2 or (len(grid) == 1 and not params.temper):
        return grid[0], (0.0, 1.0)
    scored = [(p, _inner_logits(values, p)) for p in grid]
    best, logits = min(scored, key=lambda pl: _log_loss(pl[1], values, params.clip))
    return best, (_temper(logits, values) if params.temper else (0.0, 1.0))


def fit_model(values: Sequence[LLMValue], params: FeatureParams = FeatureParams()) -> Logistic:
    """``fit_logistic`` with the nested choice of ``choose``: the chosen params fitted on every value,
    the temper folded into the weights (``a + b * logit`` is again one dot product)."""
    chosen, temper = choose(values, params)
    return _tempered(fit_logistic(values, chosen), temper)


def _tempered(model: Logistic, temper: tuple[float, float]) -> Logistic:
    a, b = temper
    if (a, b) == (0.0, 1.0):
        return model
    return Logistic(
        model.columns,
        tuple(round(c * b, 6) for c in model.coef),
        round(a + b * model.intercept, 6),
        model.fill,
        model.clip,
    )


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
        model = fit_model(train, params)
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


def holdout_check(
    values: Sequence[LLMValue],
    held: Sequence[LLMValue],
    held_files: Sequence[str],
    params: FeatureParams = FeatureParams(),
    replicates: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """``ranking`` of the ``held`` values (other filings) scored by the feature model fitted on every
    value of ``values`` (CIs over ``held_files``)."""
    model = fit_model([v for v in values if v.features], params)
    scored = [v for v in held if v.features]
    weights = (
        stats.replicate_weights(len(held_files), replicates, seed) if replicates and held_files else None
    )
    return ranking(scored, held_files, weights, score=lambda v: model(v.features or {}))


def model_doc(values: Sequence[LLMValue], params: FeatureParams = FeatureParams()) -> dict[str, Any]:
    """The ``logistic.llm`` entry of a calibration file, fitted on every value with features (with the
    nested choice of ``choose``; ``params`` as given, ``chosen`` what the choice took)."""
    fitted = [v for v in values if v.features]
    chosen, temper = choose(fitted, params)
    model = _tempered(fit_logistic(fitted, chosen), temper)
    return {
        "columns": list(model.columns),
        "coef": list(model.coef),
        "intercept": model.intercept,
        "fill": {k: round(v, 6) for k, v in model.fill.items()},
        "clip": list(model.clip),
        "n": len(fitted),
        "wrong": sum(1 for v in fitted if not v.correct),
        "params": params.to_json(),
        "chosen": {"l2": chosen.l2, "min_count": chosen.min_count, "temper": [round(t, 6) for t in temper]},
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
