"""The one provider interface the pipeline talks to.

A provider fills a pydantic schema from chat messages and returns the validated object together with a
:class:`CallRecord` (model, tokens, latency, attempts, cache hit, the raw completion, token logprobs when
the server returns them). Implementations: :class:`extractor.llm.openai_provider.OpenAIProvider` (any
OpenAI-compatible endpoint, via openai + instructor), :class:`extractor.llm.fake.FakeProvider` (scripted,
for tests and ``--dry-run``), and the embedded local server (``extractor.llm.local``), which is an
OpenAIProvider pointed at a server it starts.

A fill that fails for good raises :class:`FillError` (a ProviderError) carrying the call record so far.
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from ..errors import BudgetExceeded, ProviderError

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

# key of the validation context the provider passes to the schema's validators: how many re-asks the
# request has left (a validator that only wants to re-ask raises while this is > 0; fill.answers)
REASKS_LEFT = "reasks_left"

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class TokenLogprob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str
    logprob: float
    offset: int  # char offset of the token in the raw completion text


class CallRecord(BaseModel):
    """What one fill cost and returned (one logical call: transport retries and re-asks included)."""

    model_config = ConfigDict(extra="forbid")

    provider: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    attempts: int = 0  # HTTP requests made (transport retries + validation re-asks)
    reasks: int = 0  # validation re-asks used
    cache_hit: bool = False
    raw_completion: str | None = None  # text of the last completion (or tool-call arguments)
    logprobs: list[TokenLogprob] | None = None
    outcome: str = "ok"  # ok | error | budget
    error: str | None = None


@dataclass
class FillResult(Generic[T]):
    value: T
    call: CallRecord


class FillError(ProviderError):
    """A fill failed for good; ``call`` holds what was spent and the last raw completion."""

    def __init__(self, message: str, *, call: CallRecord, reason: str = "error") -> None:
        super().__init__(
            message,
            provider=call.provider,
            model=call.model,
            attempts=call.attempts,
            last_completion=call.raw_completion,
        )
        self.call = call
        self.reason = reason  # transport | validation | empty | budget | error


@dataclass
class Budget:
    """Hard per-item budget: HTTP requests, tokens and wall clock. Shared by all chunks of one item."""

    max_calls: int
    max_tokens: int
    max_seconds: float
    max_completion_tokens: int | None = None  # per request (``extractor.llm.budget.completion_cap``)
    calls: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    def remaining_seconds(self) -> float:
        return self.max_seconds - (time.monotonic() - self.started)

    def check(self) -> None:
        """Raise BudgetExceeded when any limit is spent."""
        if self.calls >= self.max_calls:
            raise BudgetExceeded(f"item budget spent: {self.calls} calls (max {self.max_calls})")
        if self.tokens >= self.max_tokens:
            raise BudgetExceeded(f"item budget spent: {self.tokens} tokens (max {self.max_tokens})")
        if self.remaining_seconds() <= 0:
            raise BudgetExceeded(f"item budget spent: {self.max_seconds:.0f} s of wall clock")

    def charge(self, *, calls: int = 0, tokens: int = 0) -> None:
        self.calls += calls
        self.tokens += tokens


@runtime_checkable
class Provider(Protocol):
    """Fill ``schema`` from ``messages``; raise FillError when it cannot."""

    name: str  # "openai", "local", "fake"
    model: str

    def fill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]: ...

    async def afill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]: ...

    def close(self) -> None: ...


def run_blocking(coro: Coroutine[Any, Any, R]) -> R:
    """The result of a coroutine that never suspends (every await it makes returns at once), computed
    without an event loop: how a sync call drives an async core over blocking I/O (the OpenAI
    provider's ``fill``, the fill stage's ``fill_item``), so each call path is written once."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a blocking call awaited real I/O")


def describe(exc: BaseException) -> str:
    """One line for an error, never including request headers (so never a key)."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:500]


def chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes/contexts, outermost first."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def raw_of(completion: Any) -> str | None:
    """Text of a chat completion: message content, else the first tool call's arguments."""
    try:
        choice = completion.choices[0]
    except (AttributeError, IndexError, TypeError):
        return None
    msg = getattr(choice, "message", None)
    if msg is None:
        return None
    if getattr(msg, "content", None):
        return str(msg.content)
    calls = getattr(msg, "tool_calls", None) or []
    if calls:
        return str(calls[0].function.arguments)
    return None


def logprobs_of(completion: Any) -> list[TokenLogprob] | None:
    """Token logprobs with char offsets into the completion text, when the server returned them."""
    try:
        content = completion.choices[0].logprobs.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not content:
        return None
    out: list[TokenLogprob] = []
    offset = 0
    for tok in content:
        out.append(TokenLogprob(token=tok.token, logprob=float(tok.logprob), offset=offset))
        offset += len(tok.token)
    return out
