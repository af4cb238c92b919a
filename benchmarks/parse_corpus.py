"""Parse every filing of the corpus and print throughput and memory.

    python benchmarks/parse_corpus.py [CORPUS_DIR] [--repeat N]

Prints filings/second and MB/second for the full parser on one core, next to a baseline measured in the
same process: ingest only (read, sniff, decode; the floor any parser pays). Also peak RSS, the largest
per-filing time, and the count of records per status; "crashes" counts exceptions that escaped
``parse_document`` plus records whose errors say "internal error" (both must be 0).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.errors import InputError  # noqa: E402
from extractor.ingest import read_filing  # noqa: E402
from extractor.parse import parse_document  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "raw"))
    ap.add_argument("--repeat", type=int, default=3, help="best of N passes (default 3)")
    args = ap.parse_args()
    files = sorted(p for p in Path(args.corpus).iterdir() if p.is_file())
    total_bytes = sum(p.stat().st_size for p in files)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def ingest_pass() -> float:
        t = time.perf_counter()
        for p in files:
            with contextlib.suppress(InputError):
                read_filing(p)
        return time.perf_counter() - t

    statuses: collections.Counter[str] = collections.Counter()
    crashes = 0
    slowest = (0.0, "")

    def parse_pass() -> float:
        nonlocal crashes, slowest
        statuses.clear()
        crashes = 0
        t = time.perf_counter()
        for p in files:
            t1 = time.perf_counter()
            try:
                rec = parse_document(p).record
            except Exception as exc:  # must never happen
                crashes += 1
                print(f"CRASH {p.name}: {exc!r}", file=sys.stderr)
                continue
            dt = time.perf_counter() - t1
            if dt > slowest[0]:
                slowest = (dt, p.name)
            statuses[rec.status.value] += 1
            crashes += any("internal error" in e.message for e in rec.errors)
        return time.perf_counter() - t

    base = min(ingest_pass() for _ in range(args.repeat))
    full = min(parse_pass() for _ in range(args.repeat))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n, mb = len(files), total_bytes / 1e6
    print(f"corpus            {n} filings, {mb:.1f} MB")
    print(f"baseline (ingest) {n / base:8.1f} filings/s {mb / base:7.2f} MB/s")
    print(f"parse (full)      {n / full:8.1f} filings/s {mb / full:7.2f} MB/s")
    print(f"parse / ingest    {full / base:8.2f}x the time of reading and decoding alone")
    print(f"slowest filing    {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    print(f"peak RSS          {rss / 1024:.0f} MB (grew {(rss - rss0) / 1024:.0f} MB while parsing)")
    print(f"records           {dict(statuses)}  (one per filing: {sum(statuses.values()) == n})")
    print(f"crashes           {crashes}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
