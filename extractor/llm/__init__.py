"""LLM providers behind one protocol (see ``base``). ``make_provider(settings)`` picks one:

- ``model_path`` set, or nothing configured: the embedded local model (``local``);
- ``base_url`` set: that OpenAI-compatible endpoint (llama.cpp, vLLM, ...: instructor JSON_SCHEMA mode);
- only ``api_key`` set: api.openai.com (TOOLS mode; model default ``gpt-4o-mini``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Settings, load_settings
from .base import Budget, CallRecord, FillError, FillResult, Provider, TokenLogprob

OPENAI_DEFAULT_MODEL = "gpt-4o-mini"


def uses_embedded(settings: Settings) -> bool:
    return settings.embedded


def make_provider(settings: Settings | None = None, stage: Callable[[str], None] | None = None) -> Provider:
    """The provider the settings ask for; the embedded local model when nothing is configured
    (``stage`` is told its start-up steps: see ``local.make_local_provider``)."""
    settings = settings or load_settings()
    if uses_embedded(settings):
        from .local import make_local_provider

        if stage is None:
            return make_local_provider(settings)  # type: ignore[no-any-return]
        return make_local_provider(settings, stage)  # type: ignore[no-any-return]
    from .openai_provider import OpenAIProvider

    if settings.base_url is None:
        settings = settings.model_copy(
            update={"base_url": "https://api.openai.com/v1", "model": settings.model or OPENAI_DEFAULT_MODEL}
        )
    return OpenAIProvider(settings)


__all__ = [
    "Budget",
    "CallRecord",
    "FillError",
    "FillResult",
    "Provider",
    "TokenLogprob",
    "make_provider",
    "uses_embedded",
]
