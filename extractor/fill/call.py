"""Calling the model for one item, and for every item of a filing: one async core, a thin sync wrapper.

``afill_item`` runs an item's plan (``extractor.fill.plan``): each chunk's answer comes from the response
cache or the provider, is grounded (``extractor.fill.ground``) and scored (``extractor.fill.confidence``),
and the chunk events are merged (``extractor.fill.merge``), combined with the parser's pre-fill and with
the readers' values (``extractor.readers.merge``), and the model's values rescored (``extractor.fill.rescore``).
``fill_item`` is the same coroutine driven without an event loop over the provider's blocking ``fill``
(``run_blocking``). A failing item never fails the filing: its error goes to ``record.errors``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Any, TypedDict, Unpack

from pydantic import BaseModel

from ..config import Settings
from ..llm.base import Budget, CallRecord, FillError, FillResult, Message, Provider, describe, run_blocking
from ..prefill import combine
from ..quoted import quoted_schema
from ..readers import Readings, read_item
from ..readers import merge as merge_readings
from ..record import FilingRecord, Item, LLMCall, PartError, Status
from ..store.cache import ResponseCache, cache_key
from ..store.calllog import CallLog
from .answers import CHECKED, checked_schema, problems
from .confidence import score_tree
from .consistency import answer_key, reversed_schema, sample_key, uncertain_paths, verdicts
from .ground import ground_event, injection_regions
from .merge import dedupe_people, drop_self_counterparties, failed_event, merge
from .plan import Plan, budget, prepare
from .rescore import rescore

__all__ = ["afill_item", "afill_record", "fill_item", "fill_record"]


def _chunk_event(plan: Plan, output: dict[str, Any], call: CallRecord) -> dict[str, Any]:
    tree = ground_event(
        plan.schema, output, plan.item.text, plan.item.span[0], plan.refs, heading=plan.item.heading
    )
    readings = _readings(plan)  # the values the merge in _finish compares with: features of each value
    return score_tree(
        tree,
        reasks=call.reasks,
        raw=call.raw_completion,
        logprobs=call.logprobs,
        facts=plan.facts,
        model=call.model,  # the model's fitted feature model or calibration curve applies, when shipped
        item=readings.item,
        readings=readings,
        samples=plan.samples.get(answer_key(output)),
        text=(plan.item.text, plan.item.span[0]),
    )


def _readings(plan: Plan) -> Readings:
    """What the deterministic readers read of the item (its text and the items it incorporates), minus
    anything read from text that addresses the model (``ground.injection_regions``)."""
    segments = [(plan.item.text, plan.item.span[0]), *plan.refs]
    regions = [(s + o, e + o) for text, o in segments for s, e in injection_regions(text)]
    readings = read_item(plan.item.number, segments, plan.facts.registrants, plan.facts.date_of_report)
    return readings.outside(regions)


def _cached(cache: ResponseCache | None, key: str) -> tuple[dict[str, Any], CallRecord] | None:
    if cache is None:
        return None
    hit = cache.get(key)
    if hit is None:
        return None
    output, call = hit
    record = CallRecord.model_validate(call)
    record.cache_hit, record.latency_s, record.attempts = True, 0.0, 0
    return output, record


def _lookup(
    cache: ResponseCache | None, key: str, item: str, checked: bool
) -> tuple[tuple[dict[str, Any], CallRecord] | None, str]:
    """The cached answer of a request and the key a new answer is stored under. With the answer checks
    on (``Settings.answer_reask``), answers made with them live under their own key (answers cached
    without them stay as they are for runs without the checks); an answer cached without them is used
    when it passes the checks, else the model is asked again (with the checks)."""
    if not checked:
        return _cached(cache, key), key
    checked_key = cache_key(key, CHECKED, "", "")
    hit = _cached(cache, checked_key)
    if hit is None:
        plain = _cached(cache, key)
        if plain is not None and not problems(plain[0], item):
            hit = plain
    return hit, checked_key


def _store(cache: ResponseCache | None, key: str, output: dict[str, Any], call: CallRecord) -> None:
    if cache is not None:
        cache.put(key, call.model, output, call.model_dump(mode="json"))


def _finish(
    record: FilingRecord,
    plan: Plan,
    provider: Provider,
    results: list[tuple[dict[str, Any], CallRecord]],
    error: BaseException | None,
    calllog: CallLog | None,
) -> Item:
    item, schema = plan.item, plan.schema
    calls = [c for _o, c in results]
    if isinstance(error, FillError):
        calls.append(error.call)
    events = []
    for output, call in results:
        try:
            events.append(_chunk_event(plan, output, call))
        except Exception as exc:  # a grounding bug must not lose the filing
            error = error or exc
    reason = None
    if error is not None:
        reason = error.call.error if isinstance(error, FillError) and error.call.error else describe(error)
        record.errors.append(PartError(part=f"item {item.number}", message=reason))
        if record.status == Status.ok:
            record.status = Status.partial
    event = (
        drop_self_counterparties(dedupe_people(merge(schema, events), item.text, item.span[0]), plan.facts)
        if events
        else failed_event(schema, reason or "no result")
    )
    if plan.pre is not None:
        event = combine(plan.pre, event)
    readings = _readings(plan)
    # the model's values are rescored once the merge has settled them (its disagreement step is a
    # feature of the fitted confidence, not a second penalty)
    event = rescore(merge_readings(event, readings), readings.item, calls[0].model if calls else None)
    llm = LLMCall(
        model=provider.model,
        prompt_name=plan.prompts[0].name,
        prompt_hash=plan.prompts[0].hash,
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        latency_s=round(sum(c.latency_s for c in calls), 3),
        attempts=sum(c.attempts for c in calls),
        cache_hit=bool(calls) and all(c.cache_hit for c in calls),
        outcome="ok" if error is None else ("partial" if events else "error"),
        error=reason,
    )
    if calllog is not None:
        calllog.log(
            filing=record.source.accession or record.source.path,
            item=item.number,
            provider=provider.name,
            outcome="cached" if llm.cache_hit and error is None else llm.outcome,
            **llm.model_dump(include={"model", "prompt_name", "prompt_hash", "tokens_in", "tokens_out"}),
            latency_s=llm.latency_s,
            attempts=llm.attempts,
            cache_hit=int(llm.cache_hit),
            error=reason,
        )
    return item.model_copy(update={"event": event, "llm": llm})


async def _ask(
    provider: Provider, blocking: bool, schema: type[BaseModel], messages: list[Message], budget: Budget
) -> FillResult[Any]:
    if blocking:
        return provider.fill(schema, messages, budget=budget)
    return await provider.afill(schema, messages, budget=budget)


class FillOptions(TypedDict, total=False):
    """What a fill may be given besides the record and the provider (all optional)."""

    settings: Settings | None  # default Settings()
    cache: ResponseCache | None  # the response cache: answers are read from and written to it
    calllog: CallLog | None  # one row per item call
    filing_text: str | None  # the normalized filing text: readers read its body for items without text


async def afill_item(
    record: FilingRecord,
    item: Item,
    provider: Provider,
    *,
    blocking: bool = False,
    **opts: Unpack[FillOptions],
) -> Item:
    """Fill one item (no call when it has no schema). Errors are recorded on ``record``, never raised.
    ``blocking``: call the provider's sync ``fill`` (the coroutine then never suspends)."""
    settings = opts.get("settings") or Settings()
    cache = opts.get("cache")
    plan = prepare(record, item, provider, settings, opts.get("filing_text"))
    if isinstance(plan, Item):
        return plan
    item_budget = budget(settings, provider, plan)
    results: list[tuple[dict[str, Any], CallRecord]] = []
    error: BaseException | None = None
    schema = quoted_schema(plan.schema)
    if settings.answer_reask:
        schema = checked_schema(schema, item.number)
    for prompt, key in zip(plan.prompts, plan.keys, strict=True):
        try:
            hit, key = _lookup(cache, key, item.number, settings.answer_reask)
            if hit is None:
                res = await _ask(provider, blocking, schema, prompt.messages, item_budget)
                hit = (res.value.model_dump(mode="json"), res.call)
                _store(cache, key, *hit)
            results.append(hit)
        except Exception as exc:
            error = exc
            break
    if error is None and settings.sample_seconds > 0:
        plan = await _sample_uncertain(plan, results, provider, blocking, cache, settings, item_budget)
    return _finish(record, plan, provider, results, error, opts.get("calllog"))


