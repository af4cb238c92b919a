"""Offline evaluation of the deterministic readers (extractor.readers) against the model's results.

    python benchmarks/readers_eval.py                               # dev gold vs gold-qwen15-model-only.json
    python benchmarks/readers_eval.py --gold evals/holdout --results evals/results/holdout-qwen15.json
    python benchmarks/readers_eval.py --corpus-sample 20            # + hits on every corpus filing

For every gold filing with an item the readers cover (1.01, 1.02, 2.03, 3.02, 4.01, 5.02) it parses the
raw file, runs the readers on the item's text (and the text of the items it incorporates by reference)
and scores three systems with the eval harness's own scorers (``extractor.eval.compare.compare_event``,
so figures match ``extractor eval``): (a) the model alone: the observations stored in the results JSON;
(b) the readers alone: ``merge({}, readings)``; (c) merged: ``merge(model_event, readings)``, where
the model's event is rebuilt from the stored observations (values and confidences as stored; values
longer than 80 characters are stored cut, so the script also reports how many rebuilt observations
score as stored). Bootstrap 95% CIs over filings (seed 0, 1000 replicates, the same replicates for
every system, so differences are paired). No model is run.

``--corpus-sample N`` also runs the readers on every corpus filing with those items and prints hit
counts per field and a seeded random sample of N hits (value and quote) to check by reading.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor import catalog  # noqa: E402
from extractor.eval.compare import Obs, compare_event  # noqa: E402
from extractor.eval.gold import GoldFiling, load_gold_dir  # noqa: E402
from extractor.eval.results import obs_from_json  # noqa: E402
from extractor.eval.score import match_sets, pair_name  # noqa: E402
from extractor.eval.stats import (  # noqa: E402
    MetricDef,
    ci,
    paired_diff,
    per_filing_counts,
    point,
    replicate_stats,
    replicate_weights,
    support,
)
from extractor.fill import referenced_items  # noqa: E402  (moves with the fill redesign)
from extractor.parse import parse_document  # noqa: E402
from extractor.readers import ITEMS, merge, read_item  # noqa: E402
from extractor.readers.values import Readings  # noqa: E402
from extractor.record import FilingRecord, Item  # noqa: E402
from extractor.schemas import schema_for  # noqa: E402


def _sel(*keys: str):  # type: ignore[no-untyped-def]
    return lambda o: o.key in keys


METRICS = [
    MetricDef("1.01 agreement_type", "acc", _sel("event.1.01.agreement_type")),
    MetricDef("1.01 counterparties F1", "f1", _sel("event.1.01.counterparties")),
    MetricDef("1.01 agreement_date", "acc", _sel("event.1.01.agreement_date")),
    MetricDef("1.02 agreement_type", "acc", _sel("event.1.02.agreement_type")),
    MetricDef("1.02 counterparties F1", "f1", _sel("event.1.02.counterparties")),
    MetricDef("1.02 termination_date", "acc", _sel("event.1.02.termination_date")),
    MetricDef("2.03 instrument", "acc", _sel("event.2.03.instrument")),
    MetricDef("2.03 counterparties F1", "f1", _sel("event.2.03.counterparties")),
    MetricDef("3.02 securities", "acc", _sel("event.3.02.securities")),
    MetricDef("4.01 firm (former+new)", "acc", _sel("event.4.01.former_auditor", "event.4.01.new_auditor")),
    MetricDef("4.01 change", "acc", _sel("event.4.01.change")),
    MetricDef("4.01 disagreements", "acc", _sel("event.4.01.disagreements")),
    MetricDef("5.02 person F1", "f1", _sel("event.5.02.changes")),
    MetricDef("5.02 change kind", "acc", _sel("event.5.02.changes.change")),
    MetricDef("5.02 position", "acc", _sel("event.5.02.changes.position")),
    MetricDef("5.02 effective_date", "acc", _sel("event.5.02.changes.effective_date")),
    MetricDef(
        "all fields above",
        "acc",
        lambda o: (
            o.key.split(".")[1] + "." + o.key.split(".")[2] in ITEMS if o.key.startswith("event.") else False
        ),
    ),
]


def modern(number: str) -> str | None:
    return catalog.modern_equivalent(number) if catalog.is_known(number) else None


def segments_of(record: FilingRecord, item: Item) -> list[tuple[str, int]]:
    return [(item.text, item.span[0])] + [(r.text, r.span[0]) for r in referenced_items(record, item)]


def registrants_of(record: FilingRecord) -> list[str]:
    names = [record.cover.company_name.value or ""] + [r.name.value or "" for r in record.cover.registrants]
    return [n for n in names if n]


def _leaf(pred: str, confidence: float | None) -> dict[str, Any]:
    value = None if pred in ("null", "") else pred
    return {"value": value, "confidence": confidence if confidence is not None else 0.5, "method": "llm",
            "span": None, "quote": None, "reasons": []}  # fmt: skip


def rebuild_event(number: str, gold_event: dict[str, Any], observations: list[Obs]) -> dict[str, Any]:
    """The model's event of one item, rebuilt from its stored observations."""
    prefix = f"event.{modern(number)}."
    obs = [o for o in observations if o.key.startswith(prefix)]
    event: dict[str, Any] = {}
    pending_changes: list[Obs] = []
    for o in obs:
        name = o.key[len(prefix) :]
        if o.kind == "field" and "." not in name:
            event[name] = _leaf(o.pred, o.confidence)
        elif o.kind == "set" and name == "changes":
            names = [p for p in o.pred.split("; ") if p] if o.pred else []
            confs = [c for c, _ in o.elements] if len(o.elements) == len(names) else [None] * len(names)
            event["changes"] = [{"person": _leaf(n, c)} for n, c in zip(names, confs, strict=True)]
        elif o.kind == "set":
            names = [p for p in o.pred.split("; ") if p] if o.pred else []
            confs = [c for c, _ in o.elements] if len(o.elements) == len(names) else [None] * len(names)
            event[name] = [_leaf(n, c) for n, c in zip(names, confs, strict=True)]
        elif name.startswith("changes."):
            pending_changes.append(o)
    if pending_changes and event.get("changes"):
        gold_changes = list(gold_event.get("changes") or [])
        preds = [c["person"]["value"] or "" for c in event["changes"]]
        sm = match_sets([g.get("person") for g in gold_changes], preds, pair_name)
        queue = list(pending_changes)
        for i, j, _ in sm.pairs:
            for sub in ("change", "position", "effective_date"):
                if sub in gold_changes[i] and queue and queue[0].key.endswith("." + sub):
                    o = queue.pop(0)
                    event["changes"][j][sub] = _leaf(o.pred, o.confidence)
    return event


