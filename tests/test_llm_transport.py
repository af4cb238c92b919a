"""The real openai client over an httpx MockTransport: retries, re-asks and failures end in a record."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from llm_helpers import SOUTHERN_801, Script, completion, item_of, ok, parsed, q

from extractor.config import Settings
from extractor.fill import afill_record, fill_record
from extractor.llm.base import Budget, FillError
from extractor.llm.openai_provider import OpenAIProvider
from extractor.quoted import quoted_schema
from extractor.schemas import Disclosure

SECRET = "sk-test-secret-0123456789"
GOOD = {
    "summary": q("The Georgia PSC approved the 2013 ARP.", "the Georgia PSC approved the 2013 ARP"),
    "category": q("product_regulatory", "Georgia PSC approved"),
}


def provider(script: Script, sleeps: list[float], **overrides) -> OpenAIProvider:
    settings = Settings(base_url="http://llm.test/v1", model="test-model", api_key=SECRET, **overrides)
    return OpenAIProvider(
        settings, http_client=httpx.Client(transport=httpx.MockTransport(script)), sleep=sleeps.append
    )


MESSAGES = [{"role": "user", "content": "fill"}]


def test_429_honours_retry_after_then_succeeds():
    script = Script(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"message": "slow down"}}),
            ok(GOOD),
        ]
    )
    sleeps: list[float] = []
    res = provider(script, sleeps).fill(quoted_schema(Disclosure), MESSAGES)
    assert sleeps == [7.0]
    assert res.call.attempts == 2
    assert res.value.model_dump()["category"]["value"] == "product_regulatory"


def test_retry_after_is_capped():
    script = Script([httpx.Response(429, headers={"retry-after": "3600"}), ok(GOOD)])
    sleeps: list[float] = []
    provider(script, sleeps, backoff_max_s=5).fill(quoted_schema(Disclosure), MESSAGES)
    assert sleeps == [5.0]


def test_5xx_backs_off_with_jitter_and_succeeds():
    script = Script([httpx.Response(500), httpx.Response(503), ok(GOOD)])
    sleeps: list[float] = []
    res = provider(script, sleeps, backoff_max_s=4).fill(quoted_schema(Disclosure), MESSAGES)
    assert len(sleeps) == 2 and all(0 <= s <= 4 for s in sleeps)
    assert res.call.attempts == 3 and res.call.tokens_in == 100


def test_timeouts_are_retried_then_fail_as_transport():
    script = Script([httpx.ReadTimeout("read timed out")] * 3)
    sleeps: list[float] = []
    with pytest.raises(FillError) as err:
        provider(script, sleeps, transport_retries=2).fill(quoted_schema(Disclosure), MESSAGES)
    assert err.value.reason == "transport"
    assert len(script.requests) == 3 and len(sleeps) == 2


def test_connection_reset_is_retried():
    script = Script([httpx.ConnectError("connection reset by peer"), ok(GOOD)])
    res = provider(script, []).fill(quoted_schema(Disclosure), MESSAGES)
    assert res.call.attempts == 2


def test_400_is_not_retried():
    script = Script([httpx.Response(400, json={"error": {"message": "bad request"}})])
    with pytest.raises(FillError) as err:
        provider(script, []).fill(quoted_schema(Disclosure), MESSAGES)
    assert err.value.reason == "http" and len(script.requests) == 1


def test_invalid_json_is_reasked():
    script = Script([httpx.Response(200, json=completion("{this is not json")), ok(GOOD)])
    res = provider(script, []).fill(quoted_schema(Disclosure), MESSAGES)
    assert res.call.reasks == 1 and res.call.attempts == 2
    # the re-ask shows the model its own broken answer
    assert any("{this is not json" in json.dumps(m) for m in script.requests[1]["messages"])


def test_schema_violation_exhausts_reasks():
    bad = {"summary": q("x", "x"), "category": q("gossip", "x")}  # not a category
    script = Script([ok(bad), ok(bad)])
    with pytest.raises(FillError) as err:
        provider(script, [], max_reasks=1).fill(quoted_schema(Disclosure), MESSAGES)
    assert err.value.reason == "validation"
    assert err.value.call.attempts == 2
    assert "gossip" in (err.value.call.raw_completion or "")


def test_budget_stops_retries():
    script = Script([httpx.Response(500)] * 10)
    budget = Budget(max_calls=2, max_tokens=10_000, max_seconds=60)
    with pytest.raises(FillError) as err:
        provider(script, [], transport_retries=8).fill(quoted_schema(Disclosure), MESSAGES, budget=budget)
    assert err.value.reason == "budget"
    assert len(script.requests) == 2


def test_secret_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    script = Script([httpx.Response(500)] * 3)
    p = provider(script, [], transport_retries=2)
    with pytest.raises(FillError) as err:
        p.fill(quoted_schema(Disclosure), MESSAGES)
    assert SECRET not in caplog.text
    assert SECRET not in str(err.value) and SECRET not in repr(p) and SECRET not in repr(p.settings)
    assert SECRET not in json.dumps(p.settings.public())


# -- through the pipeline: the record survives every failure --------------------------------------
FAILURES = {
    "timeout": [httpx.ReadTimeout("timed out")] * 5,
    "truncated": [httpx.Response(200, json=completion('{"summary": {"quote": "On Dec', finish="length"))] * 2,
    "invalid_json": [httpx.Response(200, json=completion("Sure! Here is the JSON you asked for"))] * 2,
    "schema": [ok({"summary": q(5, "x"), "category": q("nope", "x")})] * 2,
    "empty_choice": [httpx.Response(200, json=completion(None, choices=False))] * 2,
    "server_error": [httpx.Response(502)] * 5,
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_item_failure_marks_fields_and_keeps_the_filing(kind):
    record, text = parsed(SOUTHERN_801)
    script = Script(list(FAILURES[kind]))
    p = provider(script, [], transport_retries=4, max_reasks=1)
    out = fill_record(record, text, p)
    assert out.status == "partial"
    assert [e.part for e in out.errors] == ["item 8.01"]
    item = item_of(out, "8.01")
    assert item.llm is not None and item.llm.outcome == "error" and item.llm.error
    field = item.event["summary"]  # no model summary: the lead sentence, from the parser, for review
    assert field["method"] == "parser" and field["confidence"] < 0.7
    assert field["value"].startswith("On December 17, 2013, the Georgia PSC voted")
    assert field["reasons"][0].startswith("fill failed: ")
    # what the deterministic readers read stands without the model (the Georgia PSC's rate plan)
    assert item.event["category"]["value"] == "product_regulatory"
    assert item.event["category"]["method"] == "parser"
    # the cover from the parser is untouched
    assert out.cover.company_name.value == record.cover.company_name.value


EXPECTED_REASON = {
    "timeout": "transport",
    "truncated": "truncated",
    "invalid_json": "validation",
    "schema": "validation",
    "empty_choice": "empty",
    "server_error": "transport",
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_failure_reason_is_named(kind):
    record, text = parsed(SOUTHERN_801)
    out = fill_record(
        record, text, provider(Script(list(FAILURES[kind])), [], transport_retries=4, max_reasks=1)
    )
    assert out.errors[0].message.startswith(EXPECTED_REASON[kind] + ":")


async def test_async_fill_over_mock_transport():
    record, text = parsed(SOUTHERN_801)
    script = Script([httpx.Response(429, headers={"Retry-After": "0"}), ok(GOOD)])
    settings = Settings(base_url="http://llm.test/v1", model="test-model", api_key=SECRET)
    slept: list[float] = []

    async def asleep(s: float) -> None:
        slept.append(s)

    p = OpenAIProvider(
        settings,
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(script)),
        async_sleep=asleep,
    )
    out = await afill_record(record, text, p)
    item = item_of(out, "8.01")
    assert out.status == "ok" and slept == [0.0]
    assert item.event["category"]["value"] == "product_regulatory"
    assert item.llm.attempts == 2 and item.llm.prompt_name == "disclosure.v1"


# -- the per-schema preparation that keeps instructor's per-request CPU down ------------------------
@pytest.mark.parametrize("number", ["1.01", "2.03", "4.01", "5.02", "5.07", "8.01"])
@pytest.mark.parametrize("mode", ["json_schema", "tools"])
def test_prepared_schema_sends_what_instructor_would(number, mode):
    """The request instructor builds from the prepared class equals the one from the plain class."""
    from instructor.v2.core.response import handle_response_model

    from extractor.llm.openai_provider import MODES, prepared
    from extractor.schemas import schema_for

    schema = quoted_schema(schema_for(number))
    plain = handle_response_model(schema, mode=MODES[mode], messages=[])[1]
    fast = handle_response_model(prepared(schema), mode=MODES[mode], messages=[])[1]
    assert json.dumps(fast, sort_keys=True) == json.dumps(plain, sort_keys=True)
    assert prepared(schema) is prepared(schema)
    # handed-out schemas are copies: a caller that edits one does not change the next request
    prepared(schema).model_json_schema()["properties"].clear()
    assert prepared(schema).model_json_schema() == schema.model_json_schema()


def test_memoized_async_validator_check_still_rejects():
    from instructor.v2.validation import async_validators as av
    from pydantic import BaseModel

    import extractor.llm.openai_provider  # noqa: F401  (installs the memo)

    assert getattr(av.reject_async_validators, "memoized", False)

    class Bad(BaseModel):
        x: int

        @av.async_field_validator("x")
        async def check(self, v):  # pragma: no cover - never run
            return v

    for _ in range(2):  # rejected every time, not remembered
        with pytest.raises(ValueError, match="async validators"):
            av.reject_async_validators(Bad)
    av.reject_async_validators(quoted_schema(Disclosure))  # passes, and passes again from memory
    av.reject_async_validators(quoted_schema(Disclosure))


@pytest.mark.parametrize("mode", ["json_schema", "tools"])
@pytest.mark.parametrize("use_async", [False, True])
def test_direct_post_sends_what_the_typed_create_would(mode, use_async):
    """Requests skip openai's per-request transform (a plain ``client.post``), yet every request carries
    the same JSON as through an untouched client (keys may come in another order), a re-ask's longer
    message list included, and the errors are the same."""
    import asyncio

    import instructor
    import openai

    from extractor.llm.base import CallRecord
    from extractor.llm.openai_provider import _Tally

    def answers() -> list[httpx.Response]:
        if mode == "tools":
            return [httpx.Response(400, json={"error": {"message": "stop here"}})]
        return [ok("{not json"), ok(GOOD)]  # the first answer is re-asked

    def run(through_provider: bool) -> list[bytes]:
        sent: list[bytes] = []
        queue = answers()

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request.content)
            return queue.pop(0)

        settings = Settings(base_url="http://llm.test/v1", model="test-model", api_key=SECRET, mode=mode,
                            max_reasks=1, transport_retries=0)  # fmt: skip
        transport = httpx.MockTransport(handler)
        p = OpenAIProvider(settings, http_client=httpx.Client(transport=transport),
                           async_http_client=httpx.AsyncClient(transport=transport))  # fmt: skip
        schema = quoted_schema(Disclosure)
        messages = [{"role": "system", "content": "s"}, *MESSAGES]
        kwargs = p._kwargs(schema, messages, None, _Tally(CallRecord(provider="t", model="m"), None))
        if through_provider:
            client = p._aclient if use_async else p._client
        else:  # instructor over an untouched openai client: what would go out without the shortcut
            common = {"base_url": settings.base_url, "api_key": SECRET, "max_retries": 0}
            raw = (openai.AsyncOpenAI(**common, http_client=httpx.AsyncClient(transport=transport)) if use_async
                   else openai.OpenAI(**common, http_client=httpx.Client(transport=transport)))  # fmt: skip
            client = instructor.from_openai(raw, mode=p.mode)
        try:
            if use_async:
                asyncio.run(client.chat.completions.create_with_completion(**kwargs))
            else:
                client.chat.completions.create_with_completion(**kwargs)
        except Exception as exc:  # tools mode: the 400 must surface the same way
            return sent, f"{type(exc).__name__}: {exc}"
        return sent, None

    (fast, fast_error), (plain, plain_error) = run(True), run(False)
    assert fast_error == plain_error
    assert (fast_error is not None) == (mode == "tools")
    assert len(fast) == len(plain) == (1 if mode == "tools" else 2)
    assert [json.loads(b) for b in fast] == [json.loads(b) for b in plain]
    last = json.loads(fast[-1])
    assert last["messages"][0] == {"role": "system", "content": "s"}
    assert ("tools" if mode == "tools" else "response_format") in last
    if mode == "json_schema":  # the re-ask shows the model its answer and the error
        assert len(last["messages"]) > 2


def test_the_blocking_driver_refuses_a_call_that_awaits_real_io():
    import asyncio

    from extractor.llm.base import run_blocking

    async def answers_at_once() -> int:
        return 7

    async def waits_for_the_loop() -> int:
        await asyncio.sleep(0)
        return 7

    assert run_blocking(answers_at_once()) == 7
    with pytest.raises(RuntimeError, match="awaited real I/O"):
        run_blocking(waits_for_the_loop())