async def _sample_uncertain(
    plan: Plan,
    results: list[tuple[dict[str, Any], CallRecord]],
    provider: Provider,
    blocking: bool,
    cache: ResponseCache | None,
    settings: Settings,
    item_budget: Budget,
) -> Plan:
    """The plan with the verdicts of second samples of its uncertain chunk answers
    (``extractor.fill.consistency``), within ``settings.sample_seconds`` of wall clock for the item."""
    schema = reversed_schema(quoted_schema(plan.schema))
    spent = 0.0
    samples: dict[str, dict[tuple[str | int, ...], str]] = {}
    for prompt, key, (output, call) in zip(plan.prompts, plan.keys, results, strict=False):
        first = _chunk_event(plan, output, call)
        paths = uncertain_paths(first, settings.sample_below)
        if not paths:
            continue
        hit = _cached(cache, sample_key(key))
        if hit is None:
            if spent >= settings.sample_seconds:
                break
            started = time.monotonic()
            try:
                res = await _ask(provider, blocking, schema, prompt.messages, item_budget)
            except Exception:  # a failed second sample costs the feature, never the item
                break
            finally:
                spent += time.monotonic() - started
            hit = (res.value.model_dump(mode="json"), res.call)
            _store(cache, sample_key(key), *hit)
        samples[answer_key(output)] = verdicts(first, _chunk_event(plan, *hit), paths)
    return dataclasses.replace(plan, samples=samples) if samples else plan


