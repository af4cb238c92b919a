"""Find, type and set the grounded Fields of a filing record (pure; no I/O).

A record is walked as plain JSON data (``FilingRecord.model_dump(mode="json")`` or a parsed
``records.jsonl`` line): any dict shaped like :class:`extractor.types.Field` is a field, wherever it is
(cover, registrants, exhibits, signatures, and the leaves of ``items[].event``). A field is addressed by
its *path*, a ``/``-joined list of keys and list indexes: ``cover/date_of_report``,
``items/2/event/changes/0/person``, ``exhibits/1/description``.

``value_type(path, record)`` gives the pydantic type of a field's value, from the record contract for
record fields and from the item's event schema for event leaves; ``parse_value`` validates a reviewer's
edit against it.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from .. import catalog
from ..schemas import schema_for
from ..types import Field, FilingRecord

FIELD_KEYS = frozenset(Field.model_fields)
_REQUIRED_KEYS = frozenset({"value", "confidence"})

PathPart = str | int


def is_field(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.keys() >= _REQUIRED_KEYS and obj.keys() <= FIELD_KEYS


def path_str(parts: tuple[PathPart, ...]) -> str:
    return "/".join(str(p) for p in parts)


def path_parts(path: str) -> tuple[PathPart, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("/") if p != "")


def iter_fields(
    obj: Any, prefix: tuple[PathPart, ...] = ()
) -> typing.Iterator[tuple[tuple[PathPart, ...], dict]]:
    """Yield ``(path parts, field dict)`` for every Field in ``obj``, in document order."""
    if is_field(obj):
        yield prefix, obj
    elif isinstance(obj, dict):
        for key, val in obj.items():
            if key in ("source", "sections", "errors", "llm", "text"):
                continue  # metadata, never reviewable values
            yield from iter_fields(val, (*prefix, key))
    elif isinstance(obj, list):
        for i, val in enumerate(obj):
            yield from iter_fields(val, (*prefix, i))


def _has(obj: Any, p: PathPart) -> bool:
    if isinstance(obj, list):
        return isinstance(p, int) and 0 <= p < len(obj)
    return isinstance(obj, dict) and isinstance(p, str) and p in obj


def get_at(obj: Any, parts: tuple[PathPart, ...]) -> Any:
    for p in parts:
        if not _has(obj, p):
            raise KeyError(path_str(parts))
        obj = obj[p]
    return obj


def set_at(obj: Any, parts: tuple[PathPart, ...], value: Any) -> None:
    parent = get_at(obj, parts[:-1])
    if not _has(parent, parts[-1]):
        raise KeyError(path_str(parts))
    parent[parts[-1]] = value


@dataclass(frozen=True)
class Where:
    """Where a field sits, for filtering and display: group ("cover", an item number, "exhibits"...),
    field name with list indexes generalized (``changes[].person``), and a human label."""

    group: str
    name: str
    label: str


def describe(parts: tuple[PathPart, ...], record: dict) -> Where:
    if parts and parts[0] == "items" and len(parts) > 3 and parts[2] == "event":
        item = record["items"][parts[1]]
        group = f"Item {item.get('number', '?')}"
        rest = parts[3:]
    elif parts and parts[0] in ("exhibits", "signatures") and len(parts) > 2:
        group, rest = str(parts[0]), parts[2:]
        label = f"{parts[0][:-1]} {int(parts[1]) + 1}: " + ".".join(str(p) for p in rest)
        return Where(group, _generic(rest), label)
    elif parts and parts[0] == "cover":
        group, rest = "cover", parts[1:]
    else:
        group, rest = "filing", parts
    label_parts = [f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in rest]
    label = "".join(label_parts).lstrip(".").replace(".[", "[")
    return Where(group, _generic(rest), f"{group}: {label}")


def _generic(rest: tuple[PathPart, ...]) -> str:
    out = ""
    for p in rest:
        out += "[]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


# --------------------------------------------------------------------------- value types

_NONE = type(None)


def _field_arg(tp: Any) -> Any | None:
    """``Field[T]`` -> ``T`` (None when ``tp`` is not a parametrized Field)."""
    meta = getattr(tp, "__pydantic_generic_metadata__", None)
    if isinstance(tp, type) and issubclass(tp, Field) and meta and meta.get("args"):
        return meta["args"][0]
    return None


def _arms(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [a for a in typing.get_args(tp) if a is not _NONE]
    return [tp]


def _admits_none(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType) and _NONE in typing.get_args(tp)


def _step(tp: Any, part: PathPart) -> Any:
    for arm in _arms(tp):
        origin = typing.get_origin(arm)
        if isinstance(part, int) and origin in (list, tuple):
            return typing.get_args(arm)[0]
        if (
            isinstance(part, str)
            and isinstance(arm, type)
            and issubclass(arm, BaseModel)
            and part in arm.model_fields
        ):
            return arm.model_fields[part].annotation
    raise KeyError(part)


@dataclass(frozen=True)
class ValueType:
    """The type a field's value must have, and whether null is allowed."""

    tp: Any
    nullable: bool

    def describe(self) -> str:
        tp = self.tp
        if typing.get_origin(tp) is Literal:
            text = "one of: " + ", ".join(str(a) for a in typing.get_args(tp))
        elif tp is dt.date:
            text = "date (YYYY-MM-DD)"
        elif tp is bool:
            text = "true / false"
        elif tp is int:
            text = "whole number"
        elif tp is float:
            text = "number"
        elif tp is str:
            text = "text"
        else:
            text = getattr(tp, "__name__", str(tp))
        return text + (" or empty for none" if self.nullable else "")


def value_type(path: str, record: dict) -> ValueType:
    """The value type of the field at ``path`` in ``record`` (a JSON-mode record dict)."""
    parts = path_parts(path)
    if len(parts) > 3 and parts[0] == "items" and parts[2] == "event":
        number = record["items"][parts[1]]["number"]
        schema = schema_for(catalog.modern_equivalent(number)) if catalog.is_known(number) else None
        if schema is None:
            return ValueType(str, True)
        tp: Any = schema
        for part in parts[3:]:
            tp = _step(tp, part)
        arms = _arms(tp)
        return ValueType(arms[0] if len(arms) == 1 else tp, _admits_none(tp))
    tp = FilingRecord
    for part in parts:
        tp = _step(tp, part)
    for arm in _arms(tp):
        inner = _field_arg(arm)
        if inner is not None:
            return ValueType(inner, True)  # Field.value is always T | None
    raise KeyError(path)


class EditError(ValueError):
    pass


def parse_value(text: str | None, vt: ValueType) -> Any:
    """Validate a reviewer's typed input against the field's type; return the JSON-mode value.

    Empty input means "none" (null) when the type allows it."""
    if text is None or text.strip() == "":
        if vt.nullable:
            return None
        raise EditError("a value is required")
    raw: Any = text.strip() if vt.tp is not str else " ".join(text.split())
    if vt.tp is int:
        raw = re.sub(r"(?<=\d)[,_ ](?=\d{3}\b)", "", raw)
    if vt.tp is bool:
        low = raw.lower()
        if low in ("true", "yes", "y", "1", "checked", "x"):
            return True
        if low in ("false", "no", "n", "0", "unchecked"):
            return False
        raise EditError("expected true or false")
    try:
        value = TypeAdapter(vt.tp).validate_python(raw)
    except ValidationError as exc:
        msg = exc.errors()[0].get("msg", "invalid value")
        raise EditError(f"{msg} (expected {vt.describe()})") from None
    return TypeAdapter(vt.tp).dump_python(value, mode="json")
