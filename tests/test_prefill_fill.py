"""The fill stage with the parser pre-fill: parser-read values are given, never re-asked (fake provider)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from llm_helpers import hand_record, q

from extractor.fill import fill_record
from extractor.llm.fake import FakeProvider
from extractor.parse import parse_document
from extractor.store.calllog import CallLog

DATA = Path(__file__).parent / "data" / "votes"


def test_parser_read_202_item_makes_no_llm_call(tmp_path: Path) -> None:
    p = parse_document(DATA / "edgartools__BuckleInc.8-K.html")
    provider = FakeProvider()  # no script: any call would fail the test
    log = CallLog(tmp_path / "calls.sqlite")
    try:
        out = fill_record(p.record, p.text, provider, calllog=log)
        assert log.recent() == []  # nothing logged: no call was made
    finally:
        log.close()
    assert provider.calls == []
    item = next(i for i in out.items if i.number == "2.02")
    assert item.llm is None
    f = item.event["period_end"]
    assert (f["value"], f["method"], f["quote"]) == ("2024-11-02", "parser", "November 2, 2024")
    assert p.text[f["span"][0] : f["span"][1]] == f["quote"]
    assert out.status.value == "ok" and out.errors == []


def test_parser_read_507_item_makes_no_llm_call() -> None:
    p = parse_document(DATA / "edgarcrawler__1002517_8K_2014_0001002517-14-000006.htm")
    provider = FakeProvider()
    out = fill_record(p.record, p.text, provider)
    assert provider.calls == []
    event = next(i for i in out.items if i.number == "5.07").event
    assert event["meeting_date"]["value"] == "2014-02-03"
    ricci = event["proposals"][0]
    assert ricci["description"]["value"] == "Paul Ricci"
    assert [ricci[k]["value"] for k in ("votes_for", "votes_against", "abstentions", "broker_non_votes")] == [
        181_834_398,
        13_185_751,
        881_878,
        67_241_953,
    ]


def test_202_without_a_stated_period_is_asked_in_full() -> None:
    text = "Item 2.02 Results of Operations\nOn August 4, 2004, Acme issued a press release, Exhibit 99.1.\n"
    record = hand_record(text, "2.02")
    provider = FakeProvider({"ResultsOfOperations": {"period_end": q(None, None)}})
    out = fill_record(record, text, provider)
    assert len(provider.calls) == 1
    assert out.items[0].llm is not None and out.items[0].event["period_end"]["value"] is None


VOTES_NO_DATE = (
    "Item 5.07 Submission of Matters to a Vote of Security Holders\n"
    "The stockholders met on the date stated in the proxy, March 3, 2020.\n"
    "Proposal 1: Ratification of KPMG LLP as auditors\n"
    "For | Against | Abstain\n"
    "1,200,000 | 3,000 | 1,500\n"
    "The proposal was approved.\n"
)


def test_only_what_the_parser_left_is_asked_and_merged() -> None:
    """Vote table read, meeting date not in a fixed shape: the model is asked for meeting_date only."""
    record = hand_record(VOTES_NO_DATE, "5.07", date=dt.date(2020, 3, 5))
    seen: list[Any] = []

    def answer(schema: Any, messages: Any) -> dict[str, Any]:
        seen.append(sorted(schema.model_fields))
        return {"meeting_date": q("2020-03-03", "March 3, 2020")}

    out = fill_record(record, VOTES_NO_DATE, FakeProvider(default=answer))
    assert seen == [["meeting_date"]]  # proposals were not re-asked
    event = out.items[0].event
    assert event["meeting_date"]["value"] == "2020-03-03" and event["meeting_date"]["method"] == "llm"
    (prop,) = event["proposals"]
    assert prop["votes_for"]["value"] == 1_200_000 and prop["votes_for"]["method"] == "parser"
    assert prop["outcome"]["value"] == "approved"
    assert prop["description"]["value"] == "Ratification of KPMG LLP as auditors"
    assert out.items[0].llm is not None and out.items[0].llm.attempts == 1


PARTLY_READ = (
    "Item 5.07 Submission of Matters to a Vote of Security Holders\n"
    "The annual meeting of stockholders was held on May 1, 2020.\n"
    "Proposal 1: Ratification of KPMG LLP as auditors\n"
    "For | Against | Abstain\n"
    "1,200,000 | 3,000 | 1,500\n"
    "Proposal 2: Approval of the 2020 Plan\n"
    "For | Against | Abstain\n"
    "900,000 | 300,000\n"  # a cell short: the parser does not guess, so proposals are asked
)


def test_model_agreeing_with_the_parser_raises_confidence() -> None:
    record = hand_record(PARTLY_READ, "5.07")
    answer = {
        "proposals": [
            {
                "description": q(
                    "Ratification of KPMG LLP as auditors", "Ratification of KPMG LLP as auditors"
                ),
                "outcome": q(None, None),
                "votes_for": q(1_200_000, "1,200,000"),
                "votes_against": q(4_000, "3,000"),  # misread
                "abstentions": q(None, None),
                "broker_non_votes": q(None, None),
            },
            {
                "description": q("Approval of the 2020 Plan", "Approval of the 2020 Plan"),
                "outcome": q(None, None),
                "votes_for": q(900_000, "900,000"),
                "votes_against": q(300_000, "300,000"),
                "abstentions": q(None, None),
                "broker_non_votes": q(None, None),
            },
        ]
    }
    seen: list[Any] = []

    def reply(schema: Any, messages: Any) -> dict[str, Any]:
        seen.append(sorted(schema.model_fields))
        return answer

    out = fill_record(record, PARTLY_READ, FakeProvider(default=reply))
    assert seen == [["proposals"]]  # the meeting date the parser read is not asked
    event = out.items[0].event
    assert event["meeting_date"]["value"] == "2020-05-01" and event["meeting_date"]["method"] == "parser"
    kpmg, plan = event["proposals"]
    assert kpmg["votes_for"]["method"] == "parser" and kpmg["votes_for"]["confidence"] > 0.95
    assert "the model agrees" in kpmg["votes_for"]["reasons"]
    assert kpmg["votes_against"]["value"] == 3_000  # the parser's reading of the table is kept ...
    assert kpmg["votes_against"]["confidence"] < 0.5  # ... at a confidence the disagreement halves
    assert kpmg["abstentions"]["value"] == 1_500
    assert plan["votes_for"]["method"] == "llm" and plan["votes_for"]["value"] == 900_000
