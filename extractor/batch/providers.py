"""Build the fill coroutine of a run from the fill module (issue 3) and the run's limits.

The provider's async HTTP client goes through :class:`~extractor.batch.limits.LimitedTransport`, so
``--requests-in-flight``, ``--rpm`` and ``--tpm`` bound every request, retries included. ``--batch-api`` swaps
the transport for the Batch API one (see ``extractor.batch.batch_api``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import ConfigError
from .limits import LimitedTransport, Limiter, http_transport
from .protocols import FillFn


@dataclass
class BuiltFill:
    afill: FillFn
    model: str
    closers: list[Callable[[], Any]] = field(default_factory=list)
    aclosers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)  # need the run's loop

    async def aclose(self) -> None:
        """Close what lives on the event loop (the HTTP client and its connections); call in the loop."""
        while self.aclosers:
            with contextlib.suppress(Exception):
                await self.aclosers.pop()()

    def close(self) -> None:
        for c in reversed(self.closers):
            with contextlib.suppress(Exception):
                c()


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
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
    items_per_filing: int = 4,
    settings_overrides: dict[str, Any] | None = None,
) -> BuiltFill:
    """The fill coroutine of a run: ``extractor.fill.afill_record`` over a rate-limited provider."""
    from ..fill import afill_record

    settings = fill_settings(
        model=model, base_url=base_url, batch_api=batch_api, cache_dir=cache_dir, use_cache=use_cache,
        settings_overrides=settings_overrides,
    )  # fmt: skip
    closers: list[Callable[[], Any]] = []
    aclosers: list[Callable[[], Awaitable[Any]]] = []
    if dry_run:
        from ..llm.fake import FakeProvider

        provider: Any = FakeProvider.dry_run()
    else:
        inner = transport or http_transport(limiter.requests_in_flight)
        if batch_api:
            from .batch_api import BatchTransport

            if run_dir is None:
                raise ConfigError("--batch-api needs a run directory")
            if settings.embedded:
                raise ConfigError("--batch-api needs an OpenAI endpoint (--base-url / OPENAI_API_KEY)")
            # no client-side limits: the Batch API queues; requests wait hours, not seconds
            batch = BatchTransport(
                run_dir / "ledger.sqlite", settings, inner=inner, poll_s=poll_s, reporter=reporter
            )
            client = httpx.AsyncClient(transport=batch, timeout=settings.timeout_s)
        else:
            client = httpx.AsyncClient(transport=LimitedTransport(inner, limiter), timeout=settings.timeout_s)
        provider = _make_provider(settings, client)
        aclosers.append(client.aclose)
    closers.append(provider.close)
    cache, calllog = _stores(settings, closers)

    async def afill(record: Any, text: str) -> Any:
        return await afill_record(
            record,
            text,
            provider,
            cache=cache,
            calllog=calllog,
            settings=settings,
            concurrency=items_per_filing,  # items of this filing filled at once
        )

    return BuiltFill(afill, str(getattr(provider, "model", settings.model or "local")), closers, aclosers)


def fill_settings(
    *,
    model: str | None,
    base_url: str | None,
    batch_api: bool = False,
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
    settings_overrides: dict[str, Any] | None = None,
) -> Any:
    """The settings ``build_fill`` runs with (flags over env over the settings file)."""
    from ..config import load_settings

    overrides: dict[str, Any] = {"model": model, "base_url": base_url, "cache_dir": cache_dir}
    if batch_api:  # a batch may take up to 24 h: the per-item wall-clock budget must not cut it
        overrides["item_max_seconds"] = 48 * 3600.0
    overrides.update(settings_overrides or {})
    if not use_cache:
        overrides["use_cache"] = False
    return load_settings(overrides)


def fill_model_name(settings: Any, *, dry_run: bool = False) -> str:
    """The model name ``build_fill`` reports for these settings (call records, prices)."""
    if dry_run:
        return "dry-run"
    return str(settings.model or "local")


def _make_provider(settings: Any, client: httpx.AsyncClient) -> Any:
    if settings.embedded:
        from ..llm import make_provider

        return make_provider(settings)  # the embedded server: local, no rate limits needed
    from ..llm.openai_provider import OpenAIProvider

    return OpenAIProvider(settings, async_http_client=client)


def _stores(settings: Any, closers: list[Callable[[], Any]]) -> tuple[Any, Any]:
    if not settings.use_cache:
        return None, None
    from ..store.cache import ResponseCache
    from ..store.calllog import CallLog

    cache = ResponseCache(settings.cache_db())
    calllog = CallLog(settings.calllog_db())
    closers += [cache.close, calllog.close]
    return cache, calllog
