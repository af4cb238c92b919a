"""One batch run: resolve inputs, parse (engine), fill (bounded async), commit, write outputs.

Run directory layout (read by ``extractor status`` and the review app)::

    RUN_DIR/
      ledger.sqlite        the source of truth (see extractor.store.ledger)
      records.jsonl        one FilingRecord per finished input, input order (rebuilt from the ledger)
      tables/              fields / items / exhibits as .parquet and .csv (see extractor.batch.outputs)
      run.json             the settings of the last invocation (no secrets)

Resuming is re-running: inputs already in the ledger keep their id, finished filings are skipped, new
inputs are added, filings waiting for fill (killed mid-run) are filled, and filings whose fill failed
are retried while ``fill_attempts < max_attempts``. Every state change is one ledger transaction, and
``records.jsonl`` is rewritten from committed rows only, so ``kill -9`` at any moment followed by a
resume yields each input exactly once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..input_check import error_record
from ..store.ledger import Ledger, Summary
from ..store.runlock import RunLock
from .inputs import resolve_inputs
from .outputs import export_run, write_records
from .parse_stage import DEFAULT_MAX_BYTES, DEFAULT_PARSE_TIMEOUT_S, Engine, ParseOutcome, make_engine
from .progress import Reporter
from .protocols import Filler, Parser, default_parser, parser_name


@dataclass
class RunConfig:
    run_dir: Path
    inputs: list[str] = field(default_factory=list)
    parse_only: bool = False
    filings_in_flight: int = (
        8  # filings in the fill stage at once (requests: the Limiter's requests_in_flight)
    )
    max_attempts: int = 3  # fill attempts per filing, across runs
    max_parse_attempts: int = 2  # parse attempts when the worker crashed
    engine: str = "process"
    workers: int | None = None
    engine_address: str | None = None
    parser: Parser | None = None  # None: extractor.parse.parse_document
    max_bytes: int = DEFAULT_MAX_BYTES
    parse_timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S  # per filing; None or 0: no limit
    checkpoint_s: float = 30.0  # rewrite records.jsonl this often
    tables: bool = True
    model: str | None = None

    def public(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["run_dir"] = str(self.run_dir)
        d["parser"] = parser_name(self.parser or default_parser())
        return d


@dataclass
class RunResult:
    summary: Summary
    missing: list[str]
    interrupted: bool = False
    elapsed_s: float = 0.0
    parse_s: float = 0.0
    fill_s: float = 0.0  # summed per-filing fill time
    fill_wall_s: float = 0.0  # wall time from the first fill start to the last fill commit
    cpu_s: float = 0.0  # CPU time of this process during the run


class _Run:
    def __init__(self, cfg: RunConfig, ledger: Ledger, fill: Filler | None, reporter: Reporter) -> None:
        self.cfg = cfg
        self.ledger = ledger
        self.fill = None if cfg.parse_only else fill
        self.reporter = reporter
        self.parser = cfg.parser or default_parser()
        self.queue: asyncio.Queue[tuple[int, str, str] | None] = asyncio.Queue(
            maxsize=max(4, cfg.filings_in_flight * 2)
        )
        self._last_checkpoint = time.monotonic()
        self.fill_s = 0.0
        self.first_fill: float | None = None
        self.last_fill = 0.0

    # -- parse ----------------------------------------------------------------------------------
    async def parse_all(self, engine: Engine) -> None:
        while True:
            rows = [
                r for r in self.ledger.filings("pending") if r.parse_attempts < self.cfg.max_parse_attempts
            ]
            if not rows:
                break
            await self._parse_rows(engine, rows)
        for r in self.ledger.filings("pending"):  # worker crashed on it every time
            msg = f"parser crashed {r.parse_attempts} times: {r.error}"
            rec = error_record(r.path, msg, part="parse", measure=False)
            self.ledger.commit_parse(
                r.id, rec.model_dump_json(), None, status="error", done=True, error=r.error
            )
            self.reporter.advance("error")

    async def _parse_rows(self, engine: Engine, rows: list[Any]) -> None:
        limit = asyncio.Semaphore(max(2, engine.workers * 2))
        loop = asyncio.get_running_loop()

        async def one(row: Any) -> None:
            async with limit:
                try:
                    fut = engine.submit(row.path, self.parser, self.cfg.max_bytes, self.cfg.parse_timeout_s)
                    outcome: ParseOutcome = await asyncio.wrap_future(fut, loop=loop)
                except (cf.BrokenExecutor, OSError, RuntimeError) as exc:
                    self.ledger.parse_failed(row.id, f"{type(exc).__name__}: {exc}")
                    return
            await self._commit_parse(row.id, outcome)

        await asyncio.gather(*(one(r) for r in rows))

    async def _commit_parse(self, filing_id: int, o: ParseOutcome) -> None:
        done = self.fill is None or o.status == "error" or not o.fillable
        skipped = self.fill is None and o.status != "error" and bool(o.fillable)
        self.ledger.commit_parse(
            filing_id, o.record_json, o.text, status=o.status, done=done, error=o.error, fill_skipped=skipped
        )
        if done:
            self.reporter.advance(o.status)
            self._checkpoint()
        else:
            await self.queue.put((filing_id, o.record_json, o.text or ""))

    # -- fill -----------------------------------------------------------------------------------
    async def fill_worker(self) -> None:
        assert self.fill is not None
        while True:
            job = await self.queue.get()
            try:
                if job is None:
                    return
                filing_id, record_json, text = job
                t0 = time.perf_counter()
                if self.first_fill is None:
                    self.first_fill = t0
                out = await self.fill.run_json(record_json, text)
                self.fill_s += time.perf_counter() - t0
                self.ledger.commit_fill(
                    filing_id, out.record_json, status=out.status, stages=out.stages,
                    cost=out.cost, error=out.error,
                )  # fmt: skip
                self.reporter.advance(out.status, out.tokens_in, out.tokens_out, out.cost)
                self._checkpoint()
                self.last_fill = time.perf_counter()
            finally:
                self.queue.task_done()

    def _checkpoint(self) -> None:
        if time.monotonic() - self._last_checkpoint >= self.cfg.checkpoint_s:
            self._last_checkpoint = time.monotonic()
            write_records(self.ledger, self.cfg.run_dir)

    async def enqueue_parsed(self) -> None:
        for r in self.ledger.filings("parsed"):
            parsed, text = self.ledger.parsed_record(r.id)
            await self.queue.put((r.id, parsed, text))


async def run_batch(cfg: RunConfig, fill: Filler | None, reporter: Reporter | None = None) -> RunResult:
    """Run (or resume) a batch into ``cfg.run_dir``; returns the ledger summary. Holds the run
    directory's lock throughout: a second run on it raises :class:`~extractor.store.runlock.RunLocked`."""
    with RunLock(cfg.run_dir):
        return await _run_locked(cfg, fill, reporter)


