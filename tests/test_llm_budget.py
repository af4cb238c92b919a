"""The item budget (issue 15): completion tokens sized to the item, wall clock scaled by measured speed."""

from __future__ import annotations

import json

import httpx
from llm_helpers import DATA, Script, completion, item_of

from extractor.config import Settings
from extractor.fill import fill_record
from extractor.llm.budget import OUT_BASE, Speed, completion_cap, item_budget
from extractor.llm.openai_provider import OpenAIProvider
from extractor.parse import parse_document

SETTINGS = Settings(base_url="http://llm.test/v1", model="m")


def test_completion_cap_grows_with_the_item_up_to_max_tokens():
    assert completion_cap(SETTINGS, 0) == OUT_BASE + 4
    short, long = completion_cap(SETTINGS, 469), completion_cap(SETTINGS, 6000)
    assert OUT_BASE < short < 1000 < SETTINGS.max_tokens == long


def test_wall_clock_budget_scales_with_measured_speed_never_below_the_setting():
    fast = item_budget(SETTINGS, Speed(500, 50), text_chars=6000, prompt_chars=8000, calls=1)
    assert fast.max_seconds == SETTINGS.item_max_seconds  # a fast machine keeps the floor
    slow = item_budget(SETTINGS, Speed(20, 1.5), text_chars=6000, prompt_chars=8000, calls=2)
    # 2 chunks x (1 + 1 re-ask) x (2,286 tokens read at 20/s + 1,536 written at 1.5/s) x 1.5 slack
    assert round(slow.max_seconds) == round(1.5 * 2 * 2 * (2286 / 20 + 1536 / 1.5))
    unknown = item_budget(SETTINGS, None, text_chars=6000, prompt_chars=8000, calls=4)
    assert unknown.max_seconds == SETTINGS.item_max_seconds and unknown.max_completion_tokens == 1536


def test_the_request_asks_only_for_the_tokens_the_item_needs():
    """Tyson's 5.02 (two officers, 469 chars): at most 860 completion tokens, not 1,536."""
    record = parse_document(
        DATA / "eval" / "corpus" / "edgarcrawler__100493_8K_2017_0000100493-17-000003.htm"
    ).record
    item = item_of(record, "5.02")
    answer = {"changes": []}
    script = Script([httpx.Response(200, json=completion(json.dumps(answer)))])
    provider = OpenAIProvider(SETTINGS, http_client=httpx.Client(transport=httpx.MockTransport(script)))
    record = record.model_copy(update={"items": [item]})
    fill_record(record, None, provider, settings=SETTINGS)
    (request,) = script.requests
    assert request["max_tokens"] == completion_cap(SETTINGS, len(item.text)) == 860
