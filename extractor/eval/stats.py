"""Metrics over scored observations: accuracy, set P/R/F1, bootstrap confidence intervals, paired
differences between models, and calibration (reliability table, ECE, AUROC, review load). Pure.

Bootstrap: filings are the resampling unit (fields of one filing are not independent). Replicates draw
filing indices with ``random.Random(seed)``, so a run is reproducible; every model and metric uses the
*same* replicates, which makes differences between models paired. The interval is the percentile
interval (2.5%, 97.5%) of the replicate statistics; replicates where a metric is undefined (no labeled
observation drawn) are skipped.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .compare import Obs

Counts = tuple[int, int, int]  # field: (correct, total, 0); set: (tp, fp, fn)


@dataclass(frozen=True)
class MetricDef:
    name: str
    kind: str  # "acc" (scalar fields) | "f1" (sets)
    select: Callable[[Obs], bool]


def per_filing_counts(filings: Sequence[Sequence[Obs]], metric: MetricDef) -> list[Counts]:
    out: list[Counts] = []
    for observations in filings:
        a = b = c = 0
        for o in observations:
            if not metric.select(o):
                continue
            if metric.kind == "acc" and o.kind == "field":
                a += int(o.correct)
                b += 1
            elif metric.kind in ("f1", "precision", "recall") and o.kind == "set":
                a += o.tp
                b += o.fp
                c += o.fn
        out.append((a, b, c))
    return out


def statistic(kind: str, a: float, b: float, c: float) -> float | None:
    """accuracy = a/b; F1 / precision / recall from summed (tp, fp, fn). None when undefined."""
    if kind == "acc":
        return a / b if b else None
    if a + b + c == 0:
        return None
    p, r, f = _prf_float(a, b, c)
    return {"f1": f, "precision": p, "recall": r}[kind]


def _prf_float(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def point(kind: str, counts: Sequence[Counts]) -> float | None:
    a = sum(x[0] for x in counts)
    b = sum(x[1] for x in counts)
    c = sum(x[2] for x in counts)
    return statistic(kind, a, b, c)


def support(kind: str, counts: Sequence[Counts]) -> int:
    """Number of labeled observations: fields scored, or gold + predicted set elements."""
    if kind == "acc":
        return sum(x[1] for x in counts)
    return sum(x[0] + x[2] for x in counts)  # gold elements (tp + fn)


def replicate_weights(n: int, replicates: int, seed: int) -> list[list[int]]:
    """Multiplicity of each filing in each bootstrap replicate (seeded, reproducible)."""
    rng = random.Random(seed)
    weights: list[list[int]] = []
    for _ in range(replicates):
        w = [0] * n
        for _ in range(n):
            w[rng.randrange(n)] += 1
        weights.append(w)
    return weights


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 1]) of a non-empty list."""
    s = sorted(values)
    if not s:
        return math.nan
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def replicate_stats(
    kind: str, counts: Sequence[Counts], weights: Sequence[Sequence[int]]
) -> list[float | None]:
    nz = [(i, x) for i, x in enumerate(counts) if x != (0, 0, 0)]
    out: list[float | None] = []
    for w in weights:
        a = b = c = 0
        for i, x in nz:
            k = w[i]
            if k:
                a += k * x[0]
                b += k * x[1]
                c += k * x[2]
        out.append(statistic(kind, a, b, c))
    return out


def ci(values: Sequence[float | None], level: float = 0.95) -> tuple[float, float] | None:
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    tail = (1 - level) / 2
    return percentile(vals, tail), percentile(vals, 1 - tail)


def paired_diff(
    a: Sequence[float | None], b: Sequence[float | None], level: float = 0.95
) -> tuple[float, float] | None:
    """CI of (A - B) over the same replicates."""
    return ci([x - y for x, y in zip(a, b, strict=True) if x is not None and y is not None], level)


