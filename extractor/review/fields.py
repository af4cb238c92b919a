"""Find, type and set the grounded Fields of a filing record (pure; no I/O).

A record is walked as plain JSON data (``FilingRecord.model_dump(mode="json")`` or a parsed
``records.jsonl`` line): any dict shaped like :class:`extractor.record.Field` is a field, wherever it is
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
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from .. import catalog
from ..events import tree
from ..record import FilingRecord
from ..schemas import schema_for

PathPart = tree.PathPart
METADATA = frozenset({"source", "sections", "errors", "llm", "text"})  # never reviewable values


def path_parts(path: str) -> tuple[PathPart, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("/") if p != "")


def iter_fields(
    obj: Any, prefix: tuple[PathPart, ...] = ()
) -> typing.Iterator[tuple[tuple[PathPart, ...], dict]]:
    """Yield ``(path parts, field dict)`` for every Field in ``obj``, in document order."""
    return tree.iter_fields(obj, prefix, skip=METADATA)


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
        tp: Any = tree.annotation_at(schema, parts[3:])
        arms = tree.arms(tp)
        return ValueType(arms[0] if len(arms) == 1 else tp, tree.admits_none(tp))
    tp = tree.annotation_at(FilingRecord, parts)
    for arm in tree.arms(tp):
        inner = tree.field_arg(arm)
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
