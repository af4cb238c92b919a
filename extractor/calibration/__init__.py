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
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ModelCurves:
    model: str
    methods: Mapping[str, Curve]
    version: int = CURVE_VERSION
    source: str = ""

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
    return ModelCurves(model=str(doc["model"]), methods=methods, version=version, source=source)


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
) -> tuple[float, str | None]:
    """(confidence, reason): the calibrated value and its reason when ``model`` has a curve for
    ``method``, else (raw, None)."""
    if not model:
        return raw, None
    mc = (shipped() if curves is None else curves).get(model)
    curve = mc.methods.get(method) if mc is not None else None
    if curve is None or mc is None:
        return raw, None
    value = round(max(0.0, min(1.0, curve(raw))), 3)
    return value, calibration_reason(raw, value, mc.label(method))


def calibration_reason(raw: float, value: float, label: str) -> str:
    return f"{REASON_PREFIX} {raw:.3f} -> {value:.3f} ({label})"
