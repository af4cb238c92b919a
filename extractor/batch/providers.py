"""Build the fill coroutine of a run from the fill module (issue 3) and the run's limits.

The provider's async HTTP client goes through :class:`~extractor.batch.limits.LimitedTransport`, so
``--concurrency``, ``--rpm`` and ``--tpm`` bound every request, retries included. ``--batch-api`` swaps
the transport for the Batch API one (see ``extractor.batch.batch_api``).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import ConfigError
from .fill_stage import FillFn
from .limits import LimitedTransport, Limiter


@dataclass
class BuiltFill:
    afill: FillFn
    model: str
    closers: list[Callable[[], Any]] = field(default_factory=list)

    def close(self) -> None:
        for c in reversed(self.closers):
            with contextlib.suppress(Exception):
                c()


def _fill_module() -> Any:
    try:
        return importlib.import_module("extractor.fill")
    except ModuleNotFoundError as exc:
        if exc.name == "extractor.fill":
            raise ConfigError("the LLM fill stage is not in this build; use --parse-only") from None
        raise


def build_fill(
    *,
    model: str | None,
    base_url: str | None,
    limiter: Limiter,
    dry_run: bool = False,
    batch_api: bool = False,
    run_dir: Path | None = None,
    poll_s: float = 30.0,
    reporter: Any = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> BuiltFill:
    fill_mod = _fill_module()
    from ..config import load_settings

    settings = load_settings({"model": model, "base_url": base_url})
    closers: list[Callable[[], Any]] = []
    if dry_run:
        from ..llm.fake import FakeProvider

        provider: Any = FakeProvider.dry_run()
    else:
        inner = transport or httpx.AsyncHTTPTransport()
        if batch_api:
            from .batch_api import BatchTransport

            if run_dir is None:
                raise ConfigError("--batch-api needs a run directory")
            inner = BatchTransport(run_dir / "ledger.sqlite", settings, poll_s=poll_s, reporter=reporter)
        client = httpx.AsyncClient(transport=LimitedTransport(inner, limiter), timeout=settings.timeout_s)
        provider = _make_provider(settings, client)
    closers.append(provider.close)
    cache, calllog = _stores(settings, closers)

    async def afill(record: Any, text: str) -> Any:
        return await fill_mod.afill_record(record, text, provider, cache=cache, calllog=calllog)

    return BuiltFill(afill, str(getattr(provider, "model", settings.model or "local")), closers)


def _make_provider(settings: Any, client: httpx.AsyncClient) -> Any:
    if settings.embedded:
        llm = importlib.import_module("extractor.llm")
        return llm.make_provider(settings)  # the embedded server: local, no rate limits needed
    from ..llm.openai_provider import OpenAIProvider

    return OpenAIProvider(settings, async_http_client=client)


def _stores(settings: Any, closers: list[Callable[[], Any]]) -> tuple[Any, Any]:
    if not settings.use_cache:
        return None, None
    try:
        from ..store.cache import ResponseCache  # type: ignore[import-not-found]
        from ..store.calllog import CallLog  # type: ignore[import-not-found]
    except ImportError:
        return None, None
    cache = ResponseCache(settings.cache_db())
    calllog = CallLog(settings.calllog_db())
    for obj in (cache, calllog):
        if hasattr(obj, "close"):
            closers.append(obj.close)
    return cache, calllog