def score_filing(gold: GoldFiling, run_obs: list[Obs], raw: Path) -> dict[str, list[Obs]]:
    parsed = parse_document(raw / gold.file)
    record = parsed.record
    out: dict[str, list[Obs]] = {"model": [], "readers": [], "merged": [], "rebuilt": []}
    for number, gold_event in (gold.events or {}).items():
        m = modern(number)
        if m not in ITEMS or schema_for(m) is None:
            continue
        item = next((i for i in record.items if i.number == number), None)
        readings = (read_item(number, segments_of(record, item), registrants_of(record))
                    if item is not None else Readings(item=m))  # fmt: skip
        model_event = rebuild_event(number, gold_event, run_obs)
        out["model"] += [o for o in run_obs if o.key.startswith(f"event.{m}.")]
        out["rebuilt"] += compare_event(number, gold_event, model_event)
        out["readers"] += compare_event(number, gold_event, merge({}, readings))
        out["merged"] += compare_event(number, gold_event, merge(model_event, readings))
    return out


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def report(per_system: dict[str, list[list[Obs]]], seed: int, replicates: int) -> None:
    n = len(per_system["model"])
    weights = replicate_weights(n, replicates, seed)
    print(f"{'field':26} {'n':>4} | {'model':>21} | {'readers':>21} | {'merged':>21} | merged - model")
    for metric in METRICS:
        counts = {s: per_filing_counts(per_system[s], metric) for s in ("model", "readers", "merged")}
        if support(metric.kind, counts["model"]) == 0:
            continue
        reps = {s: replicate_stats(metric.kind, c, weights) for s, c in counts.items()}
        cells = []
        for s in ("model", "readers", "merged"):
            lo_hi = ci(reps[s])
            band = f"[{_fmt(lo_hi[0])},{_fmt(lo_hi[1])}]" if lo_hi else ""
            cells.append(f"{_fmt(point(metric.kind, counts[s]))} {band:>15}")
        diff_point = (point(metric.kind, counts["merged"]) or 0.0) - (
            point(metric.kind, counts["model"]) or 0.0
        )
        d = paired_diff(reps["merged"], reps["model"])
        band = f"[{d[0]:+.3f},{d[1]:+.3f}]" if d else ""
        print(f"{metric.name:26} {support(metric.kind, counts['model']):>4} | " + " | ".join(cells)
              + f" | {diff_point:+.3f} {band}")  # fmt: skip


