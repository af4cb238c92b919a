"""Check that parser output did not change: snapshot ``extractor parse --include-text`` over a corpus.

    python scripts/parse_identity.py snapshot OUT.jsonl [--checkout DIR] [--corpus DIR]
    python scripts/parse_identity.py compare BASE.jsonl [--checkout DIR] [--corpus DIR]

``snapshot`` runs the parser of ``--checkout`` (default: this one; e.g. an untouched checkout of the
starting commit) in a subprocess with ``PYTHONPATH`` pointing at it, and writes one record per filing
(normalized text included, so a change in normalization shows too). ``compare`` makes a fresh snapshot
of this checkout and prints the files whose records differ from BASE; exit code 1 when any do.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "raw"


def snapshot(out: Path, checkout: Path, corpus: Path) -> int:
    files = sorted(str(p) for p in corpus.iterdir() if p.is_file())
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, "-m", "extractor", "parse", "--include-text", "--out", str(out), *files]
    subprocess.run(cmd, check=True, env=env, cwd=checkout)
    return len(files)


def _records(path: Path) -> dict[str, str]:
    out = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            out[json.loads(line)["source"]["path"]] = line
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["snapshot", "compare"])
    ap.add_argument("path", type=Path)
    ap.add_argument("--checkout", type=Path, default=ROOT)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    if args.mode == "snapshot":
        n = snapshot(args.path.resolve(), args.checkout.resolve(), corpus)
        print(f"{n} records from {args.checkout} written to {args.path}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "now.jsonl"
        snapshot(fresh, args.checkout.resolve(), corpus)
        base, now = _records(args.path), _records(fresh)
    changed = sorted(k for k in base.keys() | now.keys() if base.get(k) != now.get(k))
    for k in changed:
        print(f"differs: {Path(k).name}")
    print(f"{len(now)} records, {len(changed)} differ from {args.path}")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
