"""The value a reader returns: the value, its quote and span in the filing, a confidence (pure).

A :class:`ReaderValue` is what every reader in this package gives back: ``span`` indexes the filing's
normalized text (an item's text plus the item's offset, as every record span does) and ``quote`` is
exactly the text of that span. ``leaf()`` turns it into the fill stage's leaf shape (a Field dict with
method ``parser``), so a merged event looks like any other filled event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..record import Alignment, Field, Method

Segment = tuple[str, int]  # a text to read and where it starts in the filing's normalized text


@dataclass(frozen=True)
class ReaderValue:
    value: Any
    span: tuple[int, int]
    quote: str
    confidence: float
    reader: str  # which reader produced it ("defined_term", "parties_clause", ...)
    reasons: tuple[str, ...] = ()
    kind: str | None = None  # vocabulary kind of an agreement / instrument phrase

    def leaf(self) -> dict[str, Any]:
        reasons = [f"read by the {self.reader} reader", *self.reasons]
        if self.kind is not None:
            reasons.append(f"vocabulary kind: {self.kind}")
        f: Field[Any] = Field(
            value=self.value,
            confidence=round(self.confidence, 3),
            method=Method.parser,
            span=self.span,
            quote=self.quote,
            # a reader's quote is the text at its span, so the value is grounded exactly
            alignment=Alignment.exact if self.span is not None and self.quote else None,
            reasons=reasons,
        )
        return f.model_dump(mode="json")


def value_at(
    text: str, start: int, end: int, offset: int, value: Any, confidence: float, reader: str, **kw: Any
) -> ReaderValue:
    """A value whose quote is ``text[start:end]`` trimmed of spaces and punctuation at its edges."""
    while start < end and text[start] in " \t\n|,;:(\"'\u201c\u201d":
        start += 1
    while end > start and text[end - 1] in " \t\n|,;:)\"'\u201c\u201d":
        end -= 1
    return ReaderValue(
        value, (start + offset, end + offset), text[start:end], round(confidence, 3), reader, **kw
    )


@dataclass(frozen=True)
class ChangeReading:
    """One 5.02 change read from the sentence that names the person."""

    person: ReaderValue
    change: ReaderValue | None = None
    position: ReaderValue | None = None
    effective_date: ReaderValue | None = None

    def fields(self) -> dict[str, ReaderValue]:
        out = {"person": self.person}
        for name in ("change", "position", "effective_date"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        return out


@dataclass(frozen=True)
class Readings:
    """Everything the readers read of one item.

    ``values``: scalar fields; ``lists``: list-of-name fields (counterparties), with ``complete`` naming
    the lists read from a whole parties clause; ``changes``: 5.02 changes, one per person sentence."""

    item: str  # the modern item number
    values: dict[str, ReaderValue] = field(default_factory=dict)
    lists: dict[str, tuple[ReaderValue, ...]] = field(default_factory=dict)
    complete: frozenset[str] = frozenset()
    changes: tuple[ChangeReading, ...] = ()
    # values that stand only where the model gave none (the lead-sentence summary); never compared with
    # the model's, so never a confidence feature
    fallback: dict[str, ReaderValue] = field(default_factory=dict)

    def empty(self) -> bool:
        return not (self.values or self.lists or self.changes)

    def outside(self, regions: Sequence[tuple[int, int]]) -> Readings:
        """These readings without the values read from ``regions`` (filing offsets): text that addresses
        a language model is untrusted, so nothing read from it becomes a value. A 5.02 change whose
        person lies in one is dropped whole; its other fields, each on its own."""
        if not regions:
            return self

        def clean(v: ReaderValue | None) -> bool:
            return v is not None and not any(v.span[0] < e and s < v.span[1] for s, e in regions)

        changes = tuple(
            ChangeReading(
                c.person,
                *(v if clean(v) else None for v in (c.change, c.position, c.effective_date)),
            )
            for c in self.changes
            if clean(c.person)
        )
        return replace(
            self,
            values={k: v for k, v in self.values.items() if clean(v)},
            fallback={k: v for k, v in self.fallback.items() if clean(v)},
            lists={k: kept for k, vs in self.lists.items() if (kept := tuple(v for v in vs if clean(v)))},
            complete=frozenset(k for k in self.complete if all(clean(v) for v in self.lists.get(k, ()))),
            changes=changes,
        )