def fidelity(model: list[list[Obs]], rebuilt: list[list[Obs]]) -> tuple[int, int]:
    same = total = 0
    for a, b in zip(model, rebuilt, strict=True):
        stored = {(o.key, k): o for k, o in enumerate(a)}
        for k, o in enumerate(b):
            s = stored.get((o.key, k))
            total += 1
            same += int(s is not None and (s.correct, s.tp, s.fp, s.fn) == (o.correct, o.tp, o.fp, o.fn))
    return same, total


def corpus_hits(raw: Path, sample: int, seed: int) -> None:
    hits: Counter[str] = Counter()
    items: Counter[str] = Counter()
    found: list[tuple[str, str, str, Any, str]] = []
    for path in sorted(raw.iterdir()):
        record = parse_document(path).record
        for item in record.items:
            m = modern(item.number)
            if m not in ITEMS or not item.reported:
                continue
            items[m] += 1
            r = read_item(item.number, segments_of(record, item), registrants_of(record))
            for name, v in r.values.items():
                hits[f"{m} {name}"] += 1
                found.append((path.name, m, name, v.value, v.quote))
            for name, vs in r.lists.items():
                hits[f"{m} {name}"] += 1
                found.extend((path.name, m, name, v.value, v.quote) for v in vs[:1])
            if r.changes:
                hits[f"{m} changes"] += 1
            for c in r.changes:
                for name, v in c.fields().items():
                    found.append((path.name, m, f"changes.{name}", v.value, v.quote))
    print("\nCorpus: items with a reader value (items reported)")
    for key in sorted(hits):
        print(f"  {key:28} {hits[key]:>4} / {items[key.split()[0]]}")
    rng = random.Random(seed)
    print(f"\nRandom sample of {sample} hits (seed {seed}):")
    for k, (name, m, fld, value, quote) in enumerate(rng.sample(found, min(sample, len(found))), 1):
        print(f"  {k:2}. {name[:60]} [{m} {fld}] {value!r} <- {quote[:90]!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", default=str(ROOT / "evals" / "gold"))
    ap.add_argument("--results", default=str(ROOT / "evals" / "results" / "gold-qwen15-model-only.json"))
    ap.add_argument("--model", default="qwen-1.5b")
    ap.add_argument("--raw", default=str(ROOT / ".." / "shared" / "corpus" / "raw"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--corpus-sample", type=int, default=0, help="also run on every corpus filing")
    args = ap.parse_args(argv)
    import json

    results = json.loads(Path(args.results).read_text(encoding="utf-8"))
    runs = {
        r["file"]: [obs_from_json(o) for o in r["observations"]]
        for r in results["models"][args.model]["runs"]
    }
    raw = Path(args.raw)
    per_system: dict[str, list[list[Obs]]] = {"model": [], "readers": [], "merged": [], "rebuilt": []}
    files = []
    for gold in load_gold_dir(Path(args.gold)):
        if not any(modern(n) in ITEMS for n in (gold.events or {})) or gold.file not in runs:
            continue
        got = score_filing(gold, runs[gold.file], raw)
        for s, obs in got.items():
            per_system[s].append(obs)
        files.append(gold.file)
    same, total = fidelity(per_system["model"], per_system["rebuilt"])
    print(
        f"{len(files)} gold filings with items {', '.join(sorted(ITEMS))} ({args.gold}; model {args.model})"
    )
    print(f"rebuilt model event scores as stored on {same}/{total} observations\n")
    report(per_system, args.seed, args.replicates)
    if args.corpus_sample:
        corpus_hits(raw, args.corpus_sample, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
