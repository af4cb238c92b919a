"""Terminal tables (rich) for an eval result dict (see ``results.build_results``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.columns import Columns
from rich.console import Console
from rich.table import Table

from .results import Change

HEADLINE = ("cover", "fields", "items", "exhibits", "signatures", "events", "events.sets", "events.matched")


def _fmt(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _cell(m: dict[str, Any] | None, ci: bool = True) -> str:
    if not m:
        return "[dim]-[/dim]"
    text = _fmt(m["value"])
    if ci and "lo" in m:
        text += f" [dim][{_fmt(m['lo'])}, {_fmt(m['hi'])}][/dim]"
    return text + f" [dim]n={m['n']}[/dim]"


def _label(name: str, m: dict[str, Any] | None) -> str:
    kind = (m or {}).get("kind", "acc")
    return f"{name} [dim]{'F1' if kind == 'f1' else 'acc'}[/dim]"


def parser_table(results: dict[str, Any], model: str = "parser", *, events: bool = False) -> Table:
    """Per-field accuracy and set P/R/F1 of one model, overall and by format and era."""
    summary = results["models"][model]
    buckets = [("format", b) for b in summary["breakdown"]["format"]] + [
        ("era", b) for b in summary["breakdown"]["era"]
    ]
    table = Table(
        title=f"{model}: scores on {len(results['filings'])} gold filings (acc = accuracy, F1 = set F1)"
    )
    table.add_column("metric", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("all", justify="right")
    table.add_column("95% CI", justify="right", no_wrap=True)
    table.add_column("P", justify="right")
    table.add_column("R", justify="right")
    for dim, b in buckets:
        n = summary["breakdown"][dim][b]["_filings"]
        table.add_column(f"{b}\n({n})", justify="right")
    for name in results["metric_order"]:
        if not events and name.startswith("event"):
            continue
        m = summary["metrics"].get(name)
        if m is None:
            continue
        f1 = m["kind"] == "f1"
        row = [
            _label(name, m),
            str(m["n"]),
            _fmt(m["value"]),
            f"[{_fmt(m['lo'])}, {_fmt(m['hi'])}]" if "lo" in m else "-",
            _fmt(m.get("precision"), 2) if f1 else "",
            _fmt(m.get("recall"), 2) if f1 else "",
        ]
        for dim, b in buckets:
            bm = summary["breakdown"][dim][b].get(name)
            row.append("-" if bm is None else _fmt(bm["value"]))
        style = "bold" if name in HEADLINE else None
        table.add_row(*row, style=style)
    return table


def models_table(results: dict[str, Any], metrics: Sequence[str] | None = None) -> Table:
    models = list(results["models"])
    table = Table(title="Models: score [95% CI] n")
    table.add_column("metric")
    for m in models:
        table.add_column(m, justify="right")
    names = metrics or results["metric_order"]
    for name in names:
        cells = [results["models"][m]["metrics"].get(name) for m in models]
        if not any(cells):
            continue
        kind_src = next(c for c in cells if c)
        table.add_row(
            _label(name, kind_src), *[_cell(c) for c in cells], style="bold" if name in HEADLINE else None
        )
    return table


def diff_table(
    results: dict[str, Any], metrics: Sequence[str] = HEADLINE, prefixes: Sequence[str] = ()
) -> Table:
    """Paired differences of the ``metrics``, and of every metric whose name starts with one of ``prefixes``."""
    table = Table(title="Paired differences (A - B) with 95% bootstrap CI; * = CI excludes 0")
    for col in ("A", "B", "metric", "diff", "95% CI"):
        table.add_column(col, justify="right" if col in ("diff", "95% CI") else "left")
    for row in results["comparisons"]:
        if row["metric"] not in metrics and not row["metric"].startswith(tuple(prefixes) or ("\0",)):
            continue
        interval = f"[{row['lo']:+.3f}, {row['hi']:+.3f}]" if "lo" in row else "-"
        star = " *" if row.get("significant") else ""
        table.add_row(row["a"], row["b"], row["metric"], f"{row['diff']:+.3f}{star}", interval)
    return table


def calibration_table(results: dict[str, Any]) -> Table:
    thr = (
        next(iter(results["models"].values()))["calibration"]["review"]["threshold"]
        if results["models"]
        else 0
    )
    table = Table(title=f"Calibration of field confidence (review threshold {thr})")
    for col in (
        "model",
        "values",
        "wrong",
        "ECE",
        "AUROC(wrong)",
        "flagged",
        "errors caught",
        "flag precision",
    ):
        table.add_column(col, justify="left" if col == "model" else "right")
    for name, s in results["models"].items():
        c = s["calibration"]
        r = c["review"]
        ece = (
            _fmt(c["ece"])
            + (f" [dim][{c['ece_lo']:.2f}, {c['ece_hi']:.2f}][/dim]" if "ece_lo" in c else "")
            + (f" (floor {c['ece_floor']:.3f})" if c.get("ece_floor") is not None else "")
        )
        auc = _fmt(c["auroc"]) + (
            f" [dim][{c['auroc_lo']:.2f}, {c['auroc_hi']:.2f}][/dim]" if "auroc_lo" in c else ""
        )
        table.add_row(
            name,
            str(c["n"]),
            str(c["wrong"]),
            ece,
            auc,
            f"{r['flagged']} ({r['flagged_share']:.0%})",
            f"{r['errors_caught']}/{r['errors']}",
            _fmt(r["flag_precision"], 2),
        )
    return table


def _with_ci(row: dict[str, Any], name: str) -> str:
    ci = row.get(f"{name}_ci")
    return _fmt(row.get(name)) + (f" [dim][{ci[0]:.2f}, {ci[1]:.2f}][/dim]" if ci else "")


def llm_ranking_table(results: dict[str, Any]) -> Table | None:
    """AUROC(wrong) and ECE of the values a model filled (method llm), overall and per item, with
    bootstrap CIs over filings (``extractor.eval.ranking``); None when no model filled any."""
    rows = [
        (name, s["calibration"]["llm"])
        for name, s in results["models"].items()
        if s["calibration"].get("llm", {}).get("overall", {}).get("n")
    ]
    if not rows:
        return None
    table = Table(
        title="Confidence of model-filled values (method llm; ECE over 10 equal-width bins; its floor: "
        "the ECE of a calibrated predictor at this n; ECE sweep: equal-mass, monotone bins; CE debiased: "
        "L2, 10 equal-mass bins)"
    )
    for col in ("model", "item", "values", "wrong", "AUROC(wrong)", *_ECE_COLUMNS):
        table.add_column(col, justify="left" if col in ("model", "item") else "right")
    for name, r in rows:
        for item, row in [("all", r["overall"]), *r["items"].items()]:
            table.add_row(
                name, item, str(row["n"]), str(row["wrong"]), _with_ci(row, "auroc"), *_ece_cells(row)
            )
    return table


_ECE_COLUMNS = ("ECE", "ECE floor", "ECE sweep", "CE debiased")


def _ece_cells(row: dict[str, Any]) -> list[str]:
    """ECE with its CI, its floor, ECE_sweep with its CI, the debiased L2 error (``eval.ranking``)."""
    bins = row.get("ece_sweep_bins")
    sweep = _with_ci(row, "ece_sweep") + (f" ({bins} bins)" if bins else "")
    return [_with_ci(row, "ece"), _fmt(row.get("ece_floor")), sweep, _fmt(row.get("ce_debiased"))]


def print_feature_fit(measured: dict[str, Any], console: Console) -> None:
    """The feature model's leave-one-filing-out measurement (``extractor.eval.fit.measure_features``)."""
    console.print(
        f"\n[bold]llm feature model[/bold]: {measured['values']} model-filled values with features "
        f"({measured['without_features']} without); AUROC(wrong) and ECE (10 equal-width bins), "
        "95% bootstrap CIs over filings"
    )
    if measured.get("note"):
        console.print(f"[yellow]note:[/yellow] {measured['note']}")
    systems = (
        ("recorded", "recorded"),
        ("isotonic_lofo", "isotonic LOFO"),
        ("features_lofo", "features LOFO"),
    )
    table = Table()
    table.add_column("item")
    table.add_column("values", justify="right")
    table.add_column("wrong", justify="right")
    for _key, label in systems:
        table.add_column(f"AUROC {label}", justify="right")
        table.add_column(f"ECE {label}", justify="right")
    items = ["all", *measured["recorded"]["items"]]
    for item in items:
        rows = [
            measured[k]["overall"] if item == "all" else measured[k]["items"][item] for k, _label in systems
        ]
        cells = [c for r in rows for c in (_with_ci(r, "auroc"), _with_ci(r, "ece"))]
        table.add_row(item, str(rows[0]["n"]), str(rows[0]["wrong"]), *cells)
    console.print(table)
    honest = Table(title="ECE of all values beside its small-n floor and the binning-robust estimates")
    for col in ("confidence", *_ECE_COLUMNS):
        honest.add_column(col, justify="left" if col == "confidence" else "right")
    for key, label in systems:
        honest.add_row(label, *_ece_cells(measured[key]["overall"]))
    console.print(honest)
    for key, label in (("auroc_gain_vs_recorded_ci", "recorded"), ("auroc_gain_vs_isotonic_ci", "isotonic")):
        ci = measured.get(key)
        if ci:
            console.print(
                f"AUROC gain of the feature model over {label}: 95% CI [{ci[0]:+.3f}, {ci[1]:+.3f}]"
            )


