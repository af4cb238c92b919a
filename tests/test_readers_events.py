"""Readers of 7.01 / 8.01 categories, 2.03 amounts and 2.02 periods, and the grounding of model dates
(issue 12), on real filings. Expected values come from the hand labels of evals/gold and evals/holdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data_helpers import data_file

from extractor import catalog
from extractor.parse import parse_document
from extractor.readers import merge, read_item

DATA = Path(__file__).parent / "data" / "readers"
EVALS = Path(__file__).parent.parent / "evals"


def _gold(name: str) -> dict[str, Any]:
    for folder in ("gold", "holdout"):
        path = EVALS / folder / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))["events"]
    raise FileNotFoundError(name)


def _items(name: str) -> dict[str, Any]:
    return {i.number: i for i in parse_document(data_file(name, DATA)).record.items}


CATEGORY_FILINGS = [
    ("coverparser__0000084581-00-500009_formacqui.htm", "5"),  # "completed the acquisition of"
    ("coverparser__0000320193-96-000027_0000320193-96-000027.txt", "5"),  # "an agreement to purchase"
    ("coverparser__0000092122-13-000080_gaaltrateplan8-k12x13.htm", "8.01"),  # PSC rate plans
    ("edgarcrawler__1001039_8K_2017_0000950157-17-001598.htm", "8.01"),  # the Merger Agreement
    ("edgarcrawler__1001039_8K_2018_0001193125-18-294815.htm", "7.01"),  # Agreement and Plan of Merger
    ("edgarcrawler__1001039_8K_2018_0001193125-18-294815.htm", "8.01"),  # exchange offer for notes
    ("edgarcrawler__1001136_8K_2001_0000950124-01-503539.htm", "5"),  # an officer named: other
    ("edgarcrawler__104169_8K_1995_0000899243-95-000310.txt", "5"),  # prospectus of an offering of notes
    ("edgarcrawler__108516_8K_2023_0001171843-23-007615.htm", "8.01"),  # a quarterly cash dividend
]


@pytest.mark.parametrize(("name", "number"), CATEGORY_FILINGS)
def test_category_from_the_cues_of_the_first_sentences(name, number):
    item = _items(name)[number]
    got = read_item(number, [(item.text, item.span[0])]).values["category"]
    assert got.value == _gold(name)[number]["category"]
    assert item.text[got.span[0] - item.span[0] : got.span[1] - item.span[0]] == got.quote


def test_forward_looking_boilerplate_is_no_cue_and_no_cue_is_other():
    # Item 5 names a new CEO, then "... the fair value of assets acquired ..." in its forward-looking
    # statements paragraph: no category is stated
    name = "edgarcrawler__1001136_8K_2001_0000950124-01-503539.htm"
    item = _items(name)["5"]
    readings = read_item("5", [(item.text, item.span[0])])
    assert readings.values["category"].value == "other"
    model = {"category": {"value": "dividend", "confidence": 0.41, "method": "llm", "span": None,
                          "quote": None, "reasons": []}}  # fmt: skip
    merged = merge(model, readings)
    assert merged["category"]["value"] == "other"
    assert "the model read 'dividend'" in merged["category"]["reasons"]
    assert catalog.modern_equivalent("5") == readings.item == "8.01"
