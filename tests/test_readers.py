"""Deterministic readers, answer checks and the merge (extractor.readers) on real filings.

Expected values come from the hand labels of evals/gold where the filing is labeled; the FedEx 2023
retirement and the Nuance 2021 credit agreement (not in the gold set) were read by hand from the files
in tests/data/readers (the sentences are quoted in the comments); the other filings are shared with the
parser tests (tests/data/parser)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.eval.compare import compare_event
from extractor.parse import parse_document
from extractor.readers import answer_problem, merge, read_item, recognize, type_problem
from extractor.readers.auditors import firm_names
from extractor.readers.values import Readings
from extractor.readers.vocabulary import kinds
from extractor.record import FilingRecord

DATA = Path(__file__).parent / "data" / "readers"
PARSER = Path(__file__).parent / "data" / "parser"  # filings the parser tests already hold
GOLD = Path(__file__).parent.parent / "evals" / "gold"
BIOGEN = "rania__875045-000119312523198542_d454539d8k.htm"
NUANCE_2016 = "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm"
NUANCE_2007 = "edgarcrawler__1002517_8K_2007_0000950135-07-006316.htm"
ASTROTECH = "edgarcrawler__1001907_8K_2010_0000950123-10-107880.htm"
FEDEX_BOARD = "edgarcrawler__1048911_8K_2023_0001193125-23-199169.htm"


def _gold(name: str) -> dict[str, Any]:
    return json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))["events"]


def _read(name: str, number: str) -> tuple[Readings, FilingRecord, str]:
    parsed = parse_document(DATA / name if (DATA / name).exists() else PARSER / name)
    rec = parsed.record
    items = {i.number: i for i in rec.items}
    item = items[number]
    segments = [(item.text, item.span[0])]
    if number == "2.03" and "1.01" in items:  # "incorporated by reference into this Item 2.03"
        segments.append((items["1.01"].text, items["1.01"].span[0]))
    registrants = [rec.cover.company_name.value or ""]
    return read_item(number, segments, registrants), rec, parsed.text


def _spans_are_quotes(readings: Readings, text: str) -> None:
    values = [*readings.values.values(), *(v for vs in readings.lists.values() for v in vs)]
    values += [v for c in readings.changes for v in c.fields().values()]
    assert values
    for v in values:
        assert text[v.span[0] : v.span[1]] == v.quote


@pytest.mark.parametrize("name", [BIOGEN, NUANCE_2007, NUANCE_2016])
def test_agreement_kind_and_parties_match_the_gold_labels(name):
    gold = _gold(name)["1.01"]
    readings, _rec, text = _read(name, "1.01")
    _spans_are_quotes(readings, text)
    obs = {o.key: o for o in compare_event("1.01", gold, merge({}, readings))}
    assert obs["event.1.01.agreement_type"].correct, obs["event.1.01.agreement_type"].reason
    assert obs["event.1.01.counterparties"].correct, obs["event.1.01.counterparties"].reason


def test_merger_subsidiaries_and_the_registrant_are_not_counterparties():
    # "by and among Nuance, Vineyard Acquisition Corporation, a Delaware corporation and a wholly owned
    # subsidiary of Nuance ("Sub I"), Vineyard Acquisition LLC, ..., Vocada, Inc., ..."
    readings, _rec, _text = _read(NUANCE_2007, "1.01")
    names = [v.value for v in readings.lists["counterparties"]]
    assert names == ["Vocada, Inc.", "U.S. Bank National Association", "John Purtell"]
    assert readings.values["agreement_type"].quote == "Agreement and Plan of Merger"
    assert readings.values["agreement_date"].value == "2007-10-16"  # "dated as of October 16, 2007"


def test_instrument_is_read_through_the_item_incorporated_by_reference():
    gold = _gold(NUANCE_2016)["2.03"]
    readings, _rec, text = _read(NUANCE_2016, "2.03")
    _spans_are_quotes(readings, text)
    assert (
        readings.values["instrument"].value == gold["instrument"]
    )  # "a $242.5 million revolving credit facility"
    assert [v.value for v in readings.lists["counterparties"]] == gold["counterparties"]


def test_termination_reader_takes_the_ended_agreement_and_its_agent():
    gold = _gold(NUANCE_2016)["1.02"]
    readings, _rec, _text = _read(NUANCE_2016, "1.02")
    assert [v.value for v in readings.lists["counterparties"]] == gold["counterparties"]
    assert readings.values["agreement_type"].kind == "credit agreement"


def test_audit_firms_from_the_list_and_from_the_generic_pattern():
    gold = _gold(ASTROTECH)["4.01"]
    assert not any("helin" in n.lower() for n in firm_names())  # found by the LLP pattern, not listed
    readings, _rec, text = _read(ASTROTECH, "4.01")
    _spans_are_quotes(readings, text)
    got = {k: v.value for k, v in readings.values.items()}
    assert got == gold
    assert readings.values["new_auditor"].confidence > readings.values["former_auditor"].confidence


def test_officer_departures_from_the_sentence_that_names_the_person():
    gold = _gold(FEDEX_BOARD)["5.02"]["changes"]
    readings, _rec, text = _read(FEDEX_BOARD, "5.02")
    _spans_are_quotes(readings, text)
    got = [(c.person.value, c.change.value if c.change else None) for c in readings.changes]
    assert got == [(g["person"], g["change"]) for g in gold]
    assert [c.effective_date.value for c in readings.changes if c.effective_date] == [
        g["effective_date"] for g in gold
    ]


def test_retirement_with_position_and_effective_date():
    # "Michael C. Lenz will retire from his position as Executive Vice President and Chief Financial
    # Officer of FedEx Corporation ("FedEx" or "the Company"), effective July 31, 2023."
    readings, _rec, _text = _read("edgarcrawler__1048911_8K_2023_0001193125-23-170172.htm", "5.02")
    first = readings.changes[0]
    assert first.person.value == "Michael C. Lenz"
    assert first.change is not None and first.change.value == "departure"
    assert first.position is not None
    assert first.position.value == "Executive Vice President and Chief Financial Officer"
    assert first.effective_date is not None and first.effective_date.value == "2023-07-31"


def test_parties_after_among_with_roles_dropped():
    # "entered into a Revolving Credit Agreement (the "Revolving Credit Agreement") among the lenders party
    # thereto, Barclays Bank PLC, as Administrative Agent, and the other parties named therein."
    readings, _rec, _text = _read("edgarcrawler__1002517_8K_2021_0001193125-21-031704.htm", "1.01")
    assert [v.value for v in readings.lists["counterparties"]] == ["Barclays Bank PLC"]
    assert readings.values["agreement_type"].value == "revolving credit agreement"
    assert readings.values["agreement_date"].value == "2021-02-04"


# ---------------------------------------------------------------------------------------- answer checks


@pytest.mark.parametrize(
    ("value", "item", "field"),
    [
        ("Material Definitive Agreement", "1.01", "agreement_type"),
        ("material definitive agreement", "1.02", "summary"),
        ("direct financial obligation", "2.03", "instrument"),
        ("the kind of instrument, the principal or maximum amount as printed", "2.03", "principal_amount"),
        (
            "Nuance Communications, Inc. entered into a definitive agreement and plan of merger",
            "1.01",
            "agreement_type",
        ),
        ("Company effective immediately", "4.01", "former_auditor"),
        ("incorporated herein by reference", "2.03", "instrument"),
    ],
)
def test_values_that_are_not_answers(value, item, field):
    assert answer_problem(value, item=item, field=field) is not None


@pytest.mark.parametrize(
    ("value", "item", "field"),
    [
        ("merger agreement", "1.01", "agreement_type"),
        ("Agreement and Plan of Merger", "1.01", "agreement_type"),
        ("Deloitte & Touche LLP", "4.01", "former_auditor"),
        ("Executive Vice President and Chief Financial Officer", "5.02", "position"),
        ("Section 4(2)", "3.02", "exemption"),
        (None, "1.01", "agreement_type"),
    ],
)
def test_answers_pass(value, item, field):
    assert type_problem(value, item=item, field=field) is None


def test_kind_outside_the_vocabulary_is_flagged_and_the_vocabulary_normalizes():
    assert type_problem(
        "Master Repurchase Agreement and related Confirmation", item="1.01", field="agreement_type"
    )
    assert recognize("Fourth Amended and Restated Credit Agreement") is not None
    value, kind = recognize("Agreement and Plan of Merger")  # type: ignore[misc]
    assert (value, kind.name) == ("merger agreement", "merger agreement")
    assert {k.family for k in kinds()} == {"agreement", "instrument"}


# ------------------------------------------------------------------------------------------------ merge


def _leaf(value: Any, confidence: float) -> dict[str, Any]:
    return {
        "value": value,
        "confidence": confidence,
        "method": "llm",
        "span": None,
        "quote": None,
        "reasons": [],
    }


def test_merge_replaces_a_title_answer_and_keeps_the_reason():
    readings, _rec, _text = _read(BIOGEN, "1.01")
    model = {
        "agreement_type": _leaf("Material Definitive Agreement", 0.6),
        "summary": _leaf("Biogen agreed to acquire Reata in a merger.", 0.4),
    }
    out = merge(model, readings)
    assert out["agreement_type"]["value"] == "merger agreement"
    assert out["agreement_type"]["method"] == "parser"
    assert any("not an answer" in r for r in out["agreement_type"]["reasons"])
    assert out["summary"] == model["summary"]  # untouched field stays the model's
    assert model["agreement_type"]["value"] == "Material Definitive Agreement"  # input not changed


def test_merge_nulls_a_non_answer_without_a_reader_value():
    out = merge({"instrument": _leaf("direct financial obligation", 0.5)}, Readings(item="2.03"))
    assert out["instrument"]["value"] is None
    assert "SEC title" in out["instrument"]["reasons"][-1]


def test_merge_agreement_raises_confidence_and_whole_clause_drops_model_extras():
    readings, _rec, _text = _read(BIOGEN, "1.01")
    model = {
        "agreement_type": _leaf("merger agreement", 0.6),
        "counterparties": [_leaf("Merger Sub", 0.7), _leaf("Reata Pharmaceuticals, Inc.", 0.7)],
    }
    out = merge(model, readings)
    assert out["agreement_type"]["confidence"] > 0.6
    assert [x["value"] for x in out["counterparties"]] == ["Reata Pharmaceuticals, Inc."]
    assert out["counterparties"][0]["confidence"] > 0.7


def test_merge_by_person_fixes_the_change_kind_and_adds_the_missed_person():
    gold = _gold(FEDEX_BOARD)["5.02"]["changes"]
    readings, _rec, _text = _read(FEDEX_BOARD, "5.02")
    model = {"changes": [{"person": _leaf(gold[0]["person"], 0.6), "change": _leaf("appointment", 0.5)}]}
    out = merge(model, readings)
    assert [c["person"]["value"] for c in out["changes"]] == [g["person"] for g in gold]
    assert out["changes"][0]["change"]["value"] == "departure"


def test_a_one_word_summary_is_a_label_not_a_summary_and_the_lead_sentence_stands():
    # a small model answers a 7.01 / 8.01 summary with its category ("dividend", "other")
    readings, _rec, _text = _read(BIOGEN, "1.01")
    out = merge({"summary": _leaf("other", 0.5)}, readings)
    assert out["summary"]["value"].startswith("On July 28, 2023, Biogen Inc.")
    assert "not a summary" in " ".join(out["summary"]["reasons"])


def test_a_person_the_model_missed_is_added_on_the_readers_evidence_but_not_a_second_kind():
    # "approved additional issuances of restricted stock awards to Thomas L. Beaudoin, the Company's
    # Executive Vice President and Chief Financial Officer and Mr. Chambers": the model names only
    # Mr. Chambers; the reader's Beaudoin (a middle initial, no verb beside the name) is added, its
    # reading of Chambers' promotion ("who was promoted to President") is not a change of its own
    name = "edgarcrawler__1002517_8K_2011_0000950123-11-095986.htm"
    gold = json.loads((GOLD.parent / "dev-b" / f"{name}.json").read_text(encoding="utf-8"))["events"]["5.02"]
    readings, _rec, _text = _read(name, "5.02")
    chambers = next(g for g in gold["changes"] if g["person"].endswith("Chambers"))
    model = {"changes": [{"person": _leaf(chambers["person"], 0.8), "change": _leaf("compensation", 0.8)}]}
    out = merge(model, readings)
    got = sorted((c["person"]["value"], c["change"]["value"]) for c in out["changes"])
    assert got == sorted((g["person"], g["change"]) for g in gold["changes"])


def test_two_people_of_one_surname_are_two_people():
    # "John P. McConnell, Executive Chairman ..., notified the Board ... that he intends to step down"
    # and "appointed John H. McConnell II as a director": the model names the first only
    name = "edgarcrawler__108516_8K_2023_0000950170-23-000234.htm"
    readings, _rec, _text = _read(name, "5.02")
    model = {"changes": [{"person": _leaf("John P. McConnell", 0.8), "change": _leaf("departure", 0.8)}]}
    out = merge(model, readings)
    got = [(c["person"]["value"], c["change"]["value"]) for c in out["changes"]]
    assert got == [("John P. McConnell", "departure"), ("John H. McConnell II", "appointment")]
