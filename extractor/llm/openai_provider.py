"""Any OpenAI-compatible endpoint through ``openai`` + ``instructor``.

Retries live here and nowhere else:

- transport errors (429 honouring ``Retry-After``/``retry-after-ms``, 5xx, timeouts, connection resets)
  are retried by tenacity: exponential backoff with full jitter, each sleep capped at
  ``backoff_max_s``, at most ``transport_retries`` retries;
- schema validation errors are re-asked by instructor (``max_retries=max_reasks``), the model seeing
  the validation error; the schema's validators get ``{REASKS_LEFT: n}`` as validation context, so a
  check that only wants a re-ask (``fill.answers``) can let the last answer through;
- the per-item :class:`~extractor.llm.base.Budget` bounds both: no request starts once it is spent,
  and re-asks are cut to the calls left.

The openai client's own retries are off (``max_retries=0``) so that only tenacity retries.

Instructor mode: ``auto`` picks TOOLS for api.openai.com and JSON_SCHEMA for anything else (llama.cpp,
vLLM, ...), where the server constrains output to the schema by grammar. Override with ``mode``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import instructor
import openai
from instructor.core.hooks import Hooks
from instructor.v2.core.function_calls import ResponseSchema, response_schema
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from ..config import Settings
from ..errors import BudgetExceeded
from .base import (
    REASKS_LEFT,
    Budget,
    CallRecord,
    FillError,
    FillResult,
    Message,
    T,
    chain,
    describe,
    logprobs_of,
    raw_of,
    run_blocking,
)

log = logging.getLogger(__name__)
# instructor logs every failed request of its re-ask loop as an error ("API call failed on attempt 1",
# "Max retries exceeded. Total attempts: 1") although tenacity retries transport errors here, and the
# failure is reported once with the true count (``_log_retry``, ``FillError``): those lines only mislead
logging.getLogger("instructor.v2.retry").setLevel(logging.CRITICAL)

MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


_PREPARED: dict[type[Any], type[Any]] = {}


def _memoize_async_validator_check() -> None:
    """Instructor re-checks the response model for async validators about five times per request by
    walking every nested class's attributes (~1 ms of CPU per request for our schemas, a quarter of a
    batch run's own time per filing). The check is a pure function of the class, so a class that
    passed once is remembered (weakly) and not walked again; anything else, and any class that fails,
    goes to instructor's own function unchanged. Skipped if instructor's layout differs."""
    try:
        from instructor.v2.core import patch as ipatch
        from instructor.v2.validation import async_validators as av
    except ImportError:  # pragma: no cover - other instructor versions
        return
    original = getattr(av, "reject_async_validators", None)
    if original is None or getattr(original, "memoized", False):
        return
    passed: weakref.WeakSet[type[Any]] = weakref.WeakSet()

    def reject_async_validators(response_model: Any) -> None:
        if isinstance(response_model, type):
            if response_model in passed:
                return
            original(response_model)
            passed.add(response_model)
            return
        original(response_model)

    reject_async_validators.memoized = True  # type: ignore[attr-defined]
    av.reject_async_validators = reject_async_validators
    if getattr(ipatch, "reject_async_validators", None) is original:
        ipatch.reject_async_validators = reject_async_validators


_memoize_async_validator_check()

_OPTION_PARAMS = {"timeout": "timeout", "extra_headers": "headers", "extra_query": "params"}


def _given(value: Any) -> bool:
    return not isinstance(value, (openai.NotGiven, openai.Omit))


def _request_of(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``chat.completions.create`` kwargs -> (JSON body, request options) for ``client.post``."""
    body = {k: v for k, v in kwargs.items() if k not in _OPTION_PARAMS and k != "extra_body" and _given(v)}
    body.update(kwargs.get("extra_body") or {})
    options = {opt: kwargs[k] for k, opt in _OPTION_PARAMS.items() if k in kwargs and _given(kwargs[k])}
    return body, options


