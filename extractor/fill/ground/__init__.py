"""Grounding: tie each value the model returned to the words of the filing (pure functions).

For every non-null leaf the model gives ``{quote, value}``. The quote is aligned to the item's text:

1. ``exact``: the quote occurs verbatim;
2. ``lenient``: it occurs once case, whitespace runs, curly quotes, dashes and non-breaking spaces are
   normalized;
3. ``fuzzy``: rapidfuzz's best partial alignment scores >= ``FUZZY_MIN`` (quotes of >= 12 chars only);
4. otherwise, for string values, the *value* itself is looked up (exact/lenient); else ``none``.

Before any of that, a date or an amount the item's text does not state in any form (``support``:
"2023-04-15" in a 2007 filing, a period end that is only the press release's date) is not a value: the
leaf is null with the reason, so a reader's value or nothing stands.

The span found is mapped to the normalized filing: ``item.span[0] + offset in item.text``, and the
stored quote becomes exactly ``text[start:end]``. Then the value is checked against its quote. Text that
addresses the model ("ignore previous instructions", "you are an AI", ...) marks suspect regions; a value
read from one is flagged. Confidence is computed from these facts in ``extractor.fill.confidence``.

The parts: ``align`` (quote -> span), ``checks`` (value vs quote: dates, numbers, names, enum cues),
``support`` (value vs the whole item text: dates and amounts), ``injection`` (suspect regions); this module grounds one leaf (:func:`ground_leaf`) and a whole answer in
the schema's shape (:func:`ground_event`, through ``extractor.events.tree``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ...events import tree
from ...record import Alignment
from .aliases import expand
from .align import Aligned, align, align_in_body, normalize_with_map
from .checks import NAMES, PARAPHRASE, Check, check_value, dates_in, enum_check, numbers_in
from .injection import injection_regions
from .support import unsupported

__all__ = [
    "NAMES",
    "PARAPHRASE",
    "Aligned",
    "Check",
    "Leaf",
    "align",
    "check_value",
    "dates_in",
    "enum_check",
    "ground_event",
    "ground_leaf",
    "injection_regions",
    "normalize_with_map",
    "nullish",
    "numbers_in",
]


@dataclass
class Leaf:
    """One value as the model gave it, with everything grounding learned about it."""

    path: tuple[str | int, ...]  # ("changes", 0, "person") -- as in the event; raw JSON adds "value"
    name: str  # field name
    kind: str  # leaf_kind
    value: Any
    model_quote: str | None
    aligned: Aligned
    span: tuple[int, int] | None  # in the normalized filing
    quote: str | None  # text[span] when aligned, else the model's quote
    check: Check
    injected: bool = False
    reasons: list[str] = field(default_factory=list)
    in_heading: bool = False  # the model's quote is only in the item's heading (not evidence)
    by_value: bool = False  # the quote was not found; the value itself was
    referenced: bool = False  # read from an item this one incorporates by reference


_NULL_WORDS = frozenset(
    {"null", "none", "n/a", "na", "not stated", "not specified", "not applicable", "unknown", ""}
)


def nullish(value: Any) -> Any:
    """None for the words small models write instead of a JSON null ("null", "N/A", "not stated")."""
    if isinstance(value, str) and value.strip().strip(".").lower() in _NULL_WORDS:
        return None
    return value


Segment = tuple[str, int, list[tuple[int, int]]]  # text, its start in the filing, injection regions


_PARTIES = frozenset({"counterparty", "counterparties", "former_auditor", "new_auditor"})


def ground_leaf(
    path: tuple[str | int, ...],
    name: str,
    kind: str,
    pair: dict[str, Any] | None,
    item_text: str,
    item_start: int,
    regions: list[tuple[int, int]],
    extra: Sequence[Segment] = (),
    heading_len: int = 0,
) -> Leaf:
    """Ground one value: its quote aligned in the item text, else in the ``extra`` segments (the text of
    an item this one incorporates by reference), else the value itself looked up the same way. The
    item's heading (its first ``heading_len`` chars) is never evidence (``align_in_body``)."""
    pair = pair or {}
    value, mquote = nullish(pair.get("value")), nullish(pair.get("quote"))
    reasons: list[str] = []
    segments: list[Segment] = [(item_text, item_start, regions), *extra]
    missing = None if value is None else unsupported(name, kind, value, [t for t, _s, _r in segments])
    if value is None or missing is not None:  # a date or amount the text never states is not read
        return Leaf(
            path,
            name,
            kind,
            None,
            mquote,
            Aligned(Alignment.none),
            None,
            None,
            Check("n/a") if missing is None else Check("fail", missing),
            reasons=["null"] if missing is None else [f"the model's {value!r} is not a value: {missing}"],
        )
    aligned, seg = Aligned(Alignment.none), segments[0]
    in_heading = by_value = False
    for candidate in segments:
        aligned = align_in_body(mquote, candidate[0], heading_len if candidate is segments[0] else 0)
        if aligned.status is not Alignment.none:
            seg = candidate
            break
    if aligned.status is Alignment.none:
        in_heading = heading_len > 0 and align(mquote, item_text[:heading_len]).status is not Alignment.none
        reasons.append(
            "quoted from the item's heading, which is not evidence"
            if in_heading
            else "quote not found in the item text"
            if mquote
            else "no quote given"
        )
        if kind in ("str", "int") and name not in PARAPHRASE:
            for candidate in segments:
                found = align_in_body(
                    str(value),
                    candidate[0],
                    heading_len if candidate is segments[0] else 0,
                    allow_fuzzy=False,
                )
                if found.status is not Alignment.none:
                    by_value = True
                    aligned, seg = found, candidate
                    reasons.append("grounded by the value itself")
                    break
    elif aligned.status is Alignment.fuzzy:
        reasons.append(f"quote aligned approximately ({aligned.score:.0f}%)")
    if aligned.status is not Alignment.none and seg is not segments[0]:
        reasons.append("read from the item it incorporates by reference")
    span = quote = None
    injected = False
    text, start, regs = seg
    if aligned.start is not None and aligned.end is not None:
        span = (start + aligned.start, start + aligned.end)
        quote = text[aligned.start : aligned.end]
        injected = any(aligned.start < e and s < aligned.end for s, e in regs)
        if injected:
            reasons.append("read from text that addresses the model (possible prompt injection)")
    check = check_value(name, kind, value, quote if quote is not None else mquote)
    if check.reason:
        reasons.append(check.reason)
    if check.corrected is not None:
        value = check.corrected
    if name in _PARTIES and isinstance(value, str):
        full = expand(value, [t for t, _s, _r in segments])
        if full is not None:  # a defined short name ("AdvancePierre"): the name the text defines it by
            name_value, k, fstart, fend = full
            ftext, foffset, fregs = segments[k]
            if not any(fstart < e and s < fend for s, e in fregs):
                reasons.append(f"{value!r} is the text's short name for {name_value!r}")
                value, quote, span = name_value, ftext[fstart:fend], (foffset + fstart, foffset + fend)
    return Leaf(
        path,
        name,
        kind,
        value,
        mquote,
        aligned,
        span,
        quote if quote is not None else mquote,
        check,
        injected,
        reasons,
        in_heading=in_heading,
        by_value=by_value,
        referenced=aligned.status is not Alignment.none and seg is not segments[0],
    )


def ground_event(
    schema: type[BaseModel],
    quoted: dict[str, Any],
    item_text: str,
    item_start: int,
    referenced: Sequence[tuple[str, int]] = (),
    heading: str | None = None,
) -> dict[str, Any]:
    """Quoted model output (as a JSON dict) -> the event's shape with a :class:`Leaf` at each value.
    ``referenced``: (text, start) of items this item incorporates by reference, which the model was
    shown after the item's own text; ``heading``: the item's heading, which opens its text and is not
    evidence. Null entries of a list of values are dropped."""
    regions = injection_regions(item_text)
    extra: list[Segment] = [(t, s, injection_regions(t)) for t, s in referenced]
    heading_len = len(heading) if heading and item_text.startswith(heading) else 0

    def leaf(path: tree.Path, name: str, kind: str, pair: Any) -> Leaf:
        return ground_leaf(path, name, kind, pair, item_text, item_start, regions, extra, heading_len)

    return tree.map_schema(
        schema, quoted, leaf, keep=lambda pair: bool(pair) and nullish(pair.get("value")) is not None
    )
