"""Self-consistency: a second sample of an uncertain answer, as a confidence feature (pure parts).

When ``Settings.sample_seconds`` > 0, ``extractor.fill.call`` looks at each chunk's scored answer; when
a value's confidence is below ``Settings.sample_below``, the chunk is asked once more with the same
messages and the schema's fields in reverse order (:func:`reversed_schema`: a different prompt order, so
the model writes the uncertain fields before or after others than the first time). Second samples stop
once their calls have taken ``sample_seconds`` of wall clock for the item (a call already started
finishes). A failed second sample costs only the feature. Second answers go through the response cache
under their own key (:func:`sample_key`), so a re-run is free.

Each uncertain value then gets the feature ``sample`` (``extractor.fill.features``): ``agree`` when the
second answer has the same value at the same path (for an element of a list of names: any element of
the second list; "the same" is the readers' merge rule), ``disagree`` otherwise, a second null
included. Values that were not uncertain, or not sampled, have ``sample`` None.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, create_model

from ..events import tree
from ..quoted import QuotedBase
from ..readers.merge import _same as same_value

__all__ = ["answer_key", "reversed_schema", "sample_key", "uncertain_paths", "verdicts"]

Path = tuple[str | int, ...]
SAMPLE_SUFFIX = "|sample:reversed-fields"


def reversed_schema(schema: type[BaseModel]) -> type[BaseModel]:
    """``schema`` (a quoted answer schema) with its top-level fields in reverse order; an answer to it
    validates as an answer to ``schema`` (same names and types)."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in reversed(list(schema.model_fields.items()))
    }
    return create_model(f"{schema.__name__}Reversed", __base__=QuotedBase, **fields)


def sample_key(key: str) -> str:
    """The response-cache key of the second sample of the call cached under ``key``."""
    return key + SAMPLE_SUFFIX


def answer_key(output: dict[str, Any]) -> str:
    """A chunk's answer as a key (the verdicts of its second sample are looked up by it)."""
    return json.dumps(output, sort_keys=True, ensure_ascii=False)


def uncertain_paths(event: dict[str, Any], below: float) -> list[Path]:
    """Paths of the scored event's non-null values with confidence below ``below``."""
    return [
        path
        for path, f in tree.iter_fields(event)
        if f.get("value") is not None and float(f.get("confidence") or 0.0) < below
    ]


def _at(node: Any, path: Path) -> Any:
    for step in path:
        if isinstance(node, dict) and not tree.is_field(node):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else None
        else:
            return None
    return node


def _value(node: Any) -> Any:
    return node.get("value") if tree.is_field(node) else None


def verdicts(first: dict[str, Any], second: dict[str, Any], paths: list[Path]) -> dict[Path, str]:
    """Path -> ``agree`` | ``disagree``: the second scored answer against the first at each path."""
    out: dict[Path, str] = {}
    for path in paths:
        name = next((p for p in reversed(path) if isinstance(p, str)), "")
        value = _value(_at(first, path))
        if value is None:
            continue
        parent = _at(second, path[:-1]) if isinstance(path[-1], int) else None
        if isinstance(parent, list) and all(tree.is_field(x) for x in parent):
            others = [_value(x) for x in parent]  # a list of names: any element
        else:
            others = [_value(_at(second, path))]
        same = any(o is not None and same_value(name, value, o) for o in others)
        out[path] = "agree" if same else "disagree"
    return out
