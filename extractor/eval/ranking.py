"""Does the confidence of the values a *model* filled rank them, and is it calibrated? (pure)

The eval's overall calibration (``results.calibration_summary``) pools every emitted value; parser values
are most of them and nearly all right, so the pooled AUROC says little about the model. This module
measures the model's own values only:

- **LLM values**: observations whose ``method`` is ``llm``: a scalar field with a confidence (a model's
  explicit null counts: it is a claim) and every predicted element of a set filled by a model (its
  confidence, right when matched to a gold element). Values the parser pre-filled or a reader replaced
  carry method ``parser`` and are left out.
- **Item**: the SEC item of the key (``event.5.02.changes.person`` -> ``5.02``).
- **AUROC(wrong)**: the probability that a random wrong value has a lower confidence than a random right
  one, ties half (``stats.auroc_wrong``). 0.5 is no ranking.
- **ECE**: 10 equal-width confidence bins on [0, 1] (1.0 in the last bin), the count-weighted mean of
  |share right - mean confidence| (``stats.ece``). At a few hundred values it is biased upwards (noise
  in each bin counts as miscalibration), so three figures stand beside it: ``ece_floor``, the mean ECE
  a perfectly calibrated predictor with these confidences would show (``stats.ece_floor``, 200 seeded
  draws); ``ece_sweep``, the equal-mass ECE with the most bins that stay monotone (Roelofs et al. 2022,
  ``stats.ece_sweep``; with a CI); ``ce_debiased``, the debiased L2 calibration error over 10
  equal-mass bins (Kumar et al. 2019, ``stats.ce_debiased``; an RMS gap, not on ECE's L1 scale).
- **CIs**: percentile bootstrap 95% intervals over filings (the values of one filing are not
  independent): ``replicates`` draws of the filings with ``stats.replicate_weights(seed)``, the same draws
  for every item and for every confidence being compared, so differences are paired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import stats
from .observations import Obs

__all__ = ["LLMValue", "item_of", "llm_values", "ranking", "ranking_of_runs"]


@dataclass(frozen=True)
class LLMValue:
    """One value a model filled, as scored."""

    file: str
    key: str
    item: str
    confidence: float
    correct: bool
    raw: float | None = None  # the confidence before calibration, when calibrated
    features: dict[str, Any] | None = field(default=None, compare=False)


def item_of(key: str) -> str:
    """``event.5.02.changes.person`` -> ``5.02``; a key outside the events -> its first part."""
    parts = key.split(".")
    if parts[0] == "event" and len(parts) >= 3:
        return f"{parts[1]}.{parts[2]}"
    return parts[0]


def llm_values(file: str, observations: Iterable[Obs]) -> list[LLMValue]:
    """The model-filled values of one filing's observations (module docstring)."""
    out: list[LLMValue] = []
    for o in observations:
        if o.method != "llm":
            continue
        item = item_of(o.key)
        if o.kind == "field":
            if o.confidence is not None:
                out.append(LLMValue(file, o.key, item, o.confidence, o.correct, o.raw_confidence, o.features))
            continue
        raws = o.raw_pairs()
        feats = o.element_features if len(o.element_features) == len(o.elements) else ()
        for k, (conf, ok) in enumerate(o.elements):
            raw = raws[k][0] if o.raw_elements else None
            out.append(LLMValue(file, o.key, item, conf, ok, raw, feats[k] if feats else None))
    return out


def _metrics(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    return {
        "n": len(pairs),
        "wrong": sum(1 for _, ok in pairs if not ok),
        "auroc": stats.auroc_wrong(pairs),
        "ece": stats.ece(pairs),
        "ece_floor": stats.ece_floor([c for c, _ in pairs]),
        "ece_sweep": stats.ece_sweep(pairs),
        "ece_sweep_bins": stats.sweep_bins(pairs) if pairs else None,
        "ce_debiased": stats.ce_debiased(pairs),
    }


def _with_cis(
    values: Sequence[LLMValue],
    score: Callable[[LLMValue], float],
    index: dict[str, int],
    weights: Sequence[Sequence[int]] | None,
) -> dict[str, Any]:
    pairs = [(score(v), v.correct) for v in values]
    out = _metrics(pairs)
    if weights and pairs:
        owner = [index[v.file] for v in values]
        aurocs, eces, sweeps = [], [], []
        for w in weights:
            ws = [float(w[i]) for i in owner]
            aurocs.append(stats.auroc_wrong(pairs, ws))
            drawn = [p for p, i in zip(pairs, owner, strict=True) for _ in range(w[i])]
            eces.append(stats.ece(drawn))
            sweeps.append(stats.ece_sweep(drawn))
        for name, reps in (("auroc", aurocs), ("ece", eces), ("ece_sweep", sweeps)):
            interval = stats.ci(reps)
            if interval is not None:
                out[f"{name}_ci"] = [interval[0], interval[1]]
    return out


def ranking(
    values: Sequence[LLMValue],
    files: Sequence[str],
    weights: Sequence[Sequence[int]] | None,
    *,
    score: Callable[[LLMValue], float] = lambda v: v.confidence,
) -> dict[str, Any]:
    """``{"overall": {...}, "items": {item: {...}}}`` with n, wrong, auroc, ece and their bootstrap CIs
    (``auroc_ci``, ``ece_ci``) over ``files`` (every filing of the run, in a fixed order) with the
    replicate ``weights`` (``stats.replicate_weights``; None: no CIs): two confidences measured with the
    same weights share the replicates. ``score``: the confidence measured (default: the record's)."""
    index = {f: i for i, f in enumerate(files)}
    items = sorted({v.item for v in values})
    return {
        "values": "llm",
        "bins": "10 equal-width on [0, 1]",
        "overall": _with_cis(values, score, index, weights),
        "items": {it: _with_cis([v for v in values if v.item == it], score, index, weights) for it in items},
    }


def ranking_of_runs(
    runs: Iterable[tuple[str, Iterable[Obs]]], *, replicates: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """:func:`ranking` of the model-filled values of ``(file, observations)`` runs."""
    files: list[str] = []
    values: list[LLMValue] = []
    for file, observations in runs:
        files.append(file)
        values += llm_values(file, observations)
    weights = stats.replicate_weights(len(files), replicates, seed) if replicates and files else None
    return ranking(values, files, weights)