def _direct_create(client: openai.OpenAI | openai.AsyncOpenAI) -> None:
    """``client.chat.completions.create`` as a plain POST of the JSON we built (before instructor wraps it).

    The typed ``create`` walks every request's params against openai's TypedDicts before sending
    (aliases, dates, file uploads): each message through a union of six message types, the JSON schema,
    and a cache keyed by typing objects that are costly to hash. ~1 ms of CPU per request, the largest
    single cost of a batch run's fill at high concurrency, and our values (text messages, a JSON schema,
    numbers) have nothing to transform. The client's documented low-level ``post`` sends the same JSON
    (test_llm_transport compares every request with an untouched client's, a re-ask included) and
    parses the answer into the same ``ChatCompletion``, with the same errors. Streaming requests, which
    we never make, keep the typed path.
    """
    from openai.types.chat import ChatCompletion

    completions = client.chat.completions
    create = completions.create
    if isinstance(client, openai.AsyncOpenAI):
        aclient = client

        async def acreate(*args: Any, **kwargs: Any) -> Any:
            if args or kwargs.get("stream"):
                return await create(*args, **kwargs)
            body, options = _request_of(kwargs)
            return await aclient.post("/chat/completions", body=body, options=options, cast_to=ChatCompletion)  # type: ignore[call-overload]

        completions.create = acreate  # type: ignore[method-assign]
    else:
        sclient = client

        def screate(*args: Any, **kwargs: Any) -> Any:
            if args or kwargs.get("stream"):
                return create(*args, **kwargs)
            body, options = _request_of(kwargs)
            return sclient.post("/chat/completions", body=body, options=options, cast_to=ChatCompletion)  # type: ignore[call-overload]

        completions.create = screate  # type: ignore[method-assign]


