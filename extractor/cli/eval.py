"""``extractor eval``: score the parser (and LLM models) on the hand-labeled gold filings."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = "evals/config.toml"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="score the parser and models on the gold filings",
        description=(
            "Run the parser (and, with --models, LLM models) on the gold filings and print per-field "
            "accuracy, set P/R/F1, bootstrap 95% CIs, calibration, cost and latency. "
            "'parser' names the parser-only baseline."
        ),
    )
    p.add_argument("--gold", help="gold label folder (default: from the config, else evals/gold)")
    p.add_argument(
        "--corpus",
        help="folder of the corpus files the gold labels name "
        "(default: $EXTRACTOR_CORPUS, the config's corpus, else ../shared/corpus/raw)",
    )
    p.add_argument("--config", default=DEFAULT_CONFIG, help="eval config TOML (default: %(default)s)")
    p.add_argument(
        "--models",
        help="comma-separated models to compare: names from the config, 'parser', "
        "'local:NAME' (embedded model), 'MODEL@BASE_URL' (OpenAI-compatible endpoint)",
    )
    p.add_argument("--out", help="write the full result JSON here")
    p.add_argument("--baseline", help="earlier result JSON: mark regressions, exit 1 beyond thresholds")
    p.add_argument("--report", help="write a self-contained HTML report here")
    p.add_argument("--seed", type=int, help="bootstrap seed (default: config, 0)")
    p.add_argument("--replicates", type=int, help="bootstrap replicates (default: config, 1000; 0 = no CIs)")
    p.add_argument("--files", help="only gold files whose name contains one of these comma-separated texts")
    p.add_argument("--subset", help="only the gold files of this named subset of the config")
    p.add_argument("--limit", type=int, help="only the first N gold files")
    p.add_argument(
        "--misses",
        nargs="?",
        const="",
        metavar="KEY_PREFIX",
        help="list every wrong value with its reason (optionally only keys starting with KEY_PREFIX)",
    )
    p.add_argument(
        "--diffs",
        metavar="PREFIXES",
        help="also list the paired differences of every metric whose name starts with one of these "
        "comma-separated texts (e.g. event.1.01.,fewshot); default: the headline metrics only",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)
    nested = p.add_subparsers(
        dest="eval_command",
        metavar="[calibrate|structure]",
        title="sub-command",
        description="'extractor eval calibrate RESULTS...' fits calibration curves instead of scoring; "
        "'extractor eval structure' scores suggested items, header items, exhibit links, item boundaries "
        "and amendments",
    )
    c = nested.add_parser(
        "calibrate",
        help="fit confidence calibration curves from result JSON files (--out of an eval)",
        description=(
            "Fit an isotonic curve raw confidence -> share right, per method (llm, parser), on the values "
            "of one model in eval result files (--out of 'extractor eval'), measure it by "
            "leave-one-filing-out cross-validation (ECE, AUROC, Brier, reliability table) and write the "
            "curve file the runtime reads (extractor/calibration/<model>.json). With --features, also fit "
            "a logistic regression on the features the fill recorded for each model-filled value "
            "(token probabilities, grounding, parser / reader agreement, answer checks, item). "
            "See docs/llm-fill.md."
        ),
    )
    c.add_argument("results", nargs="+", metavar="RESULTS", help="eval result JSON files")
    c.add_argument(
        "--model",
        help="model of the results to fit (default: the one model other than 'parser', else parser)",
    )
    c.add_argument(
        "--name",
        help="model name the curve is for at run time (default: the name the fill recorded, else from "
        "the eval config)",
    )
    c.add_argument("--out", help="write the curve JSON here (default: only print the measurement)")
    c.add_argument("--config", default=DEFAULT_CONFIG, help="eval config TOML (default: %(default)s)")
    c.add_argument(
        "--folds", type=int, default=0, help="cross-validation folds by filing (default 0: leave one out)"
    )
    c.add_argument("--min-bin", type=int, default=10, help="fewest values per curve step (default 10)")
    c.add_argument(
        "--prior", type=float, default=2.0, help="pseudo-values pulling each step to the mean (default 2)"
    )
    c.add_argument(
        "--features",
        action="store_true",
        help="also fit the feature model of model-filled values (a logistic regression on the features "
        "the fill recorded; the runtime prefers it to the curve), measured leave-one-filing-out",
    )
    c.add_argument(
        "--l2",
        type=float,
        default=None,
        help="feature model: L2 penalty on standardized weights (default: chosen from 1, 4, 16, 64 by "
        "inner 5-fold log loss)",
    )
    c.add_argument(
        "--min-count",
        type=int,
        default=None,
        help="feature model: fewest values of a text feature's value for its own column (default: "
        "chosen from 10, 25 with the L2 penalty)",
    )
    c.add_argument(
        "--no-temper",
        action="store_true",
        help="feature model: no temper (the 1-D logistic refit of the fitted logit on inner-fold predictions)",
    )
    c.add_argument("--replicates", type=int, default=1000, help="bootstrap replicates over filings")
    c.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    c.set_defaults(func=run_calibrate)
    st = nested.add_parser(
        "structure",
        help="score suggested items, header items, exhibit links, item boundaries and amendments",
        description=(
            "Parse the dev filings named by the structure gold sets (evals/reconcile, evals/links, "
            "evals/boundaries, evals/amendments; labeled by reading the filings) and print precision / "
            "recall or accuracy per metric with the counts behind them."
        ),
    )
    st.add_argument("--evals", default="evals", help="folder holding the gold set folders (default: evals)")
    st.add_argument("--corpus", help="folder of the corpus files (default: as for 'extractor eval')")
    st.add_argument("--misses", action="store_true", help="list every miss with its reason")
    st.set_defaults(func=run_structure)


def run_structure(args: argparse.Namespace) -> int:
    from ..eval.structure import run as run_structure_eval

    rows = run_structure_eval(_find(args.evals), resolve_corpus(args.corpus, None))
    width = max(len(metric) for _s, metric, _t in rows)
    for gold_set, metric, tally in rows:
        print(f"{metric:<{width}}  {tally.figure():<48} {gold_set}")
        if args.misses:
            for why in tally.misses:
                print(f"    - {why}")
    return 0


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _find(path: str) -> Path:
    """A relative path from the working directory, else from the repository root."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    alt = _repo_root() / p
    return alt if alt.exists() else p


