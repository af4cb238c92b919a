"""Metamorphic robustness over the corpus: agreement of each variant's record with the original's.

    python benchmarks/robustness.py [CORPUS_DIR] [--limit N] [--sample N] [--only TRANSFORM,...] [--show-misses N]

Every filing is re-rendered by the converters that are installed (html2text, inscriptis, lxml, bs4,
w3m; HTML documents only), hard-wrapped at words and inside words, flattened, upper-cased and (full
submissions) stripped of the SEC header (``extractor/eval/robustness.py`` says how); the parser reads each
variant and the table gives, per transform and per field, the share of variants whose value equals the
original's (the eval's scorers decide "equal"). Filings the parser rejects (status error) are skipped.
``--show-misses N`` prints up to N disagreements per field with the values on both sides.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.eval import robustness as rb  # noqa: E402
from extractor.eval.compare import compare  # noqa: E402
from extractor.ingest import read_filing  # noqa: E402
from extractor.parse import parse_bytes, parse_file  # noqa: E402
from extractor.record import Status  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "raw"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--sample", type=int, default=0, help="N files evenly spaced over the corpus (0: all)")
    ap.add_argument("--only", default="", help="comma-separated transforms to run (default: all)")
    ap.add_argument("--show-misses", type=int, default=0)
    args = ap.parse_args()
    files = sorted(p for p in Path(args.corpus).iterdir() if p.is_file())
    if args.limit:
        files = files[: args.limit]
    if args.sample and args.sample < len(files):
        files = [files[i * len(files) // args.sample] for i in range(args.sample)]
    only = set(filter(None, args.only.split(",")))
    converters = [c for c in rb.available_converters() if not only or c in only]
    transforms = tuple(t for t in rb.TEXT_TRANSFORMS if not only or t in only)
    table = rb.Table.empty()
    misses: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    skipped = 0
    for path in files:
        original = parse_file(path)
        if original.status == Status.error:
            skipped += 1
            continue
        raw = read_filing(path)
        ref = rb.reference(original)
        src = rb.Source(path.name, raw.text, raw.body, raw.body_is_html)
        for name, text in rb.variants(src, converters, transforms):
            if only and name not in only:
                continue
            record = parse_bytes(text.encode("utf-8"), path=f"{path.name}:{name}")
            result = rb.agreement(ref, record)
            table.add(name, result)
            if args.show_misses:
                for obs in compare(ref, record, events=False):
                    key = obs.key.removeprefix("cover.").split(".")[0]
                    if not obs.correct and len(misses.setdefault(key, [])) < args.show_misses:
                        misses[key].append(f"{path.name} [{name}] {obs.reason}")
    elapsed = time.perf_counter() - t0
    print(f"{len(files) - skipped} filings ({skipped} rejected by the parser skipped), ", end="")
    print(f"converters: {', '.join(converters) or 'none'}; {elapsed:.0f} s\n")
    print(table.markdown())
    for key, rows in misses.items():
        print(f"\n## {key}")
        print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
