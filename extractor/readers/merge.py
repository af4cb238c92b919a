"""Merge the model's event with the readers' values, by value (pure).

Contract (for the fill stage to call once the model's event is grounded): ``merge(model_event,
readings)`` takes the item's event in the fill stage's shape (every leaf a Field dict: ``value``,
``confidence``, ``method``, ``span``, ``quote``, ``reasons``; lists of such leaves; 5.02 ``changes`` a
list of dicts of leaves) and the item's :class:`~extractor.readers.values.Readings`, and returns a new
event of the same shape (the inputs are not changed). Field by field:

1. **Not an answer.** A model value that ``checks.type_problem`` rejects (the item's SEC title,
   boilerplate, the field's description, a sentence, a kind outside the vocabulary) is replaced by the
   reader's value when there is one, else by null; either way the reason is kept in ``reasons``. (The
   fill stage may first re-ask the model once with that reason through instructor's validation; this
   function is what stands after that.)
2. **Agreement.** The model and the reader give the same value (same words, same date, same
   vocabulary form of a kind, same name): the reader's leaf is kept (its quote is exact) with the
   documented parser-agreement step of ``extractor.confidence``, ``c + (1 - c) / 2`` on the higher
   of the two confidences; the model's evidence stays in ``reasons`` (its quote when it differs, and
   its own reasons: name resolution, quote checks, calibration).
3. **Disagreement.** The reader's value replaces the model's when the reader's confidence is at least
   the model's (its calibration curve's score when the fill recorded one, ``events.tree.CURVE_CONFIDENCE``:
   a refit of the fitted feature model alone never changes which value stands, a refit of the isotonic
   curve can); otherwise the model's stands with its confidence halved (the parser-disagreement step)
   and the reader's value in ``reasons``.
4. **Model only / reader only.** A field only the model filled keeps the model's value (an agreement
   or instrument kind in the vocabulary's form, ``vocabulary.recognize``); a field only a reader read
   is added (a model's null counts as not filled). The lead-sentence summary (``summary``) is only
   ever this (``Readings.fallback``): where the model gave no summary, never compared with it.
5. **Lists of names** (counterparties). Model names that are not answers are dropped. When a reader
   read a whole parties clause (``Readings.complete``), the list is the clause's parties (a model name
   matching one is an agreement); names the model gave that the clause does not have are dropped. Else
   the model's names, then the reader's names the model lacks.
6. **5.02 changes**, merged by person (surname): a matched entry is merged field by field as above;
   reader changes for people the model did not name are added when the reader has evidence of the
   person (confidence >= ``ADD_NEW_PERSON``: an honorific reference, a middle initial or the change
   verb next to the name), a second change of a person the model named only when it is sure
   (>= ``ADD_PERSON``); a model person that is not an answer (an organization, a role) is
   null with the reason, its entry kept (a change of a group: "the executive officers").
"""

from __future__ import annotations

import re
from typing import Any

from ..events.tree import CURVE_CONFIDENCE
from .checks import TYPE_FIELDS, type_problem
from .exemptions import citations
from .officers import SUFFIXES, surname
from .parties import name_key
from .values import ChangeReading, ReaderValue, Readings
from .vocabulary import recognize

__all__ = ["ADD_NEW_PERSON", "ADD_PERSON", "merge"]

ADD_PERSON = 0.75
ADD_NEW_PERSON = 0.55


def _leaf(node: Any) -> dict[str, Any] | None:
    if isinstance(node, dict) and "value" in node:
        return node
    if node is None:
        return None
    return {"value": node, "confidence": 0.5, "method": "llm", "span": None, "quote": None, "reasons": []}


def _agree(c: float) -> float:
    return round(c + (1 - c) / 2, 3)


