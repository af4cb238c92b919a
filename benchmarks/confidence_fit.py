"""How well the confidence of model-filled values ranks and is calibrated, from an eval result JSON.

    python benchmarks/confidence_fit.py                                    # evals/results/gold-qwen15.json
    python benchmarks/confidence_fit.py RESULTS.json --model qwen-1.5b --replicates 1000
    python benchmarks/confidence_fit.py DEV.json --holdout HOLDOUT.json    # also: fit on dev, score holdout
    python benchmarks/confidence_fit.py SC.json --model qwen-1.5b-sc --ignore sample   # a feature's worth
    git show main:evals/results/gold-qwen15.json > /tmp/r.json && python benchmarks/confidence_fit.py /tmp/r.json

Prints, for the values a model filled (observations with method ``llm``, see ``extractor.eval.ranking``):
AUROC(wrong) and ECE (10 equal-width bins on [0, 1]) of the confidence the run recorded, overall and per
item, with 95% bootstrap CIs over filings. When the run recorded the features of each value
(``extractor.fill.features``), it also prints the leave-one-filing-out comparison of
``extractor.eval.fit.measure_features``: the recorded confidence, the isotonic curve on the raw score
and the logistic feature model, each fitted without the filing it scores (with the nested choice of
``extractor.eval.fit.choose`` unless ``--l2`` / ``--min-count`` fix them). With ``--holdout``, the feature
model fitted on every value of RESULTS scores the model-filled values of another result JSON (a second
check on filings the fit never saw). No model is run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from extractor.eval.fit import FeatureParams, holdout_check, measure_features, values_of_results  # noqa: E402
from extractor.eval.ranking import ranking  # noqa: E402
from extractor.eval.report import llm_ranking_table, print_feature_fit  # noqa: E402
from extractor.eval.stats import replicate_weights  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?", default=str(ROOT / "evals" / "results" / "gold-qwen15.json"))
    ap.add_argument("--model", default="qwen-1.5b")
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--l2", type=float, default=None, help="fix the L2 penalty (default: nested choice)")
    ap.add_argument("--min-count", type=int, default=None, help="fix the min count (default: nested choice)")
    ap.add_argument("--no-temper", action="store_true", help="no temper of the fitted logit")
    ap.add_argument("--ignore", default="", help="comma-separated features to leave out of the fit as well")
    ap.add_argument("--holdout", help="result JSON of other filings: scored by the model fitted on RESULTS")
    args = ap.parse_args()
    doc = json.loads(Path(args.results).read_text(encoding="utf-8"))
    values, files = values_of_results([(args.results, doc)], args.model)
    if not values:
        print(f"no model-filled values of {args.model!r} in {args.results}")
        return 1
    console = Console(width=200)
    weights = replicate_weights(len(files), args.replicates, args.seed) if args.replicates else None
    recorded = ranking(values, files, weights)
    table = llm_ranking_table({"models": {args.model: {"calibration": {"llm": recorded}}}})
    console.print(f"{args.results}: {len(files)} filings")
    if table is not None:
        console.print(table)
    if any(v.features for v in values):
        extra = tuple(f for f in args.ignore.split(",") if f)
        params = FeatureParams(temper=not args.no_temper, ignore=(*FeatureParams().ignore, *extra))
        params = params.fixed(args.l2, args.min_count)
        measured = measure_features(values, files, params=params, replicates=args.replicates, seed=args.seed)
        print_feature_fit(measured, console)
        if args.holdout:
            other = json.loads(Path(args.holdout).read_text(encoding="utf-8"))
            held, held_files = values_of_results([(args.holdout, other)], args.model)
            check = holdout_check(values, held, held_files, params, args.replicates, args.seed)
            label = f"{args.model} on {Path(args.holdout).name}, fitted on {Path(args.results).name}"
            table = llm_ranking_table({"models": {label: {"calibration": {"llm": check}}}})
            if table is not None:
                console.print(table)
    else:
        console.print("no features recorded in this run: no feature-model fit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
