"""fill_record / afill_record with the scripted fake: what is sent, what is stored, what is cached."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from llm_helpers import ORACLE_502, SOUTHERN_801, hand_record, item_of, parsed, q
from pydantic import SecretStr

from extractor.config import load_settings
from extractor.errors import ConfigError
from extractor.fill import afill_record, chunks, fill_record
from extractor.llm.fake import FakeProvider
from extractor.prompts import prompt_id
from extractor.record import FilingRecord
from extractor.store.cache import ResponseCache
from extractor.store.calllog import CallLog

ORACLE_ANSWER = {
    "changes": [
        {
            "person": q("Rona Fairhead", "unanimously elected Rona Fairhead to serve as a director"),
            "change": q("election", "unanimously elected Rona Fairhead"),
            "position": q("director", "to serve as a director"),
            "effective_date": q("2019-07-31", "effective as of July 31, 2019"),
        }
    ]
}


def test_only_the_item_text_and_a_header_are_sent():
    record, text = parsed(ORACLE_502)
    fake = FakeProvider([ORACLE_ANSWER])
    out = fill_record(record, text, fake)
    assert len(fake.calls) == 1  # 9.01 gets no call
    _schema, messages = fake.calls[0]
    user = messages[1]["content"]
    assert user.startswith("Company: Oracle Corporation\nDate of report: 2019-07-03\nItem 5.02:")
    assert item_of(record, "5.02").text in user
    assert "Press Release - Oracle Names Rona Fairhead" not in user  # the 9.01 text is not sent
    sent = sum(len(m["content"]) for m in messages)
    assert sent < len(text)
    item = item_of(out, "5.02")
    assert item.event["changes"][0]["person"]["value"] == "Rona Fairhead"
    assert item.llm.prompt_name == "officers.v1" and item.llm.prompt_hash == prompt_id("OfficerChanges")[1]
    nine = item_of(out, "9.01")
    assert nine.event is None and nine.llm is None
    assert out.status == "ok" and out.errors == []


def test_legacy_item_7_gets_no_call_and_item_5_gets_the_disclosure_schema():
    text = "Item 5. Other Events\nThe company declared a dividend of $0.10 per share.\nItem 7. Financial Statements and Exhibits\n99 Press release"
    record = hand_record(text, "5")
    seven_start = text.index("Item 7.")
    five = record.items[0].model_copy(update={"span": (0, seven_start), "text": text[:seven_start]})
    seven = five.model_copy(
        update={
            "number": "7",
            "span": (seven_start, len(text)),
            "text": text[seven_start:],
            "heading": "Item 7.",
        }
    )
    record = record.model_copy(update={"items": [five, seven]})
    fake = FakeProvider(
        [
            {
                "summary": q("A dividend of $0.10 per share was declared.", None),
                "category": q("dividend", "declared a dividend"),
            }
        ]
    )
    out = fill_record(record, text, fake)
    assert len(fake.calls) == 1 and fake.calls[0][0].__name__ == "DisclosureQuoted"
    assert out.items[0].event["category"]["value"] == "dividend"
    assert out.items[1].event is None


def test_long_items_are_chunked_with_overlap_and_merged():
    para = "Filler sentence about operations that says nothing in particular.\n"
    body = para * 150 + "On May 3, 2021, Jane Roe was appointed Chief Operating Officer.\n" + para * 150
    text = "Item 5.02 Officers\n" + body
    record = hand_record(text, "5.02", date=dt.date(2021, 5, 3))
    parts = chunks(record.items[0].text, 6000, 400, 4)
    assert len(parts) == 4
    for (o1, c1), (o2, _c2) in itertools.pairwise(parts):
        assert o2 < o1 + len(c1)  # overlap

    def answer(schema, messages):
        if "Jane Roe" in messages[1]["content"]:
            return {
                "changes": [
                    {
                        "person": q("Jane Roe", "Jane Roe was appointed"),
                        "change": q("appointment", "was appointed"),
                        "position": q("Chief Operating Officer", "Chief Operating Officer"),
                        "effective_date": q("2021-05-03", "On May 3, 2021"),
                    }
                ]
            }
        return {"changes": []}

    fake = FakeProvider(default=answer)
    out = fill_record(
        record, text, fake, settings=load_settings({"chunk_chars": 6000, "max_chunks": 4}, env={})
    )
    assert len(fake.calls) == 4
    assert "Part 1 of 4" in fake.calls[0][1][1]["content"]
    changes = out.items[0].event["changes"]
    assert [c["person"]["value"] for c in changes] == [
        "Jane Roe"
    ]  # seen in two overlapping chunks, kept once
    date = changes[0]["effective_date"]
    # the model's date agrees with the date of report (0.95), and the dates reader reads it too: 0.975
    assert date["confidence"] == 0.975 and "agrees with the parser (date of report)" in date["reasons"]
    assert "the model agrees" in date["reasons"]


@pytest.mark.parametrize(("lead_chunks", "calls"), [(1, 1), (2, 2), (0, 4)])
def test_long_items_of_headline_facts_read_the_lead(lead_chunks, calls):
    para = "Filler sentence about the agreement that says nothing in particular.\n"
    text = "Item 1.01 Entry into a Material Definitive Agreement\n" + para * 300
    record = hand_record(text, "1.01", date=dt.date(2021, 5, 3))
    nothing = {"quote": None, "value": None}
    answer = {"agreement_type": nothing, "counterparties": [], "agreement_date": nothing, "summary": nothing}
    fake = FakeProvider(default=lambda schema, messages: answer)
    settings = load_settings({"chunk_chars": 6000, "max_chunks": 4, "lead_chunks": lead_chunks}, env={})
    fill_record(record, text, fake, settings=settings)
    assert len(fake.calls) == calls
    assert ("Part 1 of" in fake.calls[0][1][1]["content"]) == (calls > 1)


def test_cache_serves_identical_requests_and_calllog_records(tmp_path):
    record, text = parsed(ORACLE_502)
    cache, log = ResponseCache(tmp_path / "c.sqlite"), CallLog(tmp_path / "l.sqlite")
    first = fill_record(record, text, FakeProvider([ORACLE_ANSWER]), cache=cache, calllog=log)
    again = fill_record(record, text, FakeProvider([]), cache=cache, calllog=log)  # would fail if it called
    assert first.items[0].llm.cache_hit is False and again.items[0].llm.cache_hit is True
    assert again.items[0].event == first.items[0].event
    rows = log.recent()
    assert [r["outcome"] for r in rows] == ["ok", "cached"]
    assert rows[0]["prompt_name"] == "officers.v1" and rows[0]["item"] == "5.02"
    assert log.summary()["calls"] == 2


async def test_afill_fills_items_concurrently_and_records_partial():
    record, text = parsed(SOUTHERN_801)
    oracle, otext = parsed(ORACLE_502)
    good = {
        "summary": q("The Georgia PSC approved the 2013 ARP.", None),
        "category": q("product_regulatory", "approved the 2013 ARP"),
    }
    out = await afill_record(record, text, FakeProvider([good]))
    assert out.items[0].event["category"]["value"] == "product_regulatory"
    bad = await afill_record(oracle, otext, FakeProvider([RuntimeError("boom")]))
    assert bad.status == "partial" and bad.errors[0].part == "item 5.02" and "boom" in bad.errors[0].message


def test_error_records_are_passed_through():
    record = FilingRecord.model_validate(
        {
            "source": {"path": "x", "sha256": "0", "size_bytes": 0},
            "status": "error",
            "errors": [{"part": "input", "message": "empty"}],
        }
    )
    assert fill_record(record, "", FakeProvider([])).status == "error"


def test_dry_run_answers_null_for_everything():
    record, text = parsed(SOUTHERN_801)
    out = fill_record(record, text, FakeProvider.dry_run())
    event = out.items[0].event
    assert event["category"]["method"] == "parser"  # only what the readers read stands
    # the model gave no summary: the item's lead sentence, from the parser, below the review threshold
    summary = event["summary"]
    assert summary["method"] == "parser" and summary["confidence"] < 0.7
    assert summary["value"] == summary["quote"] and summary["value"].startswith("On December 17, 2013")
    assert out.items[0].llm.model == "dry-run"


def test_settings_precedence_and_secret_masking(tmp_path):
    toml = tmp_path / "extractor.toml"
    toml.write_text('[llm]\nmodel = "from-toml"\nmax_reasks = 3\napi_key = "sk-toml"\n')
    env = {"EXTRACTOR_MODEL": "from-env", "OPENAI_BASE_URL": "http://h/v1", "EXTRACTOR_CONFIG": str(toml)}
    s = load_settings({"model": None, "max_tokens": 500}, env=env)
    assert s.model == "from-env" and s.max_reasks == 3 and s.max_tokens == 500 and s.base_url == "http://h/v1"
    assert (
        isinstance(s.api_key, SecretStr)
        and "sk-toml" not in repr(s)
        and s.public()["api_key"] == "**********"
    )
    assert not s.embedded
    assert load_settings({}, env={}).embedded
    with pytest.raises(ConfigError) as err:
        load_settings({"max_tokens": 1, "api_key": "sk-leak"}, env={})
    assert "sk-leak" not in str(err.value) and "max_tokens" in str(err.value)


def test_item_incorporating_another_by_reference_is_shown_and_grounded_in_it():
    """Nuance 2016: Item 2.03 says only "The information contained in Item 1.01 hereof is incorporated by
    reference"; the model sees 1.01's text after 2.03's, and a lender quoted from it is grounded in 1.01
    (gold, read by hand: Barclays Bank plc is one of the lenders)."""
    import json
    from pathlib import Path

    from extractor.fill import referenced_items
    from extractor.parse import parse_document

    name = "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm"
    p = parse_document(Path(__file__).parent / "data" / "parser" / name)
    record, text = p.record, p.text
    i203, i101 = item_of(record, "2.03"), item_of(record, "1.01")
    assert referenced_items(record, i203) == [i101]
    assert referenced_items(record, i101) == []  # 1.01 has text of its own
    gold = json.loads((Path(__file__).parent.parent / "evals" / "gold" / f"{name}.json").read_text())
    lender = gold["events"]["2.03"]["counterparties"][0]
    nothing = {"quote": None, "value": None}
    answer = {"instrument": nothing, "principal_amount": nothing, "maturity_date": nothing,
              "counterparties": [q(lender, f"revolving credit agreement with {lender}")]}  # fmt: skip

    def fake_answer(schema, messages):
        return answer if schema.__name__ == "FinancialObligationQuoted" else None

    fake = FakeProvider(default=fake_answer)
    out = fill_record(record, text, fake)
    sent = next(m for s, m in fake.calls if s.__name__ == "FinancialObligationQuoted")[1]["content"]
    assert "Incorporated by reference" in sent and i101.text[:200] in sent
    # the parties reader reads the whole lenders clause of 1.01; the model's lender agrees with its first
    parties = item_of(out, "2.03").event["counterparties"]
    assert [cp["value"] for cp in parties] == gold["events"]["2.03"]["counterparties"]
    cp = parties[0]
    s, e = cp["span"]
    assert i101.span[0] <= s < e <= i101.span[1]
    assert text[s:e] == lender == cp["quote"]
    assert f"the model quoted 'revolving credit agreement with {lender}'" in cp["reasons"]
    assert "read from the item it incorporates by reference" in cp["reasons"]


def test_registrant_and_roles_are_not_counterparties():
    """Nuance 2016 Item 1.02 (gold, read by hand: Morgan Stanley Senior Funding, Inc. is the counterparty):
    a model that also lists the registrant and a role keeps only the counterparty."""
    import json
    from pathlib import Path

    from extractor.parse import parse_document

    name = "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm"
    p = parse_document(Path(__file__).parent / "data" / "parser" / name)
    record, text = p.record, p.text
    gold = json.loads((Path(__file__).parent.parent / "evals" / "gold" / f"{name}.json").read_text())
    (other,) = gold["events"]["1.02"]["counterparties"]
    assert record.cover.company_name.value.lower().startswith("nuance")
    nothing = {"quote": None, "value": None}
    answer = {"agreement_type": nothing, "termination_date": nothing, "summary": nothing, "counterparties": [
        q("NUANCE COMMUNICATIONS, INC.", "the Company"), q("lenders", "lenders"), q(other, other)]}  # fmt: skip

    def fake_answer(schema, messages):
        return answer if schema.__name__ == "AgreementTerminationQuoted" else None

    out = fill_record(record, text, FakeProvider(default=fake_answer))
    assert [c["value"] for c in item_of(out, "1.02").event["counterparties"]] == [other]
