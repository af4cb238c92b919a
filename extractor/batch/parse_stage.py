"""Parse stage of a batch run: a guarded call of the parser, and the engines that run it.

``parse_one(path, parser)`` runs in a worker (a process of the local pool, a Dask or Ray worker): it
never raises. Inputs the parser should not even open (missing, not a regular file, empty, unreadable,
over ``max_bytes``: ``extractor.input_check.check_file``) become error records here; a parser exception
becomes an error record with the exception as reason, and so does a parse that runs past ``timeout_s`` (a
``SIGALRM`` timer, where the worker runs the parse on its main thread: the local pool, inline, Ray; a Dask
worker's threads parse without a limit). The parser (a :class:`~.protocols.Parser`) is pickled to the
worker with each job: a module-level function costs a few bytes.

Engines (``make_engine``): ``inline`` (in the calling process; tests), ``process`` (default: a local
process pool, parsing is CPU-bound), ``dask`` (``pip install 'extractor[dask]'``; a Dask cluster given by
``--engine-address tcp://scheduler:8786`` or ``DASK_SCHEDULER_ADDRESS``, else a local cluster) and
``ray`` (``pip install 'extractor[ray]'``; ``--engine-address ray://head:10001`` or ``RAY_ADDRESS``,
else local mode). Every engine returns the same ``ParseOutcome`` for the same input, so outputs do not
depend on the engine.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..input_check import check_file, error_record
from ..record import FilingRecord
from .protocols import Parser

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_PARSE_TIMEOUT_S = 60.0


class ParseTimeout(BaseException):
    """A parse ran past its time limit. A BaseException, so that the parser's own guards (which turn
    an exception in one part into an error on that part) let it through to ``parse_one``."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise ParseTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class ParseOutcome:
    path: str
    record_json: str  # FilingRecord JSON (without text)
    text: str | None  # normalized text, when there is one
    status: str  # ok | partial | error
    error: str | None  # first error reason, for the ledger and the status command
    fillable: list[str]  # item numbers the fill stage should fill


def _outcome(path: str, record: FilingRecord, text: str | None) -> ParseOutcome:
    from .fill_stage import fillable_items

    record = record.model_copy(update={"text": None})
    err = record.errors[0].message if record.errors else None
    status = record.status.value
    return ParseOutcome(
        path=path,
        record_json=record.model_dump_json(),
        text=text,
        status=status,
        error=f"{record.errors[0].part}: {err}" if err else None,
        fillable=[] if status == "error" else fillable_items(record),
    )


def parse_one(
    path: str,
    parser: Parser,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S,
) -> ParseOutcome:
    """Parse one input; never raises (``timeout_s`` None or 0: no time limit)."""
    try:
        check_file(path, max_bytes)
    except InputError as exc:
        return _outcome(path, error_record(path, str(exc)), None)
    try:
        try:
            with _time_limit(timeout_s):
                parsed = parser(path)
        except ParseTimeout:
            msg = (
                f"parse time limit exceeded: still parsing after {timeout_s:g} s (raise with --parse-timeout)"
            )
            return _outcome(path, error_record(path, msg, part="parse"), None)
        record = getattr(parsed, "record", parsed)
        text = getattr(parsed, "text", None)
        if not isinstance(record, FilingRecord):
            raise TypeError(f"parser returned {type(record).__name__}, not a FilingRecord")
        return _outcome(path, record, text)
    except Exception as exc:  # the parser promises not to raise; one bad filing never stops a run
        rec = error_record(path, f"parser failed: {type(exc).__name__}: {exc}", part="parse")
        return _outcome(path, rec, None)


def _init_worker(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the run cleanly, and exit when the parent
    is gone: after a ``kill -9`` of the run an idle worker would otherwise wait on its queue forever."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# -- engines ----------------------------------------------------------------------------------------
class Engine:
    """Runs ``parse_one`` somewhere; ``submit`` returns a concurrent.futures.Future of a ParseOutcome."""

    name = "engine"
    workers = 1

    def submit(
        self, path: str, parser: Parser, max_bytes: int, timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S
    ) -> cf.Future[ParseOutcome]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InlineEngine(Engine):
    name = "inline"

    def submit(
        self, path: str, parser: Parser, max_bytes: int, timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S
    ) -> cf.Future[ParseOutcome]:
        fut: cf.Future[ParseOutcome] = cf.Future()
        fut.set_result(parse_one(path, parser, max_bytes, timeout_s))
        return fut


class ProcessEngine(Engine):
    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or (os.cpu_count() or 1))
        self._ctx = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._ctx, initializer=_init_worker, initargs=(os.getpid(),)
        )

    def submit(
        self, path: str, parser: Parser, max_bytes: int, timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S
    ) -> cf.Future[ParseOutcome]:
        try:
            return self._pool.submit(parse_one, path, parser, max_bytes, timeout_s)
        except cf.BrokenExecutor:
            # a worker died (OOM, segfault in a C extension): start a new pool and go on
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(parse_one, path, parser, max_bytes, timeout_s)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskEngine(Engine):
    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the extra
            from ..errors import ConfigError

            raise ConfigError("--engine dask needs the extra: pip install 'extractor[dask]'") from exc
        address = address or os.environ.get("DASK_SCHEDULER_ADDRESS")
        self._cluster = None
        if address:
            self._client = Client(address)
        else:
            n = max(1, workers or (os.cpu_count() or 1))
            self._cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or 1)

    def submit(
        self, path: str, parser: Parser, max_bytes: int, timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S
    ) -> cf.Future[ParseOutcome]:
        out: cf.Future[ParseOutcome] = cf.Future()
        dfut = self._client.submit(parse_one, path, parser, max_bytes, timeout_s, pure=False)

        def done(f: Any) -> None:
            try:
                out.set_result(f.result())
            except BaseException as exc:
                out.set_exception(exc)

        dfut.add_done_callback(done)
        return out

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class RayEngine(Engine):
    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError as exc:  # pragma: no cover - depends on the extra
            from ..errors import ConfigError

            raise ConfigError("--engine ray needs the extra: pip install 'extractor[ray]'") from exc
        self._ray = ray
        if not ray.is_initialized():
            address = address or os.environ.get("RAY_ADDRESS")
            if address:
                ray.init(address=address)
            else:
                ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False)
        self._remote = ray.remote(parse_one)
        self.workers = int(ray.cluster_resources().get("CPU", 1))

    def submit(
        self, path: str, parser: Parser, max_bytes: int, timeout_s: float | None = DEFAULT_PARSE_TIMEOUT_S
    ) -> cf.Future[ParseOutcome]:
        return self._remote.remote(path, parser, max_bytes, timeout_s).future()  # type: ignore[call-arg, no-any-return]

    def close(self) -> None:
        self._ray.shutdown()


def make_engine(name: str, *, workers: int | None = None, address: str | None = None) -> Engine:
    if name == "inline":
        return InlineEngine()
    if name == "process":
        if (workers or os.cpu_count() or 1) <= 1:
            return InlineEngine()
        return ProcessEngine(workers)
    if name == "dask":
        return DaskEngine(address, workers)
    if name == "ray":
        return RayEngine(address, workers)
    from ..errors import ConfigError

    raise ConfigError(f"unknown engine {name!r} (inline, process, dask, ray)")
