"""The fill stage: parsed record + normalized text + provider -> record with ``items[].event``.

Public API (used by the CLI, the batch runner and the eval harness)::

    provider = make_provider(settings)                   # embedded local model when nothing configured
    record = fill_record(record, text, provider, cache=None, calllog=None, settings=None)
    record = await afill_record(record, text, provider, cache=None, calllog=None, settings=None,
                                concurrency=2)

For each reported item whose schema is not None (9.01 and legacy 7 have none: no call), only the item's
text plus a short header (company, date of report, item title) goes to the model, split into
overlapping chunks when long; events of headline facts (no list of records) read only the lead chunk of
a long item (``lead_chunks``), events with lists of records (5.02 changes, 5.07 proposals) every chunk. The model fills the *quoted* schema (``extractor.quoted``); each value is
grounded (``extractor.ground``), scored (``extractor.confidence``) and stored as a Field dict in the
event's shape; chunk results are merged (best confidence per field, lists concatenated and
de-duplicated). ``items[].llm`` records model, prompt name/hash, tokens, latency, attempts, cache hit.

Parser pre-fill (``extractor.prefill``): values the text states in a fixed shape (2.02 ``period_end``,
5.07 meeting date and vote tables) are read by the parser and never re-asked. An item whose event the
parser covers completely gets no call (``llm`` stays None); otherwise the model is asked only for the
uncovered fields and the two are combined (parser Fields keep method ``parser``).

A failing item never fails the filing: its leaves become null Fields with confidence 0 and the reason,
the error goes to ``record.errors`` (part ``"item X"``) and the status becomes ``partial``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from . import catalog
from .confidence import ParserFacts, is_registrant, score_tree
from .config import Settings
from .ground import ground_event, normalize_with_map
from .llm import make_provider
from .llm.base import Budget, CallRecord, FillError, Provider, describe
from .llm.budget import plan_budget
from .prefill import ParserEvent, ask_schema, combine, parser_event
from .prompts import Prompt, render
from .quoted import plain_fields, quoted_schema, schema_hash
from .schemas import schema_for
from .sections.officers import HONORIFIC, person_key, resolve_person
from .store.cache import ResponseCache, cache_key
from .store.calllog import CallLog
from .types import FilingRecord, Item, LLMCall, PartError, Status

__all__ = ["afill_record", "chunks", "fill_item", "fill_record", "make_provider", "schema_for_item"]


def schema_for_item(item: Item) -> type[BaseModel] | None:
    """The event schema of an item, or None when it gets no call (9.01, legacy 7, not reported)."""
    if not item.reported:
        return None
    modern = item.modern_equivalent or catalog.modern_equivalent(item.number)
    return schema_for(modern)


def chunks(text: str, size: int, overlap: int, limit: int) -> list[tuple[int, str]]:
    """(offset, chunk) windows of at most ``size`` chars overlapping by ``overlap``, cut at line ends."""
    if len(text) <= size:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text) and len(out) < limit:
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(
                text.rfind("\n\n", start + size // 2, end), text.rfind("\n", start + size * 3 // 4, end)
            )
            if cut > start:
                end = cut
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out


# -- merging chunk results -------------------------------------------------------------------------
def _key(node: Any) -> str:
    if isinstance(node, dict) and "confidence" in node:
        nv, _ = normalize_with_map(str(node.get("value")))
        return nv
    if isinstance(node, dict):
        vals = [_key(v) for v in list(node.values())[:2]]
        return "|".join(vals)
    return json.dumps(node, sort_keys=True)


def _better(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a.get("value") is None:
        return b
    if b.get("value") is None:
        return a
    return b if b["confidence"] > a["confidence"] else a


def _filled(node: Any) -> int:
    if isinstance(node, dict) and "confidence" in node:
        return int(node.get("value") is not None)
    if isinstance(node, dict):
        return sum(_filled(v) for v in node.values())
    if isinstance(node, list):
        return sum(_filled(v) for v in node)
    return 0


_NOT_NAME = re.compile(
    r"\d|\b(?:company|corporation|inc|llc|board|committee|plan|program|programme|agreement|adoption|list|"
    r"shareholders?|stockholders?|officers?|directors?|president|chief|executive|chairman|compensation|"
    r"award|bonus|salary|fiscal|year|the|of|and)\b",
    re.I,
)


def _is_person_name(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    words = HONORIFIC.sub("", value.strip()).replace(",", " ").split()
    if not 2 <= len(words) <= 6 or _NOT_NAME.search(value):
        return False
    return all(w[:1].isupper() for w in words)


def dedupe_people(event: dict[str, Any], item_text: str | None = None, item_start: int = 0) -> dict[str, Any]:
    """One entry per person in lists of people (5.02 changes): small models repeat a person once per
    sentence that names them ("Rona Fairhead", "Mrs. Fairhead", ...). Entries are keyed by the person's
    last name; the entry with the most filled values wins. Entries with no value at all, or whose person is
    not a person's name (a plan, a company, a title), are dropped."""
    out = dict(event)
    for name, value in event.items():
        if not (
            isinstance(value, list) and value and all(isinstance(v, dict) and "person" in v for v in value)
        ):
            continue
        kept: dict[str, dict[str, Any]] = {}
        anonymous: list[dict[str, Any]] = []
        for entry in value:
            if _filled(entry) == 0:
                continue
            person = entry["person"].get("value") if isinstance(entry["person"], dict) else None
            if person is not None and not _is_person_name(person):
                fixed = resolve_person(entry["person"], item_text, item_start) if item_text else None
                if fixed is None or not _is_person_name(fixed["value"]):
                    continue  # "Adoption of Fiscal Year 2027 Variable Compensation Plan" is not a person
                entry = {**entry, "person": fixed}
            key = person_key(entry["person"])
            if key is None:
                anonymous.append(entry)
            elif key not in kept or _filled(entry) > _filled(kept[key]):
                kept[key] = entry
        out[name] = list(kept.values()) + ([] if kept else anonymous)
    return out


