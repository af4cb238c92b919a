"""Helpers for the LLM fill tests: records from real filings, fake completions, mock transports."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from extractor.record import Cover, Field, FilingRecord, Item, Source

DATA = Path(__file__).parent / "data"
ORACLE_502 = "coverparser__0001193125-19-191922_d776427d8k.htm"
APPLE_507 = "coverparser__0000320193-19-000032_copyofreference8-kform8xkq.htm"
SOUTHERN_801 = "coverparser__0000092122-13-000080_gaaltrateplan8-k12x13.htm"


def parsed(name: str) -> tuple[FilingRecord, str]:
    """(record, normalized text) of a filing in tests/data, by the parser."""
    from extractor.parse import parse_document

    p = parse_document(DATA / name)
    return p.record, p.text


def item_of(record: FilingRecord, number: str) -> Item:
    return next(i for i in record.items if i.number == number)


def hand_record(
    text: str, number: str, *, company: str = "Acme Corp", date: dt.date | None = None
) -> FilingRecord:
    """A record with one item made by hand: the item runs from 'Item <number>' to the end of text."""
    start = text.index(f"Item {number}")
    item = Item(
        number=number,
        title="(title)",
        legacy="." not in number,
        modern_equivalent=number if "." in number else None,
        reported=True,
        heading=f"Item {number}",
        span=(start, len(text)),
        text=text[start:],
    )
    return FilingRecord(
        source=Source(path="hand.txt", sha256="0" * 64, size_bytes=len(text)),
        cover=Cover(company_name=Field(value=company), date_of_report=Field(value=date)),
        items=[item],
        text_length=len(text),
    )


def q(value: Any, quote: str | None) -> dict[str, Any]:
    return {"quote": quote, "value": value}


def completion(content: str | None, *, finish: str = "stop", choices: bool = True) -> dict[str, Any]:
    """A chat.completion body as an OpenAI-compatible server sends it."""
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }
    if choices:
        body["choices"] = [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
                "logprobs": None,
            }
        ]
    return body


class Script:
    """An httpx handler answering from a list of responses (or exceptions), recording the requests."""

    def __init__(self, answers: list[httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]]):
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if not self.answers:
            raise AssertionError("no scripted answer left")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def ok(content: dict[str, Any] | str) -> httpx.Response:
    return httpx.Response(200, json=completion(content if isinstance(content, str) else json.dumps(content)))
