"""Few-shot examples of an event schema: short excerpts of dev-corpus filings with their answers.

A file ``prompts/<item>.examples.vN.json`` holds ``{"examples": [...]}``; each example names its source
filing (a corpus file name, never one of the eval gold sets: the test checks both that and that the excerpt
occurs in that file's text), the header the model is shown (company, date of report, item number and
title), the excerpt, and the answer in the quoted form the model writes (``{"quote": ..., "value": ...}``
per field). Each example is checked when loaded (:func:`check_example`): the answer validates against
the schema's quoted model, every quote occurs in the excerpt, a value is null exactly when its quote is,
and the excerpt is short (token cost is model time). A bad file is a :class:`ConfigError` naming the file
and the example.

:func:`example_turns` renders the examples as user/assistant message pairs for the fields a call asks
(the schema minus what the parser already read), with the user template of the filing itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..quoted import quoted_schema

EXAMPLE_MAX_CHARS = 1200  # an excerpt is a few sentences: every call of the schema pays for it
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace-insensitive form used to check quotes against excerpts and excerpts against filings."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Example:
    source: str  # corpus file name
    company: str
    date_of_report: str
    number: str
    title: str
    text: str
    answer: dict[str, Any]  # quoted form, every field of the full schema

    def digest(self) -> str:
        body = json.dumps(
            [self.source, self.company, self.date_of_report, self.number, self.title, self.text, self.answer],
            sort_keys=True,
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def _quotes(node: Any) -> list[tuple[Any, Any]]:
    """(quote, value) of every leaf of a quoted answer."""
    if isinstance(node, dict):
        if set(node) == {"quote", "value"}:
            return [(node["quote"], node["value"])]
        return [q for v in node.values() for q in _quotes(v)]
    if isinstance(node, list):
        return [q for v in node for q in _quotes(v)]
    return []


def check_example(raw: dict[str, Any], schema: type[BaseModel]) -> Example:
    """The example, or ValueError saying what is wrong with it."""
    try:
        ex = Example(**raw)
    except TypeError as exc:
        raise ValueError(f"fields: {exc}") from None
    if not ex.text.strip() or len(ex.text) > EXAMPLE_MAX_CHARS:
        raise ValueError(f"excerpt has {len(ex.text)} chars (1..{EXAMPLE_MAX_CHARS})")
    try:
        quoted_schema(schema).model_validate(ex.answer)
    except ValidationError as exc:
        raise ValueError(f"answer is not a {schema.__name__}: {exc}".replace("\n", " ")[:600]) from None
    text = squash(ex.text)
    for quote, value in _quotes(ex.answer):
        if (quote is None) != (value is None):
            raise ValueError(f"quote {quote!r} and value {value!r}: one is null, the other not")
        if quote is not None and squash(quote) not in text:
            raise ValueError(f"quote {quote!r} is not in the excerpt")
    return ex


def load_examples(path: Path, schema: type[BaseModel]) -> list[Example]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raws = data["examples"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"few-shot examples {path}: cannot read: {exc}") from exc
    out = []
    for k, raw in enumerate(raws):
        try:
            out.append(check_example(raw, schema))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"few-shot examples {path}, example {k + 1}: {exc}") from None
    return out


def example_turns(examples: tuple[Example, ...], schema: type[BaseModel], user: Any) -> list[dict[str, str]]:
    """User/assistant turns of the examples, answers cut to the fields of ``schema`` (the asked fields)."""
    asked = quoted_schema(schema)
    turns: list[dict[str, str]] = []
    for ex in examples:
        answer = asked.model_validate({k: v for k, v in ex.answer.items() if k in schema.model_fields})
        values = {
            "company": ex.company,
            "date_of_report": ex.date_of_report,
            "number": ex.number,
            "title": ex.title,
            "chunk_index": 1,
            "chunk_total": 1,
        }
        turns.append({"role": "user", "content": user.render(text=ex.text, **values).strip()})
        turns.append(
            {"role": "assistant", "content": json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)}
        )
    return turns