def fill_item(record: FilingRecord, item: Item, provider: Provider, **opts: Unpack[FillOptions]) -> Item:
    """``afill_item`` over the provider's blocking ``fill``, without an event loop."""
    return run_blocking(afill_item(record, item, provider, blocking=True, **opts))


def _working_copy(record: FilingRecord) -> FilingRecord:
    """A copy the fill may change: it replaces ``items`` and appends to ``errors``, nothing else
    (items are replaced by new ``Item`` objects, never changed in place), so only that list is copied."""
    return record.model_copy(update={"errors": list(record.errors)})


def _with_text(opts: FillOptions, text: str | None) -> FillOptions:
    options = FillOptions(**opts)
    options.setdefault("filing_text", text)
    return options


def fill_record(
    record: FilingRecord,
    text: str | None,
    provider: Provider,
    *,
    on_item: Callable[[Item], None] | None = None,
    **opts: Unpack[FillOptions],
) -> FilingRecord:
    """A copy of ``record`` with ``items[].event`` and ``items[].llm`` filled, one item after the other;
    never raises per item. ``text`` is the normalized filing text (spans index it); item texts are taken
    from the record. ``on_item`` is called with each finished item (progress displays)."""
    out = _working_copy(record)
    if out.status == Status.error:
        return out
    filled: list[Item] = []
    options = _with_text(opts, text)
    for item in record.items:
        filled.append(fill_item(out, item, provider, **options))
        if on_item is not None:
            on_item(filled[-1])
    out.items = filled
    return out


async def afill_record(
    record: FilingRecord,
    text: str | None,
    provider: Provider,
    *,
    concurrency: int = 2,
    **opts: Unpack[FillOptions],
) -> FilingRecord:
    """``fill_record`` with the items of one filing filled concurrently (``concurrency`` at once)."""
    out = _working_copy(record)
    if out.status == Status.error:
        return out
    gate = asyncio.Semaphore(max(1, concurrency))
    options = _with_text(opts, text)

    async def one(item: Item) -> Item:
        async with gate:
            return await afill_item(out, item, provider, **options)

    out.items = list(await asyncio.gather(*(one(item) for item in record.items)))
    return out
