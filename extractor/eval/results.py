"""Summaries of an eval run (pure): per-model metrics with bootstrap CIs, breakdowns by format and era,
paired differences between models, calibration, cost and latency, and regressions against a baseline.

The input is one :class:`FilingRun` per (model, gold filing); the output is a plain JSON-able dict
(the ``--out`` file), which the terminal and HTML reports read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from . import stats
from .compare import Obs
from .ranking import llm_values, ranking
from .stats import MetricDef

RESULTS_VERSION = 1
REVIEW_CURVE = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # thresholds of the review-load curve


@dataclass
class FilingRun:
    """One model on one gold filing."""

    file: str
    format: str
    era: str
    status: str = "ok"  # the record's status, or "failed" when the run raised
    observations: list[Obs] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    calls: int = 0
    cache_hits: int = 0
    model_latency_s: float = 0.0  # the model's answer time, cached answers counted at their original time
    error: str | None = None
    llm_model: str | None = None  # the model name the fill recorded (items[].llm.model), when one ran

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["observations"] = [_obs_json(o) for o in self.observations]
        return d


def _obs_json(o: Obs) -> dict[str, Any]:
    d = asdict(o)
    if o.kind == "field":
        for k in ("tp", "fp", "fn", "elements", "raw_elements", "element_features"):
            d.pop(k)
    else:
        d["elements"] = [list(e) for e in o.elements]
        d["raw_elements"] = list(o.raw_elements)
        d["element_features"] = list(o.element_features)
        d.pop("features")
    # calibration metadata only when known (results stay comparable with older ones)
    for k in ("method", "raw_confidence", "raw_elements", "features", "element_features"):
        if d.get(k) in (None, []):
            d.pop(k, None)
    return d


def obs_from_json(d: dict[str, Any]) -> Obs:
    d = dict(d)
    d["elements"] = tuple(tuple(e) for e in d.get("elements", ()))
    d["raw_elements"] = tuple(d.get("raw_elements", ()))
    d["element_features"] = tuple(d.get("element_features", ()))
    return Obs(**d)


# ---------------------------------------------------------------------------------------- metrics

GROUPS: dict[str, str] = {
    "cover": "all cover fields (incl. form type)",
    "fields": "all scalar fields of the parser (cover, exhibit descriptions, signer titles/dates)",
    "events": "all top-level scalar event fields (the same count for every model)",
    "events.sets": "all event lists (5.02 changes, 5.07 proposals, counterparties)",
    "events.matched": "fields of matched list elements (5.02 change kind, 5.07 votes, ...)",
}


def _is_parser_obs(o: Obs) -> bool:
    return not o.key.startswith("event.")


def group_defs(groups: dict[str, list[str]]) -> list[MetricDef]:
    """Named groups of the eval config (``[groups]``: name -> metric key prefixes): ``NAME`` is the
    accuracy over their top-level scalar fields, ``NAME.sets`` the F1 over their sets, so a prompt change
    aimed at some fields is judged on an aggregate of exactly those."""
    out = []
    for name, prefixes in groups.items():
        pre = tuple(prefixes)
        out.append(MetricDef(name, "acc", _group_scalars(pre)))
        out.append(MetricDef(f"{name}.sets", "f1", _group_keys(pre)))
    return out


def _group_scalars(prefixes: tuple[str, ...]) -> Callable[[Obs], bool]:
    return lambda o: o.key.startswith(prefixes) and not is_conditional(o.key)


def _group_keys(prefixes: tuple[str, ...]) -> Callable[[Obs], bool]:
    return lambda o: o.key.startswith(prefixes)


def metric_defs(
    keys_kinds: Sequence[tuple[str, str]], groups: dict[str, list[str]] | None = None
) -> list[MetricDef]:
    """Headline groups first, then the config's named groups, then one metric per observed key (sets as F1)."""
    defs = [
        MetricDef("cover", "acc", lambda o: o.key == "form_type" or o.key.startswith("cover.")),
        MetricDef("fields", "acc", _is_parser_obs),
        MetricDef("items", "f1", lambda o: o.key == "items"),
        MetricDef("exhibits", "f1", lambda o: o.key == "exhibits"),
        MetricDef("signatures", "f1", lambda o: o.key == "signatures"),
        MetricDef("events", "acc", lambda o: o.key.startswith("event.") and not is_conditional(o.key)),
        MetricDef("events.sets", "f1", lambda o: o.key.startswith("event.")),
        MetricDef("events.matched", "acc", lambda o: o.key.startswith("event.") and is_conditional(o.key)),
    ]
    defs.extend(group_defs(groups or {}))
    seen = {d.name for d in defs}
    extra: list[MetricDef] = []
    # one accuracy per event item over all its scalar fields ("event.5.07.*")
    for item in sorted({".".join(k.split(".")[1:3]) for k, _ in keys_kinds if k.startswith("event.")}):
        prefix = f"event.{item}."
        extra.append(MetricDef(f"{prefix}*", "acc", _prefix_selector(prefix)))
    for key, kind in set(keys_kinds):
        if key not in seen:
            extra.append(MetricDef(key, "acc" if kind == "field" else "f1", _key_selector(key)))
    defs.extend(sorted(extra, key=lambda d: _key_order(d.name)))
    return defs


