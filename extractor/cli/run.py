"""``extractor run`` (batch runs), ``extractor status`` and ``extractor export`` (rebuild outputs).

    extractor run INPUTS... --out RUN_DIR [--model M] [--requests-in-flight N] [--rpm N] [--tpm N] [--parse-only]
    extractor run --resume RUN_DIR [INPUTS...]      continue a run (same as re-running the command)
    extractor status RUN_DIR [--json]
    extractor export RUN_DIR                        (also: extractor run export RUN_DIR)

Exit codes: 0 every input has an ok record; 1 some records are error or partial; 2 bad usage or setup
(no inputs, an empty folder, an endpoint that does not answer, not a run directory); 130 interrupted
(resume to continue).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExtractorError
from ..parse import parse_document
from .common import EXIT_OK, EXIT_RECORDS, EXIT_SETUP, error

if TYPE_CHECKING:
    from ..batch.protocols import Parser


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run parse + fill over many filings into a resumable run directory",
        description="Run the extractor over files, folders (recursive), globs or list files (@FILE, *.lst). "
        "Re-running the same command, or --resume RUN_DIR, continues where it stopped.",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUTS", help="files, folders, globs, @list files")
    p.add_argument("--out", "-o", metavar="RUN_DIR", help="run directory (created)")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR with its inputs")
    p.add_argument("--model", help="model name for the fill stage (default: settings / EXTRACTOR_MODEL)")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (default: settings / OPENAI_BASE_URL)")
    p.add_argument(
        "--requests-in-flight", "--concurrency", dest="requests_in_flight", type=int, default=8, metavar="N",
        help="HTTP requests to the model in flight at once (default 8; --concurrency is the old name)",
    )  # fmt: skip
    p.add_argument(
        "--filings-in-flight", type=int, metavar="N",
        help="filings in the fill stage at once (default: --requests-in-flight; --batch-size with --batch-api)",
    )  # fmt: skip
    p.add_argument(
        "--items-per-filing",
        type=int,
        default=4,
        metavar="N",
        help="items of one filing filled at once (default 4)",
    )
    p.add_argument(
        "--fill-procs", type=int, default=1, metavar="N",
        help="fill in N worker processes (a fast endpoint at high concurrency; limits are split among them)",
    )  # fmt: skip
    p.add_argument("--rpm", type=float, help="requests per minute limit")
    p.add_argument("--tpm", type=float, help="tokens per minute limit (estimated before, corrected after)")
    p.add_argument("--parse-only", action="store_true", help="parser only, no LLM")
    p.add_argument("--max-attempts", type=int, default=3, help="fill attempts per filing, across runs")
    p.add_argument(
        "--engine", choices=["process", "inline", "dask", "ray"], default="process",
        help="where the parse stage runs: local process pool (default), in-process, Dask or Ray",
    )  # fmt: skip
    p.add_argument("--workers", type=int, help="parse workers (default: CPU count)")
    p.add_argument(
        "--engine-address", help="Dask scheduler (tcp://host:8786) or Ray address (ray://host:10001)"
    )
    p.add_argument(
        "--max-bytes", type=int, default=25 * 1024 * 1024, help="larger inputs become error records"
    )
    p.add_argument(
        "--parse-timeout", type=float, default=60.0, metavar="S",
        help="per-filing parse time limit in seconds; a longer parse becomes an error record (0: none)",
    )  # fmt: skip
    p.add_argument("--prices", help="TOML file of USD per 1M tokens per model ([model] input=, output=)")
    p.add_argument("--price-in", type=float, help="USD per 1M input tokens for --model")
    p.add_argument("--price-out", type=float, help="USD per 1M output tokens for --model")
    p.add_argument("--batch-api", action="store_true", help="send fill requests through the OpenAI Batch API")
    p.add_argument("--batch-size", type=int, default=2000, help="filings in flight with --batch-api")
    p.add_argument("--poll-s", type=float, default=30.0, help="Batch API poll interval (seconds)")
    p.add_argument(
        "--cache-dir", type=Path, help="response cache and call log folder (default: EXTRACTOR_CACHE)"
    )
    p.add_argument("--no-cache", action="store_true", help="do not use the response cache")
    p.add_argument("--dry-run", action="store_true", help="fill with the scripted fake provider (no model)")
    p.add_argument("--parser", metavar="MODULE:FUNCTION", help=argparse.SUPPRESS)  # tests: a stand-in parser
    p.add_argument("--progress", choices=["auto", "rich", "plain", "json", "none"], default="auto")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress (same as --progress none)")
    p.add_argument("--json-progress", action="store_true", help="progress as JSON lines (--progress json)")
    p.add_argument("--no-tables", action="store_true", help="skip the Parquet/CSV tables")
    p.set_defaults(func=cmd_run)

    s = sub.add_parser("status", help="summarize a run directory")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.add_argument("--json", action="store_true", help="machine-readable summary")
    s.add_argument("--errors", type=int, default=10, help="how many error reasons to list")
    s.set_defaults(func=cmd_status)

    e = sub.add_parser(
        "export", help="rebuild records.jsonl and tables of a run (with reviewed values); prints the paths"
    )
    e.add_argument("run_dir", metavar="RUN_DIR")
    e.add_argument("--machine", action="store_true", help="ignore review decisions")
    e.add_argument(
        "--amendments",
        action="store_true",
        help="also write RUN_DIR/amended.jsonl: one row per report, an 8-K/A's values superseding its "
        "original's, both versions and every superseded value kept",
    )
    e.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from ..batch.outputs import export_run

    run_dir = Path(args.run_dir)
    if not (run_dir / "ledger.sqlite").is_file():
        error(f"{run_dir} is not a run directory (no ledger.sqlite)")
        return EXIT_SETUP
    counts = export_run(run_dir, reviewed=not getattr(args, "machine", False))
    if getattr(args, "amendments", False):
        counts["amended_view"] = _write_amended(run_dir, reviewed=not getattr(args, "machine", False))
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    tables = run_dir / "tables"
    for path in [run_dir / "records.jsonl", *(sorted(tables.iterdir()) if tables.is_dir() else [])]:
        print(f"wrote {path}")
    return EXIT_OK


def _write_amended(run_dir: Path, *, reviewed: bool) -> int:
    from ..amendments import amended_view
    from ..batch.outputs import iter_records
    from ..store.ledger import Ledger

    tmp = run_dir / "amended.jsonl.tmp"
    n = 0
    with Ledger(run_dir / "ledger.sqlite") as ledger, tmp.open("w", encoding="utf-8") as out:
        for row in amended_view(iter_records(ledger, run_dir, reviewed=reviewed)):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(run_dir / "amended.jsonl")
    return n


def cmd_status(args: argparse.Namespace) -> int:
    from ..store.ledger import Ledger

    run_dir = Path(args.run_dir)
    if not (run_dir / "ledger.sqlite").is_file():
        error(f"{run_dir} is not a run directory (no ledger.sqlite)")
        return EXIT_SETUP
    with Ledger(run_dir / "ledger.sqlite") as ledger:
        s = ledger.summary()
        reasons = ledger.error_reasons(args.errors)
    if args.json:
        data = {k: v for k, v in s.__dict__.items() if k != "meta"}
        data["model"] = s.meta.get("model")
        data["errors_sample"] = [{"path": p, "reason": r} for p, r in reasons]
        print(json.dumps(data, indent=2))
        return 0
    print(f"run:      {run_dir}")
    print(f"model:    {s.meta.get('model', '-')}")
    print(f"filings:  {s.total} total, {s.done} done, {s.parsed} waiting for fill, {s.pending} not parsed")
    print(f"records:  {s.ok} ok, {s.partial} partial, {s.error} error")
    print(f"tokens:   {s.tokens_in:,} in / {s.tokens_out:,} out, estimated cost ${s.cost:.4f}")
    if s.stage_errors:
        print("stage errors: " + ", ".join(f"{k} {v}" for k, v in sorted(s.stage_errors.items())))
    for path, reason in reasons:
        print(f"  {Path(path).name}: {reason}")
    if s.done < s.total:
        print(f"resume with: extractor run --resume {run_dir}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.inputs[:1] == ["export"] and not Path("export").exists() and len(args.inputs) == 2:
        return cmd_export(argparse.Namespace(run_dir=args.inputs[1], machine=False, amendments=False))
    try:
        return _run(args)
    except ExtractorError as exc:
        error(str(exc))
        return EXIT_SETUP


def _fill_procs(args: argparse.Namespace) -> int:
    """``--fill-procs``, or 1 where worker processes do not apply (with a warning)."""
    from ..batch.providers import fill_settings
    from ..errors import ConfigError

    if args.fill_procs < 1:
        raise ConfigError("--fill-procs must be at least 1")
    if args.fill_procs == 1:
        return 1
    why = None
    if args.batch_api:
        why = "the Batch API queues requests at OpenAI"
    elif not args.dry_run and fill_settings(model=args.model, base_url=args.base_url).embedded:
        why = "the embedded model serves one process"
    if why:
        print(f"warning: --fill-procs ignored: {why}", file=sys.stderr)
        return 1
    return int(args.fill_procs)


def _check_endpoint(args: argparse.Namespace) -> None:
    """An endpoint that does not answer stops the run here, with one line, before any filing is read."""
    from ..batch.providers import fill_settings
    from ..llm.reach import check_endpoint

    settings = fill_settings(model=args.model, base_url=args.base_url)
    if not settings.embedded:
        check_endpoint(settings)


def _fill_pool(args: argparse.Namespace, procs: int) -> Any:
    from ..batch.fill_pool import FillPool, WorkerSpec
    from ..batch.pricing import load_prices
    from ..batch.providers import fill_model_name, fill_settings

    settings = fill_settings(
        model=args.model, base_url=args.base_url, cache_dir=args.cache_dir, use_cache=not args.no_cache
    )
    model = fill_model_name(settings, dry_run=args.dry_run)
    prices = load_prices(args.prices, model=model, price_in=args.price_in, price_out=args.price_out)
    build = {
        "model": args.model,
        "base_url": args.base_url,
        "dry_run": args.dry_run,
        "cache_dir": str(args.cache_dir) if args.cache_dir else None,
        "use_cache": not args.no_cache,
        "items_per_filing": args.items_per_filing,
    }
    spec = WorkerSpec(
        build, args.requests_in_flight, args.rpm, args.tpm,
        {k: list(v) for k, v in prices.table.items()}, prices.discount,
    )  # fmt: skip
    return FillPool(spec, procs, model=model)


def _parser(spec: str | None) -> Parser:
    """The parser of the run: ``extractor.parse.parse_document``, or ``--parser module:function``."""
    if not spec:
        return parse_document
    import importlib

    from ..errors import ConfigError

    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"--parser {spec}: {exc}") from exc


def _run(args: argparse.Namespace) -> int:
    from ..batch.fill_stage import FillStage
    from ..batch.limits import Limiter
    from ..batch.pricing import load_prices
    from ..batch.progress import make_reporter
    from ..batch.protocols import Filler
    from ..batch.runner import RunConfig, run_batch
    from ..errors import ConfigError
    from ..store.ledger import Ledger
    from ..store.runlock import RunLock

    run_dir_s = args.out or args.resume
    if not run_dir_s:
        raise ConfigError("give --out RUN_DIR (or --resume RUN_DIR)")
    if args.out and args.resume and Path(args.out).resolve() != Path(args.resume).resolve():
        raise ConfigError("--out and --resume name different run directories")
    run_dir = Path(run_dir_s)
    inputs = list(args.inputs)
    previous: dict[str, Any] = {}
    if (run_dir / "ledger.sqlite").is_file():
        with Ledger(run_dir / "ledger.sqlite") as ledger:
            previous = json.loads(ledger.get_meta("last_run") or "{}")
            known = [r.path for r in ledger.filings()]
        # a resume re-reads the original INPUTS (new files in a folder are added) and keeps every known path
        before = list(previous.get("inputs", []))
        if args.resume or not inputs:
            inputs = [*before, *known, *inputs]
    elif args.resume:
        raise ConfigError(f"nothing to resume: {run_dir} has no ledger.sqlite")
    if not inputs:
        raise ConfigError("no INPUTS given")
    RunLock(run_dir).acquire().release()  # refuse now, before a model starts; run_batch holds it
    if not previous:  # a new run: an empty folder or nothing but hidden files is nothing to do
        from .common import filing_inputs

        filing_inputs(inputs)
    parse_only = args.parse_only or (
        bool(args.resume) and previous.get("parse_only", False) and not args.model
    )
    cfg = RunConfig(
        run_dir=run_dir,
        inputs=inputs,
        parse_only=parse_only,
        filings_in_flight=args.filings_in_flight or args.requests_in_flight,
        max_attempts=args.max_attempts,
        engine=args.engine,
        workers=args.workers,
        engine_address=args.engine_address,
        max_bytes=args.max_bytes,
        parse_timeout_s=args.parse_timeout or None,
        parser=_parser(args.parser),
        tables=not args.no_tables,
    )
    reporter = make_reporter("none" if args.quiet else "json" if args.json_progress else args.progress)
    fill: Filler | None = None
    cleanup: list[Any] = []
    procs = _fill_procs(args) if not parse_only else 1
    if not parse_only and not args.dry_run:
        _check_endpoint(args)
    if procs > 1:
        fill = _fill_pool(args, procs)
        cfg.model = fill.model
    elif not parse_only:
        from ..batch.providers import build_fill

        limiter = Limiter(args.requests_in_flight, args.rpm, args.tpm)
        built = build_fill(
            model=args.model,
            base_url=args.base_url,
            limiter=limiter,
            dry_run=args.dry_run,
            batch_api=args.batch_api,
            run_dir=run_dir,
            poll_s=args.poll_s,
            reporter=reporter,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
            items_per_filing=args.items_per_filing,
        )
        cleanup.append(built.close)
        prices = load_prices(
            args.prices, model=built.model, price_in=args.price_in, price_out=args.price_out,
            batch_api=args.batch_api,
        )  # fmt: skip
        fill = FillStage(built.afill, model=built.model, prices=prices, aclose=built.aclose)
        if args.batch_api and not args.filings_in_flight:
            cfg.filings_in_flight = max(args.requests_in_flight, args.batch_size)
        cfg.model = built.model
    try:
        result = asyncio.run(run_batch(cfg, fill, reporter))
    except KeyboardInterrupt:
        print(
            f"interrupted: the ledger is consistent; resume with: extractor run --resume {run_dir}",
            file=sys.stderr,
        )
        return 130
    finally:
        for c in cleanup:
            c()
    s = result.summary
    for m in result.missing:
        print(f"warning: input matched nothing (error record written): {m}", file=sys.stderr)
    print(
        f"{s.done}/{s.total} filings: {s.ok} ok, {s.partial} partial, {s.error} error; "
        f"tokens {s.tokens_in} in / {s.tokens_out} out; est. ${s.cost:.4f}; {result.elapsed_s:.1f}s -> {run_dir}"
    )
    if s.error or s.partial:
        print(f"see the reasons with: extractor status {run_dir}", file=sys.stderr)
        return EXIT_RECORDS
    return EXIT_OK
