"""A self-contained HTML report of an eval result (pure: result dict in, HTML text out).

No scripts, no external resources: inline CSS and inline SVG plots drawn here (score by metric per
model with CI whiskers, reliability diagrams, cost vs accuracy). Every string that can come from a
filing, a gold label, a model or a file name is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from typing import Any

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
HEADLINE = ("cover", "fields", "items", "exhibits", "signatures", "events", "events.sets", "events.matched")
MAX_MISSES = 300

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f4f4f4}td.l,th.l{text-align:left}
.dim{color:#888}.bad{color:#b00020;font-weight:600}.good{color:#137333;font-weight:600}
.sig{font-weight:600}.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
.plots{display:flex;flex-wrap:wrap;gap:16px}
td.wrap{text-align:left;max-width:360px;word-break:break-word}
svg text{font-family:system-ui,sans-serif}
"""


def e(value: Any) -> str:
    """Escape anything for HTML text and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _f(v: float | None, d: int = 3) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{d}f}"


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _cell(m: dict[str, Any] | None) -> str:
    if not m:
        return '<td class="dim">–</td>'
    ci = f' <span class="dim">[{_f(m["lo"])}, {_f(m["hi"])}]</span>' if "lo" in m else ""
    return f'<td>{_f(m["value"])}{ci} <span class="dim">n={e(m["n"])}</span></td>'


# ------------------------------------------------------------------------------------------- plots


def bar_chart(results: dict[str, Any], metrics: list[str]) -> str:
    """Horizontal bars: one group per metric, one bar per model, CI whiskers."""
    models = list(results["models"])
    rows = [m for m in metrics if any(results["models"][x]["metrics"].get(m) for x in models)]
    if not rows:
        return ""
    bar_h, gap, left, width = 9, 8, 250, 420
    group_h = bar_h * len(models) + gap
    height = 30 + group_h * len(rows) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height}" '
        f'role="img" aria-label="score by metric and model">'
    ]
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + t * width
        out.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 20}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{x:.1f}" y="14" font-size="10" text-anchor="middle" fill="#666">{t:g}</text>')
    for r, name in enumerate(rows):
        y0 = 24 + r * group_h
        kind = next(
            results["models"][x]["metrics"][name]["kind"]
            for x in models
            if name in results["models"][x]["metrics"]
        )
        label = f"{name} ({'F1' if kind == 'f1' else 'acc'})"
        out.append(
            f'<text x="{left - 6}" y="{y0 + group_h / 2:.1f}" font-size="11" text-anchor="end" '
            f'dominant-baseline="middle">{e(label)}</text>'
        )
        for k, model in enumerate(models):
            m = results["models"][model]["metrics"].get(name)
            if not m:
                continue
            y = y0 + k * bar_h
            w = max(0.0, min(1.0, m["value"])) * width
            out.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" fill="{_color(k)}">'
                f"<title>{e(model)} {e(name)}: {_f(m['value'])}</title></rect>"
            )
            if "lo" in m:
                x1, x2 = left + m["lo"] * width, left + m["hi"] * width
                yc = y + (bar_h - 1) / 2
                out.append(
                    f'<line x1="{x1:.1f}" y1="{yc:.1f}" x2="{x2:.1f}" y2="{yc:.1f}" stroke="#000" stroke-width="1"/>'
                )
                for x in (x1, x2):
                    out.append(
                        f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + bar_h - 2}" stroke="#000"/>'
                    )
    out.append("</svg>")
    return "".join(out)


def reliability_svg(cal: dict[str, Any], color: str, title: str) -> str:
    """Reliability diagram: accuracy per confidence bin against the diagonal; bar width ~ bin size."""
    size, pad = 240, 34
    inner = size - 2 * pad
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 16}" role="img" '
        f'aria-label="reliability diagram {e(title)}">',
        f'<text x="{size / 2}" y="14" font-size="12" text-anchor="middle">{e(title)}</text>',
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad + inner}" x2="{pad + inner}" y2="{pad}" stroke="#bbb" stroke-dasharray="4 3"/>',
    ]
    total = max(1, cal.get("n", 0))
    for b in cal.get("bins", []):
        if not b["count"]:
            continue
        x = pad + b["lo"] * inner
        w = (b["hi"] - b["lo"]) * inner
        h = (b["accuracy"] or 0.0) * inner
        opacity = 0.35 + 0.65 * min(1.0, b["count"] / total * 4)
        out.append(
            f'<rect x="{x + 1:.1f}" y="{pad + inner - h:.1f}" width="{w - 2:.1f}" height="{h:.1f}" '
            f'fill="{color}" fill-opacity="{opacity:.2f}"><title>[{b["lo"]:.1f}, {b["hi"]:.1f}): '
            f"{b['count']} values, accuracy {_f(b['accuracy'])}, mean confidence {_f(b['mean_confidence'])}"
            "</title></rect>"
        )
        cx = pad + (b["mean_confidence"] or 0.0) * inner
        cy = pad + inner - (b["accuracy"] or 0.0) * inner
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="#000"/>')
    for t in (0, 0.5, 1):
        out.append(
            f'<text x="{pad + t * inner:.1f}" y="{pad + inner + 13}" font-size="10" text-anchor="middle">{t:g}</text>'
        )
        out.append(
            f'<text x="{pad - 4}" y="{pad + inner - t * inner + 3:.1f}" font-size="10" text-anchor="end">{t:g}</text>'
        )
    out.append(f'<text x="{size / 2}" y="{size + 10}" font-size="10" text-anchor="middle">confidence</text>')
    out.append(
        f'<text x="10" y="{size / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 10 {size / 2})">'
        "accuracy</text>"
    )
    out.append("</svg>")
    return "".join(out)


def cost_svg(results: dict[str, Any], metric: str) -> str:
    """Cost (USD per filing, or seconds per filing when nothing is priced) vs a metric, one point per model."""
    models = list(results["models"])
    pts = []
    priced = any(results["models"][m]["cost"]["usd_per_filing"] > 0 for m in models)
    for k, m in enumerate(models):
        s = results["models"][m]
        v = s["metrics"].get(metric)
        if v is None:
            continue
        x = (
            s["cost"]["usd_per_filing"]
            if priced
            else s["cost"].get("model_s_mean", s["cost"]["latency_mean_s"])
        )
        pts.append((k, m, x, v["value"]))
    if not pts:
        return ""
    w, h, pad = 460, 280, 48
    xmax = max(p[2] for p in pts) or 1.0
    xmax *= 1.15
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="cost vs accuracy">',
        f'<rect x="{pad}" y="10" width="{w - pad - 10}" height="{h - pad - 10}" fill="none" stroke="#999"/>',
    ]
    iw, ih = w - pad - 10, h - pad - 10
    for t in (0, 0.5, 1):
        out.append(
            f'<text x="{pad - 4}" y="{10 + ih - t * ih + 3:.1f}" font-size="10" text-anchor="end">{t:g}</text>'
        )
        out.append(
            f'<text x="{pad + t * iw:.1f}" y="{10 + ih + 14}" font-size="10" text-anchor="middle">{xmax * t:.3g}</text>'
        )
    xlabel = "USD per filing" if priced else "model seconds per filing (no prices configured)"
    out.append(f'<text x="{pad + iw / 2}" y="{h - 8}" font-size="11" text-anchor="middle">{e(xlabel)}</text>')
    out.append(
        f'<text x="12" y="{10 + ih / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {10 + ih / 2})">{e(metric)}</text>'
    )
    for k, m, x, y in pts:
        cx = pad + x / xmax * iw
        cy = 10 + ih - max(0.0, min(1.0, y)) * ih
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{_color(k)}"><title>{e(m)}</title></circle>'
        )
        ty = cy + 16 if cy < 28 else cy - 6  # keep the label inside the frame
        out.append(f'<text x="{cx + 7:.1f}" y="{ty:.1f}" font-size="11">{e(m)}</text>')
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------------------ tables


def _legend(models: list[str]) -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span><i class="sw" style="background:{_color(k)}"></i>{e(m)}</span>'
            for k, m in enumerate(models)
        )
        + "</p>"
    )


def metrics_table(results: dict[str, Any], names: list[str]) -> str:
    models = list(results["models"])
    head = '<tr><th class="l">metric</th>' + "".join(f"<th>{e(m)}</th>" for m in models) + "</tr>"
    rows = []
    for name in names:
        cells = [results["models"][m]["metrics"].get(name) for m in models]
        if not any(cells):
            continue
        kind = next(c for c in cells if c)["kind"]
        label = f"{e(name)} <span class='dim'>{'F1' if kind == 'f1' else 'acc'}</span>"
        rows.append(f'<tr><td class="l">{label}</td>' + "".join(_cell(c) for c in cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def breakdown_table(results: dict[str, Any], model: str) -> str:
    s = results["models"][model]
    buckets = [(d, b) for d in ("format", "era") for b in s["breakdown"][d]]
    head = (
        '<tr><th class="l">metric</th><th>all</th>'
        + "".join(
            f"<th>{e(b)} <span class='dim'>({s['breakdown'][d][b]['_filings']})</span></th>"
            for d, b in buckets
        )
        + "</tr>"
    )
    rows = []
    for name in results["metric_order"]:
        m = s["metrics"].get(name)
        if not m:
            continue
        cells = "".join(
            f"<td>{_f(s['breakdown'][d][b][name]['value'])}</td>"
            if name in s["breakdown"][d][b]
            else '<td class="dim">–</td>'
            for d, b in buckets
        )
        rows.append(f'<tr><td class="l">{e(name)}</td><td>{_f(m["value"])}</td>{cells}</tr>')
    return f"<table>{head}{''.join(rows)}</table>"


def diff_table(results: dict[str, Any]) -> str:
    rows = []
    for r in results.get("comparisons", []):
        if r["metric"] not in HEADLINE:
            continue
        ci = f"[{r['lo']:+.3f}, {r['hi']:+.3f}]" if "lo" in r else "–"
        cls = ' class="sig"' if r.get("significant") else ""
        rows.append(
            f'<tr><td class="l">{e(r["a"])}</td><td class="l">{e(r["b"])}</td><td class="l">{e(r["metric"])}</td>'
            f"<td{cls}>{r['diff']:+.3f}</td><td>{ci}</td></tr>"
        )
    if not rows:
        return "<p class='dim'>One model only: no paired differences.</p>"
    return (
        '<table><tr><th class="l">A</th><th class="l">B</th><th class="l">metric</th><th>A − B</th>'
        f"<th>95% CI</th></tr>{''.join(rows)}</table><p class='dim'>Bold: the interval excludes 0.</p>"
    )


def calibration_table(results: dict[str, Any]) -> str:
    rows = []
    for name, s in results["models"].items():
        c, r = s["calibration"], s["calibration"]["review"]
        ece_ci = (
            f" <span class='dim'>[{_f(c['ece_lo'], 2)}, {_f(c['ece_hi'], 2)}]</span>" if "ece_lo" in c else ""
        )
        auc_ci = (
            f" <span class='dim'>[{_f(c['auroc_lo'], 2)}, {_f(c['auroc_hi'], 2)}]</span>"
            if "auroc_lo" in c
            else ""
        )
        rows.append(
            f'<tr><td class="l">{e(name)}</td><td>{c["n"]}</td><td>{c["wrong"]}</td><td>{_f(c["ece"])}{ece_ci}</td>'
            f"<td>{_f(c['auroc'])}{auc_ci}</td><td>{r['flagged']} ({r['flagged_share']:.0%})</td>"
            f"<td>{r['errors_caught']}/{r['errors']}</td><td>{_f(r['flag_precision'], 2)}</td></tr>"
        )
    thr = next(iter(results["models"].values()))["calibration"]["review"]["threshold"]
    return (
        '<table><tr><th class="l">model</th><th>values</th><th>wrong</th><th>ECE</th><th>AUROC (wrong)</th>'
        f"<th>flagged (conf &lt; {e(thr)})</th><th>errors caught</th><th>flag precision</th></tr>{''.join(rows)}</table>"
    )


def review_curve_table(results: dict[str, Any]) -> str:
    """Share of values flagged and of wrong values caught, per model, at several thresholds."""
    models = list(results["models"])
    curves = {m: results["models"][m]["calibration"].get("review_curve", []) for m in models}
    thresholds = [p["threshold"] for p in next((c for c in curves.values() if c), [])]
    if not thresholds:
        return ""
    head = (
        '<tr><th class="l">model</th>' + "".join(f"<th>conf &lt; {e(t)}</th>" for t in thresholds) + "</tr>"
    )
    rows = []
    for m in models:
        cells = "".join(
            f"<td>{p['flagged_share']:.0%} <span class='dim'>flagged</span> · "
            f"{'–' if p['error_recall'] is None else format(p['error_recall'], '.0%')} "
            "<span class='dim'>of errors</span></td>"
            for p in curves[m]
        )
        rows.append(f'<tr><td class="l">{e(m)}</td>{cells}</tr>')
    return f"<h3>Review load by threshold</h3><table>{head}{''.join(rows)}</table>"


def cost_table(results: dict[str, Any]) -> str:
    rows = []
    for name, s in results["models"].items():
        c = s["cost"]
        status = " ".join(f"{k}={v}" for k, v in s["status"].items())
        rows.append(
            f'<tr><td class="l">{e(name)}</td><td>{c["filings"]}</td><td>{c["tokens_per_filing"]:.0f}</td>'
            f"<td>{c['usd_per_filing']:.5f}</td><td>{c['usd_total']:.4f}</td><td>{c['latency_mean_s']:.2f}</td>"
            f"<td>{c['latency_p95_s']:.2f}</td><td>{c.get('model_s_mean', 0.0):.2f}</td><td>{c['calls']}</td><td>{c['cache_hits']}</td>"
            f'<td class="l">{e(status)}</td></tr>'
        )
    return (
        '<table><tr><th class="l">model</th><th>filings</th><th>tokens/filing</th><th>USD/filing</th><th>USD total</th>'
        f'<th>wall s (mean)</th><th>wall s (p95)</th><th>model s (mean)</th><th>calls</th><th>cache hits</th><th class="l">status</th></tr>{"".join(rows)}</table>'
    )


def baseline_table(results: dict[str, Any]) -> str:
    base = results.get("baseline")
    if not base:
        return ""
    rows = []
    for c in base["changes"]:
        if c["status"] == "same":
            continue
        cls = "bad" if c["status"] == "regression" else "good"
        rows.append(
            f'<tr><td class="l">{e(c["model"])}</td><td class="l">{e(c["metric"])}</td><td>{_f(c["old"])}</td>'
            f"<td>{_f(c['new'])}</td><td class='{cls}'>{c['new'] - c['old']:+.3f}</td><td>{_f(c['threshold'])}</td>"
            f'<td class="l {cls}">{e(c["status"])}</td></tr>'
        )
    body = (
        '<table><tr><th class="l">model</th><th class="l">metric</th><th>baseline</th><th>now</th><th>delta</th>'
        f"<th>threshold</th><th class='l'></th></tr>{''.join(rows)}</table>"
        if rows
        else "<p>No metric moved beyond its threshold.</p>"
    )
    return f"<h2>Against baseline <span class='dim'>{e(base['path'])}</span></h2>{body}"


def misses_table(results: dict[str, Any], model: str, limit: int = MAX_MISSES) -> str:
    rows: list[str] = []
    total = 0
    for run in results["models"][model]["runs"]:
        for o in run["observations"]:
            if o["correct"]:
                continue
            total += 1
            if len(rows) < limit:
                rows.append(
                    f'<tr><td class="l wrap">{e(run["file"])}</td><td class="l">{e(o["key"])}</td>'
                    f'<td class="wrap">{e(o["gold"])}</td><td class="wrap">{e(o["pred"])}</td>'
                    f'<td class="wrap">{e(o["reason"])}</td></tr>'
                )
    more = f"<p class='dim'>{total - len(rows)} more not shown.</p>" if total > len(rows) else ""
    return (
        f"<details><summary>{total} wrong values</summary><table><tr><th class='l'>file</th><th class='l'>key</th>"
        f"<th class='l'>gold</th><th class='l'>predicted</th><th class='l'>reason</th></tr>{''.join(rows)}</table>"
        f"{more}</details>"
    )


def render_html(results: dict[str, Any], title: str = "extractor eval report") -> str:
    models = list(results["models"])
    order = results["metric_order"]
    headline = [m for m in HEADLINE if m in order]
    fields = [m for m in order if m not in HEADLINE]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p class='dim'>Gold set {e(results['gold'])}: {len(results['filings'])} filings. Models: "
        f"{e(', '.join(models))}. Bootstrap: {e(results['replicates'])} replicates over filings, seed "
        f"{e(results['seed'])}; intervals are 95% percentile intervals.</p>",
        baseline_table(results),
        "<h2>Headline</h2>",
        _legend(models),
        metrics_table(results, headline),
        bar_chart(results, headline),
        "<h2>Paired differences</h2>",
        diff_table(results),
        "<h2>Score by field</h2>",
        _legend(models),
        bar_chart(results, fields),
        metrics_table(results, fields),
        "<h2>Calibration</h2>",
        "<p class='dim'>Over every value a model emitted (scalar fields with a value and predicted list elements). "
        "ECE: expected calibration error over 10 equal-width bins. AUROC: how well low confidence singles out "
        "wrong values (0.5 = chance). Review load: values below the threshold, and the share of wrong values "
        "among them.</p>",
        calibration_table(results),
        review_curve_table(results),
        '<div class="plots">'
        + "".join(
            reliability_svg(results["models"][m]["calibration"], _color(k), m) for k, m in enumerate(models)
        )
        + "</div>",
        "<h2>Cost and latency</h2>",
        cost_table(results),
        '<div class="plots">' + cost_svg(results, "fields") + cost_svg(results, "events") + "</div>",
        "<h2>By format and era</h2>",
    ]
    for m in models:
        parts.append(f"<h3>{e(m)}</h3>{breakdown_table(results, m)}")
    parts.append("<h2>Wrong values</h2>")
    for m in models:
        parts.append(f"<h3>{e(m)}</h3>{misses_table(results, m)}")
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)
