"""The one walker of event trees and reader of schema annotations (pure).

Three trees share one shape: the plain event schema (``extractor.schemas``: ``changes: list[OfficerChange]``,
``period_end: date | None``), the model's quoted answer (a ``{quote, value}`` pair at each leaf) and the
filled event of a record (a Field dict at each leaf). Everything that walks one of them goes through here:

- the schema: :func:`fields` (name -> :class:`Slot`: shape ``leaf`` | ``leaf_list`` | ``model`` |
  ``model_list``, the inner type, the pydantic field info), :func:`leaf_kind` (``str`` | ``int`` |
  ``float`` | ``bool`` | ``date`` | ``enum``), :func:`map_schema` (build a tree in the schema's shape
  from data, one callback per leaf), :func:`annotation_at` (the annotation at a path, through
  ``Optional``, lists and nested models, also of the record contract's ``Field[T]``);
- filled trees: :func:`is_field` (a Field dict), :func:`iter_fields` (every Field dict with its path,
  in document order), :func:`count_filled`, :func:`get_at` / :func:`set_at` (at a path such as
  ``("changes", 0, "person")``);
- any tree of leaf objects: :func:`map_leaves`, :func:`leaves` (the grounding stage's ``Leaf`` trees).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

PathPart = str | int
Path = tuple[PathPart, ...]
Shape = Literal["leaf", "leaf_list", "model", "model_list"]
LeafKind = Literal["str", "int", "float", "bool", "date", "enum"]
L = TypeVar("L")

_NONE = type(None)


# -- the schema ------------------------------------------------------------------------------------
def strip_optional(tp: Any) -> Any:
    """``T | None`` -> ``T``; any other annotation unchanged."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not _NONE]
        if len(args) == 1:
            return args[0]
    return tp