def resolve_corpus(arg: str | None, config_corpus: str | None) -> Path:
    for candidate in (arg, os.environ.get("EXTRACTOR_CORPUS")):
        if candidate:
            return Path(candidate)
    rel = config_corpus or "../shared/corpus/raw"
    for base in (Path.cwd(), _repo_root()):
        if (base / rel).is_dir():
            return base / rel
    return _repo_root() / rel


def corpus_missing(
    n_missing: int, n_gold: int, corpus: Path, arg: str | None, config_corpus: str | None, first: str
) -> str:
    """One line: how many gold filings are absent, where they were looked for, how to point there."""
    if arg:
        how = "from --corpus"
    elif os.environ.get("EXTRACTOR_CORPUS"):
        how = "from $EXTRACTOR_CORPUS"
    else:
        rel = config_corpus or "../shared/corpus/raw"
        how = (
            f"the default {rel}, tried from {Path.cwd()} and from {_repo_root()}; $EXTRACTOR_CORPUS is unset"
        )
    return (
        f"{n_missing} of {n_gold} gold filings not found in {corpus} ({how}; first missing: {first}); "
        "the corpus is not part of the package: point EXTRACTOR_CORPUS (or --corpus) at the folder "
        "holding the filing files the gold labels name"
    )


def build_runners(names: list[str], cfg: Any) -> list[Any]:
    from ..eval.runner import FillRunner, ParserRunner

    runners: list[Any] = []
    for name in names:
        mc = cfg.model(name)
        if mc.kind == "parser":
            runners.append(ParserRunner(name))
        else:
            from ..config import load_settings

            runners.append(FillRunner(name, load_settings(mc.settings)))
    return runners


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..errors import ConfigError
    from ..eval.config import load_config
    from ..eval.gold import load_gold_dir
    from ..eval.report import print_report
    from ..eval.results import build_results, compare_baseline
    from ..eval.runner import run_model

    console = Console(width=None if sys.stdout.isatty() else 180)
    err = Console(stderr=True)
    try:
        cfg = load_config(_find(args.config), required=args.config != DEFAULT_CONFIG)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2
    gold_dir = _find(args.gold or cfg.gold)
    if not gold_dir.is_dir():
        err.print(f"[red]error:[/red] gold folder {gold_dir} not found")
        return 2
    corpus = resolve_corpus(args.corpus, cfg.corpus)
    golds = load_gold_dir(gold_dir)
    if args.subset:
        if args.subset not in cfg.subsets:
            err.print(f"[red]error:[/red] no subset {args.subset!r} in the eval config")
            return 2
        golds = [g for g in golds if any(w in g.file for w in cfg.subsets[args.subset])]
    if args.files:
        wanted = [w.strip() for w in args.files.split(",") if w.strip()]
        golds = [g for g in golds if any(w in g.file for w in wanted)]
    if args.limit:
        golds = golds[: args.limit]
    if not golds:
        err.print(f"[red]error:[/red] no gold files in {gold_dir}")
        return 2
    missing = [g.file for g in golds if not (corpus / g.file).exists()]
    if missing:  # scores over absent filings would be zeros that look like results
        from .common import error

        error(corpus_missing(len(missing), len(golds), corpus, args.corpus, cfg.corpus, missing[0]))
        return 2
    names = [m.strip() for m in (args.models.split(",") if args.models else cfg.default_models) if m.strip()]
    try:
        runners = build_runners(names, cfg)
    except Exception as exc:  # bad settings for a model
        err.print(f"[red]error:[/red] cannot set up models: {exc}")
        return 2

    def progress(model: str, k: int, n: int) -> None:
        if not args.quiet and (k == n or k % 10 == 0 or model != "parser"):
            err.print(f"[dim]{model}: {k}/{n} filings[/dim]")

    runs = {}
    for runner in runners:
        try:
            runs[runner.name] = run_model(runner, golds, corpus, progress=progress)
        finally:
            close = getattr(runner, "close", None)
            if close is not None:
                close()
    seed = cfg.seed if args.seed is None else args.seed
    replicates = cfg.replicates if args.replicates is None else args.replicates
    results = build_results(
        runs,
        gold_dir=str(gold_dir),
        seed=seed,
        replicates=replicates,
        prices=cfg.prices(),
        review_threshold=cfg.review_threshold,
        groups=cfg.groups,
    )
    changes = []
    if args.baseline:
        try:
            baseline = json.loads(Path(args.baseline).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            err.print(f"[red]error:[/red] cannot read baseline {args.baseline}: {exc}")
            return 2
        old_files = {f["file"] for f in baseline.get("filings", [])}
        new_files = {f["file"] for f in results["filings"]}
        if old_files != new_files:
            err.print(
                f"[yellow]warning:[/yellow] the baseline was scored on other filings "
                f"({len(new_files - old_files)} new, {len(old_files - new_files)} gone): deltas mix gold sets"
            )
        changes = compare_baseline(
            results,
            baseline,
            max_drop=cfg.thresholds.max_drop,
            per_metric=cfg.thresholds.per_metric,
            metrics=cfg.thresholds.gate,
        )
        results["baseline"] = {
            "path": args.baseline,
            "changes": [
                {
                    "model": c.model,
                    "metric": c.metric,
                    "old": c.old,
                    "new": c.new,
                    "threshold": c.threshold,
                    "status": c.status,
                }
                for c in changes
            ],
        }
    diffs = [d.strip() for d in (args.diffs or "").split(",") if d.strip()]
    print_report(results, console, changes=changes, show_misses=args.misses, diffs=diffs)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        err.print(f"wrote {args.out}")
    if args.report:
        from ..eval.html import render_html

        Path(args.report).write_text(render_html(results), encoding="utf-8")
        err.print(f"wrote {args.report}")
    regressions = [c for c in changes if c.status == "regression"]
    if regressions:
        err.print(f"[red]{len(regressions)} regression(s) beyond threshold[/red]")
        return 1
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..errors import ConfigError
    from ..eval.calibrate import FitParams, build_curves, dump, runtime_name, sha256_of
    from ..eval.config import load_config

    console = Console(width=None if sys.stdout.isatty() else 200)
    err = Console(stderr=True)
    docs: list[tuple[str, dict[str, Any]]] = []
    digests: dict[str, str] = {}
    for path in args.results:
        try:
            docs.append((path, json.loads(Path(path).read_text(encoding="utf-8"))))
            digests[path] = sha256_of(Path(path))
        except (OSError, ValueError) as exc:
            err.print(f"[red]error:[/red] cannot read {path}: {exc}")
            return 2
    present = sorted({m for _, d in docs for m in d.get("models", {})})
    model = args.model
    if model is None:
        llms = [m for m in present if m != "parser"]
        if len(llms) > 1:
            err.print(
                f"[red]error:[/red] several models in the results ({', '.join(llms)}): pick one with --model"
            )
            return 2
        model = llms[0] if llms else "parser"
    if model not in present:
        err.print(
            f"[red]error:[/red] no model {model!r} in the results (have: {', '.join(present) or 'none'})"
        )
        return 2
    try:
        cfg = load_config(_find(args.config), required=args.config != DEFAULT_CONFIG)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2
    name = args.name or runtime_name([d for _, d in docs], model, cfg.model(model).settings)
    params = FitParams(min_bin=max(1, args.min_bin), prior=max(0.0, args.prior))
    doc = build_curves(
        docs,
        model,
        name=name,
        params=params,
        folds=args.folds,
        replicates=max(0, args.replicates),
        seed=args.seed,
        digests=digests,
    )
    print_calibration(doc, console)
    if args.features:
        from ..eval.fit import FeatureParams, feature_model
        from ..eval.report import print_feature_fit

        entry, measured = feature_model(
            docs,
            model,
            params=FeatureParams(temper=not args.no_temper).fixed(
                None if args.l2 is None else max(0.0, args.l2),
                None if args.min_count is None else max(1, args.min_count),
            ),
            replicates=max(0, args.replicates),
            seed=args.seed,
        )
        doc["provenance"]["measured"]["llm_features"] = measured
        if entry is not None:
            doc["logistic"] = {"llm": entry}
        print_feature_fit(measured, console)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump(doc), encoding="utf-8")
        err.print(f"wrote {out}")
    return 0