def reliability_table(results: dict[str, Any], model: str) -> Table:
    table = Table(title=f"Reliability: {model}")
    for col in ("confidence bin", "values", "mean confidence", "accuracy"):
        table.add_column(col, justify="right")
    for b in results["models"][model]["calibration"]["bins"]:
        if b["count"]:
            table.add_row(
                f"[{b['lo']:.1f}, {b['hi']:.1f}{']' if b['hi'] >= 1.0 else ')'}",
                str(b["count"]),
                _fmt(b["mean_confidence"]),
                _fmt(b["accuracy"]),
            )
    return table


def cost_table(results: dict[str, Any]) -> Table:
    table = Table(
        title="Cost and latency per filing (wall s of this run; model s = the model's answer time, "
        "cached answers at their original time)"
    )
    for col in (
        "model",
        "filings",
        "tokens/filing",
        "USD/filing",
        "USD total",
        "mean s",
        "p50 s",
        "p95 s",
        "model s",
        "calls",
        "cache hits",
        "status",
    ):
        table.add_column(col, justify="left" if col in ("model", "status") else "right")
    for name, s in results["models"].items():
        c = s["cost"]
        table.add_row(
            name,
            str(c["filings"]),
            f"{c['tokens_per_filing']:.0f}",
            f"{c['usd_per_filing']:.5f}",
            f"{c['usd_total']:.4f}",
            f"{c['latency_mean_s']:.2f}",
            f"{c['latency_p50_s']:.2f}",
            f"{c['latency_p95_s']:.2f}",
            f"{c.get('model_s_mean', 0.0):.2f}",
            str(c["calls"]),
            str(c["cache_hits"]),
            " ".join(f"{k}={v}" for k, v in s["status"].items()),
        )
    return table


