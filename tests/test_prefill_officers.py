"""Item 5.02 compensation tables read by the parser (extractor.prefill.officers) on real filings.

Expected values: NVIDIA's from the hand labels of evals/gold; the Nuance and Tyson ones read by hand from
the filings in tests/data/officers (the table rows are quoted in the comments)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractor.parse import parse_document
from extractor.prefill import combine, parser_event
from extractor.prefill.names import person_key
from extractor.prefill.officers import compensation_changes

DATA = Path(__file__).parent / "data" / "officers"
VOTES = Path(__file__).parent / "data" / "votes"
GOLD = Path(__file__).parent.parent / "evals" / "gold"
NVIDIA = "edgartools__0001045810-26-000024.txt"


def _item(path: Path, number: str):
    p = parse_document(path)
    return next(i for i in p.record.items if i.number == number), p.text


def test_named_officer_table_matches_the_gold_labels():
    item, text = _item(DATA / NVIDIA, "5.02")
    gold = json.loads((GOLD / f"{NVIDIA}.json").read_text(encoding="utf-8"))["events"]["5.02"]["changes"]
    got = compensation_changes(item.text, item.span[0])
    assert [c["person"]["value"] for c in got] == [g["person"] for g in gold]
    for c, g in zip(got, gold, strict=True):
        assert c["change"]["value"] == g["change"] == "compensation"
        assert c["position"]["value"] == g["position"]
        assert c["effective_date"]["value"] == g["effective_date"]
        for leaf in c.values():  # every value quotes the filing at its span
            s, e = leaf["span"]
            assert text[s:e] == leaf["quote"]
            assert leaf["method"] == "parser"


def test_table_without_titles_and_date_of_the_approval():
    # "On November 24, 2014, the Compensation Committee ... approved the payment of the following bonuses"
    # Paul A. Ricci | $1,200,000 | 50% | ... ; Thomas L. Beaudoin | $ 425,000 ... ; A. Bruce Bowden | $ 281,250
    item, _text = _item(DATA / "edgarcrawler__1002517_8K_2014_0001002517-14-000051.htm", "5.02")
    got = compensation_changes(item.text, item.span[0])
    assert [c["person"]["value"] for c in got] == ["Paul A. Ricci", "Thomas L. Beaudoin", "A. Bruce Bowden"]
    assert {c["effective_date"]["value"] for c in got} == {dt.date(2014, 11, 24).isoformat()}
    assert all(c["position"]["value"] is None for c in got)


def test_title_in_its_own_cell():
    # "Dan Tempesta | Executive Vice President, Chief Financial Officer | ..." (four executives)
    item, _text = _item(DATA / "edgarcrawler__1002517_8K_2021_0001193125-21-207731.htm", "5.02")
    got = compensation_changes(item.text, item.span[0])
    assert [(c["person"]["value"], c["position"]["value"]) for c in got][:2] == [
        ("Dan Tempesta", "Executive Vice President, Chief Financial Officer"),
        ("Robert Dahdah", "Executive Vice President, Chief Revenue Officer"),
    ]
    assert len(got) == 4


@pytest.mark.parametrize(
    ("path", "number"),
    [
        (
            DATA.parent / "eval" / "corpus" / "edgarcrawler__100493_8K_2017_0000100493-17-000003.htm",
            "5.02",
        ),  # prose only
        (VOTES / "edgarcrawler__1001039_8K_2012_0001193125-12-119888.htm", "5.07"),  # nominees and counts
        (VOTES / "edgartools__Oracle.8-K.html", "5.07"),  # "Votes Withheld" table of nominees
    ],
)
def test_no_rows_from_prose_or_vote_tables(path, number):
    item, _text = _item(path, number)
    assert compensation_changes(item.text, item.span[0]) == []


def test_combine_keeps_the_models_entries_and_adds_the_rows_it_missed():
    item, _text = _item(DATA / NVIDIA, "5.02")
    pre = parser_event(item)
    assert pre is not None and pre.covered == frozenset()  # the model is still asked about the prose
    leaf = lambda v: {"value": v, "confidence": 0.7, "method": "llm"}  # noqa: E731
    llm = {"changes": [
        {"person": leaf("Colette Kress"), "change": leaf("compensation"), "position": leaf(None),
         "effective_date": leaf(None)},
        {"person": leaf("Jane Roe"), "change": leaf("appointment"), "position": leaf("Director"),
         "effective_date": leaf(None)},
    ]}  # fmt: skip
    out = combine(pre, llm)["changes"]
    assert [c["person"]["value"] for c in out] == [
        "Colette Kress", "Jane Roe", "Jen-Hsun Huang", "Ajay K. Puri", "Debora Shoquist", "Timothy S. Teter",
    ]  # fmt: skip
    kress = out[0]
    assert kress["person"]["method"] == "llm"  # the model's entry stands ...
    assert (
        kress["position"]["value"] == "Executive Vice President and Chief Financial Officer"
    )  # ... filled in
    assert person_key(kress["person"]) == person_key({"value": "Ms. Colette M. Kress"}) == "kress"


@pytest.mark.parametrize(
    ("said", "how"),
    [
        ("Ms. Fairhead", "the full name from the item text"),
        ("Fairhead", "the full name from the item text"),
        (
            "the Board unanimously elected Rona Fairhead to serve as a director",
            "the name taken from a longer value",
        ),
    ],
)
def test_person_values_that_are_not_bare_names_are_resolved_from_the_filing(said, how):
    """Oracle 2019 5.02 ("the Board ... unanimously elected Rona Fairhead to serve as a director"): a small
    model's sentence or surname becomes the person's full name, located in the filing."""
    from llm_helpers import ORACLE_502, item_of, parsed, q

    from extractor.fill import fill_record
    from extractor.llm.fake import FakeProvider

    record, text = parsed(ORACLE_502)
    answer = {"changes": [{"person": q(said, said), "change": q("election", "unanimously elected"),
                           "position": q(None, None), "effective_date": q(None, None)}]}  # fmt: skip
    out = fill_record(record, text, FakeProvider(default=lambda schema, messages: answer))
    (change,) = item_of(out, "5.02").event["changes"]
    person = change["person"]
    assert person["value"] == "Rona Fairhead"
    s, e = person["span"]
    assert text[s:e] == "Rona Fairhead" and person["quote"] == "Rona Fairhead"
    assert any(r.startswith(how) for r in person["reasons"])


def test_unresolvable_person_values_are_still_dropped():
    from llm_helpers import ORACLE_502, item_of, parsed, q

    from extractor.fill import fill_record
    from extractor.llm.fake import FakeProvider

    record, text = parsed(ORACLE_502)
    answer = {"changes": [{"person": q("Mr. Smith", "Mr. Smith"), "change": q("election", "elected"),
                           "position": q(None, None), "effective_date": q(None, None)}]}  # fmt: skip
    out = fill_record(record, text, FakeProvider(default=lambda schema, messages: answer))
    changes = item_of(out, "5.02").event["changes"]
    # the model's "Mr. Smith" names no one in the filing: gone; what is left is the readers' own reading
    assert all("Smith" not in c["person"]["value"] for c in changes)
    assert all(c["person"]["method"] == "parser" for c in changes)


def test_a_heading_is_not_taken_for_a_name():
    from extractor.prefill.names import resolve_person

    text = "Employment Arrangements with Certain Executive Officers\nDisney amended the employment agreement with Robert A. Iger."
    node = {
        "value": "Employment Arrangements with Certain Executive Officers",
        "confidence": 0.6,
        "reasons": [],
    }
    assert resolve_person(node, text, 0) is None
    node = {"value": "the employment agreement with Robert A. Iger", "confidence": 0.6, "reasons": []}
    assert resolve_person(node, text, 0)["value"] == "Robert A. Iger"
