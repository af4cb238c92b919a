"""Calibrated field confidence: shipped isotonic curves, raw score -> probability of being right (pure).

``extractor.prefill.scoring`` computes a *raw* score with a hand-set formula. A curve fitted on the dev gold set
(``extractor eval calibrate``, see docs/llm-fill.md "Calibration") maps that raw score to the observed
share of right values. Curves live next to this module as ``<model>.json``, one file per model name (the
name the provider records in ``items[].llm.model``, e.g. ``qwen2.5-coder-1.5b``), with one curve per
method (``llm``; ``parser`` when fitted). A model without a curve keeps its raw score.

A calibrated field carries its raw score (``Field.raw_confidence``, in memory; the eval fits curves on it,
so a refit never calibrates twice) and says so in its reasons, for people reading the record::

    confidence calibrated 0.720 -> 0.810 (qwen2.5-coder-1.5b/llm v1)

A field without a raw score carries the raw score as its confidence.

Curve file (``CURVE_VERSION`` 1)::

    {"version": 1, "kind": "isotonic", "model": "...",
     "methods": {"llm": {"x": [...], "y": [...], "n": 96, "wrong": 21}},
     "provenance": {...}}

``x`` are raw scores (increasing), ``y`` the calibrated values (non-decreasing, clipped); between knots the
value is interpolated linearly, outside them it is the end value.

A file may also hold a **feature model** per method (``extractor eval calibrate --features``, fitted by
``extractor.eval.fit``): a logistic regression on the features the fill records for each value
(``extractor.fill.features``). When the model has one for ``llm``, a model-filled value's confidence is
``sigmoid(intercept + sum(coef[k] * column_k(features)))`` instead of the curve's value (the curve stays
for values without features)::

    "logistic": {"llm": {"columns": ["p_mean", "p_mean?", "align=none", ...], "coef": [...],
                         "intercept": 0.3, "fill": {"p_mean": 0.81}, "clip": [0.02, 0.98], ...}}

A column is ``NAME`` (the feature's number; a bool is 0/1; a missing number takes ``fill[NAME]``),
``NAME?`` (1 when the feature is missing) or ``NAME=VALUE`` (1 when the feature is that string).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

CURVE_VERSION = 1
CURVE_DIR = Path(__file__).resolve().parent
REASON_PREFIX = "confidence calibrated"


@dataclass(frozen=True)
class Curve:
    """A monotone piecewise-linear map on [0, 1] through the knots (x, y)."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.x or len(self.x) != len(self.y):
            raise ValueError("a curve needs as many y as x knots, at least one")
        if any(b <= a for a, b in zip(self.x, self.x[1:], strict=False)):
            raise ValueError("curve x knots must increase")
        if any(b < a for a, b in zip(self.y, self.y[1:], strict=False)):
            raise ValueError("curve y knots must not decrease")

    def __call__(self, raw: float) -> float:
        x, y = self.x, self.y
        if raw <= x[0]:
            return y[0]
        if raw >= x[-1]:
            return y[-1]
        k = bisect.bisect_right(x, raw)
        x0, x1, y0, y1 = x[k - 1], x[k], y[k - 1], y[k]
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


def column_value(column: str, features: Mapping[str, object], fill: Mapping[str, float]) -> float:
    """The value of one encoded column (module docstring) for a feature dict."""
    if column.endswith("?"):
        return 1.0 if features.get(column[:-1]) is None else 0.0
    name, eq, wanted = column.partition("=")
    got = features.get(name)
    if eq:
        return 1.0 if str(got) == wanted else 0.0
    if got is None or isinstance(got, str):
        return float(fill.get(name, 0.0))
    return float(got)  # type: ignore[arg-type]


def encode(features: Mapping[str, object], columns: Sequence[str], fill: Mapping[str, float]) -> list[float]:
    return [column_value(c, features, fill) for c in columns]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class Logistic:
    """A logistic regression on encoded features: P(right | features)."""

    columns: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    fill: Mapping[str, float] = field(default_factory=dict)
    clip: tuple[float, float] = (0.02, 0.98)

    def __call__(self, features: Mapping[str, object]) -> float:
        x = encode(features, self.columns, self.fill)
        p = sigmoid(self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True)))
        return max(self.clip[0], min(self.clip[1], p))


def logistic_from_json(doc: Mapping[str, Any]) -> Logistic:
    columns = tuple(str(c) for c in doc["columns"])
    coef = tuple(float(c) for c in doc["coef"])
    if len(columns) != len(coef):
        raise ValueError("a feature model needs one coefficient per column")
    lo, hi = doc.get("clip", (0.02, 0.98))
    return Logistic(
        columns,
        coef,
        float(doc["intercept"]),
        {str(k): float(v) for k, v in (doc.get("fill") or {}).items()},
        (float(lo), float(hi)),
    )


@dataclass(frozen=True)
class ModelCurves:
    model: str
    methods: Mapping[str, Curve]
    version: int = CURVE_VERSION
    source: str = ""
    logistic: Mapping[str, Logistic] = field(default_factory=dict)

    def label(self, method: str) -> str:
        return f"{self.model}/{method} v{self.version}"


def curves_from_json(doc: Mapping[str, Any], source: str = "") -> ModelCurves:
    version = int(doc.get("version", 0))
    if version != CURVE_VERSION:
        raise ValueError(f"{source or 'curve'}: unsupported calibration version {version}")
    methods = {
        name: Curve(tuple(float(v) for v in c["x"]), tuple(float(v) for v in c["y"]))
        for name, c in (doc.get("methods") or {}).items()
        if c
    }
    logistic = {name: logistic_from_json(m) for name, m in (doc.get("logistic") or {}).items() if m}
    return ModelCurves(
        model=str(doc["model"]), methods=methods, version=version, source=source, logistic=logistic
    )


def load_curves(folder: Path = CURVE_DIR) -> dict[str, ModelCurves]:
    """Every ``*.json`` curve file of ``folder``, keyed by model name."""
    out: dict[str, ModelCurves] = {}
    for path in sorted(folder.glob("*.json")):
        mc = curves_from_json(json.loads(path.read_text(encoding="utf-8")), source=path.name)
        out[mc.model] = mc
    return out


@lru_cache(maxsize=1)
def shipped() -> dict[str, ModelCurves]:
    """The curves shipped with the package (read once)."""
    return load_curves(CURVE_DIR)


def calibrate(
    raw: float,
    model: str | None,
    method: str = "llm",
    curves: Mapping[str, ModelCurves] | None = None,
    features: Mapping[str, object] | None = None,
) -> tuple[float, str | None]:
    """(confidence, reason): the calibrated value and its reason when ``model`` has a feature model for
    ``method`` (and ``features`` are given) or a curve, else (raw, None)."""
    if not model:
        return raw, None
    mc = (shipped() if curves is None else curves).get(model)
    fitted = mc.logistic.get(method) if mc is not None and features is not None else None
    if fitted is not None and mc is not None and features is not None:
        value = round(fitted(features), 3)
        return value, calibration_reason(raw, value, f"{mc.model}/{method} features v{mc.version}")
    curve = mc.methods.get(method) if mc is not None else None
    if curve is None or mc is None:
        return raw, None
    value = round(max(0.0, min(1.0, curve(raw))), 3)
    return value, calibration_reason(raw, value, mc.label(method))


def calibration_reason(raw: float, value: float, label: str) -> str:
    return f"{REASON_PREFIX} {raw:.3f} -> {value:.3f} ({label})"