async def _run_locked(cfg: RunConfig, fill: Filler | None, reporter: Reporter | None) -> RunResult:
    reporter = reporter or Reporter()
    t0 = time.perf_counter()
    c0 = time.process_time()
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    resolved = resolve_inputs(cfg.inputs)
    with Ledger(cfg.run_dir / "ledger.sqlite") as ledger:
        if ledger.get_meta("created_at") is None:
            ledger.set_meta("created_at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        given = json.loads(ledger.get_meta("inputs") or "[]")
        known = _known(ledger)
        given += [i for i in dict.fromkeys(cfg.inputs) if i not in given and i not in known]
        ledger.set_meta("inputs", json.dumps(given))
        ledger.set_meta("last_run", json.dumps({**cfg.public(), "inputs": given}, default=str))
        if cfg.model:
            ledger.set_meta("model", cfg.model)
        # inputs that match nothing still get their error record
        new = ledger.register([*resolved.paths, *(str(Path(m).absolute()) for m in resolved.missing)])
        write_records(ledger, cfg.run_dir)  # a resumed run starts from committed rows only
        (cfg.run_dir / "run.json").write_text(json.dumps(cfg.public(), indent=2, default=str))
        run = _Run(cfg, ledger, fill, reporter)
        if run.fill is not None:
            ledger.reopen_for_fill(ledger.retryable_fills(cfg.max_attempts))
            upgraded = ledger.reopen_skipped_fills()
            if upgraded:
                reporter.note(f"{upgraded} filing(s) of an earlier parse-only run go to the fill stage")
        s = ledger.summary()
        reporter.start(s.total, s.done)
        if new:
            reporter.note(f"{new} new input(s); {s.done} of {s.total} already done")
        interrupted: BaseException | None = None
        parse_s = 0.0
        engine: Engine | None = None
        workers: list[asyncio.Task[None]] = []
        try:
            if run.fill is not None:
                await run.fill.start()
                workers = [
                    asyncio.create_task(run.fill_worker()) for _ in range(max(1, cfg.filings_in_flight))
                ]
                await run.enqueue_parsed()
            if ledger.filings("pending"):
                engine = make_engine(cfg.engine, workers=cfg.workers, address=cfg.engine_address)
                tp = time.perf_counter()
                await run.parse_all(engine)
                parse_s = time.perf_counter() - tp
            if run.fill is not None:
                # retry rounds inside the run for fills that failed (transport trouble outlasting retries)
                while True:
                    await run.queue.join()
                    retry = ledger.retryable_fills(cfg.max_attempts)
                    if not retry:
                        break
                    ledger.reopen_for_fill(retry)
                    reporter.retrying(len(retry))
                    await run.enqueue_parsed()
                for _ in workers:
                    await run.queue.put(None)
                await asyncio.gather(*workers)
        except (asyncio.CancelledError, KeyboardInterrupt) as exc:
            interrupted = exc
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        finally:
            if engine is not None:
                engine.close()
            if run.fill is not None:
                await run.fill.aclose()
            reporter.stop()
            write_records(ledger, cfg.run_dir)
        summary = ledger.summary()
    if cfg.tables and not interrupted:
        export_run(cfg.run_dir)
    if interrupted is not None:
        raise interrupted
    fill_wall = run.last_fill - run.first_fill if run.first_fill is not None else 0.0
    return RunResult(
        summary, resolved.missing, False, time.perf_counter() - t0, parse_s, run.fill_s, fill_wall,
        time.process_time() - c0,
    )  # fmt: skip


def _known(ledger: Ledger) -> set[str]:
    return {r.path for r in ledger.filings()}