def print_calibration(doc: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}"

    def ci(m: dict[str, Any], key: str) -> str:
        c = m.get(key)
        return f" [{c[0]:.3f}, {c[1]:.3f}]" if c else ""

    prov = doc["provenance"]
    console.print(
        f"[bold]Calibration of {prov['eval_model']}[/bold] (curve for {doc['model']!r}); "
        f"{prov['filings']} filings from {len(prov['results'])} result file(s)"
    )
    for note in prov["notes"]:
        console.print(f"[yellow]note:[/yellow] {note}")
    for method, m in prov["measured"].items():
        console.print(
            f"\n[bold]{method}[/bold]: {m['n']} values, {m['wrong']} wrong, {m['filings']} filings; "
            f"{m['cv']} cross-validation"
        )
        console.print(
            f"  ECE raw {f(m['ece_raw'])}{ci(m, 'ece_raw_ci')} -> calibrated (CV) {f(m['ece_cv'])}"
            f"{ci(m, 'ece_cv_ci')}; difference CI{ci(m, 'ece_diff_ci') or ' -'}"
        )
        console.print(
            f"  AUROC raw {f(m['auroc_raw'])} -> CV {f(m['auroc_cv'])}; "
            f"Brier raw {f(m['brier_raw'])} -> CV {f(m['brier_cv'])}"
            + (
                f"; in-sample ECE of the shipped curve {f(m['ece_in_sample'])}"
                if "ece_in_sample" in m
                else ""
            )
        )
        if m.get("note"):
            console.print(f"  [yellow]{m['note']}[/yellow]")
        table = Table(title=f"{method}: reliability, raw vs calibrated (out-of-fold)")
        for col in ("bin", "raw n", "raw conf", "raw acc", "cal n", "cal conf", "cal acc"):
            table.add_column(col, justify="right")
        raw = {round(b["lo"], 1): b for b in m["table_raw"]}
        cal = {round(b["lo"], 1): b for b in m["table_cv"]}
        for lo in sorted(set(raw) | set(cal)):
            r, c = raw.get(lo, {}), cal.get(lo, {})
            table.add_row(
                f"[{lo:.1f}, {lo + 0.1:.1f})",
                str(r.get("count", 0)),
                f(r.get("mean_confidence")),
                f(r.get("accuracy")),
                str(c.get("count", 0)),
                f(c.get("mean_confidence")),
                f(c.get("accuracy")),
            )
        console.print(table)
        curve = doc["methods"].get(method)
        if curve:
            knots = ", ".join(f"{x:.3f}->{y:.3f}" for x, y in zip(curve["x"], curve["y"], strict=True))
            console.print(f"  curve (raw -> calibrated): {knots}")


if __name__ == "__main__":  # pragma: no cover
    from . import main

    sys.exit(main(["eval", *sys.argv[1:]]))