def _same(field: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if field in ("agreement_type", "instrument"):
        ra, rb = recognize(str(a)), recognize(str(b))
        if ra and rb and (ra[0] == rb[0] or (ra[1].name == rb[1].name and field == "instrument")):
            return True
    if field == "exemption" and citations(a):  # the same provisions cited, however worded
        return citations(a) == citations(b)
    if field in ("counterparties", "former_auditor", "new_auditor", "person"):
        return bool(name_key(str(a))) and name_key(str(a)) == name_key(str(b))
    norm = lambda v: " ".join(re.findall(r"[a-z0-9]+", str(v).lower()))  # noqa: E731
    return norm(a) == norm(b)


def _with(leaf: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = dict(leaf)
    reasons = changes.pop("reasons", None)
    out.update(changes)
    if reasons:
        out["reasons"] = [*leaf.get("reasons", []), *reasons]
    return out


def _agreed(model: dict[str, Any], reader: ReaderValue) -> dict[str, Any]:
    """The reader's leaf (its quote is exact) at the agreement step, keeping the model's evidence: its
    quote when it differs and its reasons (name resolution, quote checks) after the reader's own."""
    mc = float(model.get("confidence") or 0.0)
    said = model.get("quote")
    evidence = [f"the model quoted {said!r}"] if said and said != reader.quote else []
    return _with(
        reader.leaf(),
        confidence=_agree(max(mc, reader.confidence)),
        reasons=["the model agrees", *evidence, *model.get("reasons", [])],
    )


def _scalar(field: str, item: str, model: Any, reader: ReaderValue | None) -> dict[str, Any] | None:
    m = _leaf(model)
    value = m.get("value") if m else None
    problem = type_problem(value, item=item, field=field) if value is not None else None
    if problem is not None:
        note = f"the model's {value!r} is not an answer: {problem}"
        if reader is not None:
            return _with(reader.leaf(), reasons=[note])
        assert m is not None
        return _with(m, value=None, span=None, quote=None, alignment=None, confidence=0.5, reasons=[note])
    if reader is None:
        return _normalized(field, m)
    if m is None or value is None:
        return reader.leaf()
    mc = float(m.get("confidence") or 0.0)
    if _same(field, value, reader.value):
        return _agreed(m, reader)
    decide = m.get(CURVE_CONFIDENCE)
    if reader.confidence >= (mc if decide is None else float(decide)):
        return _with(reader.leaf(), reasons=[f"the model read {value!r}"])
    return _with(m, confidence=round(mc * 0.5, 3), reasons=[f"a reader read {reader.value!r}"])


def _normalized(field: str, m: dict[str, Any] | None) -> dict[str, Any] | None:
    """A model-only agreement / instrument kind in the vocabulary's form ("Fourth Amended and Restated
    Credit Agreement" -> "amended and restated credit agreement"), as the readers give theirs."""
    found = recognize(str(m["value"])) if m is not None and field in TYPE_FIELDS and m.get("value") else None
    if m is None or found is None or found[0] == m["value"]:
        return m
    return _with(m, value=found[0], reasons=[f"normalized to the vocabulary (kind: {found[1].name})"])


def _names(field: str, item: str, model: Any, readers: tuple[ReaderValue, ...], whole: bool) -> list[Any]:
    leaves = [leaf for leaf in (_leaf(x) for x in (model or [])) if leaf is not None]
    kept = [x for x in leaves if x.get("value") and type_problem(x["value"], item=item, field=field) is None]
    if not readers:
        return kept
    out: list[Any] = []
    used: set[int] = set()
    for r in readers:
        j = next((j for j, x in enumerate(kept) if j not in used and _same(field, x["value"], r.value)), None)
        if j is None:
            out.append(r.leaf())
            continue
        used.add(j)
        out.append(_agreed(kept[j], r))
    if whole:
        return out
    return [x for j, x in enumerate(kept) if j not in used] + [x for x in out if x not in kept]


def _surname(node: Any) -> str | None:
    leaf = _leaf(node)
    value = leaf.get("value") if leaf else None
    if not value:
        return None
    return surname(str(value)).lower() or None


_NOT_GIVEN = SUFFIXES | {"mr", "mrs", "ms", "miss", "dr"}


def _given(node: Any) -> tuple[str, ...]:
    """The names before the surname, lowercased ("John H. McConnell II" -> ("john", "h")); () for
    "Mr. McConnell"."""
    leaf = _leaf(node)
    words = re.findall(r"[A-Za-z'\u2019-]+", str(leaf.get("value") or "")) if leaf else []
    words = [w.lower() for w in words if w.lower() not in _NOT_GIVEN]
    return tuple(words[:-1])


def _same_person(a: Any, b: Any) -> bool:
    """Same surname, and no given name or initial where both print one differs ("John P. McConnell"
    is not "John H. McConnell II"; "Mr. McConnell" is either)."""
    key = _surname(a)
    if not key or _surname(b) != key:
        return False
    pairs = zip(_given(a), _given(b), strict=False)  # "John McConnell" has no middle initial to differ
    return all(x == y or ((len(x) == 1 or len(y) == 1) and x[0] == y[0]) for x, y in pairs)


def _match(entry: dict[str, Any], pending: list[ChangeReading]) -> ChangeReading | None:
    """The reader change of the entry's person: the reader's surest of that person, of the model's kind
    of change among equally sure ones (a weaker reading of the model's kind never outvotes it)."""
    found = [r for r in pending if _same_person(entry.get("person"), r.person.value)]
    kind = (_leaf(entry.get("change")) or {}).get("value")
    return min(
        found,
        key=lambda r: (-r.person.confidence, (r.change.value if r.change else None) != kind),
        default=None,
    )


def _changes(item: str, model: Any, readers: tuple[ChangeReading, ...]) -> list[Any]:
    entries = [dict(e) for e in (model or []) if isinstance(e, dict)]
    pending = list(readers)
    out: list[Any] = []
    for entry in entries:
        r = _match(entry, pending)
        if r is not None:
            pending.remove(r)
        got: dict[str, ReaderValue] = r.fields() if r is not None else {}
        merged = dict(entry)
        for name in ("person", "change", "position", "effective_date"):
            leaf = _scalar(name, item, entry.get(name), got.get(name))
            if leaf is not None:
                merged[name] = leaf
        out.append(merged)
    for r in pending:
        named = any(_same_person(e.get("person"), r.person.value) for e in entries)
        # a person the model did not name at all is added on the reader's word; a second change of a
        # person the model already has (a compensation sentence beside an appointment) needs more
        if r.person.confidence >= (ADD_PERSON if named else ADD_NEW_PERSON):
            out.append({name: v.leaf() for name, v in r.fields().items()})
    return out


def merge(model_event: dict[str, Any] | None, readings: Readings) -> dict[str, Any]:
    """The item's event: the model's values and the readers', merged by value (see the module doc)."""
    event = dict(model_event or {})
    item = readings.item
    for name, reader in readings.values.items():
        leaf = _scalar(name, item, event.get(name), reader)
        if leaf is not None:
            event[name] = leaf
    for name in [n for n in event if n not in readings.values and not isinstance(event[n], list)]:
        if name != "changes":
            leaf = _scalar(name, item, event[name], None)
            if leaf is not None:
                event[name] = leaf
    for name, readers in readings.lists.items():
        event[name] = _names(name, item, event.get(name), readers, name in readings.complete)
    for name in [
        n for n in event if isinstance(event[n], list) and n not in readings.lists and n != "changes"
    ]:
        if name == "counterparties":
            event[name] = _names(name, item, event[name], (), False)
    if readings.changes or "changes" in event:
        event["changes"] = _changes(item, event.get("changes"), readings.changes)
    for name, reader in readings.fallback.items():  # only where the model gave none
        leaf = _leaf(event.get(name))
        if leaf is None or leaf.get("value") is None:
            said = [r for r in (leaf.get("reasons", []) if leaf else []) if r != "null"]
            event[name] = {**reader.leaf(), "reasons": [*said, *reader.leaf()["reasons"]]}
    return event
