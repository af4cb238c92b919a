"""``extractor parse`` and ``extractor schema``: the deterministic parser from the command line."""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from pathlib import Path
from typing import TextIO

from ..ingest import DEFAULT_MAX_BYTES
from ..parse import parse_file
from ..record import FilingRecord
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
        "--include-exhibits",
        action="store_true",
        help="include each attached exhibit document's normalized text (exhibits[].attached.text; "
        "its own spans index it)",
    )
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
            rec = parse_file(
                f,
                include_text=args.include_text,
                max_bytes=args.max_bytes,
                include_exhibits=args.include_exhibits,
            )
            if rec.status.value == "error":
                errors += 1
                reason = rec.errors[0].message if rec.errors else "unreadable"
                print(f"error: {f}: {reason}", file=sys.stderr, flush=True)
            write_record(out, rec, indent=2 if args.pretty and not args.out else None)
    finally:
        if args.out:
            out.close()
    n = len(paths) + len(missing)
    if args.out:
        print(f"{n} records written to {args.out} ({errors} with status error)", file=sys.stderr)
    return EXIT_RECORDS if errors else EXIT_OK


LONG_TEXT = 1 << 20


def write_record(out: TextIO, rec: FilingRecord, *, indent: int | None = None, long: int = LONG_TEXT) -> None:
    """Write one record as a JSON line, the same text ``rec.model_dump_json`` gives.

    Texts longer than ``long`` characters (an item's text, the normalized text) are encoded and written
    a piece at a time (JSON escapes each character on its own, so the pieces join to the same text):
    the record's JSON encoder would hold such a text twice more (its growing buffer, then the string),
    and writing it a third time (as bytes), which for a 30 MB filing is most of the memory a parse needs."""
    token = f"extractor-long-text-{secrets.token_hex(8)}"
    held: list[str] = []

    def hold(s: str) -> str:
        held.append(s)
        return f"{token}-{len(held) - 1}"

    items = [it.model_copy(update={"text": hold(it.text)}) if len(it.text) > long else it for it in rec.items]
    update: dict[str, object] = {"items": items}
    if rec.text is not None and len(rec.text) > long:
        update["text"] = hold(rec.text)
    if not held:
        out.write(rec.model_dump_json(indent=indent) + "\n")
        return
    pieces = re.split(f'"{token}-(\\d+)"', rec.model_copy(update=update).model_dump_json(indent=indent))
    for k, piece in enumerate(pieces):
        if k % 2 == 0:
            out.write(piece)
            continue
        text = held[int(piece)]
        out.write('"')
        for i in range(0, len(text), long):
            out.write(json.dumps(text[i : i + long], ensure_ascii=False)[1:-1])
        out.write('"')
    out.write("\n")


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(FilingRecord.model_json_schema(), indent=2))
    return 0
