"""Time the README quick start: ``extractor extract examples/* --out ...`` with the embedded model.

    python benchmarks/quickstart.py [--cache DIR] [--keep]

- **cold**: a fresh ``EXTRACTOR_CACHE`` folder: the weights are joined from the installed parts and
  sha256-checked, the server starts, the LLM response cache is empty;
- **warm**: the same folder again with ``--no-cache``: weights joined, no cached answers;
- **cached**: the same folder again with the response cache (a re-run of the quick start).

Prints each run's wall time, the load average before and after (the machine is shared), and the
lines the command printed (stages, the measured model speed, one line per filing). Needs
``pip install -e '.[local]'``; it starts the embedded model, so it takes minutes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one(label: str, cache: Path, out: Path, *extra: str) -> float:
    cmd = [str(Path(sys.executable).parent / "extractor"), "extract", *sorted(map(str, (ROOT / "examples").iterdir())),
           "--out", str(out), "--progress", "plain", *extra]  # fmt: skip
    env = {**os.environ, "EXTRACTOR_CACHE": str(cache)}
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACTOR_MODEL_PATH"):
        env.pop(var, None)
    load = os.getloadavg()
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    spent = time.monotonic() - started
    after = os.getloadavg()
    print(f"== {label}: {spent:.1f} s wall, exit {proc.returncode}; load average before "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")  # fmt: skip
    for line in proc.stderr.splitlines():
        print(f"   {line}")
    return spent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, help="cache folder to use (must not exist; default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the cache folder (1.1 GB of weights)")
    ap.add_argument("--cold-only", action="store_true", help="only the cold run")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="quickstart-")) if args.cache is None else args.cache
    cache = base / "cache"
    if cache.exists():
        print(f"{cache} exists: a cold run needs a fresh folder", file=sys.stderr)
        return 2
    print(f"{os.cpu_count()} CPUs; cache {cache}")
    try:
        cold = one("cold", cache, base / "cold.jsonl")
        if args.cold_only:
            return 0
        warm = one("warm (weights joined, --no-cache)", cache, base / "warm.jsonl", "--no-cache")
        cached = one("cached (re-run)", cache, base / "cached.jsonl")
        print(f"quick start: cold {cold:.1f} s, warm {warm:.1f} s, cached {cached:.1f} s")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
