"""Confidence of a grounded model answer: each :class:`~extractor.fill.ground.Leaf` becomes a Field dict.

The rules (the formula, caps, parser agreement) are ``extractor.prefill.scoring``; this module feeds
them what one call learned: the grounding of each value, the re-asks, the token logprobs of the value in
the raw completion, and calibrates the raw score with the model's shipped curve
(``extractor.calibration``): its feature model (a logistic regression on the value's features,
``extractor.fill.features``) when one is shipped, else its isotonic curve on the raw score. A calibrated
Field carries its raw score as ``raw_confidence`` and, always, its features as ``features`` (both in
memory only; see ``extractor.record.Field``), and keeps the reason ``confidence calibrated RAW -> VALUE
(MODEL/llm v1)`` (``... (MODEL/llm features v1)`` for the feature model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..calibration import ModelCurves, calibrate
from ..events import tree
from ..jsonspans import value_spans
from ..llm.base import TokenLogprob
from ..prefill.scoring import INJECTION_CAP, ParserFacts, Signals, field_confidence, parser_agreement
from ..readers.values import ReaderValue, Readings
from ..record import Field, Method
from .features import Probs, leaf_features, reader_values, token_probs
from .ground import Leaf


def value_probs(raw: str | None, logprobs: list[TokenLogprob] | None) -> dict[tuple[str | int, ...], float]:
    """Path of each JSON scalar -> exp(mean logprob of the tokens overlapping it)."""
    return {path: mean for path, (mean, _min) in _probs(logprobs).items()}


def _probs(logprobs: list[TokenLogprob] | None) -> Probs:
    if not logprobs:
        return {}
    # offsets are into the token text, which may differ from the message content (a ```json fence
    # the server strips, for one): scan the token text itself
    return token_probs(logprobs, value_spans("".join(t.token for t in logprobs)))


# parametrize once: pydantic keeps parametrized generics weakly, so ``Field[Any]`` in a loop rebuilds
# the class (schema and validator) whenever the collector has dropped it (~1 ms each time)
_ANY_FIELD = Field[Any]


def leaf_field(
    leaf: Leaf,
    *,
    reasks: int,
    probs: Probs,
    facts: ParserFacts,
    model: str | None = None,
    curves: Mapping[str, ModelCurves] | None = None,
    item: str = "",
    readers: tuple[ReaderValue, ...] | None = None,
    sample: str | None = None,
    text: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """One grounded leaf -> a Field dict (value, confidence, method llm, span, quote, alignment, reasons,
    and in memory its raw score and features). ``model``: the model that read the value; its fitted
    feature model, else its calibration curve (``curves``, default: the shipped ones), maps the raw
    score when there is one. ``readers``: what the deterministic readers read for the same field;
    ``sample``: a second sample's verdict (``extractor.fill.consistency``)."""
    agreement = parser_agreement(leaf.name, leaf.kind, leaf.value, facts)
    reasons = list(leaf.reasons)
    if agreement == "agree":
        reasons.append("agrees with the parser (date of report)")
    elif agreement == "disagree":
        reasons.append(
            "ends on or after the date of report" if leaf.name == "period_end" else "is the registrant itself"
        )
    if reasks:
        reasons.append(f"{reasks} re-ask(s)")
    if sample is not None:
        reasons.append(f"a second sample {'agrees' if sample == 'agree' else 'disagrees'}")
    p = probs.get((*leaf.path, "value"))
    signals = Signals(
        alignment=leaf.aligned.status,
        align_score=leaf.aligned.score,
        check=leaf.check.status,
        reasks=reasks,
        value_prob=None if p is None else p[0],
        parser=agreement,
        injected=leaf.injected,
        null=leaf.value is None,
    )
    features = leaf_features(
        leaf, item=item, reasks=reasks, probs=p, parser=agreement, readers=readers, sample=sample, text=text
    )
    value = leaf.value.isoformat() if isinstance(leaf.value, dt.date) else leaf.value
    raw = field_confidence(signals)
    confidence, note = calibrate(raw, model, "llm", curves, features)
    if note is not None:
        if leaf.injected:
            confidence = min(confidence, INJECTION_CAP)
        reasons.append(note)
    f = _ANY_FIELD(
        value=value,
        confidence=confidence,
        method=Method.llm,
        span=leaf.span,
        quote=leaf.quote,
        alignment=None if leaf.value is None else leaf.aligned.status,
        reasons=reasons,
        raw_confidence=None if note is None else raw,
        features=features,
    )
    data = tree.field_data(f)
    if note is not None:
        # a disagreement with a reader is decided on the curve's score, not the fitted feature model's,
        # so a refit of the feature model alone moves confidences but never which value stands (a refit
        # of the isotonic curve itself can)
        data[tree.CURVE_CONFIDENCE] = calibrate(raw, model, "llm", curves)[0]
    return data


def score_tree(
    grounded: dict[str, Any],
    *,
    reasks: int = 0,
    raw: str | None = None,
    logprobs: list[TokenLogprob] | None = None,
    facts: ParserFacts | None = None,
    model: str | None = None,
    curves: Mapping[str, ModelCurves] | None = None,
    item: str = "",
    readings: Readings | None = None,
    samples: Mapping[tuple[str | int, ...], str] | None = None,
    text: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Grounded tree (from ``ground.ground_event``) -> the event with a Field dict at each leaf.
    ``model`` (the provider's model name, ``CallRecord.model``) selects the calibration; ``item`` (the
    modern item number), ``readings`` (the readers' values for the item) and ``samples`` (event path ->
    a second sample's verdict) are features of each value, and so is what the item's ``text`` (its
    text, and where it starts in the normalized filing) says of it (``features.text_features``)."""
    probs = _probs(logprobs)
    facts = facts or ParserFacts()
    found = reader_values(grounded, readings)
    verdicts = samples or {}

    def score(leaf: Leaf) -> dict[str, Any]:
        return leaf_field(
            leaf,
            reasks=reasks,
            probs=probs,
            facts=facts,
            model=model,
            curves=curves,
            item=item,
            readers=found.get(leaf.path),
            sample=verdicts.get(leaf.path),
            text=text,
        )

    event: dict[str, Any] = tree.map_leaves(grounded, Leaf, score)
    return event
