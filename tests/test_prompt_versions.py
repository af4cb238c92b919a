"""Prompt versions and their few-shot examples (issue 12, item 4): examples are checked against their own
excerpt and schema when loaded, come from dev filings outside every gold set, and their excerpts are the
words of the named filing; from v2 on every call of a schema starts with the same messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from data_helpers import data_file
from pydantic import ValidationError

from extractor.config import Settings
from extractor.errors import ConfigError
from extractor.parse import parse_document
from extractor.prefill import ask_schema
from extractor.prompts import TEMPLATES, examples_of, prompt_id, render
from extractor.prompts.examples import check_example, load_examples, squash
from extractor.schemas import SCHEMAS, GenericEvent, OfficerChanges, UnregisteredSale

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts"
DATA = Path(__file__).parent / "data"
SOURCES = DATA / "fewshot"  # copies of the examples' corpus filings (or in another tests/data folder)
BY_NAME = {s.__name__: s for s in (*SCHEMAS.values(), GenericEvent)}
ITEM_SCHEMA = {item: BY_NAME[name] for name, item in TEMPLATES.items()}
EXAMPLE_FILES = sorted(PROMPTS.glob("*.examples.v*.json"))
ELISION = "\n[...]\n"


def source(name: str) -> Path:
    """The test copy of a corpus filing: tests/data/fewshot, else the one other tests already hold."""
    return data_file(name, SOURCES)


def _examples() -> list[tuple[Path, dict]]:
    return [(p, ex) for p in EXAMPLE_FILES for ex in json.loads(p.read_text(encoding="utf-8"))["examples"]]


def test_the_weak_schemas_have_examples_in_v2():
    for name in ("MaterialAgreement", "AgreementTermination", "FinancialObligation", "UnregisteredSale"):
        assert examples_of(name, "v2"), name
    # 5.02: a departure, an appointment and awards to named officers: shown only people leaving and
    # arriving, the model answered compensation items with no change at all
    kinds = {c["change"]["value"] for ex in examples_of("OfficerChanges", "v2") for c in ex.answer["changes"]}
    assert {"appointment", "departure", "compensation"} <= kinds
    assert examples_of("MaterialAgreement") == ()  # v1 is the prompt the cached baseline answers used


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_file_loads_against_its_schema(path):
    item = path.name.split(".examples.")[0]
    examples = load_examples(path, ITEM_SCHEMA[item])
    assert examples and all(ex.answer for ex in examples)


def test_every_excerpt_is_the_words_of_its_filing():
    texts: dict[str, str] = {}
    for path, ex in _examples():
        if ex["source"] not in texts:
            texts[ex["source"]] = squash(parse_document(source(ex["source"])).text)
        for passage in ex["text"].split(ELISION):
            assert squash(passage) in texts[ex["source"]], (path.name, ex["source"], passage[:80])


def test_no_example_comes_from_a_gold_filing():
    gold = {
        json.loads(f.read_text(encoding="utf-8"))["file"]
        for d in ("gold", "holdout", "gold-extra")
        for f in (ROOT / "evals" / d).glob("*.json")
    }
    assert len(gold) > 100
    sources = {ex["source"] for _p, ex in _examples()}
    assert sources and not sources & gold


def _officer_example() -> dict:
    return copy.deepcopy(
        json.loads((PROMPTS / "officers.examples.v2.json").read_text(encoding="utf-8"))["examples"][0]
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["person"].update(quote="Jane Q. Nobody will retire"), "not in the excerpt"),
        (lambda c: c["change"].update(value="hired"), "answer is not a OfficerChanges"),
        (lambda c: c["effective_date"].update(value="July 31st"), "answer is not a OfficerChanges"),
        (lambda c: c["position"].update(quote=None), "one is null"),
        (lambda c: c.pop("person"), "answer is not a OfficerChanges"),
    ],
)
def test_a_bad_example_is_refused_with_the_reason(change, message, tmp_path):
    ex = _officer_example()
    change(ex["answer"]["changes"][0])
    with pytest.raises(ValueError, match=message):
        check_example(ex, OfficerChanges)
    bad = tmp_path / "officers.examples.v2.json"
    bad.write_text(json.dumps({"examples": [_officer_example(), ex]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"officers\.examples\.v2\.json, example 2: "):
        load_examples(bad, OfficerChanges)


def test_a_long_excerpt_is_refused():
    ex = _officer_example()
    ex["text"] = ex["text"] + " " + "x" * 1200
    with pytest.raises(ValueError, match="excerpt has"):
        check_example(ex, OfficerChanges)


def _render(schema, record, item, version):
    date = record.cover.date_of_report.value
    return render(
        schema,
        company=record.cover.company_name.value,
        date_of_report=date.isoformat(),
        number=item.number,
        title=item.title,
        text=item.text,
        version=version,
    )


def _item(path: Path, number: str):
    record = parse_document(path).record
    return record, next(i for i in record.items if i.number == number)


def test_v2_calls_of_a_schema_share_every_message_but_the_filing():
    a = _item(source("edgarcrawler__1048911_8K_2023_0001193125-23-170172.htm"), "5.02")
    b = _item(source("edgarcrawler__1001907_8K_2010_0000950123-10-003398.htm"), "5.02")
    pa, pb = (_render(OfficerChanges, r, i, "v2") for r, i in (a, b))
    assert pa.messages[:-1] == pb.messages[:-1]  # system prompt + 3 example turns: a reusable prefix
    assert len(pa.messages) == 1 + 2 * 3 + 1
    assert "FedEx" in pa.messages[-1]["content"] and "FedEx" not in pb.messages[-1]["content"]
    # v1 names the registrant in the system prompt, so two filings' calls differ from its first lines on
    va, vb = (_render(OfficerChanges, r, i, "v1") for r, i in (a, b))
    assert len(va.messages) == 2 and va.messages[0] != vb.messages[0]
    assert pa.name == "officers.v2" and va.name == "officers.v1" and pa.hash != va.hash


def test_example_answers_are_cut_to_the_asked_fields():
    record, item = _item(source("edgarcrawler__1002517_8K_2008_0000950135-08-003855.htm"), "3.02")
    asked = ask_schema(UnregisteredSale, frozenset({"exemption"}))  # as when the parser read the exemption
    prompt = _render(asked, record, item, "v2")
    answers = [json.loads(m["content"]) for m in prompt.messages if m["role"] == "assistant"]
    assert answers and all(set(a) == {"securities", "amount", "consideration"} for a in answers)
    assert answers[0]["amount"] == {
        "quote": "approximately 5,017,132 shares of Nuance common stock",
        "value": "approximately 5,017,132 shares",
    }


def test_a_version_inherits_the_templates_it_does_not_change():
    v1 = render(SCHEMAS["5.07"], company="X", date_of_report="", number="5.07", title="t", text="t")
    v2 = render(
        SCHEMAS["5.07"], company="X", date_of_report="", number="5.07", title="t", text="t", version="v2"
    )
    assert v1.messages[1] == v2.messages[1]  # user.v1.j2 serves v2; system.v2.j2 replaces system.v1.j2
    assert "(X)" in v1.messages[0]["content"] and "(X)" not in v2.messages[0]["content"]
    assert prompt_id("ShareholderVote", "v3")[1] == prompt_id("ShareholderVote", "v2")[1]  # v3 = v2 here
    with pytest.raises(ValueError, match="not of the form"):
        prompt_id("ShareholderVote", "2")
    with pytest.raises(ValidationError):
        Settings(prompt_version="latest")
