"""LLM-facing schemas: the plain event schemas with every value asked *with its quote*.

``quoted_schema(MaterialAgreement)`` builds (and caches) a model where each leaf ``x: T | None`` becomes
``x: {quote: str | None, value: T | None}`` and each ``list[T]`` a list of such pairs (nested
event models, e.g. 5.02 changes or 5.07 proposals, are converted recursively). The quote comes first
so the model copies the words before it states the value. Every key is required (values nullable):
measured on the embedded 0.5B model, optional pairs made it answer ``null`` for everything, since the
grammar lets it skip or null a whole field. Strings carry ``maxLength`` and lists
``maxItems``: tiny models otherwise run to ``max_tokens``.

``to_plain(obj)`` drops the quotes again (the plain value dict, as gold labels hold it);
``field_docs(schema)`` lists the field descriptions for the prompt (JSON_SCHEMA mode shows the model only
the schema, not the descriptions).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PydField

from .events.tree import choices, fields, is_model, leaf_kind, strip_optional

QUOTE_MAX = 200  # chars of a quote (about one sentence)
STR_MAX = {"summary": 300, "description": 200}  # per field name; others STR_DEFAULT
STR_DEFAULT = 120
LIST_MAX = {
    "proposals": 30,
    "changes": 6,
    "key_facts": 6,
}  # a longer list runs past max_tokens  # per field name; others LIST_DEFAULT
LIST_DEFAULT = 8

QUOTE_DOC = (
    "the exact words of the filing text this value was read from, copied verbatim; null if value is null"
)


class QuotedBase(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _quoted_leaf(owner: str, name: str, tp: Any, desc: str | None) -> type[BaseModel]:
    tp = strip_optional(tp)
    value_tp: Any = tp
    if tp is str:
        value_tp = Annotated[str, PydField(max_length=STR_MAX.get(name, STR_DEFAULT))]
    model = create_model(
        f"{owner}_{name}",
        __base__=QuotedBase,
        quote=(Annotated[str, PydField(max_length=QUOTE_MAX)] | None, PydField(..., description=QUOTE_DOC)),
        value=(value_tp | None, PydField(..., description=desc)),
    )
    return model


@cache
def quoted_schema(schema: type[BaseModel]) -> type[BaseModel]:
    """The LLM-facing model for a plain event schema (cached per schema)."""
    fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        ann = strip_optional(info.annotation)
        desc = info.description
        if get_origin(ann) is list:
            (inner,) = get_args(ann)
            inner_q: Any = (
                quoted_schema(inner) if is_model(inner) else _quoted_leaf(schema.__name__, name, inner, desc)
            )
            fields[name] = (
                list[inner_q],
                PydField(..., description=desc, max_length=LIST_MAX.get(name, LIST_DEFAULT)),
            )
        elif is_model(ann):
            fields[name] = (quoted_schema(ann), PydField(..., description=desc))
        else:
            fields[name] = (_quoted_leaf(schema.__name__, name, ann, desc), PydField(..., description=desc))
    return create_model(f"{schema.__name__}Quoted", __base__=QuotedBase, **fields)


def to_plain(obj: Any) -> Any:
    """Quoted object (model or dict) -> plain values dict (quotes dropped)."""
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    if isinstance(obj, list):
        return [to_plain(x) for x in obj]
    if isinstance(obj, dict):
        if set(obj) == {"quote", "value"}:
            return obj["value"]
        return {k: to_plain(v) for k, v in obj.items()}
    return obj


def field_docs(schema: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(path, description) for every field, nested models flattened as ``changes[].person``."""
    docs: list[tuple[str, str]] = []
    for name, slot in fields(schema).items():
        shape, inner, info = slot.shape, slot.inner, slot.info
        path = f"{prefix}{name}"
        if shape == "model_list":
            docs.append((path, info.description or "list"))
            docs.extend(field_docs(inner, prefix=f"{path}[]."))
        elif shape == "model":
            docs.extend(field_docs(inner, prefix=f"{path}."))
        else:
            desc = info.description or name
            kind = leaf_kind(inner)
            if kind == "date":
                desc += " (ISO date YYYY-MM-DD)"
            elif kind == "enum":
                desc += " (one of: " + ", ".join(str(c) for c in choices(inner)) + ")"
            elif kind == "int":
                desc += " (integer, digits only)"
            if shape == "leaf_list":
                desc += " (a list, one entry each)"
            docs.append((path, desc))
    return docs


@cache
def schema_hash(schema: type[BaseModel]) -> str:
    """Content hash of the LLM-facing JSON schema (a cache key part)."""
    text = json.dumps(quoted_schema(schema).model_json_schema(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


__all__ = ["field_docs", "quoted_schema", "schema_hash", "to_plain"]
