"""``extractor parse`` and ``extractor schema``: the deterministic parser from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..ingest import DEFAULT_MAX_BYTES
from ..parse import parse_file
from ..record import FilingRecord


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "parse",
        help="parse 8-K filings (no LLM) into JSON records",
        description="Parse 8-K filings (HTML, full SGML submission .txt, plain text) into one JSON record each. "
        "Bad inputs get a record with status 'error' and the reason; nothing is skipped.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="filing files")
    p.add_argument("--out", type=Path, help="write JSON Lines here (one record per line) instead of stdout")
    p.add_argument("--include-text", action="store_true", help="include the normalized text the spans index")
    p.add_argument(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="reject larger files (default 32 MB)"
    )
    p.add_argument("--pretty", action="store_true", help="indent the JSON (stdout only)")
    p.set_defaults(func=run_parse)

    s = sub.add_parser("schema", help="print the JSON Schema of the filing record")
    s.set_defaults(func=run_schema)


def run_parse(args: argparse.Namespace) -> int:
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    errors = 0
    try:
        for f in args.files:
            rec = parse_file(f, include_text=args.include_text, max_bytes=args.max_bytes)
            errors += rec.status.value == "error"
            indent = 2 if args.pretty and not args.out else None
            out.write(rec.model_dump_json(indent=indent, exclude_none=False) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(
            f"{len(args.files)} records written to {args.out} ({errors} with status error)", file=sys.stderr
        )
    return 0


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(FilingRecord.model_json_schema(), indent=2))
    return 0