def drop_self_counterparties(event: dict[str, Any], facts: ParserFacts) -> dict[str, Any]:
    """The registrant is never its own counterparty (the prompt says so; small models list it anyway, as
    "Disney" or "NUANCE COMMUNICATIONS, INC."), and a counterparty is a name, not a role ("the lenders"):
    such entries of ``counterparties`` are dropped and such a ``counterparty`` becomes null, with the
    reason. Who the registrant is: ``confidence.is_registrant`` (the same test that lowers such a value's
    confidence)."""

    def bad(leaf: Any) -> str | None:
        value = leaf.get("value") if isinstance(leaf, dict) else None
        if not isinstance(value, str):
            return None
        if not any(ch.isupper() for ch in value):
            return "not a name"
        if is_registrant(value, facts.registrants):
            return "the registrant itself"
        return None

    out = dict(event)
    if isinstance(event.get("counterparties"), list):
        out["counterparties"] = [leaf for leaf in event["counterparties"] if bad(leaf) is None]
    leaf = event.get("counterparty")
    why = bad(leaf)
    if why is not None and isinstance(leaf, dict):
        out["counterparty"] = {**leaf, "value": None, "span": None, "quote": None,
                               "reasons": [*leaf.get("reasons", []), f"dropped {leaf['value']!r}: {why}"]}  # fmt: skip
    return out


