"""Paired difference of one model between two eval result files (``extractor eval --out``).

    python benchmarks/compare_results.py evals/results/gold-qwen15.json NEW.json
    python benchmarks/compare_results.py OLD.json NEW.json --model qwen-1.5b --metrics events,1.01

The two files must hold runs of the same gold filings in the same order. The model's runs of both are
scored again by the eval harness (``extractor.eval.results.build_results``) as two models, "new" and
"old", over the same bootstrap replicates of filings (seed and replicate count from the new file), so
the difference of every metric is paired: new - old with its 95% CI. The calibration of the emitted
values (AUROC of low confidence as a detector of wrong values, ECE) gets the same paired treatment.
No model is run; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.eval import stats  # noqa: E402
from extractor.eval.results import FilingRun, build_results, obs_from_json  # noqa: E402


def runs_of(path: Path, model: str) -> tuple[dict[str, Any], list[FilingRun]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    runs = []
    for d in data["models"][model]["runs"]:
        d = dict(d)
        d["observations"] = [obs_from_json(o) for o in d["observations"]]
        runs.append(FilingRun(**d))
    return data, runs


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:+.3f}" if x < 0 or x > 1 else f"{x:.3f}"


def calibration_diff(new: list[FilingRun], old: list[FilingRun], weights: list[list[int]]) -> list[str]:
    lines = []
    per = {
        k: [stats.calibration_pairs(r.observations) for r in runs] for k, runs in (("new", new), ("old", old))
    }
    for name, fn in (("auroc", stats.auroc_wrong), ("ece", stats.ece)):
        point = {k: fn([p for ps in v for p in ps]) for k, v in per.items()}
        reps: dict[str, list[float | None]] = {}
        for k, v in per.items():
            reps[k] = [fn([p for i, ps in enumerate(v) for p in ps for _ in range(w[i])]) for w in weights]
        interval = stats.paired_diff(reps["new"], reps["old"])
        a, b = point["new"], point["old"]
        diff = None if a is None or b is None else a - b
        ci = f"[{interval[0]:+.3f}, {interval[1]:+.3f}]" if interval else ""
        lines.append(
            f"{'calibration.' + name:<40} old {_fmt(b):>6}  new {_fmt(a):>6}  diff {_fmt(diff)} {ci}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--model", default="qwen-1.5b")
    ap.add_argument("--metrics", default="", help="comma-separated prefixes of the metrics to print")
    args = ap.parse_args(argv)
    meta, new = runs_of(args.new, args.model)
    _, old = runs_of(args.old, args.model)
    if [r.file for r in new] != [r.file for r in old]:
        print("the two files hold different filings", file=sys.stderr)
        return 2
    seed, replicates = int(meta.get("seed", 0)), int(meta.get("replicates", 1000))
    res = build_results(
        {"new": new, "old": old}, gold_dir=str(meta.get("gold")), seed=seed, replicates=replicates
    )
    wanted = [p for p in args.metrics.split(",") if p]
    metrics = {m: res["models"][m]["metrics"] for m in ("new", "old")}
    print(
        f"{args.model}: {len(new)} filings, seed {seed}, {replicates} replicates; diff = new - old [95% CI]"
    )
    for row in res["comparisons"]:
        name = row["metric"]
        if wanted and not any(name.startswith(p) for p in wanted):
            continue
        n, o = metrics["new"][name], metrics["old"][name]
        ci = f"[{row['lo']:+.3f}, {row['hi']:+.3f}]" if "lo" in row else ""
        nci = f"[{n['lo']:.3f}, {n['hi']:.3f}]" if n.get("lo") is not None else ""
        print(f"{name:<40} old {o['value']:.3f}  new {n['value']:.3f} {nci:<16} diff {row['diff']:+.3f} {ci}")
    for line in calibration_diff(new, old, stats.replicate_weights(len(new), replicates, seed)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