# -------------------------------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> list[Bin]:
    """Equal-width confidence bins on [0, 1]; confidence 1.0 falls in the last bin."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for conf, ok in pairs:
        k = min(int(conf * bins), bins - 1) if conf >= 0 else 0
        groups[k].append((conf, ok))
    out = []
    for k, g in enumerate(groups):
        n = len(g)
        out.append(
            Bin(
                lo=k / bins,
                hi=(k + 1) / bins,
                count=n,
                mean_confidence=sum(c for c, _ in g) / n if n else None,
                accuracy=sum(1 for _, ok in g if ok) / n if n else None,
            )
        )
    return out


def ece(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float | None:
    """Expected calibration error: sum over bins of (n_bin / N) * |accuracy - mean confidence|."""
    n = len(pairs)
    if not n:
        return None
    total = 0.0
    for b in reliability(pairs, bins):
        if b.count:
            assert b.accuracy is not None and b.mean_confidence is not None
            total += b.count / n * abs(b.accuracy - b.mean_confidence)
    return total


def _equal_mass(pairs: Sequence[tuple[float, bool]], bins: int) -> list[list[tuple[float, bool]]]:
    """``bins`` groups of (as nearly as possible) equal size, by increasing confidence."""
    s = sorted(pairs, key=lambda p: p[0])
    n = len(s)
    return [g for k in range(bins) if (g := s[k * n // bins : (k + 1) * n // bins])]


def _binned_l1(groups: Sequence[Sequence[tuple[float, bool]]], n: int) -> float:
    return sum(
        len(g) / n * abs(sum(ok for _, ok in g) / len(g) - sum(c for c, _ in g) / len(g)) for g in groups
    )


def sweep_bins(pairs: Sequence[tuple[float, bool]]) -> int:
    """The number of equal-mass bins ECE_sweep uses: the largest whose share right still rises
    monotonically with confidence (bins are added one at a time until the first that breaks it)."""
    best = 1
    for b in range(2, len(pairs) + 1):
        acc = [sum(ok for _, ok in g) / len(g) for g in _equal_mass(pairs, b)]
        if any(y < x for x, y in itertools.pairwise(acc)):
            break
        best = b
    return best


def ece_sweep(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """ECE_sweep (Roelofs et al. 2022, equal-mass, L1): the ECE over ``sweep_bins`` equal-mass bins.
    Less biased at small n than fixed bins, which count noise as miscalibration; but a confidence that
    does not rank (share right not rising with it) collapses to one bin, the overall gap: read it
    beside AUROC."""
    if not pairs:
        return None
    return _binned_l1(_equal_mass(pairs, sweep_bins(pairs)), len(pairs))


def ce_debiased(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float | None:
    """Debiased L2 calibration error (Kumar et al. 2019) over ``bins`` equal-mass bins:
    sqrt(max(0, sum_b n_b/N [(acc_b - conf_b)^2 - acc_b (1 - acc_b) / (n_b - 1)])). The plug-in squared
    gap overstates the true one by the binomial variance of acc_b, which is subtracted. An RMS error:
    not on the L1 scale of ``ece``; 0 for a calibrated predictor up to noise."""
    n = len(pairs)
    if not n:
        return None
    total = 0.0
    for g in _equal_mass(pairs, min(bins, n)):
        m = len(g)
        acc = sum(ok for _, ok in g) / m
        gap = (acc - sum(c for c, _ in g) / m) ** 2
        total += m / n * (gap - (acc * (1 - acc) / (m - 1) if m > 1 else 0.0))
    return math.sqrt(max(0.0, total))


def ece_floor(
    confidences: Sequence[float],
    metric: Callable[[Sequence[tuple[float, bool]]], float | None] | None = None,
    draws: int = 200,
    seed: int = 0,
) -> float | None:
    """The mean ``metric`` (default ``ece``) of a perfectly calibrated predictor with these
    confidences: labels drawn right with probability = confidence, ``draws`` times (seeded). What an
    estimate at this n shows for a calibrated model: a measured ECE near it is noise, not miscalibration."""
    if not confidences:
        return None
    measure = metric or ece
    rng = random.Random(seed)
    got = [measure([(c, rng.random() < c) for c in confidences]) for _ in range(draws)]
    vals = [v for v in got if v is not None]
    return sum(vals) / len(vals) if vals else None


def auroc_wrong(pairs: Sequence[tuple[float, bool]], weights: Sequence[float] | None = None) -> float | None:
    """AUROC of low confidence as a detector of wrong values: the probability that a random wrong
    value has lower confidence than a random right one (ties count half). None without both classes."""
    w = list(weights) if weights is not None else [1.0] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda i: pairs[i][0])
    w_wrong_total = sum(w[i] for i in order if not pairs[i][1])
    w_right_total = sum(w[i] for i in order if pairs[i][1])
    if w_wrong_total <= 0 or w_right_total <= 0:
        return None
    # For each wrong value: right values with higher confidence (+ half the ties).
    acc = 0.0
    right_below = 0.0
    k = 0
    while k < len(order):
        conf = pairs[order[k]][0]
        tie_right = tie_wrong = 0.0
        j = k
        while j < len(order) and pairs[order[j]][0] == conf:
            i = order[j]
            if pairs[i][1]:
                tie_right += w[i]
            else:
                tie_wrong += w[i]
            j += 1
        right_above = w_right_total - right_below - tie_right
        acc += tie_wrong * (right_above + 0.5 * tie_right)
        right_below += tie_right
        k = j
    return acc / (w_wrong_total * w_right_total)


@dataclass(frozen=True)
class ReviewLoad:
    threshold: float
    total: int
    flagged: int  # values with confidence < threshold
    errors: int  # wrong values
    errors_caught: int  # wrong values that were flagged

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.total if self.total else 0.0

    @property
    def error_recall(self) -> float | None:
        return self.errors_caught / self.errors if self.errors else None

    @property
    def flag_precision(self) -> float | None:
        return self.errors_caught / self.flagged if self.flagged else None


def review_load(pairs: Sequence[tuple[float, bool]], threshold: float) -> ReviewLoad:
    flagged = [(c, ok) for c, ok in pairs if c < threshold]
    return ReviewLoad(
        threshold=threshold,
        total=len(pairs),
        flagged=len(flagged),
        errors=sum(1 for _, ok in pairs if not ok),
        errors_caught=sum(1 for _, ok in flagged if not ok),
    )


def calibration_pairs(observations: Sequence[Obs]) -> list[tuple[float, bool]]:
    """(confidence, right) of every emitted value: scalar fields with a value, and predicted set
    elements (right = matched to a gold element). A model's explicit null carries its confidence and is
    included; a value that is simply absent (no confidence) is not."""
    out: list[tuple[float, bool]] = []
    for o in observations:
        if o.kind == "field" and o.confidence is not None:
            out.append((o.confidence, o.correct))
        elif o.kind == "set":
            out.extend(o.elements)
    return out
