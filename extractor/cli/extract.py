"""``extractor extract FILE...``: parse each filing and fill its item events with an LLM.

Writes one FilingRecord JSON per line to ``--out`` (or stdout). With no endpoint configured the embedded
local model is started (``pip install 'extractor[local]'``); ``--dry-run`` uses the scripted fake
provider (all-null events, no model). FILE may be a file, a folder, a glob or an @list file. The model
is started only when some item needs it. Exit code 0 when every record is ok, 1 when some are partial
or errors (each failed part is named on stderr), 2 on bad settings, no input or an endpoint that does
not answer.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import Any


def add_provider_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--model", help="model name at the endpoint (env EXTRACTOR_MODEL)")
    g.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL); none = embedded model"
    )
    g.add_argument("--model-path", type=Path, help="a GGUF file for the embedded server")
    g.add_argument("--local-model", help="embedded model name (see `extractor models list`)")
    g.add_argument(
        "--mode", choices=["auto", "tools", "json_schema", "json", "md_json"], help="instructor mode"
    )
    g.add_argument("--config", type=Path, help="TOML settings file (env EXTRACTOR_CONFIG)")
    g.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")


def settings_from_args(args: argparse.Namespace) -> Any:
    from ..config import load_settings

    overrides = {
        "model": args.model,
        "base_url": args.base_url,
        "model_path": args.model_path,
        "local_model": args.local_model,
        "mode": args.mode,
        "use_cache": False if args.no_cache else None,
    }
    return load_settings(overrides, toml_path=args.config)


def add_progress_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quiet", "-q", action="store_true", help="show only warnings and errors")
    g.add_argument(
        "--json-progress", action="store_true", help="progress as JSON lines on stderr (for scripts)"
    )
    g.add_argument("--progress", choices=["auto", "rich", "plain"], default="auto", help=argparse.SUPPRESS)


def progress_kind(args: argparse.Namespace) -> str:
    return "quiet" if args.quiet else "json" if args.json_progress else str(args.progress)


def register(sub: Any) -> None:
    p = sub.add_parser("extract", help="parse filings and fill item events with an LLM", description=__doc__)
    p.add_argument("files", nargs="+", metavar="FILE", help="filing files, folders, globs, @list files")
    p.add_argument("--out", type=Path, help="write JSONL here (default: stdout)")
    p.add_argument("--dry-run", action="store_true", help="no model: scripted fake provider, null events")
    p.add_argument("--include-text", action="store_true", help="include the normalized text in each record")
    add_provider_args(p)
    add_progress_args(p)
    p.set_defaults(func=run)


def needs_model(item: Any) -> bool:
    """Does filling this item call the model? (It has an event schema the parser does not cover.)"""
    from ..fill import schema_for_item
    from ..prefill import parser_event

    schema = schema_for_item(item)
    if schema is None:
        return False
    pre = parser_event(item)
    return pre is None or not pre.complete(schema)


def open_provider(settings: Any, *, dry_run: bool, stage: Any) -> Any:
    """The provider, checked before any filing goes to it: an endpoint that does not answer stops
    here with one line (``llm.reach``); the embedded model reports its start-up stages."""
    from ..llm import make_provider
    from ..llm.fake import FakeProvider
    from ..llm.reach import check_endpoint

    if dry_run:
        return FakeProvider.dry_run()
    if not settings.embedded:
        check_endpoint(settings)  # a wrong URL: one line, exit 2
    return make_provider(settings, stage)


def run(args: argparse.Namespace) -> int:
    from ..fill import fill_record
    from ..parse import parse_document
    from ..store.cache import ResponseCache
    from ..store.calllog import CallLog
    from .common import EXIT_OK, EXIT_RECORDS, filing_inputs
    from .progress import make_display

    paths, missing = filing_inputs(args.files)
    settings = settings_from_args(args)
    parsed = [(Path(p), parse_document(p)) for p in [*paths, *missing]]
    todo = sum(
        needs_model(it) for _p, f in parsed if f.record.status.value != "error" for it in f.record.items
    )
    display = make_display(progress_kind(args))
    provider: Any = None
    cache = calllog = None
    out: Any = None
    bad = 0
    try:
        if todo or args.dry_run:  # a model is started only when some item needs it
            provider = open_provider(settings, dry_run=args.dry_run, stage=display.stage)
            cache = ResponseCache(settings.cache_db()) if settings.use_cache and not args.dry_run else None
            calllog = CallLog(settings.calllog_db()) if not args.dry_run else None
        display.begin(len(parsed), todo, getattr(provider, "model", None))
        if provider is None:  # the parser reads every event (its pre-fill runs in the fill): no calls
            from ..llm.fake import FakeProvider

            provider = FakeProvider(model="parser")
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
        out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
        for path, doc in parsed:
            started = time.monotonic()
            display.filing(path.name, sum(needs_model(it) for it in doc.record.items))
            record = fill_record(
                doc.record, doc.text, provider, cache=cache, calllog=calllog, settings=settings,
                on_item=functools.partial(display.item, path.name),
            )  # fmt: skip
            if args.include_text:
                record = record.model_copy(update={"text": doc.text})
            out.write(record.model_dump_json() + "\n")
            out.flush()
            bad += record.status.value != "ok"
            display.finished(path.name, record, time.monotonic() - started)
    finally:
        display.close()
        if provider is not None:
            provider.close()
        if args.out and out is not None:
            out.close()
        for store in (cache, calllog):
            if store is not None:
                store.close()
    if args.out:
        print(f"{len(parsed)} records written to {args.out} ({bad} not ok)", file=sys.stderr)
    return EXIT_RECORDS if bad else EXIT_OK
