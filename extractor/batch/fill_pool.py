"""The fill stage in several worker processes (``extractor run --fill-procs N``).

One event loop handles every answer in turn, so a fast endpoint at high concurrency makes the run
CPU-bound in this process: the openai client, instructor, grounding and JSON work cost a few ms per
request (see ``benchmarks/batch_throughput.py``). ``FillPool`` runs the fill in ``N`` worker processes,
each with its own event loop, provider, HTTP pool and share of the limits (requests in flight, rpm
and tpm divided by ``N``), while this process keeps the ledger, the progress display and the outputs: every
state change is still one ledger transaction here, so resume, ``kill -9`` and Ctrl-C behave as with
the in-process stage.

Protocol: newline-delimited JSON over the worker's stdin and a private copy of its stdout (the worker
points its own fd 1 at stderr, so a library that prints cannot corrupt the stream). The first line to a
worker is its spec; it answers ``{"ready": model}`` once its provider is built, or ``{"fatal": reason}``.
Then jobs ``{"id", "record", "text"}`` in and outcomes ``{"id", "outcome"}`` (or ``{"id", "crash"}``)
out, in any order. A worker exits when its stdin closes, so the workers of a killed run go too.

A worker that dies fails its jobs in flight (each becomes a failed fill with the reason, retried like
any failed fill) and is replaced, up to ``restarts`` times per slot.

Limits per worker are the run's divided by ``N``; a 429's ``Retry-After`` pauses only the worker that
received it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..errors import ConfigError
from ..record import FilingRecord
from ..store.ledger import StageResult
from .fill_stage import FillOutcome, FillStage, failed_outcome
from .pricing import Prices

log = logging.getLogger(__name__)

LINE_LIMIT = 1 << 30  # one job line holds a whole filing's text
READY_TIMEOUT_S = 300.0


@dataclass
class WorkerSpec:
    """How a worker builds its fill stage: ``build_fill`` arguments, its limits and the prices."""

    build: dict[str, Any]  # keyword arguments of extractor.batch.providers.build_fill (JSON values)
    requests_in_flight: int
    rpm: float | None = None
    tpm: float | None = None
    prices: dict[str, list[float]] = field(default_factory=dict)
    discount: float = 1.0

    def share(self, procs: int, index: int) -> WorkerSpec:
        """This spec with the limits of worker ``index`` of ``procs`` (requests split as evenly as can be)."""
        n = self.requests_in_flight
        conc = n // procs + (1 if index < n % procs else 0)
        return WorkerSpec(
            self.build,
            max(1, conc),
            self.rpm / procs if self.rpm else None,
            self.tpm / procs if self.tpm else None,
            self.prices,
            self.discount,
        )


def outcome_to_json(o: FillOutcome) -> dict[str, Any]:
    # shallow on purpose: asdict() deep-copies every field, and the record is one (long) string
    d = {f.name: getattr(o, f.name) for f in fields(o)}
    d["stages"] = [{f.name: getattr(s, f.name) for f in fields(s)} for s in o.stages]
    return d


def outcome_from_json(d: dict[str, Any]) -> FillOutcome:
    d = dict(d)
    d["stages"] = [StageResult(**s) for s in d["stages"]]
    return FillOutcome(**d)


class _Worker:
    def __init__(self, slot: int, proc: asyncio.subprocess.Process) -> None:
        self.slot = slot
        self.proc = proc
        self.pending: dict[int, asyncio.Future[FillOutcome | str]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.alive = True


class FillPool:
    """``N`` fill worker processes behind the runner's fill interface (``Filler``)."""

    def __init__(self, spec: WorkerSpec, procs: int, *, model: str, restarts: int = 3) -> None:
        if procs < 1:
            raise ConfigError("--fill-procs must be at least 1")
        self.spec = spec
        self.procs = min(procs, max(1, spec.requests_in_flight))
        self.model = model
        self._workers: list[_Worker | None] = [None] * self.procs
        self._restarts_left = [restarts] * self.procs
        self._next_id = 0
        self._closing = False
        self._lock = asyncio.Lock()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.proc.pid for w in self._workers if w is not None and w.alive]

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        results = await asyncio.gather(*(self._spawn(i) for i in range(self.procs)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await self.aclose()
            raise errors[0]

    async def _spawn(self, slot: int) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "extractor.batch.fill_pool",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        spec = self.spec.share(self.procs, slot)
        proc.stdin.write(json.dumps(asdict(spec)).encode() + b"\n")
        await proc.stdin.drain()
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), READY_TIMEOUT_S)
        except TimeoutError:
            line = b""
        msg = _loads(line)
        if "ready" not in msg:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            reason = msg.get("fatal") or f"exited with code {proc.returncode} before it was ready"
            raise ConfigError(f"fill worker {slot} did not start: {reason}")
        w = _Worker(slot, proc)
        w.reader = asyncio.create_task(self._read(w))
        self._workers[slot] = w
        return w

    async def aclose(self) -> None:
        self._closing = True
        workers = [w for w in self._workers if w is not None]
        for w in workers:
            if w.proc.stdin is not None and not w.proc.stdin.is_closing():
                w.proc.stdin.close()
        for w in workers:
            try:
                await asyncio.wait_for(w.proc.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    w.proc.kill()
                await w.proc.wait()
            if w.reader is not None:
                w.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await w.reader
            self._fail_pending(w, "fill worker stopped")

    # -- jobs -----------------------------------------------------------------------------------
    async def run_json(self, record_json: str, text: str) -> FillOutcome:
        try:
            res = await self._submit(record_json, text)
        except ConfigError as exc:  # no worker left
            res = str(exc)
        if isinstance(res, str):
            return failed_outcome(FilingRecord.model_validate_json(record_json), res, self.model)
        return res

    async def _submit(self, record_json: str, text: str) -> FillOutcome | str:
        """The outcome from a worker, or why there is none."""
        w = await self._worker()
        self._next_id += 1
        job_id = self._next_id
        fut: asyncio.Future[FillOutcome | str] = asyncio.get_running_loop().create_future()
        w.pending[job_id] = fut
        try:
            assert w.proc.stdin is not None
            w.proc.stdin.write(
                json.dumps({"id": job_id, "record": record_json, "text": text}).encode() + b"\n"
            )
            await w.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:  # the worker died; the reader fails the job
            if not fut.done():
                fut.set_result(f"fill worker {w.slot} gone: {exc}")
        try:
            return await fut
        finally:
            w.pending.pop(job_id, None)

    async def _worker(self) -> _Worker:
        """The live worker with the fewest jobs in flight; a dead one is replaced first."""
        async with self._lock:
            for slot, w in enumerate(self._workers):
                if (w is None or not w.alive) and not self._closing and self._restarts_left[slot] > 0:
                    self._restarts_left[slot] -= 1
                    with contextlib.suppress(ConfigError, OSError):
                        await self._spawn(slot)
            live = [w for w in self._workers if w is not None and w.alive]
        if not live:
            raise ConfigError("every fill worker died and none could be restarted")
        return min(live, key=lambda w: len(w.pending))

    async def _read(self, w: _Worker) -> None:
        assert w.proc.stdout is not None
        reason = "exited"
        try:
            while True:
                line = await w.proc.stdout.readline()
                if not line:
                    break
                msg = _loads(line)
                fut = w.pending.get(msg.get("id", -1))
                if fut is None or fut.done():
                    continue
                if "outcome" in msg:
                    fut.set_result(outcome_from_json(msg["outcome"]))
                else:
                    fut.set_result(f"fill worker error: {msg.get('crash') or 'unreadable answer'}")
        except (ValueError, asyncio.LimitOverrunError) as exc:
            reason = f"sent an unreadable answer ({exc})"
        finally:
            w.alive = False
            code = w.proc.returncode
            if code is None:
                with contextlib.suppress(ProcessLookupError):
                    w.proc.kill()
                code = await w.proc.wait()
            if not self._closing:
                log.warning("fill worker %d %s (code %s); its filings will be retried", w.slot, reason, code)
            self._fail_pending(w, f"fill worker {w.slot} {reason} (code {code})")

    @staticmethod
    def _fail_pending(w: _Worker, reason: str) -> None:
        for fut in w.pending.values():
            if not fut.done():
                fut.set_result(reason)


def _loads(line: bytes) -> dict[str, Any]:
    try:
        msg = json.loads(line)
    except ValueError:
        return {}
    return msg if isinstance(msg, dict) else {}


# -- the worker process ---------------------------------------------------------------------------
async def _serve(proto: Any) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    # answers go out through the loop (buffered, never blocking it while the parent is busy)
    out, _ = await loop.connect_write_pipe(asyncio.Protocol, proto)

    def send(msg: dict[str, Any]) -> None:
        if not out.is_closing():
            out.write(json.dumps(msg).encode() + b"\n")

    try:
        await _work(reader, send)
    finally:
        for _ in range(500):  # let the last answers leave (up to 5 s) before the loop closes
            if out.is_closing() or not out.get_write_buffer_size():
                break
            await asyncio.sleep(0.01)
        out.close()


async def _work(reader: asyncio.StreamReader, send: Callable[[dict[str, Any]], None]) -> None:
    from .limits import Limiter
    from .providers import build_fill

    try:
        spec = WorkerSpec(**json.loads(await reader.readline()))
        limiter = Limiter(spec.requests_in_flight, spec.rpm, spec.tpm)
        built = build_fill(limiter=limiter, **spec.build)
    except Exception as exc:  # reported to the parent, which refuses to start the run
        send({"fatal": f"{type(exc).__name__}: {exc}"})
        return
    stage = FillStage(
        built.afill,
        model=built.model,
        prices=Prices({k: (v[0], v[1]) for k, v in spec.prices.items()}, spec.discount),
    )
    send({"ready": built.model})
    tasks: set[asyncio.Task[None]] = set()

    async def one(job: dict[str, Any]) -> None:
        try:
            out = await stage.run_json(job["record"], job["text"])
            send({"id": job["id"], "outcome": outcome_to_json(out)})
        except Exception as exc:  # a record that does not load; FillStage itself never raises
            send({"id": job["id"], "crash": f"{type(exc).__name__}: {exc}"[:500]})

    try:
        while True:
            line = await reader.readline()
            if not line:
                break  # the parent closed our stdin (done) or died
            t = asyncio.create_task(one(json.loads(line)))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        if tasks:  # the parent is gone or done: nobody will read the answers
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await built.aclose()
        built.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, format="fill worker: %(levelname)s %(message)s")
    with contextlib.suppress(BrokenPipeError):
        asyncio.run(_serve(proto))


if __name__ == "__main__":
    main()
