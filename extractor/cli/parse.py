"""``extractor parse`` and ``extractor schema``: the deterministic parser from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..ingest import DEFAULT_MAX_BYTES
from ..parse import parse_file
from ..types import FilingRecord
from .common import EXIT_OK, EXIT_RECORDS, filing_inputs


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "parse",
        help="parse 8-K filings (no LLM) into JSON records",
        description="Parse 8-K filings (HTML, full SGML submission .txt, plain text) into one JSON record each. "
        "FILE may be a file, a folder (read recursively), a glob or an @list file, as for 'extractor run'. "
        "Bad inputs get a record with status 'error' and the reason (also on stderr); nothing is skipped. "
        "Exit code 0: every record ok; 1: some records are errors; 2: nothing to parse.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="filing files, folders, globs, @list files")
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
    paths, missing = filing_inputs(args.files)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    errors = 0
    try:
        for f in [*paths, *missing]:  # an input that matched nothing still gets its error record
            rec = parse_file(f, include_text=args.include_text, max_bytes=args.max_bytes)
            if rec.status.value == "error":
                errors += 1
                reason = rec.errors[0].message if rec.errors else "unreadable"
                print(f"error: {f}: {reason}", file=sys.stderr, flush=True)
            indent = 2 if args.pretty and not args.out else None
            out.write(rec.model_dump_json(indent=indent, exclude_none=False) + "\n")
    finally:
        if args.out:
            out.close()
    n = len(paths) + len(missing)
    if args.out:
        print(f"{n} records written to {args.out} ({errors} with status error)", file=sys.stderr)
    return EXIT_RECORDS if errors else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(FilingRecord.model_json_schema(), indent=2))
    return 0
