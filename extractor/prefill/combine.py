"""Combining the parser's reading of an item event with the model's: parser pre-fill of item events: what the text states in a fixed shape is read, not asked (pure).

The deterministic event readers of this package cover three events:

- 2.02 / legacy 12 ``period_end`` (``prefill.periods``): "for the quarter ended December 31, 2007";
- 5.07 ``meeting_date`` and ``proposals`` with their vote counts (``prefill.votes``): vote tables,
  key-value rows and prose counts, the part a small model is worst at;
- 5.02 ``changes`` read from compensation tables (``prefill.officers``): one "compensation" change per
  named officer row. Never *covered* (the prose may report other changes); the model's entries and the
  parser's rows are merged by person.

``parser_event(item)`` gives a :class:`ParserEvent`: the event in the fill stage's shape (a Field dict,
method ``parser``, at every leaf) and the top-level fields it *covers* (read completely: ``period_end``
when found; ``proposals`` when every vote block of the item was read; ``meeting_date`` when found).

The fill stage (``extractor.fill``) then asks the model only for the uncovered fields
(``ask_schema``), or makes no call when nothing is left, and ``combine``\\ s both: covered fields come
from the parser; for an uncovered ``proposals`` list (the parser read some blocks but not all) the
model's proposals are merged with the parser's, and where both read the same count of the same proposal
the documented parser-agreement rule of ``prefill.scoring`` applies (the parser's value is kept).

``prefill_record(record)`` sets the parser events on a parsed record: the parser-only baseline of the
eval harness and ``extract --dry-run`` style runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, create_model

from .. import catalog
from ..record import FilingRecord, Item
from .names import person_key
from .officers import compensation_changes
from .periods import period_end
from .scoring import parser_adjusted
from .votes import COUNTS, read_votes

__all__ = ["ParserEvent", "ask_schema", "combine", "parser_event", "prefill_record"]


@dataclass(frozen=True)
class ParserEvent:
    event: dict[str, Any]  # the event's shape; every leaf a Field dict (method "parser")
    covered: frozenset[str]  # top-level fields read completely: never asked of the model

    def complete(self, schema: type[BaseModel]) -> bool:
        return set(schema.model_fields) <= self.covered


def _modern(item: Item) -> str | None:
    return item.modern_equivalent or catalog.modern_equivalent(item.number)


def parser_event(item: Item) -> ParserEvent | None:
    """The parser's reading of a reported item's event, or None when it reads nothing of it."""
    if not item.reported:
        return None
    modern = _modern(item)
    offset = item.span[0]
    if modern == "2.02":
        f = period_end(item.text, offset)
        if f is None:
            return None
        return ParserEvent({"period_end": f.model_dump(mode="json")}, frozenset({"period_end"}))
    if modern == "5.07":
        read = read_votes(item.text, offset)
        covered = set()
        if read.meeting_date is not None:
            covered.add("meeting_date")
        if read.complete:
            covered.add("proposals")
        if not covered and not read.proposals:
            return None
        return ParserEvent(read.event(), frozenset(covered))
    if modern == "5.02":
        changes = compensation_changes(item.text, offset)
        # the rows of a compensation table; the prose may report other changes: nothing is covered
        return ParserEvent({"changes": changes}, frozenset()) if changes else None
    return None


def prefill_record(record: FilingRecord) -> FilingRecord:
    """A copy of ``record`` whose items carry the parser's events (items it reads nothing of: unchanged)."""
    out = record.model_copy(deep=True)
    for k, item in enumerate(out.items):
        pre = parser_event(item)
        if pre is not None:
            out.items[k] = item.model_copy(update={"event": pre.event})
    return out


@cache
def ask_schema(schema: type[BaseModel], covered: frozenset[str]) -> type[BaseModel]:
    """``schema`` without the covered fields (same class name, so the item's prompt template applies)."""
    if not covered & set(schema.model_fields):
        return schema
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in schema.model_fields.items() if name not in covered
    }
    base = next(b for b in schema.__mro__[1:] if issubclass(b, BaseModel))  # the Event base (extra="forbid")
    return create_model(schema.__name__, __base__=base, __doc__=schema.__doc__, **fields)


# -- merging the model's answer with the parser's -------------------------------------------------------
def _norm(s: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(s or "").lower()))


def _same_proposal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    x, y = _norm(a["description"].get("value")), _norm(b["description"].get("value"))
    return bool(x and y) and (x == y or (min(len(x), len(y)) >= 8 and (x in y or y in x)))


def _agree(parser_leaf: dict[str, Any], llm_leaf: dict[str, Any] | None) -> dict[str, Any]:
    """The parser's leaf, its confidence moved by the model's reading of the same fact."""
    if llm_leaf is None or llm_leaf.get("value") is None or parser_leaf.get("value") is None:
        return parser_leaf
    agrees = llm_leaf["value"] == parser_leaf["value"]
    out = dict(parser_leaf)
    out["confidence"] = round(
        parser_adjusted(parser_leaf["confidence"], "agree" if agrees else "disagree"), 3
    )
    note = "the model agrees" if agrees else f"the model read {llm_leaf['value']!r}"
    out["reasons"] = [*parser_leaf.get("reasons", []), note]
    return out


def _merge_proposals(parser: list[dict[str, Any]], llm: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for p in parser:
        j = next((j for j, q in enumerate(llm) if j not in used and _same_proposal(p, q)), None)
        if j is None:
            out.append(p)
            continue
        used.add(j)
        q = llm[j]
        merged = {name: _agree(p[name], q.get(name)) for name in ("description", *COUNTS)}
        # the outcome: the parser's when it read one, else the model's
        merged["outcome"] = (
            p["outcome"] if p["outcome"].get("value") is not None else q.get("outcome", p["outcome"])
        )
        out.append(merged)
    out.extend(q for j, q in enumerate(llm) if j not in used)
    return out


def combine(pre: ParserEvent, llm_event: dict[str, Any]) -> dict[str, Any]:
    """The item's event: covered fields from the parser, the rest from the model (``llm_event`` holds the
    fields of ``ask_schema``); parser proposals of an uncovered list are merged into the model's."""
    out = dict(llm_event)
    for name in pre.covered:
        out[name] = pre.event[name]
    if "proposals" not in pre.covered and pre.event.get("proposals"):
        out["proposals"] = _merge_proposals(pre.event["proposals"], list(llm_event.get("proposals") or []))
    if "changes" not in pre.covered and pre.event.get("changes"):
        out["changes"] = _merge_people(pre.event["changes"], list(llm_event.get("changes") or []))
    return out


def _merge_people(parser: list[dict[str, Any]], llm: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model's entries, then the parser's entries for people the model did not name. Where both
    name a person, the model's entry stands (it read the prose around the table) and its null values
    are taken from the parser's row."""
    rows = {person_key(p["person"]): p for p in parser}
    out = []
    for entry in llm:
        row = rows.pop(person_key(entry.get("person")), None)
        if row is not None:
            entry = {k: (row[k] if k in row and (not isinstance(v, dict) or v.get("value") is None) else v)
                     for k, v in entry.items()}  # fmt: skip
        out.append(entry)
    out.extend(rows.values())
    return out
