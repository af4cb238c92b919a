"""Issue 12, item 1: an answer that repeats the item's SEC title is re-asked once through instructor's
validation re-ask (the real ``openai`` client over an httpx MockTransport), and a second bad answer ends
as null with the reason. Filing: Nuance 2016 (Items 1.01, 1.02, 2.03; gold label read by hand: a
"revolving credit agreement" dated April 15, 2016)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from llm_helpers import item_of, ok, parsed, q

from extractor.config import Settings
from extractor.fill import fill_record
from extractor.fill.answers import checked_schema, problems
from extractor.llm.openai_provider import OpenAIProvider, prepared
from extractor.quoted import quoted_schema
from extractor.schemas import MaterialAgreement
from extractor.store.cache import ResponseCache

NUANCE = "parser/edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm"
GOLD = Path(__file__).parent.parent / "evals" / "gold" / (Path(NUANCE).name + ".json")
TITLE = "Entry into a Material Definitive Agreement"
NOTHING = {"quote": None, "value": None}


def _answer_101(agreement_type: dict, summary: dict) -> dict:
    return {
        "agreement_type": agreement_type,
        "counterparties": [],
        "agreement_date": NOTHING,
        "summary": summary,
    }


class Model:
    """An OpenAI-compatible server: 1.01 requests get the scripted answers in turn, others nothing."""

    def __init__(self, answers_101: list[dict]) -> None:
        self.answers_101 = list(answers_101)
        self.requests_101: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "MaterialAgreementQuoted" not in json.dumps(body.get("response_format")):
            schema = body["response_format"]["json_schema"]["schema"]
            return ok({name: ([] if name == "counterparties" else NOTHING) for name in schema["properties"]})
        self.requests_101.append(body)
        return ok(self.answers_101.pop(0))


def _fill(model: Model, tmp_path: Path, **settings):
    record, text = parsed(NUANCE)
    s = Settings(base_url="http://llm.test/v1", model="test-model", cache_dir=tmp_path, **settings)
    provider = OpenAIProvider(s, http_client=httpx.Client(transport=httpx.MockTransport(model)))
    cache = ResponseCache(s.cache_db())
    try:
        out = fill_record(record, text, provider, settings=s, cache=cache)
    finally:
        cache.close()
    return item_of(out, "1.01"), text


def test_the_title_is_reasked_with_the_reason_and_a_good_second_answer_stands(tmp_path):
    gold = json.loads(GOLD.read_text())["events"]["1.01"]
    good = q("revolving credit agreement", "revolving credit agreement")
    model = Model([_answer_101(q(TITLE, TITLE), q(gold["summary"], None)),
                   _answer_101(good, q(gold["summary"], None))])  # fmt: skip
    item, text = _fill(model, tmp_path, answer_reask=True)
    assert len(model.requests_101) == 2 and item.llm is not None and item.llm.attempts == 2
    reask = json.dumps(model.requests_101[1]["messages"])
    assert TITLE in reask and "repeats the SEC title of Item 1.01" in reask
    field = item.event["agreement_type"]
    # the reader reads the same kind from the defined term: the value is the gold's
    assert field["value"] == gold["agreement_type"] == "revolving credit agreement"
    assert "the model agrees" in field["reasons"] and "1 re-ask(s)" in field["reasons"]
    s, e = field["span"]
    assert text[s:e] == field["quote"]
    # answered from the cache the second time: no request
    again = Model([])
    item2, _ = _fill(again, tmp_path, answer_reask=True)
    assert again.requests_101 == [] and item2.event == item.event


def test_the_reask_changes_only_the_values_it_questioned(tmp_path):
    """The second answer rewrites a summary nobody questioned: the first answer's summary stands."""
    gold = json.loads(GOLD.read_text())["events"]["1.01"]
    good = q("revolving credit agreement", "revolving credit agreement")
    other = q(TITLE, None)  # a worse summary the re-ask did not ask for
    model = Model([_answer_101(q(TITLE, TITLE), q(gold["summary"], None)), _answer_101(good, other)])
    item, _ = _fill(model, tmp_path, answer_reask=True)
    assert len(model.requests_101) == 2
    assert item.event["agreement_type"]["value"] == gold["agreement_type"]
    assert item.event["summary"]["value"] == gold["summary"]


def test_two_bad_answers_end_as_null_with_the_reason(tmp_path):
    bad = _answer_101(q(TITLE, TITLE), q(TITLE, TITLE))
    model = Model([bad, bad])
    item, _ = _fill(model, tmp_path, answer_reask=True)
    assert len(model.requests_101) == 2  # re-asked once, never a third time
    summary = item.event["summary"]  # no reader reads a summary: null, with why
    # the model's title is rejected: the summary is the item's lead sentence, from the parser, for review
    assert summary["method"] == "parser" and summary["confidence"] < 0.7
    assert summary["value"].startswith("On April 15, 2016, Nuance Communications, Inc.")
    assert any("is not an answer: repeats the SEC title of Item 1.01" in r for r in summary["reasons"])
    assert item.llm is not None and item.llm.outcome == "ok"  # not a failed item


def test_without_the_setting_nothing_is_reasked(tmp_path):
    model = Model([_answer_101(q(TITLE, TITLE), q(TITLE, TITLE))])
    item, _ = _fill(model, tmp_path)
    assert len(model.requests_101) == 1
    summary = item.event["summary"]  # the merge still rejects it: the lead sentence stands
    assert summary["method"] == "parser" and TITLE not in summary["value"]
    assert any("is not an answer" in r for r in summary["reasons"])


def test_a_cached_answer_that_passes_the_checks_is_reused(tmp_path):
    gold = json.loads(GOLD.read_text())["events"]["1.01"]
    fine = _answer_101(q("Credit Agreement", "Credit Agreement"), q(gold["summary"], None))
    _fill(Model([fine]), tmp_path)  # cached without the checks
    again = Model([])
    _fill(again, tmp_path, answer_reask=True)
    assert again.requests_101 == []
    assert problems(fine, "1.01") == []
    assert problems(_answer_101(q(TITLE, TITLE), NOTHING), "1.01") == [
        "agreement_type = 'Entry into a Material Definitive Agreement': repeats the SEC title of Item 1.01 "
        "('Entry into a Material Definitive Agreement'), not a value"
    ]


def test_the_checked_schema_sends_the_same_json_schema():
    plain = quoted_schema(MaterialAgreement)
    checked = checked_schema(plain, "1.01")
    assert checked is checked_schema(plain, "1.01")
    assert prepared(checked).model_json_schema() == prepared(plain).model_json_schema()
