"""Parse stage of a batch run: a guarded call of the parser, and the engines that run it.

``parse_one`` runs in a worker (a process of the local pool, a Dask or Ray worker): it never raises.
Inputs the parser should not even open (missing, not a regular file, unreadable, over ``max_bytes``)
become error records here; a parser exception becomes an error record with the exception as reason.

Engines (``make_engine``): ``inline`` (in the calling process; tests), ``process`` (default: a local
process pool, parsing is CPU-bound), ``dask`` (``pip install 'extractor[dask]'``; a Dask cluster given by
``--engine-address tcp://scheduler:8786`` or ``DASK_SCHEDULER_ADDRESS``, else a local cluster) and
``ray`` (``pip install 'extractor[ray]'``; ``--engine-address ray://head:10001`` or ``RAY_ADDRESS``,
else local mode). Every engine returns the same ``ParseOutcome`` for the same input, so outputs do not
depend on the engine.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib
import multiprocessing
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..record import FilingRecord, PartError, Source, Status

DEFAULT_PARSER = "extractor.parse:parse_document"
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class ParseOutcome:
    path: str
    record_json: str  # FilingRecord JSON (without text)
    text: str | None  # normalized text, when there is one
    status: str  # ok | partial | error
    error: str | None  # first error reason, for the ledger and the status command
    fillable: list[str]  # item numbers the fill stage should fill


def _load(spec: str) -> Callable[..., Any]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _sha256(path: str, limit: int | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def error_record(
    path: str, message: str, *, size: int = 0, sha256: str = "", part: str = "input"
) -> FilingRecord:
    return FilingRecord(
        source=Source(path=path, sha256=sha256, size_bytes=size),
        status=Status.error,
        errors=[PartError(part=part, message=message)],
    )


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


def parse_one(path: str, parser: str = DEFAULT_PARSER, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseOutcome:
    """Parse one input; never raises."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return _outcome(path, error_record(path, f"cannot read file: {exc.strerror or exc}"), None)
    if not stat.S_ISREG(st.st_mode):
        return _outcome(path, error_record(path, "not a regular file", size=st.st_size), None)
    if st.st_size == 0:
        return _outcome(path, error_record(path, "empty file", sha256=hashlib.sha256().hexdigest()), None)
    if not os.access(path, os.R_OK):
        return _outcome(
            path, error_record(path, "cannot read file: permission denied", size=st.st_size), None
        )
    if st.st_size > max_bytes:
        try:
            digest = _sha256(path)
        except OSError:
            digest = ""
        msg = f"file too large: {st.st_size} bytes > limit {max_bytes} (raise with --max-bytes)"
        return _outcome(path, error_record(path, msg, size=st.st_size, sha256=digest), None)
    try:
        parsed = _load(parser)(path)
        record = parsed.record if hasattr(parsed, "record") else parsed
        text = getattr(parsed, "text", None)
        if not isinstance(record, FilingRecord):
            raise TypeError(f"parser returned {type(record).__name__}, not a FilingRecord")
        return _outcome(path, record, text)
    except Exception as exc:  # the parser promises not to raise; one bad filing never stops a run
        try:
            digest = _sha256(path)
        except OSError:
            digest = ""
        rec = error_record(
            path, f"parser failed: {type(exc).__name__}: {exc}", size=st.st_size, sha256=digest, part="parse"
        )
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

    def submit(self, path: str, parser: str, max_bytes: int) -> cf.Future[ParseOutcome]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InlineEngine(Engine):
    name = "inline"

    def submit(self, path: str, parser: str, max_bytes: int) -> cf.Future[ParseOutcome]:
        fut: cf.Future[ParseOutcome] = cf.Future()
        fut.set_result(parse_one(path, parser, max_bytes))
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

    def submit(self, path: str, parser: str, max_bytes: int) -> cf.Future[ParseOutcome]:
        try:
            return self._pool.submit(parse_one, path, parser, max_bytes)
        except cf.BrokenExecutor:
            # a worker died (OOM, segfault in a C extension): start a new pool and go on
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(parse_one, path, parser, max_bytes)

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

    def submit(self, path: str, parser: str, max_bytes: int) -> cf.Future[ParseOutcome]:
        out: cf.Future[ParseOutcome] = cf.Future()
        dfut = self._client.submit(parse_one, path, parser, max_bytes, pure=False)

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

    def submit(self, path: str, parser: str, max_bytes: int) -> cf.Future[ParseOutcome]:
        return self._remote.remote(path, parser, max_bytes).future()  # type: ignore[call-arg, no-any-return]

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
