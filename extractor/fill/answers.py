"""A model answer that is not an answer is re-asked once, through instructor's validation re-ask (pure).

A value that repeats the item's SEC title, the form's boilerplate, the field's own description or a
whole sentence (``extractor.readers.checks.type_problem``) is not an answer. With
``Settings.answer_reask`` on, the fill asks for :func:`checked_schema`: the quoted schema with one model
validator that raises the reasons of every such value as a validation error, so instructor shows the
model its answer and the reasons and asks again (``max_retries``, the provider's one retry path). The
validator raises at most once per request and only while the provider has a re-ask left
(``extractor.llm.base.REASKS_LEFT`` in the validation context, kept by the provider). The second answer
replaces only the fields the checks questioned: every field that passed in the first answer is kept
from it (a re-ask made the 1.5B rewrite good values too: 2 of the dev gold's values fell), and ``extractor.readers.merge`` then replaces a value that still fails by the
reader's value or by null, with the reason in ``reasons``.

:func:`problems` lists the failing values of an answer (the quoted schema's JSON), which the fill also
uses to decide whether an answer cached before the check can stand.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationInfo, model_validator

from ..llm.base import REASKS_LEFT
from ..readers.checks import type_problem

__all__ = ["CHECKED", "checked_schema", "problems"]

CHECKED = "answer checks v2"  # part of the cache key of answers made with the checks (see fill.call)
_ASKED = "answer_checks_asked"
_FIRST = "answer_checks_first"  # the first answer, whose good values the re-asked answer keeps
_SCHEMAS: dict[tuple[type[BaseModel], str], type[BaseModel]] = {}


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and set(node) <= {"value", "quote"} and "value" in node


def problems(output: Any, item: str, path: str = "") -> list[str]:
    """Why values of ``output`` (a quoted answer as JSON) are not answers: ``"field: reason"`` each."""
    out: list[str] = []
    if isinstance(output, dict):
        for name, node in output.items():
            where = f"{path}{name}"
            if _is_leaf(node):
                reason = type_problem(node["value"], item=item, field=name)
                if reason is not None:
                    out.append(f"{where} = {node['value']!r}: {reason}")
            elif isinstance(node, list):
                for i, element in enumerate(node):
                    if _is_leaf(element):
                        reason = type_problem(element["value"], item=item, field=name)
                        if reason is not None:
                            out.append(f"{where}[{i}] = {element['value']!r}: {reason}")
                    else:
                        out.extend(problems(element, item, f"{where}[{i}]."))
            elif isinstance(node, dict):
                out.extend(problems(node, item, f"{where}."))
    return out


def _keep_answered(second: BaseModel, first: BaseModel, item: str) -> None:
    """The re-ask questioned only the first answer's failing fields: every top-level field that passed
    the checks in ``first`` is kept as it was, so a re-ask cannot change a value nobody questioned."""
    for name in type(first).model_fields:
        if not problems({name: first.model_dump(mode="json")[name]}, item):
            object.__setattr__(second, name, getattr(first, name))


def checked_schema(schema: type[BaseModel], item: str) -> type[BaseModel]:
    """``schema`` (a quoted schema) with the answer checks of ``item`` as a validator; same name, same
    JSON schema (the request does not change), made once per schema and item."""
    hit = _SCHEMAS.get((schema, item))
    if hit is not None:
        return hit

    def check(self: BaseModel, info: ValidationInfo) -> BaseModel:
        context = info.context if isinstance(info.context, dict) else None
        if context is None:
            return self
        first = context.get(_FIRST)
        if context.get(_ASKED) and isinstance(first, schema) and first is not self:
            _keep_answered(self, first, item)
            return self
        if context.get(_ASKED) or int(context.get(REASKS_LEFT, 0)) <= 0:
            return self
        found = problems(self.model_dump(mode="json"), item)
        if found:
            context[_ASKED] = True
            context[_FIRST] = self
            raise ValueError(
                "These values are not answers; give a short value found in the text, or null: "
                + "; ".join(found)
            )
        return self

    ns: dict[str, Any] = {
        "__module__": schema.__module__,
        "__doc__": schema.__doc__,
        "answer_checks": model_validator(mode="after")(check),
    }
    out: type[BaseModel] = type(schema.__name__, (schema,), ns)
    out.__qualname__ = schema.__qualname__
    _SCHEMAS[(schema, item)] = out
    return out