def is_conditional(key: str) -> bool:
    """A sub-field scored only over matched list elements (``event.5.07.proposals.votes_for``,
    ``exhibits.description``): how many there are depends on the matching, so such keys are kept out of
    the per-model headline groups that must count the same observations for every model."""
    parts = key.split(".")
    return (parts[0] == "event" and len(parts) > 4) or (
        parts[0] in ("exhibits", "signatures") and len(parts) > 1
    )


def _prefix_selector(prefix: str) -> Callable[[Obs], bool]:
    return lambda o: o.key.startswith(prefix) and not is_conditional(o.key)


def _key_selector(key: str) -> Callable[[Obs], bool]:
    return lambda o: o.key == key


def _key_order(key: str) -> tuple[int, str]:
    head = key.split(".", 1)[0]
    rank = {"form_type": 0, "cover": 1, "items": 2, "exhibits": 3, "signatures": 4, "event": 5}.get(head, 6)
    return rank, key


def summarize_metric(
    metric: MetricDef, filings: Sequence[Sequence[Obs]], weights: Sequence[Sequence[int]] | None
) -> dict[str, Any] | None:
    counts = stats.per_filing_counts(filings, metric)
    value = stats.point(metric.kind, counts)
    if value is None:
        return None
    out: dict[str, Any] = {"kind": metric.kind, "value": value, "n": stats.support(metric.kind, counts)}
    if metric.kind == "f1":
        tp = sum(c[0] for c in counts)
        fp = sum(c[1] for c in counts)
        fn = sum(c[2] for c in counts)
        out.update(tp=tp, fp=fp, fn=fn)
        out["precision"] = stats.point("precision", counts)
        out["recall"] = stats.point("recall", counts)
    else:
        out["correct"] = sum(c[0] for c in counts)
    if weights:
        interval = stats.ci(stats.replicate_stats(metric.kind, counts, weights))
        if interval:
            out["lo"], out["hi"] = interval
    return out


def summarize_model(
    runs: Sequence[FilingRun],
    defs: Sequence[MetricDef],
    *,
    weights: Sequence[Sequence[int]] | None,
    prices: dict[str, float] | None = None,
    review_threshold: float = 0.7,
    breakdown_weights: bool = False,
) -> dict[str, Any]:
    filings = [r.observations for r in runs]
    metrics = {}
    for d in defs:
        s = summarize_metric(d, filings, weights)
        if s is not None:
            metrics[d.name] = s
    breakdown: dict[str, dict[str, dict[str, Any]]] = {"format": {}, "era": {}}
    for dim in ("format", "era"):
        for bucket in sorted({getattr(r, dim) for r in runs}):
            sub = [r.observations for r in runs if getattr(r, dim) == bucket]
            rows: dict[str, Any] = {"_filings": len(sub)}
            for d in defs:
                s = summarize_metric(d, sub, None)
                if s is not None:
                    rows[d.name] = s
            breakdown[dim][bucket] = rows
    return {
        "metrics": metrics,
        "breakdown": breakdown,
        "calibration": calibration_summary(runs, weights, review_threshold),
        "cost": cost_summary(runs, prices),
        "status": {s: sum(1 for r in runs if r.status == s) for s in sorted({r.status for r in runs})},
    }


