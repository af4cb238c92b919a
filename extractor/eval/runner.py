"""Run a model on gold filings (the I/O edge of the eval: files, clocks, providers).

A runner turns one corpus file into a filing record plus usage. ``parser`` is the parser-only
baseline (with the parser's event pre-fill); any other name is an LLM model run through the fill stage (``extractor.fill``) with the
settings of its ``[models.NAME]`` table in the eval config.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..record import FilingRecord
from .compare import compare, era_of, sniff_format
from .gold import GoldFiling
from .results import FilingRun


@dataclass
class Output:
    record: FilingRecord
    tokens_in: int = 0
    tokens_out: int = 0
    calls: int = 0
    cache_hits: int = 0
    model_latency_s: float = 0.0  # time the model took to answer, including cached answers' original time


class Runner(Protocol):
    name: str
    events: bool  # whether the runner fills events (the parser does not)

    def run(self, path: Path) -> Output: ...


class ParserRunner:
    """The deterministic parser alone: no model; the events it pre-fills (2.02 period_end, 5.07 votes:
    ``extractor.prefill``) are scored, the others count as misses."""

    events = True

    def __init__(self, name: str = "parser") -> None:
        self.name = name

    def run(self, path: Path) -> Output:
        from ..parse import parse_file
        from ..prefill import prefill_record

        return Output(prefill_record(parse_file(path)))


class FunctionRunner:
    """A runner from a plain function (tests, stand-ins)."""

    def __init__(self, name: str, fn: Callable[[Path], Output], events: bool = True) -> None:
        self.name = name
        self.fn = fn
        self.events = events

    def run(self, path: Path) -> Output:
        return self.fn(path)


def usage_of(record: FilingRecord) -> tuple[int, int, int, int]:
    """Tokens in/out, calls and cache hits summed over the record's item LLM calls."""
    tin = tout = calls = hits = 0
    for item in record.items:
        if item.llm is not None:
            tin += item.llm.tokens_in
            tout += item.llm.tokens_out
            calls += max(item.llm.attempts, 1)
            hits += int(item.llm.cache_hit)
    return tin, tout, calls, hits


class FillRunner:
    """Parser + LLM fill of the item events, through the provider built from ``settings``; responses go
    through the shared response cache (a re-run is free) and the call log."""

    events = True

    def __init__(self, name: str, settings: Any) -> None:
        self.name = name
        self.settings = settings
        self._provider: Any = None
        self._cache: Any = None
        self._calllog: Any = None

    def _open(self) -> None:
        if self._provider is not None:
            return
        from ..llm import make_provider
        from ..store.cache import ResponseCache
        from ..store.calllog import CallLog

        self._provider = make_provider(self.settings)
        if self.settings.use_cache:
            self._cache = _timing_cache(ResponseCache)(self.settings.cache_db())
        self._calllog = CallLog(self.settings.calllog_db())

    def run(self, path: Path) -> Output:
        from ..fill import fill_record
        from ..parse import parse_document

        self._open()
        if self._cache is not None:
            self._cache.cached_latency_s = 0.0
        parsed = parse_document(path)
        record = fill_record(
            parsed.record,
            parsed.text,
            self._provider,
            cache=self._cache,
            calllog=self._calllog,
            settings=self.settings,
        )
        tin, tout, calls, hits = usage_of(record)
        fresh = sum(i.llm.latency_s for i in record.items if i.llm is not None and not i.llm.cache_hit)
        cached = self._cache.cached_latency_s if self._cache is not None else 0.0
        return Output(record, tin, tout, calls, hits, model_latency_s=fresh + cached)

    def close(self) -> None:
        for part in (self._provider, self._cache, self._calllog):
            close = getattr(part, "close", None)
            if close is not None:
                close()
        self._provider = self._cache = self._calllog = None


def _timing_cache(base: type) -> type:
    """A response cache that adds up the original latency of the answers it returns (the fill stage
    reports a cache hit as 0 s), so a re-run from the cache still shows how long the model took."""

    class TimingCache(base):  # type: ignore[misc, valid-type]
        cached_latency_s = 0.0

        def get(self, key: str) -> Any:
            hit = super().get(key)
            if hit is not None:
                self.cached_latency_s += float(hit[1].get("latency_s") or 0.0)
            return hit

    return TimingCache


def gold_path(gold: GoldFiling, corpus: Path) -> Path:
    return corpus / gold.file


def run_model(
    runner: Runner,
    golds: Iterable[GoldFiling],
    corpus: Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[FilingRun]:
    """One :class:`FilingRun` per gold filing, in order. A runner that raises gives a run with status
    ``failed`` (its observations scored against an empty record, so misses count)."""
    golds = list(golds)
    out: list[FilingRun] = []
    for k, gold in enumerate(golds):
        path = gold_path(gold, corpus)
        try:
            head = path.read_bytes()[:200_000]
        except OSError:
            head = b""
        fmt = sniff_format(head)
        era = era_of(gold)
        start = time.perf_counter()
        try:
            output = runner.run(path)
            error = None
        except Exception as exc:  # a broken model must not stop the eval; the miss is scored
            output = Output(_empty_record(path))
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - start
        record = output.record
        status = "failed" if error else record.status.value
        if error is None and record.status.value == "error":
            error = "; ".join(e.message for e in record.errors)[:500] or None
        out.append(
            FilingRun(
                file=gold.file,
                format=fmt,
                era=era,
                status=status,
                observations=compare(gold, record, events=True),
                tokens_in=output.tokens_in,
                tokens_out=output.tokens_out,
                latency_s=elapsed,
                calls=output.calls,
                cache_hits=output.cache_hits,
                model_latency_s=output.model_latency_s,
                error=error,
                llm_model=next((i.llm.model for i in record.items if i.llm is not None), None),
            )
        )
        if progress:
            progress(runner.name, k + 1, len(golds))
    return out


def _empty_record(path: Path) -> FilingRecord:
    from ..record import PartError, Source, Status

    return FilingRecord(
        source=Source(path=str(path), sha256="", size_bytes=0),
        status=Status.error,
        errors=[PartError(part="input", message="runner failed")],
    )