def merge(schema: type[BaseModel], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge per-chunk events: best Field per leaf, lists concatenated and de-duplicated."""
    if len(events) == 1:
        return events[0]
    out: dict[str, Any] = {}
    for name, (shape, inner, _info) in plain_fields(schema).items():
        values: list[Any] = [e.get(name) for e in events]
        if shape == "leaf":
            best = values[0]
            for v in values[1:]:
                best = _better(best, v)
            out[name] = best
        elif shape in ("leaf_list", "model_list"):
            merged: dict[str, Any] = {}
            for lst in values:
                for node in lst or []:
                    k = _key(node)
                    if k not in merged:
                        merged[k] = node
                    elif shape == "model_list":
                        merged[k] = merge(inner, [merged[k], node])
                    else:
                        merged[k] = _better(merged[k], node)
            out[name] = list(merged.values())
        else:
            present = [v for v in values if v is not None]
            out[name] = merge(inner, present) if present else None
    return out


def failed_event(schema: type[BaseModel], reason: str) -> dict[str, Any]:
    """The event's shape with every leaf a null Field at confidence 0 carrying the failure reason."""
    out: dict[str, Any] = {}
    for name, (shape, inner, _info) in plain_fields(schema).items():
        if shape == "leaf":
            out[name] = {
                "value": None,
                "confidence": 0.0,
                "method": "llm",
                "span": None,
                "quote": None,
                "alignment": None,
                "reasons": [f"fill failed: {reason}"],
            }
        elif shape == "model":
            out[name] = failed_event(inner, reason)
        else:
            out[name] = []
    return out


# -- one item --------------------------------------------------------------------------------------
@dataclass
class _Plan:
    item: Item
    schema: type[BaseModel]  # what the model is asked: the item schema minus parser-covered fields
    prompts: list[Prompt]
    keys: list[str]
    facts: ParserFacts
    pre: ParserEvent | None = None  # the parser's pre-fill, combined into the event in _finish
    # (text, start) of the items this one incorporates by reference (shown to the model, grounded in)
    refs: list[tuple[str, int]] = field(default_factory=list)


def _facts(record: FilingRecord) -> ParserFacts:
    date = record.cover.date_of_report.value
    names = [record.cover.company_name.value] + [r.name.value for r in record.cover.registrants]
    return ParserFacts(
        date_of_report=date if isinstance(date, dt.date) else None,
        registrants=tuple(n for n in names if n),
    )


def _plan(
    record: FilingRecord, item: Item, provider: Provider, settings: Settings, pre: ParserEvent | None = None
) -> _Plan | None:
    schema = schema_for_item(item)
    if schema is None:
        return None
    if pre is not None:  # ask only for what the parser did not read
        schema = ask_schema(schema, pre.covered)
    date = record.cover.date_of_report.value
    refs = referenced_items(record, item)
    text = item.text + "".join(
        f"\n\n(Incorporated by reference from the same filing:)\n{r.text[: settings.chunk_chars]}"
        for r in refs
    )
    parts = chunks(text, settings.chunk_chars, settings.chunk_overlap, _chunk_limit(schema, settings))
    prompts = [
        render(
            schema,
            company=record.cover.company_name.value or "",
            date_of_report=date.isoformat() if isinstance(date, dt.date) else "",
            number=item.number,
            title=item.title,
            text=chunk,
            chunk_index=i + 1,
            chunk_total=len(parts),
        )
        for i, (_off, chunk) in enumerate(parts)
    ]
    shash = schema_hash(schema)
    keys = [cache_key(provider.model, p.hash, shash, json.dumps(p.messages)) for p in prompts]
    return _Plan(item, schema, prompts, keys, _facts(record), pre, [(r.text, r.span[0]) for r in refs])


_ITEM_NUMBER = re.compile(r"\bItems?\s+(\d{1,2}\.\d{2})\b", re.I)
_BY_REFERENCE = re.compile(
    r"incorporated\s+(?:herein\s+)?by\s+reference|(?:set\s+forth|contained|included|described|provided|reported|"
    r"disclosed)\s+(?:in|under)\s+Items?\s+\d",
    re.I,
)
REFERENCE_MAX_OWN_CHARS = 1500


def referenced_items(record: FilingRecord, item: Item) -> list[Item]:
    """Items of the same filing whose text a short item incorporates by reference ("The information set
    forth under Item 1.01 is incorporated herein by reference"): the model is shown their text after the
    item's own, and values quoted from it are grounded there. An item with text of its own beyond
    ``REFERENCE_MAX_OWN_CHARS`` is taken as self-contained; 9.01 (exhibits) is never pulled in."""
    own = item.text[len(item.heading) :] if item.heading and item.text.startswith(item.heading) else item.text
    if len(own) > REFERENCE_MAX_OWN_CHARS or not _BY_REFERENCE.search(own):
        return []
    wanted = {m.group(1) for m in _ITEM_NUMBER.finditer(own)} - {item.number, "9.01"}
    return [it for it in record.items if it.number in wanted and it.reported and it.text and it is not item][
        :2
    ]


def _chunk_limit(schema: type[BaseModel], settings: Settings) -> int:
    """How many chunks of a long item are read: all of them (up to ``max_chunks``) for events holding
    lists of records, which may sit anywhere in the item; ``lead_chunks`` for events of headline facts."""
    lists = any(shape == "model_list" for shape, _t, _i in plain_fields(schema).values())
    if lists or settings.lead_chunks == 0:
        return settings.max_chunks
    return min(settings.max_chunks, settings.lead_chunks)


def _chunk_event(plan: _Plan, output: dict[str, Any], call: CallRecord) -> dict[str, Any]:
    tree = ground_event(
        plan.schema, output, plan.item.text, plan.item.span[0], plan.refs, heading=plan.item.heading
    )
    return score_tree(
        tree,
        reasks=call.reasks,
        raw=call.raw_completion,
        logprobs=call.logprobs,
        facts=plan.facts,
        model=call.model,  # the model's fitted calibration curve applies, when one is shipped
    )


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


def _store(cache: ResponseCache | None, key: str, output: dict[str, Any], call: CallRecord) -> None:
    if cache is not None:
        cache.put(key, call.model, output, call.model_dump(mode="json"))


def _finish(
    record: FilingRecord,
    plan: _Plan,
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


def _budget(settings: Settings, provider: Provider, plan: _Plan) -> Budget:
    text_chars = len(plan.item.text) + sum(len(t) for t, _s in plan.refs)
    return plan_budget(settings, provider, plan.prompts, text_chars)


def _prefilled(item: Item) -> tuple[ParserEvent | None, Item | None]:
    """The parser's pre-fill of the item, and the finished item when it covers every field (no call)."""
    schema = schema_for_item(item)
    pre = parser_event(item) if schema is not None else None
    if pre is not None and schema is not None and pre.complete(schema):
        return pre, item.model_copy(update={"event": pre.event, "llm": None})
    return pre, None


def _prepare(record: FilingRecord, item: Item, provider: Provider, settings: Settings) -> _Plan | Item:
    """The plan of the calls an item needs, or the finished item when it needs none (read completely by
    the parser, or no event schema)."""
    pre, done = _prefilled(item)
    if done is not None:
        return done
    plan = _plan(record, item, provider, settings, pre)
    if plan is None:
        return item.model_copy(update={"event": None, "llm": None})
    return plan


def fill_item(
    record: FilingRecord,
    item: Item,
    provider: Provider,
    *,
    settings: Settings | None = None,
    cache: ResponseCache | None = None,
    calllog: CallLog | None = None,
) -> Item:
    """Fill one item (no call when it has no schema). Errors are recorded on ``record``, never raised."""
    settings = settings or Settings()
    plan = _prepare(record, item, provider, settings)
    if isinstance(plan, Item):
        return plan
    budget = _budget(settings, provider, plan)
    results: list[tuple[dict[str, Any], CallRecord]] = []
    error: BaseException | None = None
    for prompt, key in zip(plan.prompts, plan.keys, strict=True):
        try:
            hit = _cached(cache, key)
            if hit is None:
                res = provider.fill(quoted_schema(plan.schema), prompt.messages, budget=budget)
                hit = (res.value.model_dump(mode="json"), res.call)
                _store(cache, key, *hit)
            results.append(hit)
        except Exception as exc:
            error = exc
            break
    return _finish(record, plan, provider, results, error, calllog)


async def afill_item(
    record: FilingRecord,
    item: Item,
    provider: Provider,
    *,
    settings: Settings | None = None,
    cache: ResponseCache | None = None,
    calllog: CallLog | None = None,
) -> Item:
    settings = settings or Settings()
    plan = _prepare(record, item, provider, settings)
    if isinstance(plan, Item):
        return plan
    budget = _budget(settings, provider, plan)
    results: list[tuple[dict[str, Any], CallRecord]] = []
    error: BaseException | None = None
    for prompt, key in zip(plan.prompts, plan.keys, strict=True):
        try:
            hit = _cached(cache, key)
            if hit is None:
                res = await provider.afill(quoted_schema(plan.schema), prompt.messages, budget=budget)
                hit = (res.value.model_dump(mode="json"), res.call)
                _store(cache, key, *hit)
            results.append(hit)
        except Exception as exc:
            error = exc
            break
    return _finish(record, plan, provider, results, error, calllog)


def _working_copy(record: FilingRecord) -> FilingRecord:
    """A copy the fill may change: it replaces ``items`` and appends to ``errors``, nothing else
    (items are replaced by new ``Item`` objects, never changed in place), so only that list is copied."""
    return record.model_copy(update={"errors": list(record.errors)})


def _items(record: FilingRecord) -> Iterator[Item]:
    yield from record.items


def fill_record(
    record: FilingRecord,
    text: str | None,
    provider: Provider,
    *,
    cache: ResponseCache | None = None,
    calllog: CallLog | None = None,
    settings: Settings | None = None,
    on_item: Callable[[Item], None] | None = None,
) -> FilingRecord:
    """A copy of ``record`` with ``items[].event`` and ``items[].llm`` filled; never raises per item.

    ``text`` is the normalized filing text (spans index it); item texts are taken from the record.
    ``on_item`` is called with each finished item (progress displays).
    """
    out = _working_copy(record)
    if out.status == Status.error:
        return out
    filled: list[Item] = []
    for item in _items(out):
        filled.append(fill_item(out, item, provider, settings=settings, cache=cache, calllog=calllog))
        if on_item is not None:
            on_item(filled[-1])
    out.items = filled
    return out


async def afill_record(
    record: FilingRecord,
    text: str | None,
    provider: Provider,
    *,
    cache: ResponseCache | None = None,
    calllog: CallLog | None = None,
    settings: Settings | None = None,
    concurrency: int = 2,
) -> FilingRecord:
    """Async ``fill_record``: the items of one filing are filled concurrently (``concurrency`` at once)."""
    out = _working_copy(record)
    if out.status == Status.error:
        return out
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: Item) -> Item:
        async with gate:
            return await afill_item(out, item, provider, settings=settings, cache=cache, calllog=calllog)

    out.items = list(await asyncio.gather(*(one(item) for item in _items(out))))
    return out