def calibration_summary(
    runs: Sequence[FilingRun], weights: Sequence[Sequence[int]] | None, threshold: float
) -> dict[str, Any]:
    per_filing = [stats.calibration_pairs(r.observations) for r in runs]
    files = [r.file for r in runs]
    pairs = [p for ps in per_filing for p in ps]
    out: dict[str, Any] = {"n": len(pairs), "wrong": sum(1 for _, ok in pairs if not ok)}
    out["bins"] = [asdict(b) for b in stats.reliability(pairs)]
    out["ece"] = stats.ece(pairs)
    out["ece_floor"] = stats.ece_floor([c for c, _ in pairs])  # see eval.ranking
    out["ece_sweep"] = stats.ece_sweep(pairs)
    out["ce_debiased"] = stats.ce_debiased(pairs)
    out["auroc"] = stats.auroc_wrong(pairs)
    load = stats.review_load(pairs, threshold)
    out["review"] = {
        "threshold": threshold,
        "total": load.total,
        "flagged": load.flagged,
        "flagged_share": load.flagged_share,
        "errors": load.errors,
        "errors_caught": load.errors_caught,
        "error_recall": load.error_recall,
        "flag_precision": load.flag_precision,
    }
    out["llm"] = ranking([v for r in runs for v in llm_values(r.file, r.observations)], files, weights)
    out["review_curve"] = []
    for t in REVIEW_CURVE:
        lt = stats.review_load(pairs, t)
        out["review_curve"].append(
            {
                "threshold": t,
                "flagged_share": lt.flagged_share,
                "error_recall": lt.error_recall,
                "flag_precision": lt.flag_precision,
            }
        )
    if weights and pairs:
        owner = [i for i, ps in enumerate(per_filing) for _ in ps]
        eces, aurocs = [], []
        for w in weights:
            sample = [p for p, i in zip(pairs, owner, strict=True) for _ in range(w[i])]
            eces.append(stats.ece(sample))
            aurocs.append(stats.auroc_wrong(pairs, [float(w[i]) for i in owner]))
        if (c := stats.ci(eces)) is not None:
            out["ece_lo"], out["ece_hi"] = c
        if (c := stats.ci(aurocs)) is not None:
            out["auroc_lo"], out["auroc_hi"] = c
    return out


def cost_summary(runs: Sequence[FilingRun], prices: dict[str, float] | None) -> dict[str, Any]:
    """Tokens, dollars (tokens x price per million) and wall time per filing."""
    n = len(runs) or 1
    tin = sum(r.tokens_in for r in runs)
    tout = sum(r.tokens_out for r in runs)
    p_in = (prices or {}).get("input_per_mtok", 0.0)
    p_out = (prices or {}).get("output_per_mtok", 0.0)
    dollars = tin / 1e6 * p_in + tout / 1e6 * p_out
    lat = sorted(r.latency_s for r in runs)
    return {
        "filings": len(runs),
        "tokens_in": tin,
        "tokens_out": tout,
        "tokens_per_filing": (tin + tout) / n,
        "usd_total": dollars,
        "usd_per_filing": dollars / n,
        "latency_mean_s": sum(lat) / n if lat else 0.0,
        "latency_p50_s": stats.percentile(lat, 0.5) if lat else 0.0,
        "latency_p95_s": stats.percentile(lat, 0.95) if lat else 0.0,
        "model_s_mean": sum(r.model_latency_s for r in runs) / n,
        "model_s_p95": stats.percentile(sorted(r.model_latency_s for r in runs), 0.95) if runs else 0.0,
        "calls": sum(r.calls for r in runs),
        "cache_hits": sum(r.cache_hits for r in runs),
        "prices": {"input_per_mtok": p_in, "output_per_mtok": p_out},
    }


