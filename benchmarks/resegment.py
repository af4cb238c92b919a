"""Time of the resegmentation step (``extractor/resegment.py``) on large texts: it must stay linear.

    python benchmarks/resegment.py [--mb N]

Builds two texts of about N MB (default 10) from a real flattened filing (tests/data/robustness): the
filing flattened to one line and repeated (every line break must be restored), and many short lines
(the step only checks and leaves the text alone). Both are in normalized form already (single spaces), so
the step runs on them directly; prints the seconds ``resegment`` takes, the line breaks it restored, and
the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import resegment  # noqa: E402
from extractor.normalize import OffsetMap  # noqa: E402

FILING = ROOT / "tests" / "data" / "robustness" / "lee2014__AAN-8K-20060222180159.txt"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    size = int(args.mb * 1_000_000)
    flat = " ".join(FILING.read_text(encoding="utf-8").split()) + " "
    for name, big in (("flat", flat * (size // len(flat))), ("short lines", "x y\n" * (size // 4))):
        text, offsets = big, OffsetMap((0,), (0,), len(big), len(big))  # already in normalized form
        t0 = time.perf_counter()
        out, new = resegment.resegment(text, offsets)
        elapsed = time.perf_counter() - t0
        restored = out.count("\n") - text.count("\n")
        print(
            f"{name}: {len(big) / 1e6:.1f} MB, resegment {elapsed:.2f} s, {restored} line breaks restored, "
            f"resegmented={new.resegmented}"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