def changes_table(changes: Sequence[Change]) -> Table:
    table = Table(title="Against baseline")
    for col in ("model", "metric", "baseline", "now", "delta", "threshold", ""):
        table.add_column(col)
    for c in changes:
        if c.status == "same":
            continue
        style = "red" if c.status == "regression" else "green"
        table.add_row(
            c.model,
            c.metric,
            _fmt(c.old),
            _fmt(c.new),
            f"{c.delta:+.3f}",
            f"{c.threshold:.3f}",
            c.status,
            style=style,
        )
    return table


def misses(results: dict[str, Any], model: str, key_prefix: str | None = None, limit: int = 200) -> Table:
    """Every wrong observation with its reason: what to read to fix a miss."""
    table = Table(title=f"Misses: {model}" + (f" ({key_prefix}*)" if key_prefix else ""))
    for col in ("file", "key", "gold", "predicted", "reason"):
        table.add_column(col, overflow="fold")
    shown = 0
    for run in results["models"][model]["runs"]:
        for o in run["observations"]:
            if o["correct"] or (key_prefix and not o["key"].startswith(key_prefix)):
                continue
            if shown >= limit:
                break
            table.add_row(run["file"], o["key"], o["gold"], o["pred"], o["reason"])
            shown += 1
    return table


def print_report(
    results: dict[str, Any],
    console: Console,
    *,
    changes: Sequence[Change] = (),
    show_misses: str | None = None,
    diffs: Sequence[str] = (),
) -> None:
    models = list(results["models"])
    if len(models) == 1:
        console.print(parser_table(results, models[0], events=True))  # the parser pre-fills some events
    else:
        console.print(models_table(results))
        console.print(diff_table(results, prefixes=diffs))
    console.print(calibration_table(results))
    llm_table = llm_ranking_table(results)
    if llm_table is not None:
        console.print(llm_table)
    console.print(
        Columns([reliability_table(results, m) for m in models if results["models"][m]["calibration"]["n"]])
    )
    if len(models) > 1 or models != ["parser"]:
        console.print(cost_table(results))
    if changes:
        console.print(changes_table(changes))
    if show_misses is not None:
        for m in models:
            console.print(misses(results, m, show_misses or None))
