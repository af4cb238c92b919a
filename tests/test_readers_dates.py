"""5.02 effective dates read from the words that tie a date to the person's change (issue 12), on real
filings that are in no gold set. The expected dates were read from each filing's 5.02 text by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from data_helpers import data_file

from extractor.parse import parse_document
from extractor.readers import ChangeReading, read_item
from extractor.readers.text import sentences

DATA = Path(__file__).parent / "data" / "readers"


def _changes(name: str) -> dict[str, ChangeReading]:
    record = parse_document(data_file(name, DATA)).record
    item = {i.number: i for i in record.items}["5.02"]
    report = record.cover.date_of_report.value
    assert isinstance(report, dt.date)
    readings = read_item("5.02", [(item.text, item.span[0])], (), report)
    return {c.person.value: c for c in readings.changes}


def _date(change: ChangeReading) -> tuple[object, tuple[str, ...]]:
    assert change.effective_date is not None
    return change.effective_date.value, change.effective_date.reasons


def test_effective_upon_an_undated_event_is_null_with_the_reason():
    # "On November 9, 2023, each of ... Sidney A. Ribeau notified the Board ... of their intention to
    # resign as a director of the Company, effective upon consummation of the previously announced
    # separation"; "On November 9, 2023, the Board appointed B. Andrew Rose, ... to serve as directors of
    # the Company, effective upon consummation of the Separation": not the notice date
    got = _changes("edgarcrawler__108516_8K_2023_0000950170-23-062135.htm")
    for person in ("Sidney A. Ribeau", "B. Andrew Rose", "Billy R. Vickers", "Paul G. Heller"):
        value, reasons = _date(got[person])
        assert value is None
        assert reasons == ("effective upon an event the filing does not date",)
        assert got[person].effective_date is not None
        assert got[person].effective_date.quote.lower().startswith("effective upon consummation")


def test_a_director_leaving_at_the_annual_meeting_takes_the_meeting_date_of_the_next_sentence():
    # "On September 26, 2005, Mr. Tay Thiam Song notified ... that he will not stand for reelection ...
    # Mr. Song will continue to serve on the board of directors until the 2005 Annual Meeting of
    # Shareholders, which is currently scheduled for December 14, 2005."
    got = _changes("edgarcrawler__1001426_8K_2005_0001193125-05-195060.htm")
    date = got["Tay Thiam Song"].effective_date
    assert date is not None and date.value == "2005-12-14" and date.quote == "December 14, 2005"
    assert date.confidence == 0.8  # the date follows "meeting"


def test_a_hard_wrapped_text_sentence_keeps_its_commencing_date():
    # a 2006 text filing wrapped at ~75 characters: "... Dr. Simon Wong had been appointed by the\n
    # Company's Board of Directors to serve as a director of the Company, commencing\nSeptember 1, 2006."
    name = "edgarcrawler__1001426_8K_2006_0001275287-06-004445.txt"
    got = _changes(name)
    assert _date(got["Simon Wong"]) == ("2006-09-01", ("effective",))
    item = {i.number: i for i in parse_document(data_file(name, DATA)).record.items}["5.02"]
    whole = [item.text[s:e] for s, e in sentences(item.text) if "Simon Wong" in item.text[s:e]]
    assert len(whole) == 1 and "appointed" in whole[0] and whole[0].endswith("September 1, 2006.")


def test_the_lead_date_after_the_sub_item_letter():
    # "(e) On December 3, 2018, The Walt Disney Company ... and Alan N. Braverman entered into an
    # amendment ... to the employment agreement ... dated September 27, 2013": the amendment's date
    got = _changes("edgarcrawler__1001039_8K_2018_0001001039-18-000213.htm")
    assert _date(got["Alan N. Braverman"]) == ("2018-12-03", ("lead",))


@pytest.mark.parametrize(
    ("name", "person", "expected"),
    [
        # "... a new employment agreement with Thomas O. Staggs ... The new employment agreement for
        # Mr. Staggs ... was entered into on February 5, 2015 and has a stated term commencing as of
        # February 4, 2015"
        ("edgarcrawler__1001039_8K_2015_0001001039-15-000069.htm", "Thomas O. Staggs", "2015-02-04"),
        # "The Company has amended the employment agreements of Alan N. Braverman, Kevin A. Mayer and
        # Christine M. McCarthy and entered into a new employment agreement with Jayne Parker ... The new
        # employment agreement for Ms. Parker ... commencing as of August 20, 2017": Ms. Parker's date
        ("edgarcrawler__1001039_8K_2017_0001001039-17-000147.htm", "Kevin A. Mayer", None),
    ],
)
def test_a_dateless_sentence_takes_the_next_sentence_date_only_when_it_names_the_person(
    name, person, expected
):
    change = _changes(name)[person]
    if expected is None:
        assert change.effective_date is None
    else:
        assert _date(change) == (expected, ("effective in the sentence after",))
