"""``extractor extract FILE...``: parse each filing and fill its item events with an LLM.

Writes one FilingRecord JSON per line to ``--out`` (or stdout). With no endpoint configured the embedded
local model is started (``pip install 'extractor[local]'``); ``--dry-run`` uses the scripted fake
provider (all-null events, no model). Exit code 0 when every record is ok, 1 when some are partial or
errors, 2 on bad settings.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import ExtractorError


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


def register(sub: Any) -> None:
    p = sub.add_parser("extract", help="parse filings and fill item events with an LLM", description=__doc__)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--out", type=Path, help="write JSONL here (default: stdout)")
    p.add_argument("--dry-run", action="store_true", help="no model: scripted fake provider, null events")
    p.add_argument("--include-text", action="store_true", help="include the normalized text in each record")
    add_provider_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fill import fill_record
    from ..llm import make_provider
    from ..llm.fake import FakeProvider
    from ..parse import parse_document
    from ..store.cache import ResponseCache
    from ..store.calllog import CallLog

    try:
        settings = settings_from_args(args)
        provider: Any = FakeProvider.dry_run() if args.dry_run else make_provider(settings)
    except ExtractorError as exc:
        print(f"extractor extract: {exc}", file=sys.stderr)
        return 2
    cache = ResponseCache(settings.cache_db()) if settings.use_cache and not args.dry_run else None
    calllog = CallLog(settings.calllog_db()) if not args.dry_run else None
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    bad = 0
    try:
        for path in args.files:
            started = time.monotonic()
            parsed = parse_document(path)
            record = fill_record(
                parsed.record, parsed.text, provider, cache=cache, calllog=calllog, settings=settings
            )
            if args.include_text:
                record = record.model_copy(update={"text": parsed.text})
            out.write(record.model_dump_json() + "\n")
            out.flush()
            bad += record.status != "ok"
            calls = [i.llm for i in record.items if i.llm]
            print(
                f"{path.name}: {record.status.value}, {len(calls)} item call(s), "
                f"{sum(c.tokens_in for c in calls)} tokens in, {time.monotonic() - started:.1f}s",
                file=sys.stderr,
            )
    finally:
        provider.close()
        if args.out:
            out.close()
        for store in (cache, calllog):
            if store is not None:
                store.close()
    return 1 if bad else 0
