"""``extractor logs``: the LLM call log (one row per item fill), newest last, and totals."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("logs", help="show the LLM call log", description=__doc__)
    p.add_argument("-n", "--limit", type=int, default=30, help="rows to show (default 30)")
    p.add_argument("--json", action="store_true", help="one JSON object per row")
    p.add_argument("--db", type=Path, help="call log file (default: <cache dir>/calls.sqlite)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from ..store.calllog import CallLog

    path = args.db or load_settings().calllog_db()
    if not path.exists():
        print(f"no call log yet at {path}", file=sys.stderr)
        return 0
    log = CallLog(path)
    try:
        rows = log.recent(args.limit)
        if args.json:
            for row in rows:
                print(json.dumps(row))
            return 0
        print(
            f"{'time':19}  {'item':5} {'model':22} {'prompt':14} {'in':>6} {'out':>5} {'secs':>6} {'try':>3}  outcome"
        )
        for r in rows:
            when = dt.datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M:%S")
            outcome = r["outcome"] + (f" ({r['error'][:60]})" if r["error"] else "")
            print(
                f"{when}  {r['item']:5} {str(r['model'])[:22]:22} {str(r['prompt_name'])[:14]:14} "
                f"{r['tokens_in']:>6} {r['tokens_out']:>5} {r['latency_s']:>6.1f} {r['attempts']:>3}  {outcome}"
                f"  {r['filing']}"
            )
        s = log.summary()
        print(
            f"total: {s['calls']} item fills, {s['tokens_in']} tokens in, {s['tokens_out']} out, "
            f"{s['latency_s']:.0f}s, {s['cache_hits']} cache hits, {s['failures']} failures"
        )
    finally:
        log.close()
    return 0