def arms(tp: Any) -> list[Any]:
    """The non-None members of a union annotation (``[tp]`` for anything else)."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [a for a in typing.get_args(tp) if a is not _NONE]
    return [tp]


def admits_none(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType) and _NONE in typing.get_args(tp)


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def leaf_kind(tp: Any) -> LeafKind:
    """'str' | 'int' | 'float' | 'bool' | 'date' | 'enum' for a plain leaf annotation."""
    tp = strip_optional(tp)
    if typing.get_origin(tp) is Literal:
        return "enum"
    if tp is dt.date:
        return "date"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "str"
    raise TypeError(f"unsupported leaf type {tp!r}")


def choices(tp: Any) -> tuple[Any, ...]:
    """The values of an enum (``Literal``) leaf annotation."""
    return typing.get_args(strip_optional(tp))


@dataclass(frozen=True)
class Slot:
    """One field of an event schema: its shape, inner type (the element type of a list) and info."""

    shape: Shape
    inner: Any
    info: FieldInfo


def fields(schema: type[BaseModel]) -> dict[str, Slot]:
    """name -> :class:`Slot` for every field of ``schema``, in declaration order."""
    out: dict[str, Slot] = {}
    for name, info in schema.model_fields.items():
        ann = strip_optional(info.annotation)
        if typing.get_origin(ann) is list:
            (inner,) = typing.get_args(ann)
            out[name] = Slot("model_list" if is_model(inner) else "leaf_list", inner, info)
        elif is_model(ann):
            out[name] = Slot("model", ann, info)
        else:
            out[name] = Slot("leaf", ann, info)
    return out


def has_lists_of_records(schema: type[BaseModel]) -> bool:
    """Does the schema hold a list of nested records (5.02 changes, 5.07 proposals)?"""
    return any(slot.shape == "model_list" for slot in fields(schema).values())


LeafFn = Callable[[Path, str, LeafKind, Any], Any]


def map_schema(
    schema: type[BaseModel],
    data: dict[str, Any] | None,
    leaf: LeafFn,
    *,
    keep: Callable[[Any], bool] = lambda element: True,
    missing_models: bool = False,
    prefix: Path = (),
) -> dict[str, Any]:
    """A tree in ``schema``'s shape built from ``data`` (a quoted answer, or None): ``leaf(path, name,
    kind, data at path)`` at each leaf and at each element of a leaf list that ``keep`` accepts; a list of
    records maps each element; a nested model absent from ``data`` is None, or mapped from nothing when
    ``missing_models``."""
    data = data or {}
    out: dict[str, Any] = {}
    for name, slot in fields(schema).items():
        got = data.get(name)
        path = (*prefix, name)
        if slot.shape == "leaf":
            out[name] = leaf(path, name, leaf_kind(slot.inner), got)
        elif slot.shape == "leaf_list":
            kind = leaf_kind(slot.inner)
            out[name] = [leaf((*path, i), name, kind, x) for i, x in enumerate(got or []) if keep(x)]
        elif slot.shape == "model_list":
            out[name] = [
                map_schema(slot.inner, sub, leaf, keep=keep, missing_models=missing_models, prefix=(*path, i))
                for i, sub in enumerate(got or [])
            ]
        elif got is not None or missing_models:
            out[name] = map_schema(
                slot.inner, got, leaf, keep=keep, missing_models=missing_models, prefix=path
            )
        else:
            out[name] = None
    return out


def field_arg(tp: Any) -> Any | None:
    """``Field[T]`` (the record contract's generic Field) -> ``T``; None for anything else."""
    meta = getattr(tp, "__pydantic_generic_metadata__", None)
    if is_model(tp) and meta and meta.get("args"):
        return meta["args"][0]
    return None


def annotation_at(tp: Any, parts: Path) -> Any:
    """The annotation found by following ``parts`` from ``tp`` (model fields by name, list elements by
    index, through ``Optional``); KeyError when the path leaves the type."""
    for part in parts:
        tp = _step(tp, part)
    return tp


def _step(tp: Any, part: PathPart) -> Any:
    for arm in arms(tp):
        origin = typing.get_origin(arm)
        if isinstance(part, int) and origin in (list, tuple):
            return typing.get_args(arm)[0]
        if isinstance(part, str) and is_model(arm) and part in arm.model_fields:
            return arm.model_fields[part].annotation
    raise KeyError(part)


# -- filled trees ----------------------------------------------------------------------------------
def is_field(node: Any) -> bool:
    """Is ``node`` a Field dict (a filled leaf: ``value`` and ``confidence``, as the record dumps it)?"""
    return isinstance(node, dict) and "value" in node and "confidence" in node


def iter_fields(
    node: Any, prefix: Path = (), *, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """``(path, Field dict)`` for every Field in ``node``, in document order; keys in ``skip`` are not
    entered."""
    if is_field(node):
        yield prefix, node
    elif isinstance(node, dict):
        for key, val in node.items():
            if key not in skip:
                yield from iter_fields(val, (*prefix, key), skip=skip)
    elif isinstance(node, list):
        for i, val in enumerate(node):
            yield from iter_fields(val, (*prefix, i), skip=skip)


RAW_CONFIDENCE = "raw_confidence"  # key of a Field dict's raw score in memory; never serialized
FEATURES = "features"  # key of a Field dict's confidence features in memory; never serialized
# key of a model-filled Field dict's curve-calibrated score in memory, the score a reader disagreement is
# decided on (``extractor.readers.merge``); never serialized
CURVE_CONFIDENCE = "curve_confidence"
_IN_MEMORY = (RAW_CONFIDENCE, FEATURES, CURVE_CONFIDENCE)


def field_data(f: BaseModel) -> dict[str, Any]:
    """A record Field as the event tree holds it: its JSON dump, plus its raw (uncalibrated) confidence
    when it has one (``Field.raw_confidence`` is excluded from the dump; the record's serializer drops
    the key again, see :func:`without_raw`)."""
    data = f.model_dump(mode="json")
    raw = getattr(f, "raw_confidence", None)
    if raw is not None:
        data[RAW_CONFIDENCE] = raw
    feats = getattr(f, "features", None)
    if feats is not None:
        data[FEATURES] = dict(feats)
    return data


def _in_memory(node: Any, key: str) -> Any:
    """What a filled Field holds in memory under ``key`` (the attribute of a record Field, the key of a
    Field dict: the two share the name); None for anything else."""
    if isinstance(node, BaseModel):
        return getattr(node, key, None)
    return node.get(key) if is_field(node) else None


def raw_confidence(node: Any) -> float | None:
    """The raw score of a calibrated Field (a record Field or a Field dict); None when not calibrated."""
    raw = _in_memory(node, RAW_CONFIDENCE)
    return None if raw is None else float(raw)


def features(node: Any) -> dict[str, Any] | None:
    """The confidence features of a filled Field (a record Field or a Field dict), when the fill recorded
    them (``extractor.fill.features``)."""
    feats = _in_memory(node, FEATURES)
    return dict(feats) if feats else None


def without_raw(node: Any) -> Any:
    """``node`` with the in-memory raw scores and features of its Field dicts left out (what a record
    serializes)."""
    if is_field(node):
        if any(k in node for k in _IN_MEMORY):
            return {k: v for k, v in node.items() if k not in _IN_MEMORY}
        return node
    if isinstance(node, dict):
        return {k: without_raw(v) for k, v in node.items()}
    if isinstance(node, list):
        return [without_raw(v) for v in node]
    return node


def count_filled(node: Any) -> int:
    """How many Fields in ``node`` hold a value."""
    return sum(1 for _path, f in iter_fields(node) if f.get("value") is not None)


def path_str(parts: Path) -> str:
    return "/".join(str(p) for p in parts)


def _has(node: Any, part: PathPart) -> bool:
    if isinstance(node, list):
        return isinstance(part, int) and 0 <= part < len(node)
    return isinstance(node, dict) and isinstance(part, str) and part in node


def get_at(node: Any, parts: Path) -> Any:
    """The node at ``parts``; KeyError when there is none."""
    for p in parts:
        if not _has(node, p):
            raise KeyError(path_str(parts))
        node = node[p]
    return node


def set_at(node: Any, parts: Path, value: Any) -> None:
    """Replace the node at ``parts`` (which must exist) by ``value``, in place."""
    parent = get_at(node, parts[:-1])
    if not _has(parent, parts[-1]):
        raise KeyError(path_str(parts))
    parent[parts[-1]] = value


# -- trees of leaf objects -------------------------------------------------------------------------
def map_leaves(node: Any, leaf_type: type[L], fn: Callable[[L], Any]) -> Any:
    """``node`` with every ``leaf_type`` object replaced by ``fn(leaf)`` (dicts and lists copied)."""
    if isinstance(node, leaf_type):
        return fn(node)
    if isinstance(node, dict):
        return {k: map_leaves(v, leaf_type, fn) for k, v in node.items()}
    if isinstance(node, list):
        return [map_leaves(v, leaf_type, fn) for v in node]
    return node


def leaves(node: Any, leaf_type: type[L]) -> list[L]:
    """Every ``leaf_type`` object in ``node``, in document order."""
    if isinstance(node, leaf_type):
        return [node]
    if isinstance(node, dict):
        return [x for v in node.values() for x in leaves(v, leaf_type)]
    if isinstance(node, list):
        return [x for v in node for x in leaves(v, leaf_type)]
    return []
