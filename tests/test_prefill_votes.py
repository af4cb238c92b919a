"""Parser pre-fill of item events on real filings: 5.07 vote tables and 2.02 period_end, values from the
gold labels of evals/gold (read by hand from the filings)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from extractor.parse import parse_document
from extractor.prefill import parser_event, prefill_record
from extractor.prefill.periods import period_end
from extractor.prefill.vote_prose import prose_counts
from extractor.prefill.votes import column_of, read_votes

DATA = Path(__file__).parent / "data" / "votes"
GOLD = Path(__file__).parent.parent / "evals" / "gold"
COUNTS = ("votes_for", "votes_against", "abstentions", "broker_non_votes")

VOTES_WITH_COUNTS = [
    "edgarcrawler__1001039_8K_2012_0001193125-12-119888.htm",  # header row, then "name | n | n | n | n"
    "edgartools__Oracle.8-K.html",  # "Votes Withheld" table, then prose "x shares in favor, y shares against"
    "coverparser__0000320193-19-000032_copyofreference8-kform8xkq.htm",  # numbers in rows apart from the text
    "edgarcrawler__1002517_8K_2014_0001002517-14-000006.htm",  # "Nominee | For | ..." and "Proposal n:" blocks
    "edgarcrawler__100493_8K_2015_0000100493-15-000029.htm",  # key-value rows "Votes For | 931,126,456"
    "edgarcrawler__1048911_8K_2023_0001193125-23-240637.htm",  # bullets "• | 171,439,767 votes for (89.7% ...)"
]


def _read(name: str, number: str = "5.07") -> tuple[Any, str, Any]:
    p = parse_document(DATA / name)
    item = next(i for i in p.record.items if i.number == number)
    return item, p.text, p.record


def _gold(name: str, number: str) -> dict[str, Any]:
    return json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))["events"][number]


@pytest.mark.parametrize("name", VOTES_WITH_COUNTS)
def test_vote_tables_read_like_the_gold_labels(name: str) -> None:
    item, text, _ = _read(name)
    read = read_votes(item.text, item.span[0])
    gold = _gold(name, "5.07")
    assert read.complete
    assert read.meeting_date is not None and read.meeting_date.value.isoformat() == gold["meeting_date"]
    assert len(read.proposals) == len(gold["proposals"])
    for got, want in zip(read.proposals, gold["proposals"], strict=True):
        event = got.event()
        for name_ in COUNTS:
            assert event[name_]["value"] == want[name_], (event["description"]["value"], name_)
        if "outcome" in want:
            assert event["outcome"]["value"] == want["outcome"], event["description"]["value"]
        if got.election:
            assert event["description"]["value"] == want["description"]
        # every value is grounded: its quote is exactly the normalized text at its span
        for leaf in event.values():
            if leaf["value"] is not None:
                assert leaf["method"] == "parser"
                assert text[leaf["span"][0] : leaf["span"][1]] == leaf["quote"]


def test_disney_votes_first_and_last_rows() -> None:
    item, _text, _ = _read("edgarcrawler__1001039_8K_2012_0001193125-12-119888.htm")
    read = read_votes(item.text, item.span[0])
    first, last = read.proposals[0].event(), read.proposals[-1].event()
    assert first["description"]["value"] == "Susan E. Arnold"
    assert first["votes_for"]["value"] == 1_150_376_941 and first["votes_for"]["quote"] == "1,150,376,941"
    assert first["outcome"]["value"] == "approved"  # "each of the directors was elected"
    assert last["description"]["value"] == "Approval of the advisory vote on executive compensation"
    assert (last["votes_for"]["value"], last["votes_against"]["value"]) == (749_551_827, 567_474_810)


def test_heading_and_header_in_one_row_and_failed_proposals() -> None:
    """'1. | Election of Directors: | For | Against | ...' then '2. | Ratification ... | n | n | n' rows."""
    item, _, _ = _read("edgarcrawler__1001039_8K_2013_0001001039-13-000031.htm")
    read = read_votes(item.text, item.span[0])
    assert read.complete and len(read.proposals) == 15
    by_desc = {p.description.value: p for p in read.proposals}
    assert by_desc["Sheryl Sandberg"].counts["votes_for"].value == 1_340_815_834
    proxy = by_desc["Shareholder proposal relating to proxy access"]
    assert proxy.outcome is not None and proxy.outcome.value == "rejected"  # "the proposal failed"
    assert proxy.counts["votes_against"].value == 803_585_857
    ratify = by_desc["Ratification of PricewaterhouseCoopers LLP as registered public accountants"]
    assert "broker_non_votes" not in ratify.counts


def test_frequency_vote_counts_the_winning_option() -> None:
    item, _, _ = _read("edgarcrawler__1048911_8K_2023_0001193125-23-240637.htm")
    freq = read_votes(item.text, item.span[0]).proposals[14].event()
    assert freq["votes_for"]["value"] == 187_769_772  # "votes for every year", the most votes
    assert freq["votes_against"]["value"] is None
    assert freq["abstentions"]["value"] == 197_475
    assert "frequency vote" in freq["votes_for"]["reasons"][0]
    no_broker = read_votes(item.text, item.span[0]).proposals[15].event()
    assert no_broker["broker_non_votes"]["value"] == 0  # "There were no broker non-votes for this item."


def test_votes_only_in_the_press_release_are_left_to_the_model() -> None:
    """Astrotech lists the matters and outcomes but the counts are in Exhibit 99.1: nothing is guessed."""
    item, _, _ = _read("edgarcrawler__1001907_8K_2010_0000950123-10-022413.htm")
    read = read_votes(item.text, item.span[0])
    assert read.proposals == [] and not read.complete
    assert read.meeting_date is not None and read.meeting_date.value == dt.date(2010, 3, 5)
    pre = parser_event(item)
    assert pre is not None and pre.covered == frozenset({"meeting_date"})


def test_rows_that_do_not_line_up_are_skipped() -> None:
    text = (
        "Item 5.07 Submission of Matters to a Vote of Security Holders\n"
        "Proposal 1: Election of Directors\n"
        "Nominee | For | Withheld | Broker Non-Votes\n"
        "Jane Roe | 1,000,000 | 20,000 | 5,000\n"
        "John Doe | 990,000 | 30,000\n"  # a cell missing: which one? skipped, not guessed
        "Proposal 2: Ratification of auditors\n"
        "For | Against | Abstain\n"
        "1,200,000 | 3,000 | n.a. text\n"  # not a count
    )
    read = read_votes(text)
    assert [p.description.value for p in read.proposals] == ["Jane Roe"]
    assert read.proposals[0].counts["votes_against"].value == 20_000  # withheld counts as against
    assert not read.complete  # proposal 2 had numbers that were not read


def test_cells_and_prose() -> None:
    assert column_of("Votes Withheld") == "votes_against"
    assert column_of("Broker Non-Votes") == "broker_non_votes"
    assert column_of("Abstained") == "abstentions"
    assert column_of("1 Year") == "y1"
    assert column_of("Director Nominee") == "label"
    assert column_of("Ratification of KPMG") is None
    s = "with 2,512,534,467 shares in favor, 56,267,628 shares against and 3,974,372 shares abstaining."
    assert [(k, n) for k, n, _s, _e in prose_counts(s, 0, len(s))] == [
        ("votes_for", 2_512_534_467),
        ("votes_against", 56_267_628),
        ("abstentions", 3_974_372),
    ]
    # numbers that are not vote counts
    s = "increase the shares available for issuance from 60,050,000 to 65,800,000 shares"
    assert prose_counts(s, 0, len(s)) == []


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("edgartools__BuckleInc.8-K.html", "2.02"),  # "for the fiscal quarter ended November 2, 2024"
        ("edgarcrawler__1001426_8K_2006_0001275287-06-004486.txt", "2.02"),  # "fiscal fourth quarter ended"
        ("seed__000_bd0abfb8ce1b425c.txt", "2.02"),  # "for the quarter ended December 31, 2007"
    ],
)
def test_period_end_like_the_gold_labels(name: str, number: str) -> None:
    path = DATA / name if (DATA / name).exists() else DATA.parent / "parser" / name
    p = parse_document(path)
    item = next(i for i in p.record.items if i.number == number)
    f = period_end(item.text, item.span[0])
    assert f is not None and f.value.isoformat() == _gold(name, number)["period_end"]
    assert f.span is not None and p.text[f.span[0] : f.span[1]] == f.quote


def test_period_end_phrases() -> None:
    def read(t: str) -> dt.date | None:
        f = period_end(t)
        return None if f is None else f.value

    assert read("results for the fourth quarter and 12 months ended September 30, 2017.") == dt.date(
        2017, 9, 30
    )
    assert read("results for the three months and year ended December 31, 2015.") == dt.date(2015, 12, 31)
    assert read("results for the first quarter of fiscal 2024 ended August 31, 2023.") == dt.date(2023, 8, 31)
    assert read(
        "compared to the quarter ended June 30, 2016. Results for the quarter ended June 30, 2017"
    ) == (dt.date(2017, 6, 30))
    assert read("reaffirmed its outlook for the fiscal year ending December 31, 2017.") is None
    assert read("On August 4, 2004, Asta Funding, Inc. issued a press release.") is None


def test_prefill_record_sets_parser_events_only_where_read() -> None:
    record = parse_document(DATA / "edgartools__Oracle.8-K.html").record
    out = prefill_record(record)
    events = {i.number: i.event for i in out.items}
    assert events["5.07"] is not None and len(events["5.07"]["proposals"]) == 16
    assert events["5.07"]["meeting_date"]["value"] == "2024-11-14"
    assert all(e is None for n, e in events.items() if n != "5.07")
    assert all(i.event is None for i in record.items)  # the input is not changed
