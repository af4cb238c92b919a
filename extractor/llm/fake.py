"""A scripted provider for tests and ``--dry-run``: no network, no model.

Each call takes the next entry of the script (or, for a dict script, the entry for the schema's class
name; or the ``default``). An entry is one of:

- a dict: the JSON object the "model" returns (validated against the schema),
- a str: raw completion text (parsed as JSON, then validated),
- an Exception instance: raised as the provider error,
- a callable ``(schema, messages) -> entry``.

``FakeProvider.dry_run()`` answers every schema with its all-null default object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .base import Budget, CallRecord, FillError, FillResult, Message, T, describe

Entry = dict[str, Any] | str | Exception | Callable[[type[BaseModel], list[Message]], Any]


def _null_answer(schema: type[BaseModel], messages: list[Message]) -> dict[str, Any]:
    """ "Not stated" for every field of a quoted schema (plain schemas: all defaults)."""
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out[name] = _null_answer(ann, messages)
        elif getattr(ann, "__origin__", None) is list:
            out[name] = []
        elif info.is_required():
            out[name] = None
    return out


class FakeProvider:
    name = "fake"

    def __init__(
        self,
        script: list[Entry] | Mapping[str, Entry] | None = None,
        *,
        default: Entry | None = None,
        model: str = "fake",
    ) -> None:
        self.model = model
        self._list = list(script) if isinstance(script, list) else None
        self._map = dict(script) if isinstance(script, Mapping) else {}
        self._default = default
        self.calls: list[tuple[type[BaseModel], list[Message]]] = []

    @classmethod
    def dry_run(cls) -> FakeProvider:
        return cls(default=_null_answer, model="dry-run")

    def _entry(self, schema: type[BaseModel]) -> Entry:
        if self._list:
            return self._list.pop(0)
        if schema.__name__ in self._map:
            return self._map[schema.__name__]
        if self._default is not None:
            return self._default
        raise AssertionError(f"FakeProvider: no scripted answer left for {schema.__name__}")

    def fill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]:
        if budget is not None:
            budget.check()
            budget.charge(calls=1)
        self.calls.append((schema, messages))
        entry = self._entry(schema)
        while callable(entry) and not isinstance(entry, Exception):
            entry = entry(schema, messages)
        tokens_in = sum(len(m["content"]) for m in messages) // 4
        call = CallRecord(provider=self.name, model=self.model, tokens_in=tokens_in, attempts=1)
        if isinstance(entry, Exception):
            call.outcome, call.error = "error", describe(entry)
            raise FillError(describe(entry), call=call, reason="error") from entry
        raw = entry if isinstance(entry, str) else json.dumps(entry)
        call.raw_completion = raw
        call.tokens_out = len(raw) // 4
        if budget is not None:
            budget.charge(tokens=call.tokens_in + call.tokens_out)
        try:
            value = schema.model_validate_json(raw)
        except ValidationError as exc:
            call.outcome, call.error = "error", describe(exc)
            raise FillError(
                f"completion does not match {schema.__name__}: {describe(exc)}",
                call=call,
                reason="validation",
            ) from exc
        return FillResult(value=value, call=call)

    async def afill(
        self, schema: type[T], messages: list[Message], *, budget: Budget | None = None
    ) -> FillResult[T]:
        return self.fill(schema, messages, budget=budget)

    def close(self) -> None:
        pass
