"""Self-consistency: a second sample of uncertain answers, behind Settings.sample_seconds."""

from __future__ import annotations

import json

import httpx
from fakeserver import completion_for
from llm_helpers import SOUTHERN_801, item_of, ok, parsed, q

from extractor.config import Settings
from extractor.fill import fill_record
from extractor.fill.consistency import reversed_schema
from extractor.llm.fake import FakeProvider
from extractor.llm.openai_provider import OpenAIProvider
from extractor.quoted import quoted_schema
from extractor.schemas import Disclosure
from extractor.store.cache import ResponseCache

# Southern's 8.01 (the Georgia PSC's rate plan): a summary whose quote is not in the text (uncertain,
# ungrounded) and a category (the category reader reads the same one: the merged leaf is the reader's)
FIRST = {
    "summary": q("The Company declared a dividend.", "declared a dividend"),
    "category": q("product_regulatory", "Georgia PSC approved"),
}
SECOND = {
    "category": q("product_regulatory", "Georgia PSC approved"),
    "summary": q("The Georgia PSC approved the 2013 ARP.", "the Georgia PSC approved the 2013 ARP"),
}
DIVIDEND = "The Company declared a dividend."
SCRIPT = {"DisclosureQuoted": FIRST, "DisclosureQuotedReversed": SECOND}


def _fill(provider, cache=None, **settings):
    record, text = parsed(SOUTHERN_801)
    out = fill_record(record, text, provider, cache=cache, settings=Settings(**settings))
    return out, item_of(out, "8.01").event


def _reversed(fake: FakeProvider) -> int:
    return sum(1 for s, _m in fake.calls if s.__name__.endswith("Reversed"))


def test_reversed_schema_asks_the_same_fields_in_reverse_order():
    schema = quoted_schema(Disclosure)
    rev = reversed_schema(schema)
    assert list(rev.model_fields) == list(reversed(schema.model_fields))
    assert schema.model_validate(rev.model_validate(SECOND).model_dump()).model_dump() == (
        schema.model_validate(SECOND).model_dump()
    )


def test_off_by_default_no_second_call():
    fake = FakeProvider(dict(SCRIPT))
    _out, event = _fill(fake)
    assert _reversed(fake) == 0 and event["summary"]["features"]["sample"] is None


def test_uncertain_values_get_the_verdict_of_a_second_sample():
    fake = FakeProvider(dict(SCRIPT))
    _out, event = _fill(fake, sample_seconds=60, sample_below=0.5)
    assert _reversed(fake) == 1
    first, second = fake.calls
    assert second[0].__name__ == "DisclosureQuotedReversed" and second[1] == first[1]  # same messages
    assert event["summary"]["value"] == DIVIDEND  # the first answer stands
    assert event["summary"]["features"]["sample"] == "disagree"
    assert "a second sample disagrees" in event["summary"]["reasons"]
    assert "the model agrees" in event["category"]["reasons"]  # the reader's leaf, the model agreeing


def test_second_samples_are_cached_under_their_own_key(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    fake = FakeProvider(dict(SCRIPT))
    _fill(fake, cache, sample_seconds=60)
    assert len(fake.calls) == 2
    _out, event = _fill(fake, cache, sample_seconds=60)
    assert len(fake.calls) == 2  # both answers from the cache
    assert event["summary"]["features"]["sample"] == "disagree"
    cache.close()


def test_the_time_budget_stops_second_samples():
    """The 8.01 read in small chunks, every chunk answered with the same uncertain summary: a budget
    smaller than one call lets only the first chunk be sampled."""
    fake = FakeProvider(dict(SCRIPT))
    _fill(fake, sample_seconds=1e-9, chunk_chars=1500, chunk_overlap=0, lead_chunks=0)
    assert sum(1 for s, _m in fake.calls if s.__name__ == "DisclosureQuoted") >= 2
    assert _reversed(fake) == 1


def test_a_failing_second_sample_costs_the_feature_not_the_item():
    """Over the real openai client and an httpx MockTransport: the second sample's request fails (500
    until the retries are spent); the item keeps its first answer and records no error."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "DisclosureQuotedReversed" in json.dumps(body):
            asked.append("reversed")
            return httpx.Response(500, json={"error": {"message": "down"}})
        asked.append("first")
        return (
            ok(FIRST)
            if "DisclosureQuoted" in json.dumps(body)
            else httpx.Response(200, json=completion_for(body))
        )

    settings = dict(base_url="http://llm.test/v1", model="test-model", api_key="sk-test", transport_retries=1)
    provider = OpenAIProvider(
        Settings(**settings),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=lambda _s: None,
    )
    out, event = _fill(provider, **settings, sample_seconds=60)
    assert asked == ["first", "reversed", "reversed"]  # one try and one retry, then given up
    assert event["summary"]["value"] == DIVIDEND and event["summary"]["features"]["sample"] is None
    assert out.errors == []
