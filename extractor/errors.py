"""Errors raised by extractor.

Hierarchy::

    ExtractorError                 root: everything the tool raises on purpose
    ├── InputError                 a filing cannot be read or is not an 8-K (carries the path)
    ├── ConfigError                bad settings, missing model file, bad flags
    ├── ProviderError              an LLM call failed for good (carries provider, model, attempts,
    │   │                          and the last raw completion when there was one)
    │   └── BudgetExceeded         the per-item budget of calls or tokens ran out
    └── StoreError                 the run ledger / cache cannot be written

The parser itself never raises on bad input: it returns a record with ``status: error`` and the reason.
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Root of the tool's errors."""


class InputError(ExtractorError):
    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class ConfigError(ExtractorError):
    pass


class ProviderError(ExtractorError):
    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        attempts: int = 0,
        last_completion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.model = model
        self.attempts = attempts
        self.last_completion = last_completion


class BudgetExceeded(ProviderError):
    pass


class StoreError(ExtractorError):
    pass