def prepared(schema: type[T]) -> type[T]:
    """``schema`` made ready for instructor once, instead of on every request.

    Instructor wraps a plain model in a fresh ``ResponseSchema`` subclass and regenerates its JSON
    schema on every call (a few ms of CPU each: the bulk of a batch run's own time per request). A
    model that already is a ``ResponseSchema`` is used as is, so the wrapper is built once per schema
    here, and its JSON schema (the default arguments' one, which is what instructor asks for) is
    generated once and handed out as a fresh copy each time. Same class name, same schema, same
    validation: requests and parsed values are identical to instructor's own wrapping.
    """
    hit = _PREPARED.get(schema)
    if hit is not None:
        return hit
    if issubclass(schema, ResponseSchema):
        return schema
    wrapped = response_schema(schema)
    frozen = json.dumps(wrapped.model_json_schema())
    generic = wrapped.model_json_schema

    def model_json_schema(cls: type[Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return generic(*args, **kwargs)  # type: ignore[no-any-return]
        return json.loads(frozen)  # type: ignore[no-any-return]

    ns = {"__module__": schema.__module__, "__doc__": schema.__doc__,
          "model_json_schema": classmethod(model_json_schema)}  # fmt: skip
    out: type[Any] = type(schema.__name__, (wrapped,), ns)
    out.__qualname__ = schema.__qualname__
    _PREPARED[schema] = out
    return out


def resolve_mode(mode: str, base_url: str | None) -> instructor.Mode:
    if mode != "auto":
        return MODES[mode]
    if base_url is None or "api.openai.com" in base_url:
        return instructor.Mode.TOOLS
    return instructor.Mode.JSON_SCHEMA


def is_transient(exc: BaseException) -> bool:
    """Transport trouble worth retrying: somewhere in the cause chain of what instructor raised."""
    for e in chain(exc):
        if isinstance(e, openai.APIStatusError):
            return e.status_code in RETRY_STATUS
        if isinstance(e, (openai.APITimeoutError, openai.APIConnectionError)):
            return True
        if isinstance(e, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
            return True
    return False


def retry_after_s(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it said."""
    for e in chain(exc):
        response = getattr(e, "response", None)
        headers = getattr(response, "headers", None)
        if headers is None:
            continue
        ms = headers.get("retry-after-ms")
        if ms:
            try:
                return max(0.0, float(ms) / 1000)
            except ValueError:
                pass
        value = headers.get("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                when = email.utils.parsedate_to_datetime(value)
                if when is not None:
                    return max(0.0, when.timestamp() - time.time())
    return None


class _Wait:
    """Retry-After when the server gives one (capped), else exponential backoff with full jitter."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.backoff = wait_random_exponential(multiplier=0.5, max=cap)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = retry_after_s(exc) if exc is not None else None
        if hint is not None:
            return min(hint, self.cap)
        return float(self.backoff(state))


class _Tally:
    """Per-call instructor hooks: count requests and re-asks, sum tokens, keep the last completion."""

    def __init__(self, call: CallRecord, budget: Budget | None) -> None:
        self.call = call
        self.budget = budget
        self.last: Any = None
        self.context: dict[str, Any] = {}  # the validation context (REASKS_LEFT), one per call
        self.hooks = Hooks()
        self.hooks.on("completion:kwargs", self._on_kwargs)
        self.hooks.on("completion:response", self._on_response)
        self.hooks.on("parse:error", self._on_parse_error)

    def _on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.call.attempts += 1
        if self.budget is not None:
            self.budget.charge(calls=1)

    def _on_response(self, response: Any) -> None:
        self.last = response
        usage = getattr(response, "usage", None)
        tin = int(getattr(usage, "prompt_tokens", 0) or 0)
        tout = int(getattr(usage, "completion_tokens", 0) or 0)
        self.call.tokens_in += tin
        self.call.tokens_out += tout
        if self.budget is not None:
            self.budget.charge(tokens=tin + tout)
        raw = raw_of(response)
        if raw is not None:
            self.call.raw_completion = raw
        self.call.logprobs = logprobs_of(response)

    def _on_parse_error(self, *args: Any, **kwargs: Any) -> None:
        self.call.reasks += 1
        if REASKS_LEFT in self.context:
            self.context[REASKS_LEFT] -= 1


def _root(exc: BaseException) -> BaseException:
    """The transport error under instructor's wrapper (its message repeats instructor's own count)."""
    for e in chain(exc):
        if isinstance(e, (openai.APIError, httpx.HTTPError)):
            return e
    return exc


def _classify(exc: BaseException) -> str:
    for e in chain(exc):
        if isinstance(e, BudgetExceeded):
            return "budget"
        if is_transient(e):
            return "transport"
        if isinstance(e, openai.APIStatusError):
            return "http"
        if isinstance(e, instructor.core.exceptions.IncompleteOutputException):
            return "truncated"
        if isinstance(e, (IndexError,)):
            return "empty"
    text = str(exc).lower()
    if "validation error" in text or "json" in text:
        return "validation"
    return "error"


class OpenAIProvider:
    """Fill schemas through any OpenAI-compatible chat completions endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        name: str = "openai",
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.name = name
        self.model = settings.model or "local"  # recorded in call records
        self._request_model = self.model  # sent to the endpoint (the local server answers to an alias)
        self.mode = resolve_mode(settings.mode, settings.base_url)
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        common: dict[str, Any] = {
            "base_url": settings.base_url,
            "api_key": key,
            "max_retries": 0,
            "timeout": settings.timeout_s,
        }
        # openai may type its client against a vendored httpx; the httpx client works at runtime
        self._sync_raw = openai.OpenAI(**common, http_client=http_client)  # type: ignore[arg-type]
        self._async_raw = openai.AsyncOpenAI(**common, http_client=async_http_client)  # type: ignore[arg-type]
        _direct_create(self._sync_raw)
        _direct_create(self._async_raw)
        self._client = instructor.from_openai(self._sync_raw, mode=self.mode)
        self._aclient = instructor.from_openai(self._async_raw, mode=self.mode)
        self._sleep = sleep
        self._async_sleep = async_sleep

    def __repr__(self) -> str:  # never the key
        return f"OpenAIProvider(name={self.name!r}, model={self.model!r}, base_url={self.settings.base_url!r}, mode={self.mode.value})"

    # -- shared pieces ---------------------------------------------------------------------------
    def _kwargs(
        self, schema: type[T], messages: list[Message], budget: Budget | None, tally: _Tally
    ) -> dict[str, Any]:
        reasks = self.settings.max_reasks
        timeout = self.settings.timeout_s
        if budget is not None:
            budget.check()
            reasks = max(0, min(reasks, budget.max_calls - budget.calls - 1))
            timeout = max(1.0, min(timeout, budget.remaining_seconds()))
        tally.context.setdefault(REASKS_LEFT, reasks)  # once per call: transport retries keep the count
        kwargs: dict[str, Any] = {
            "model": self._request_model,
            "messages": messages,
            "response_model": prepared(schema),
            "max_retries": reasks,
            "hooks": tally.hooks,
            "context": tally.context,
            "temperature": self.settings.temperature,
            "max_tokens": min(self.settings.max_tokens, (budget and budget.max_completion_tokens) or 1 << 30),
            "timeout": timeout,
        }
        if self.settings.logprobs:
            kwargs["logprobs"] = True
            kwargs["top_logprobs"] = 1  # llama.cpp otherwise computes 20 alternatives per token
        return kwargs

    def _retrying_args(self) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self.settings.transport_retries + 1),
            "wait": _Wait(self.settings.backoff_max_s),
            "retry": retry_if_exception(is_transient),
            "reraise": True,
            "before_sleep": self._log_retry,
        }

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "transport error from %s at %s (request %d of at most %d), retrying in %.1fs: %s",
            self.name,
            self.settings.base_url,
            state.attempt_number,
            self.settings.transport_retries + 1,
            wait,
            describe(_root(exc)) if exc else "?",
        )

    def _fail(self, exc: BaseException, call: CallRecord, started: float) -> FillError:
        call.latency_s = time.monotonic() - started
        reason = _classify(exc)
        call.outcome = "budget" if reason == "budget" else "error"
        what = describe(_root(exc))
        call.error = f"{reason}: {what}"
        last = getattr(exc, "last_completion", None)
        if call.raw_completion is None and last is not None:
            call.raw_completion = raw_of(last) or str(last)[:2000]
        tries = f" after {call.attempts} request(s)" if call.attempts else ""
        return FillError(f"{self.name} fill failed ({reason}){tries}: {what}", call=call, reason=reason)

    # -- the call: one async core; the sync fill drives it over the sync client ----------------------
    async def _fill(
        self, schema: type[T], messages: list[Message], budget: Budget | None, *, blocking: bool
    ) -> FillResult[T]:
        call = CallRecord(provider=self.name, model=self.model)
        tally = _Tally(call, budget)
        started = time.monotonic()
        try:
            async for attempt in AsyncRetrying(sleep=self._sleeper(blocking), **self._retrying_args()):
                with attempt:
                    kwargs = self._kwargs(schema, messages, budget, tally)
                    if blocking:
                        value, _completion = self._client.chat.completions.create_with_completion(**kwargs)
                    else:
                        value, _completion = await self._aclient.chat.completions.create_with_completion(
                            **kwargs
                        )
        except Exception as exc:
            raise self._fail(exc, call, started) from exc
        call.latency_s = time.monotonic() - started
        return FillResult(value=value, call=call)

    def _sleeper(self, blocking: bool) -> Callable[[float], Awaitable[None]]:
        if not blocking:
            return self._async_sleep
        sleep = self._sleep

        async def blocking_sleep(seconds: float) -> None:
            sleep(seconds)

        return blocking_sleep

    def fill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]:
        """The async core over the sync client and ``sleep``: it never suspends, so no event loop."""
        return run_blocking(self._fill(schema, messages, budget, blocking=True))

    async def afill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]:
        return await self._fill(schema, messages, budget, blocking=False)

    def close(self) -> None:
        self._sync_raw.close()
        # the async client is closed by garbage collection when no loop is running
