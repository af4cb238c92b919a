"""Scored observations and how they are read off a record (pure): :class:`Obs`, and the readers of a
predicted value's confidence, method and raw score (a record Field or a filled event leaf dict, through
``extractor.events.tree``). ``extractor.eval.compare`` builds observations with these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..events import tree
from ..record import Field as RecField
from .score import Match, SetMatch, score_value


@dataclass(frozen=True)
class Obs:
    key: str
    kind: str  # "field" | "set"
    correct: bool  # field: the value is right; set: precision and recall are both 1
    score: float  # field: similarity 0..1; set: F1
    reason: str
    gold: str = ""
    pred: str = ""
    confidence: float | None = None  # field: confidence of the predicted value (None when no value)
    tp: int = 0
    fp: int = 0
    fn: int = 0
    # set: (confidence, matched) of each predicted element that carries a confidence
    elements: tuple[tuple[float, bool], ...] = field(default_factory=tuple)
    # how the predicted value was obtained (llm | parser | header | human; a set: llm when any element
    # was filled by a model); None when unknown (older results)
    method: str | None = None
    # the confidence before calibration, when ``confidence`` is calibrated (None: it is the raw score)
    raw_confidence: float | None = None
    # set: raw score of each entry of ``elements`` (empty: the element confidences are raw)
    raw_elements: tuple[float, ...] = field(default_factory=tuple)
    # the confidence features the fill recorded for the value (``extractor.fill.features``), when it
    # did: the calibration fit reads them (``extractor.eval.fit``)
    features: dict[str, Any] | None = None
    # set: the features of each entry of ``elements`` (empty when the fill recorded none)
    element_features: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def raw(self) -> float | None:
        """The uncalibrated confidence of a field's value."""
        return self.raw_confidence if self.raw_confidence is not None else self.confidence

    def raw_pairs(self) -> list[tuple[float, bool]]:
        """(raw confidence, right) of each predicted element of a set."""
        if self.raw_elements and len(self.raw_elements) == len(self.elements):
            return [(r, ok) for r, (_, ok) in zip(self.raw_elements, self.elements, strict=True)]
        return list(self.elements)

    @property
    def group(self) -> str:
        head = self.key.split(".", 1)[0]
        return "events" if head == "event" else head


def unwrap(node: Any) -> tuple[Any, float | None]:
    """A filled event leaf is a Field dict ({"value", "confidence", ...}); gold leaves are plain."""
    if isinstance(node, RecField):
        return node.value, node.confidence
    if tree.is_field(node):
        conf = node.get("confidence")
        if conf is None or (node["value"] is None and not conf):
            return node["value"], None
        return node["value"], float(conf)
    return node, None


def short(value: Any, limit: int = 80) -> str:
    if value is None:
        return "null"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def field_value(f: RecField[Any] | None) -> tuple[Any, float | None]:
    if f is None:
        return None, None
    if f.value is None:
        # an explicit "not stated" (a model's null with a confidence) is a claim; a parser's empty
        # default Field (confidence 0) is not
        return None, (f.confidence if f.confidence > 0 else None)
    return f.value, f.confidence


def field_obs(key: str, kind: str, gold: Any, pred: Any, confidence: float | None, node: Any = None) -> Obs:
    m = score_value(kind, gold, pred)
    return tag(obs_from_match(key, m, gold, pred, confidence), node)


def leaf_meta(node: Any) -> tuple[str | None, float | None]:
    """(method, raw confidence when calibrated) of a record Field or a filled event leaf dict."""
    if isinstance(node, RecField):
        return node.method.value, node.raw_confidence
    if tree.is_field(node):
        method = node.get("method")
        return (str(method) if method is not None else None), tree.raw_confidence(node)
    return None, None


def element_meta(obj: Any) -> tuple[str | None, float | None]:
    """(method, raw mean confidence) of a predicted list element: a leaf, or a dict of leaves (the raw
    mean is only given when some leaf was calibrated, matching :func:`_mean_conf`)."""
    if not isinstance(obj, dict) or tree.is_field(obj):
        return leaf_meta(obj)
    metas = [(leaf_meta(v), unwrap(v)[1]) for v in obj.values()]
    methods = [m for (m, _), _ in metas if m]
    method = "llm" if "llm" in methods else (methods[0] if methods else None)
    confs = [(raw if raw is not None else c) for (_, raw), c in metas if c is not None]
    calibrated = any(raw is not None for (_, raw), c in metas if c is not None)
    return method, (sum(confs) / len(confs) if calibrated and confs else None)


def leaf_features(node: Any) -> dict[str, Any] | None:
    """The confidence features of a record Field or a filled event leaf dict; of a list element that is
    a dict of leaves, those of its first leaf that has them (its identifying field comes first)."""
    if isinstance(node, dict) and not tree.is_field(node):
        return next((f for f in (leaf_features(v) for v in node.values()) if f), None)
    return tree.features(node)


def tag(obs: Obs, node: Any) -> Obs:
    """Record the method, raw confidence and features of the predicted value (a Field or a leaf dict)."""
    if node is None:
        return obs
    method, raw = leaf_meta(node)
    known = obs.confidence is not None
    return replace(
        obs,
        method=method,
        raw_confidence=raw if known else None,
        features=leaf_features(node) if known else None,
    )


def obs_from_match(key: str, m: Match, gold: Any, pred: Any, confidence: float | None) -> Obs:
    return Obs(
        key=key,
        kind="field",
        correct=m.correct,
        score=m.score,
        reason=m.reason,
        gold=short(gold),
        pred=short(pred),
        confidence=confidence,
    )


def set_obs(
    key: str,
    sm: SetMatch,
    gold: Sequence[Any],
    pred: Sequence[Any],
    confidences: Sequence[float | None] | None = None,
    nodes: Sequence[Any] | None = None,
) -> Obs:
    """``nodes``: the predicted elements as Fields / leaf dicts / dicts of leaves, parallel to
    ``confidences``, for the method and raw confidence of each."""
    matched = {j for _, j, _ in sm.pairs}
    kept = [j for j, c in enumerate(confidences or []) if c is not None]
    elements = tuple((float(confidences[j]), j in matched) for j in kept)  # type: ignore[index, arg-type]
    method: str | None = None
    raws: tuple[float, ...] = ()
    feats: tuple[dict[str, Any], ...] = ()
    if nodes is not None:
        metas = [element_meta(nodes[j]) if j < len(nodes) else (None, None) for j in kept]
        methods = [m for m, _ in metas if m]
        method = "llm" if "llm" in methods else (methods[0] if methods else None)
        if any(r is not None for _, r in metas):
            raws = tuple(r if r is not None else c for (_, r), (c, _) in zip(metas, elements, strict=True))
        found = [leaf_features(nodes[j]) if j < len(nodes) else None for j in kept]
        if found and all(found):
            feats = tuple(f for f in found if f)
    return Obs(
        key=key,
        kind="set",
        correct=sm.fp == 0 and sm.fn == 0,
        score=sm.f1,
        reason=sm.reason,
        gold=short("; ".join(short(g, 40) for g in gold), 200),
        pred=short("; ".join(short(p, 40) for p in pred), 200),
        tp=sm.tp,
        fp=sm.fp,
        fn=sm.fn,
        elements=elements,
        method=method,
        raw_elements=raws,
        element_features=feats,
    )
