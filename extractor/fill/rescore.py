"""The confidence of the model's values once the readers' merge has run (pure).

The fill scores each chunk's values (``extractor.fill.confidence``) before the readers' merge
(``extractor.readers.merge``), which needs a confidence to decide a disagreement: the reader's value
replaces the model's when the reader is at least as sure, else the model's stands with its confidence
halved. With a fitted feature model (``extractor.calibration``, ``logistic.llm``) that halving would be
a second penalty on top of the model's own ``reader`` = ``disagree`` feature, so ``rescore`` recomputes,
after the merge, every model value's fitted confidence from its features as the merge left it:

- ``reader`` is ``disagree`` when the merge kept the model's value over a reader's (its reason
  ``a reader read ...``); a value the merge nulled as not an answer has ``null`` true;
- the confidence is the feature model's P(right | features) (the injection cap still holds), and the
  reason ``confidence calibrated ...`` is replaced by the new one;
- a reader's value keeps its own confidence; an element a reader added to a list the model filled gets
  the features ``item``, ``field``, ``kind`` and ``source`` = ``reader`` (so a list's elements all carry
  features and the eval can score the list).

Without a feature model for the model (the isotonic curve, or none) the event is returned unchanged: the
halving is then the only disagreement step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..calibration import REASON_PREFIX, ModelCurves, calibrate, shipped
from ..events import tree
from ..prefill.scoring import INJECTION_CAP

__all__ = ["rescore"]

_READER_SAID = "a reader read "


def _model_value(
    node: dict[str, Any], model: str, curves: Mapping[str, ModelCurves] | None
) -> dict[str, Any]:
    feats = dict(node[tree.FEATURES])
    reasons = list(node.get("reasons") or [])
    if any(r.startswith(_READER_SAID) for r in reasons):
        feats["reader"] = "disagree"
    elif feats.get("reader") == "agree":  # the merge kept the model's leaf: no reader value agreed
        feats["reader"] = None
    feats["null"] = node.get("value") is None
    raw = tree.raw_confidence(node)
    confidence, note = calibrate(
        raw if raw is not None else float(node["confidence"]), model, "llm", curves, feats
    )
    if feats.get("injected"):
        confidence = min(confidence, INJECTION_CAP)
    kept = [r for r in reasons if not r.startswith(REASON_PREFIX)]
    return {**node, "confidence": confidence, "reasons": [*kept, note], tree.FEATURES: feats}


def _reader_value(node: dict[str, Any], item: str, name: str) -> dict[str, Any]:
    kind = "date" if name.endswith("date") else ("enum" if name == "change" else "str")
    return {**node, tree.FEATURES: {"item": item, "field": name, "kind": kind, "source": "reader"}}


def _walk(node: Any, name: str, item: str, in_list: bool, score: Any) -> Any:
    if tree.is_field(node):
        if node.get("method") == "llm" and node.get(tree.FEATURES):
            return score(node)
        if in_list and node.get("method") != "llm" and not node.get(tree.FEATURES):
            return _reader_value(node, item, name)
        return node
    if isinstance(node, dict):
        return {k: _walk(v, k, item, in_list, score) for k, v in node.items()}
    if isinstance(node, list):
        model_filled = any(
            tree.is_field(leaf) and leaf.get("method") == "llm" for _p, leaf in tree.iter_fields(node)
        )
        return [_walk(v, name, item, model_filled, score) for v in node]
    return node


def rescore(
    event: dict[str, Any], item: str, model: str | None, curves: Mapping[str, ModelCurves] | None = None
) -> dict[str, Any]:
    """``event`` (after the readers' merge) with its model values' confidences recomputed from their
    features (module docstring); ``item``: the modern item number; ``model``: the model that read them."""
    mc = (shipped() if curves is None else curves).get(model or "")
    if mc is None or "llm" not in mc.logistic:
        return event
    assert model is not None
    out: dict[str, Any] = _walk(event, "", item, False, lambda node: _model_value(node, model, curves))
    return out
