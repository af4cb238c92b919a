"""Post-processing of one item's answers (pure): chunk events merged, people de-duplicated, the
registrant dropped from its own counterparties, a failed item's null event.

``merge`` keeps the best Field per leaf (highest confidence, a value over a null) and concatenates lists,
de-duplicated by their normalized first values; ``dedupe_people`` keeps one 5.02 entry per person
(``extractor.prefill.names``); ``drop_self_counterparties`` removes the registrant and roles ("the
lenders") from the counterparties.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ..events import tree
from ..prefill.names import is_person_name, is_registrant, person_key, resolve_person
from ..prefill.scoring import ParserFacts
from .ground import normalize_with_map


def _key(node: Any) -> str:
    if tree.is_field(node):
        nv, _ = normalize_with_map(str(node.get("value")))
        return nv
    if isinstance(node, dict):
        vals = [_key(v) for v in list(node.values())[:2]]
        return "|".join(vals)
    return json.dumps(node, sort_keys=True)


def _better(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a.get("value") is None:
        return b
    if b.get("value") is None:
        return a
    return b if b["confidence"] > a["confidence"] else a


def dedupe_people(event: dict[str, Any], item_text: str | None = None, item_start: int = 0) -> dict[str, Any]:
    """One entry per person in lists of people (5.02 changes): small models repeat a person once per
    sentence that names them ("Rona Fairhead", "Mrs. Fairhead", ...). Entries are keyed by the person's
    last name; the entry with the most filled values wins. Entries with no value at all, or whose person is
    not a person's name (a plan, a company, a title), are dropped."""
    out = dict(event)
    for name, value in event.items():
        if not (
            isinstance(value, list) and value and all(isinstance(v, dict) and "person" in v for v in value)
        ):
            continue
        kept: dict[str, dict[str, Any]] = {}
        anonymous: list[dict[str, Any]] = []
        for entry in value:
            if tree.count_filled(entry) == 0:
                continue
            person = entry["person"].get("value") if isinstance(entry["person"], dict) else None
            if person is not None and not is_person_name(person):
                fixed = resolve_person(entry["person"], item_text, item_start) if item_text else None
                if fixed is None or not is_person_name(fixed["value"]):
                    continue  # "Adoption of Fiscal Year 2027 Variable Compensation Plan" is not a person
                entry = {**entry, "person": fixed}
            key = person_key(entry["person"])
            if key is None:
                anonymous.append(entry)
            elif key not in kept or tree.count_filled(entry) > tree.count_filled(kept[key]):
                kept[key] = entry
        out[name] = list(kept.values()) + ([] if kept else anonymous)
    return out


def drop_self_counterparties(event: dict[str, Any], facts: ParserFacts) -> dict[str, Any]:
    """The registrant is never its own counterparty (the prompt says so; small models list it anyway, as
    "Disney" or "NUANCE COMMUNICATIONS, INC."), and a counterparty is a name, not a role ("the lenders"):
    such entries of ``counterparties`` are dropped and such a ``counterparty`` becomes null, with the
    reason. Who the registrant is: ``prefill.names.is_registrant`` (the same test that lowers such a value's
    confidence)."""

    def bad(leaf: Any) -> str | None:
        value = leaf.get("value") if isinstance(leaf, dict) else None
        if not isinstance(value, str):
            return None
        if not any(ch.isupper() for ch in value):
            return "not a name"
        if is_registrant(value, facts.registrants):
            return "the registrant itself"
        return None

    out = dict(event)
    if isinstance(event.get("counterparties"), list):
        out["counterparties"] = [leaf for leaf in event["counterparties"] if bad(leaf) is None]
    leaf = event.get("counterparty")
    why = bad(leaf)
    if why is not None and isinstance(leaf, dict):
        out["counterparty"] = {**leaf, "value": None, "span": None, "quote": None,
                               "reasons": [*leaf.get("reasons", []), f"dropped {leaf['value']!r}: {why}"]}  # fmt: skip
    return out


def merge(schema: type[BaseModel], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge per-chunk events: best Field per leaf, lists concatenated and de-duplicated."""
    if len(events) == 1:
        return events[0]
    out: dict[str, Any] = {}
    for name, slot in tree.fields(schema).items():
        shape, inner = slot.shape, slot.inner
        values: list[Any] = [e.get(name) for e in events]
        if shape == "leaf":
            best = values[0]
            for v in values[1:]:
                best = _better(best, v)
            out[name] = best
        elif shape in ("leaf_list", "model_list"):
            merged: dict[str, Any] = {}
            for lst in values:
                for node in lst or []:
                    k = _key(node)
                    if k not in merged:
                        merged[k] = node
                    elif shape == "model_list":
                        merged[k] = merge(inner, [merged[k], node])
                    else:
                        merged[k] = _better(merged[k], node)
            out[name] = list(merged.values())
        else:
            present = [v for v in values if v is not None]
            out[name] = merge(inner, present) if present else None
    return out


def failed_event(schema: type[BaseModel], reason: str) -> dict[str, Any]:
    """The event's shape with every leaf a null Field at confidence 0 carrying the failure reason."""

    def null(path: tree.Path, name: str, kind: str, got: Any) -> dict[str, Any]:
        return {
            "value": None,
            "confidence": 0.0,
            "method": "llm",
            "span": None,
            "quote": None,
            "alignment": None,
            "reasons": [f"fill failed: {reason}"],
        }

    return tree.map_schema(schema, None, null, missing_models=True)