def build_results(
    runs_by_model: dict[str, list[FilingRun]],
    *,
    gold_dir: str,
    seed: int = 0,
    replicates: int = 1000,
    prices: dict[str, dict[str, float]] | None = None,
    review_threshold: float = 0.7,
    groups: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The full result: every model is run on the same filings in the same order (checked);
    ``groups``: the config's named metric groups (``group_defs``)."""
    models = list(runs_by_model)
    files = [r.file for r in runs_by_model[models[0]]] if models else []
    for m in models:
        if [r.file for r in runs_by_model[m]] != files:
            raise ValueError(f"model {m!r} was run on different filings")
    keys = [(o.key, o.kind) for runs in runs_by_model.values() for r in runs for o in r.observations]
    defs = metric_defs(keys, groups)
    weights = stats.replicate_weights(len(files), replicates, seed) if replicates and files else None
    summaries = {
        m: summarize_model(
            runs_by_model[m],
            defs,
            weights=weights,
            prices=(prices or {}).get(m),
            review_threshold=review_threshold,
        )
        for m in models
    }
    comparisons = []
    if weights:
        for i, a in enumerate(models):
            for b in models[i + 1 :]:
                for d in defs:
                    ca = stats.per_filing_counts([r.observations for r in runs_by_model[a]], d)
                    cb = stats.per_filing_counts([r.observations for r in runs_by_model[b]], d)
                    pa, pb = stats.point(d.kind, ca), stats.point(d.kind, cb)
                    if pa is None or pb is None:
                        continue
                    interval = stats.paired_diff(
                        stats.replicate_stats(d.kind, ca, weights), stats.replicate_stats(d.kind, cb, weights)
                    )
                    row: dict[str, Any] = {"a": a, "b": b, "metric": d.name, "diff": pa - pb}
                    if interval:
                        row["lo"], row["hi"] = interval
                        row["significant"] = interval[0] > 0 or interval[1] < 0
                    comparisons.append(row)
    first = runs_by_model[models[0]] if models else []
    return {
        "version": RESULTS_VERSION,
        "gold": gold_dir,
        "seed": seed,
        "replicates": replicates,
        "metric_order": [d.name for d in defs],
        "filings": [{"file": r.file, "format": r.format, "era": r.era} for r in first],
        "models": {m: {**summaries[m], "runs": [r.to_json() for r in runs_by_model[m]]} for m in models},
        "comparisons": comparisons,
    }


# -------------------------------------------------------------------------------------- baseline


@dataclass(frozen=True)
class Change:
    model: str
    metric: str
    old: float
    new: float
    threshold: float
    status: str  # "regression" | "improvement" | "same"

    @property
    def delta(self) -> float:
        return self.new - self.old


def compare_baseline(
    current: dict[str, Any],
    baseline: dict[str, Any],
    *,
    max_drop: float = 0.02,
    per_metric: dict[str, float] | None = None,
    metrics: Sequence[str] | None = None,
) -> list[Change]:
    """Every metric present for a model in both runs; a drop larger than the metric's threshold is a
    regression, a rise larger than it an improvement. ``metrics`` restricts which metrics are gated."""
    out: list[Change] = []
    per_metric = per_metric or {}
    for model, cur in current.get("models", {}).items():
        base = baseline.get("models", {}).get(model)
        if not base:
            continue
        for name, m in cur["metrics"].items():
            if metrics is not None and name not in metrics:
                continue
            old = base["metrics"].get(name)
            if old is None:
                continue
            thr = per_metric.get(name, max_drop)
            delta = m["value"] - old["value"]
            status = "regression" if delta < -thr else "improvement" if delta > thr else "same"
            out.append(Change(model, name, old["value"], m["value"], thr, status))
    return out
