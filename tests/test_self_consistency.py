"""Self-consistency: a second sample of uncertain answers, behind Settings.sample_seconds."""

from __future__ import annotations

import json

import httpx
from fakeserver import completion_for
from llm_helpers import item_of, ok, q
from test_confidence_features import NUANCE_101

from extractor.config import Settings
from extractor.fill import fill_record
from extractor.fill.consistency import reversed_schema, sample_key
from extractor.llm.fake import FakeProvider
from extractor.llm.fake import _null_answer as null_answer  # the dry run's answer: every field null
from extractor.llm.openai_provider import OpenAIProvider
from extractor.parse import parse_document
from extractor.quoted import quoted_schema
from extractor.schemas import MaterialAgreement
from extractor.store.cache import ResponseCache

FIRST = {
    "agreement_type": q("Material Definitive Agreement", "Entry into a Material Definitive Agreement"),
    "counterparties": [q("Barclays Bank plc", "with Barclays Bank plc"), q("Goldman Sachs", "Goldman Sachs")],
    "agreement_date": q("2016-04-15", "On April 15, 2016"),
    "summary": q(None, None),
}
SECOND = {
    "summary": q(None, None),
    "agreement_date": q("2016-04-15", "On April 15, 2016"),
    "counterparties": [q("Goldman Sachs", "Goldman Sachs")],
    "agreement_type": q("revolving credit agreement", "entered into a revolving credit agreement"),
}


def _fill(provider, **settings):
    parsed = parse_document(NUANCE_101)
    out = fill_record(parsed.record, parsed.text, provider, settings=Settings(**settings))
    return out, item_of(out, "1.01").event


def test_reversed_schema_asks_the_same_fields_in_reverse_order():
    schema = quoted_schema(MaterialAgreement)
    rev = reversed_schema(schema)
    assert list(rev.model_fields) == list(reversed(schema.model_fields))
    assert schema.model_validate(rev.model_validate(SECOND).model_dump()).model_dump() == (
        schema.model_validate(SECOND).model_dump()
    )


def test_off_by_default_no_second_call():
    fake = FakeProvider({"MaterialAgreementQuoted": FIRST}, default=null_answer)
    _out, event = _fill(fake)
    assert [s.__name__ for s, _m in fake.calls].count("MaterialAgreementQuotedReversed") == 0
    assert event["agreement_type"]["features"]["sample"] is None


def test_uncertain_values_get_the_verdict_of_a_second_sample():
    fake = FakeProvider(
        {"MaterialAgreementQuoted": FIRST, "MaterialAgreementQuotedReversed": SECOND}, default=null_answer
    )
    _out, event = _fill(fake, sample_seconds=60, sample_below=0.5)
    names = [s.__name__ for s, _m in fake.calls]
    assert names.count("MaterialAgreementQuotedReversed") == 1  # only 1.01 had uncertain values
    first_messages = next(m for s, m in fake.calls if s.__name__ == "MaterialAgreementQuoted")
    assert next(m for s, m in fake.calls if s.__name__.endswith("Reversed")) == first_messages
    assert event["agreement_type"]["features"]["sample"] == "disagree"  # the title vs a kind
    assert "a second sample disagrees" in event["agreement_type"]["reasons"]
    barclays, goldman = event["counterparties"]
    assert goldman["features"]["sample"] == "agree"  # any element of the second list
    assert barclays["features"]["sample"] is None  # confident (exact quote): not sampled
    assert event["agreement_date"]["features"]["sample"] is None


def test_second_samples_are_cached_under_their_own_key(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    fake = FakeProvider(
        {"MaterialAgreementQuoted": FIRST, "MaterialAgreementQuotedReversed": SECOND}, default=null_answer
    )
    parsed = parse_document(NUANCE_101)
    settings = Settings(sample_seconds=60)
    fill_record(parsed.record, parsed.text, fake, cache=cache, settings=settings)
    calls = len(fake.calls)
    again = fill_record(parsed.record, parsed.text, fake, cache=cache, settings=settings)
    assert len(fake.calls) == calls  # everything from the cache
    assert item_of(again, "1.01").event["agreement_type"]["features"]["sample"] == "disagree"
    assert sample_key("k") != "k"
    cache.close()


def test_a_failing_second_sample_costs_the_feature_not_the_item():
    """Over the real openai client and an httpx MockTransport: the second sample's request fails (500
    until the retries are spent); the item keeps its first answer and records no error. Other items get
    the fake server's minimal instance of their schema."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        text = json.dumps(body)
        asked.append("reversed" if "MaterialAgreementQuotedReversed" in text else "first")
        if "MaterialAgreementQuotedReversed" in text:
            return httpx.Response(500, json={"error": {"message": "down"}})
        if "MaterialAgreementQuoted" in text:
            return ok(FIRST)
        return httpx.Response(200, json=completion_for(body))

    settings = dict(base_url="http://llm.test/v1", model="test-model", api_key="sk-test", transport_retries=1)
    provider = OpenAIProvider(
        Settings(**settings),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=lambda _s: None,
    )
    out, event = _fill(provider, **settings, sample_seconds=60)
    assert asked.count("reversed") == 2  # one try and one retry, then the sample is given up
    assert event["agreement_type"]["value"] == "Material Definitive Agreement"
    assert event["agreement_type"]["features"]["sample"] is None
    assert not any(e.part == "item 1.01" for e in out.errors)


def test_the_time_budget_stops_second_samples():
    """1.01 read in small chunks, every chunk answered with the same uncertain values: a budget smaller
    than one call lets only the first chunk be sampled."""
    script = {"MaterialAgreementQuoted": FIRST, "MaterialAgreementQuotedReversed": SECOND}
    fake = FakeProvider(script, default=null_answer)
    _out, _event = _fill(fake, sample_seconds=1e-9, chunk_chars=500, chunk_overlap=0, lead_chunks=0)
    names = [s.__name__ for s, _m in fake.calls]
    assert names.count("MaterialAgreementQuoted") >= 2
    assert names.count("MaterialAgreementQuotedReversed") == 1
