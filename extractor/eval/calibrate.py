"""Fit confidence calibration curves on eval results and measure them honestly (pure).

Input: the result JSON files of ``extractor eval --out`` (every observation carries the raw confidence of
the predicted value, whether it was right, its key, how it was obtained and its filing). Output: one curve
document per model for ``extractor/calibration/`` (see ``extractor.calibration``) with its provenance.

The fit is isotonic regression (pool adjacent violators) of right/wrong on the raw score, made robust for
small samples:

1. tied raw scores are pooled first (a score maps to one value);
2. PAV merges adjacent blocks until the share right never decreases with the score;
3. blocks with fewer than ``min_bin`` values are merged into their closest neighbor (merging neighbors of
   a monotone sequence keeps it monotone);
4. each block's share is shrunk towards the pooled share with ``prior`` pseudo-values
   ``(right + prior * p) / (n + prior)``, then re-pooled if that broke monotonicity;
5. values are clipped to ``clip`` (default [0.02, 0.98]): no value is ever certain.

Knots sit at each block's mean raw score; between knots the curve is linear, outside them flat.

Methods are fitted separately (``llm``: values a model filled; ``parser``: every deterministic value,
parser or header) when a method has at least ``min_n`` values with at least ``min_each`` right and wrong
ones; otherwise it has no curve (the runtime keeps the raw score: identity).

The measurement is cross-validated by filing: each filing's values are calibrated by a curve fitted
without that filing (leave-one-filing-out, or ``folds`` groups of filings), and ECE / AUROC / Brier of
those out-of-fold values are compared with the raw scores of the same values. Values of one filing are
not independent, so filings, not values, are held out; the bootstrap intervals resample filings too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..calibration import CURVE_VERSION, Curve
from . import stats
from .results import obs_from_json

METHODS = ("llm", "parser")


@dataclass(frozen=True)
class Pair:
    """One emitted value: its raw confidence and whether it was right."""

    raw: float
    correct: bool
    key: str
    method: str  # "llm" | "parser" (parser, header or human values)
    file: str
    model: str


@dataclass(frozen=True)
class FitParams:
    min_bin: int = 10
    prior: float = 2.0
    clip: tuple[float, float] = (0.02, 0.98)
    min_n: int = 30
    min_each: int = 5


# ------------------------------------------------------------------------------------------ pairs


def method_group(method: str | None, key: str, model: str) -> str:
    """``llm`` or ``parser``. Results written before observations recorded their method fall back on the
    key: event values of a model run count as llm (the parser's pre-filled vote counts are then
    misfiled)."""
    if method is not None:
        return "llm" if method == "llm" else "parser"
    return "llm" if key.startswith("event.") and model != "parser" else "parser"


def pairs_from_results(results: dict[str, Any], models: Iterable[str] | None = None) -> list[Pair]:
    """Every emitted value of the chosen models (all by default) with its raw confidence."""
    wanted = set(models) if models is not None else None
    out: list[Pair] = []
    for model, summary in results.get("models", {}).items():
        if wanted is not None and model not in wanted:
            continue
        for run in summary.get("runs", []):
            for d in run.get("observations", []):
                o = obs_from_json(d)
                group = method_group(o.method, o.key, model)
                if o.kind == "field":
                    if o.raw is not None:
                        out.append(Pair(float(o.raw), o.correct, o.key, group, run["file"], model))
                else:
                    for raw, ok in o.raw_pairs():
                        out.append(Pair(float(raw), bool(ok), o.key, group, run["file"], model))
    return out


def pool_results(docs: Sequence[tuple[str, dict[str, Any]]], model: str) -> tuple[list[Pair], list[str]]:
    """Pairs of ``model`` over several result files; a filing scored in more than one file is used once
    (from the first file that has it). Returns the pairs and notes on what was skipped."""
    seen: set[str] = set()
    pairs: list[Pair] = []
    notes: list[str] = []
    for path, doc in docs:
        got = [p for p in pairs_from_results(doc, [model])]
        files = {p.file for p in got}
        dup = files & seen
        if dup:
            notes.append(f"{path}: {len(dup)} filing(s) already taken from an earlier file, skipped")
        pairs += [p for p in got if p.file not in dup]
        seen |= files
    return pairs, notes


# ------------------------------------------------------------------------------------------- fit


@dataclass
class _Block:
    n: float
    right: float
    xsum: float

    @property
    def mean(self) -> float:
        return self.right / self.n

    def merge(self, other: _Block) -> _Block:
        return _Block(self.n + other.n, self.right + other.right, self.xsum + other.xsum)


def _pav(blocks: list[_Block], value: Any = None) -> list[_Block]:
    """Pool adjacent violators: merge neighbors until ``value(block)`` never decreases."""
    value = value or (lambda b: b.mean)
    out: list[_Block] = []
    for b in blocks:
        out.append(b)
        while len(out) > 1 and value(out[-2]) > value(out[-1]):
            last = out.pop()
            out[-1] = out[-1].merge(last)
    return out


def isotonic_blocks(pairs: Sequence[tuple[float, bool]], min_bin: int = 1) -> list[_Block]:
    """Steps 1-3 of the module docstring: monotone blocks of at least ``min_bin`` values (unless there
    are fewer values in all)."""
    ties: dict[float, _Block] = {}
    for x, ok in pairs:
        b = ties.setdefault(float(x), _Block(0, 0, 0))
        b.n += 1
        b.right += int(bool(ok))
        b.xsum += float(x)
    blocks = _pav([ties[x] for x in sorted(ties)])
    while len(blocks) > 1:
        k = min(range(len(blocks)), key=lambda i: (blocks[i].n, i))
        if blocks[k].n >= min_bin:
            break
        if k == 0:
            j = 1
        elif k == len(blocks) - 1:
            j = k - 1
        else:  # the neighbor with the closer share
            left, right = blocks[k - 1], blocks[k + 1]
            j = k - 1 if blocks[k].mean - left.mean <= right.mean - blocks[k].mean else k + 1
        lo, hi = min(j, k), max(j, k)
        blocks[lo : hi + 1] = [blocks[lo].merge(blocks[hi])]
    return blocks


def fit_isotonic(pairs: Sequence[tuple[float, bool]], params: FitParams = FitParams()) -> Curve | None:
    """The calibration curve of (raw, right) pairs; None without pairs."""
    if not pairs:
        return None
    blocks = isotonic_blocks(pairs, params.min_bin)
    total = sum(b.n for b in blocks)
    prior_p = sum(b.right for b in blocks) / total

    def smoothed(b: _Block) -> float:
        return (b.right + params.prior * prior_p) / (b.n + params.prior)

    blocks = _pav(blocks, smoothed)
    lo, hi = params.clip
    xs = tuple(round(b.xsum / b.n, 4) for b in blocks)
    ys = tuple(round(min(hi, max(lo, smoothed(b))), 4) for b in blocks)
    # rounding can make neighbors equal in x: keep the first of equal knots
    kx, ky = [xs[0]], [ys[0]]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        if x > kx[-1]:
            kx.append(x)
            ky.append(max(y, ky[-1]))
    # a knot inside a flat run changes nothing: drop it
    keep = [k for k in range(len(kx)) if k in (0, len(kx) - 1) or not ky[k - 1] == ky[k] == ky[k + 1]]
    return Curve(tuple(kx[k] for k in keep), tuple(ky[k] for k in keep))


def supported(pairs: Sequence[Pair], params: FitParams) -> bool:
    wrong = sum(1 for p in pairs if not p.correct)
    return len(pairs) >= params.min_n and wrong >= params.min_each and len(pairs) - wrong >= params.min_each


# ----------------------------------------------------------------------------------- measurement


def fold_of(files: Sequence[str], folds: int) -> dict[str, int]:
    """Filing -> fold; ``folds`` <= 0 or >= the number of filings: leave one filing out."""
    ordered = sorted(set(files))
    k = len(ordered) if folds <= 0 or folds >= len(ordered) else folds
    return {f: i % k for i, f in enumerate(ordered)}


def cross_validate(
    pairs: Sequence[Pair], params: FitParams = FitParams(), folds: int = 0
) -> list[tuple[Pair, float]]:
    """Each pair with its out-of-fold calibrated value (the curve fitted without the pair's fold). A
    fold whose training part does not support a fit keeps the raw scores (as the runtime would)."""
    assign = fold_of([p.file for p in pairs], folds)
    out: list[tuple[Pair, float]] = []
    for fold in sorted(set(assign.values())):
        train = [p for p in pairs if assign[p.file] != fold]
        test = [p for p in pairs if assign[p.file] == fold]
        curve = (
            fit_isotonic([(p.raw, p.correct) for p in train], params) if supported(train, params) else None
        )
        out += [(p, curve(p.raw) if curve is not None else p.raw) for p in test]
    return out


def brier(pairs: Sequence[tuple[float, bool]]) -> float | None:
    return sum((c - float(ok)) ** 2 for c, ok in pairs) / len(pairs) if pairs else None


def _table(pairs: Sequence[tuple[float, bool]]) -> list[dict[str, Any]]:
    return [asdict(b) for b in stats.reliability(pairs) if b.count]


def measure(
    pairs: Sequence[Pair],
    params: FitParams = FitParams(),
    folds: int = 0,
    replicates: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Raw vs cross-validated calibrated: ECE, AUROC, Brier, reliability tables, bootstrap CIs (over
    filings) of both ECEs and of their difference."""
    cv = cross_validate(pairs, params, folds)
    raw = [(p.raw, p.correct) for p, _ in cv]
    cal = [(c, p.correct) for p, c in cv]
    files = sorted({p.file for p in pairs})
    nfolds = len(set(fold_of(files, folds).values())) if files else 0
    out: dict[str, Any] = {
        "n": len(pairs),
        "wrong": sum(1 for p in pairs if not p.correct),
        "filings": len(files),
        "cv": "leave-one-filing-out" if nfolds == len(files) else f"{nfolds}-fold by filing",
        "ece_raw": stats.ece(raw),
        "ece_cv": stats.ece(cal),
        "auroc_raw": stats.auroc_wrong(raw),
        "auroc_cv": stats.auroc_wrong(cal),
        "brier_raw": brier(raw),
        "brier_cv": brier(cal),
        "table_raw": _table(raw),
        "table_cv": _table(cal),
    }
    if replicates and files:
        index = {f: i for i, f in enumerate(files)}
        owner = [index[p.file] for p, _ in cv]
        e_raw, e_cal, diff = [], [], []
        for w in stats.replicate_weights(len(files), replicates, seed):
            r = [x for x, i in zip(raw, owner, strict=True) for _ in range(w[i])]
            c = [x for x, i in zip(cal, owner, strict=True) for _ in range(w[i])]
            a, b = stats.ece(r), stats.ece(c)
            e_raw.append(a)
            e_cal.append(b)
            diff.append(None if a is None or b is None else b - a)
        for name, values in (("ece_raw_ci", e_raw), ("ece_cv_ci", e_cal), ("ece_diff_ci", diff)):
            interval = stats.ci(values)
            if interval is not None:
                out[name] = [interval[0], interval[1]]
    return out


# ---------------------------------------------------------------------------------------- document


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_curves(
    docs: Sequence[tuple[str, dict[str, Any]]],
    model: str,
    *,
    name: str | None = None,
    params: FitParams = FitParams(),
    folds: int = 0,
    replicates: int = 1000,
    seed: int = 0,
    digests: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The curve document for ``extractor/calibration/<name>.json``: one curve per supported method,
    fitted on every pair, with the cross-validated measurement of each method in its provenance."""
    pairs, notes = pool_results(docs, model)
    methods: dict[str, Any] = {}
    measured: dict[str, Any] = {}
    for method in METHODS:
        group = [p for p in pairs if p.method == method]
        if not group:
            continue
        m = measure(group, params, folds, replicates, seed)
        if supported(group, params):
            curve = fit_isotonic([(p.raw, p.correct) for p in group], params)
            assert curve is not None
            fitted = [(curve(p.raw), p.correct) for p in group]
            m["ece_in_sample"] = stats.ece(fitted)
            methods[method] = {"x": list(curve.x), "y": list(curve.y), "n": m["n"], "wrong": m["wrong"]}
        else:
            methods[method] = None
            m["note"] = (
                f"not fitted: needs >= {params.min_n} values with >= {params.min_each} right and wrong "
                "(identity: the raw score is kept)"
            )
        measured[method] = m
    return {
        "version": CURVE_VERSION,
        "kind": "isotonic",
        "model": name or model,
        "methods": methods,
        "provenance": {
            "created": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
            "eval_model": model,
            "results": [
                {"path": path, "sha256": (digests or {}).get(path), "filings": len(doc.get("filings", []))}
                for path, doc in docs
            ],
            "filings": len({p.file for p in pairs}),
            "params": {
                "min_bin": params.min_bin,
                "prior": params.prior,
                "clip": list(params.clip),
                "min_n": params.min_n,
                "min_each": params.min_each,
                "folds": folds,
                "replicates": replicates,
                "seed": seed,
            },
            "notes": notes,
            "measured": measured,
        },
    }


def runtime_name(results: Sequence[dict[str, Any]], model: str, settings: dict[str, Any] | None) -> str:
    """The name the provider records for ``model`` (curves are looked up by it at run time): recorded
    in the runs (``llm_model``), else from the eval config's settings, else the eval name."""
    for doc in results:
        for run in doc.get("models", {}).get(model, {}).get("runs", []):
            if run.get("llm_model"):
                return str(run["llm_model"])
    s = settings or {}
    if s.get("model_path"):
        return Path(str(s["model_path"])).name
    for key in ("local_model", "model"):
        if s.get(key):
            return str(s[key])
    return model


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1) + "\n"
