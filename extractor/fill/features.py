"""What a model-filled value's confidence is computed from: one flat dict of features per leaf (pure).

The features are kept on the Field in memory (``Field.features``, never serialized, like
``raw_confidence``) and written into the eval's observations, so a calibration model can be fitted
offline from an eval run (``extractor eval calibrate --features``, ``extractor.eval.fit``). Values are
JSON scalars: a number, a bool, a short string (one-hot encoded by the fit), or None (unknown).

==============  ===========================================================================================
``item``        the item's modern number ("5.02")
``field``       the field's name ("agreement_type"); list elements and their fields keep the field name
``kind``        the leaf kind (``str``, ``date``, ``enum``, ``int``, ``float``, ``bool``)
``null``        the model said the text does not state it
``p_mean``      exp(mean token logprob) of the value's tokens in the raw completion; None without logprobs
``p_min``       exp(min token logprob) of the same tokens (the least sure token)
``align``       how the quote was aligned: ``exact`` | ``lenient`` | ``fuzzy`` | ``none``
``align_score`` the alignment score / 100 (1 for exact / lenient, the rapidfuzz score for fuzzy)
``in_heading``  the quote is only in the item's heading (not evidence)
``by_value``    the quote was not found but the value itself was
``referenced``  read from an item this one incorporates by reference
``injected``    read from text that addresses the model
``check``       value vs its quote: ``ok`` | ``n/a`` | ``partial`` | ``fail``
``reasks``      instructor re-asks the answer needed
``parser``      what the parser's facts say: ``agree`` | ``disagree`` | None
``reader``      what a deterministic reader of ``extractor.readers`` read for the same field:
                ``agree`` | ``disagree`` | None (no reader value)
``problem``     ``readers.checks.type_problem`` rejects the value (the item's title, boilerplate, a
                sentence, a kind outside the vocabulary)
``words``       log(1 + number of words) of the value
``sample``      a second sample's value (self-consistency, ``extractor.fill.consistency``): ``agree`` |
                ``disagree`` | None (not taken)
``source``      ``model``; ``reader`` for an element a reader added to a list the model filled
                (``extractor.fill.rescore``: it keeps the reader's confidence)
``extends``     a short text value (<= 6 words) found in the item text only as the start of a longer
                name (each occurrence goes on with a capitalized word, "of"/"and"/"&" and one, or a
                corporate suffix: "New Line" of "New Line Cinema Corporation"); None when not found
``magnitude``   log10(1 + |x|) of a number value (a price per share where a total is asked is small)
``form_words``  a text value that names the filing's own parts rather than the event ("exhibit",
                "press release", "attached hereto", "furnished", "this report", "Form 8-K")
``at``          where the value's span starts in the item text (0 first character, 1 last); None
                without a span
``cover``       the share of the value's words (>= 3 letters or digits) found among the item text's
                words; None for a value that is not text
==============  ===========================================================================================

The last five need the item's text (``leaf_features(text=(text, start))``); without it they are None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..llm.base import TokenLogprob
from ..readers.checks import type_problem
from ..readers.merge import _same as same_value  # the merge's own notion of "the same value"
from ..readers.merge import _surname
from ..readers.values import ReaderValue, Readings
from ..record import Alignment
from .ground import Leaf

__all__ = ["Probs", "leaf_features", "reader_values", "text_features", "token_probs"]

Path = tuple[str | int, ...]
Probs = dict[Path, tuple[float, float]]  # JSON path of a scalar -> (exp mean logprob, exp min logprob)


def token_probs(logprobs: list[TokenLogprob] | None, spans: Mapping[Path, tuple[int, int]]) -> Probs:
    """Path of each JSON scalar -> (exp(mean), exp(min)) of the logprobs of the tokens overlapping it.
    ``spans``: each scalar's (start, end) in the token text (``jsonspans.value_spans``)."""
    out: Probs = {}
    for path, (start, end) in spans.items():
        toks = [
            t.logprob
            for t in logprobs or ()
            if t.offset < max(end, start + 1) and t.offset + len(t.token) > start
        ]
        if toks:
            out[path] = (math.exp(sum(toks) / len(toks)), math.exp(min(toks)))
    return out


def reader_values(grounded: dict[str, Any], readings: Readings | None) -> dict[Path, tuple[ReaderValue, ...]]:
    """Event path -> the reader values the model's value at that path is compared with: a scalar field's
    reader value; for an element of a list of names, every name the reader read; for a 5.02 change's
    fields, those of the reader's change for the same person (by surname)."""
    if readings is None or readings.empty():
        return {}
    out: dict[Path, tuple[ReaderValue, ...]] = {(name,): (rv,) for name, rv in readings.values.items()}
    for name, names in readings.lists.items():
        for k in range(len(grounded.get(name) or [])):
            out[(name, k)] = names
    for k, entry in enumerate(grounded.get("changes") or []):
        person = entry.get("person") if isinstance(entry, dict) else None
        key = _surname(person.value) if isinstance(person, Leaf) else None
        match = next((r for r in readings.changes if key and _surname(r.person.value) == key), None)
        for sub, rv in (match.fields() if match is not None else {}).items():
            out[("changes", k, sub)] = (rv,)
    return out


def _reader(leaf: Leaf, found: tuple[ReaderValue, ...] | None) -> str | None:
    if not found or leaf.value is None:
        return None
    if any(same_value(leaf.name, leaf.value, rv.value) for rv in found):
        return "agree"
    return "disagree"


def _words(value: Any) -> float:
    return round(math.log1p(len(re.findall(r"\S+", str(value)))), 4) if value is not None else 0.0


_SUFFIX = r"(?:Inc|Corp|Corporation|Co|Company|LLC|L\.?L\.?C|L\.?P|Ltd|Limited|plc|PLC|N\.A|S\.A|AG|GmbH|Holdings|Group)\b"
_GOES_ON = re.compile(r"\s+(?:(?:of|and|&)\s+)?[A-Z]|,?\s+" + _SUFFIX + r"|[A-Za-z]")
_FORM_WORDS = re.compile(
    r"\b(?:exhibits?|press release|hereto|attached|furnished|this (?:current )?report|form 8-k)\b", re.I
)
_WORD = re.compile(r"[a-z0-9]{3,}")


def _extends(value: str, text: str) -> bool | None:
    if not 0 < len(value.split()) <= 6:
        return None
    ends = [m.end() for m in re.finditer(re.escape(value), text)]
    return all(_GOES_ON.match(text, e) for e in ends) if ends else None


def text_features(leaf: Leaf, value: Any, text: str | None, offset: int) -> dict[str, Any]:
    """``extends``, ``magnitude``, ``form_words``, ``at``, ``cover`` (module docstring) of one leaf."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    words = set(_WORD.findall(value.casefold())) if isinstance(value, str) and leaf.kind == "str" else None
    out: dict[str, Any] = {
        "extends": None,
        "magnitude": round(math.log10(1 + abs(value)), 4) if number else None,
        "form_words": bool(_FORM_WORDS.search(value)) if words is not None else None,
        "at": None,
        "cover": None,
    }
    if not text:
        return out
    if words is not None:
        out["extends"] = _extends(value.strip(), text)
        if words:
            found = set(_WORD.findall(text.casefold()))
            out["cover"] = round(sum(w in found for w in words) / len(words), 4)
    if leaf.span is not None and value is not None:
        out["at"] = round(min(1.0, max(0.0, (leaf.span[0] - offset) / max(1, len(text) - 1))), 4)
    return out


def leaf_features(
    leaf: Leaf,
    *,
    item: str,
    reasks: int,
    probs: tuple[float, float] | None,
    parser: str | None,
    readers: tuple[ReaderValue, ...] | None = None,
    sample: str | None = None,
    text: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """The feature dict of one grounded leaf (module docstring); ``text`` the item's text and where it
    starts in the normalized filing."""
    null = leaf.value is None
    value = leaf.value if not hasattr(leaf.value, "isoformat") else leaf.value.isoformat()
    return {
        "item": item,
        "field": leaf.name,
        "kind": leaf.kind,
        "null": null,
        "p_mean": None if probs is None else round(probs[0], 4),
        "p_min": None if probs is None else round(probs[1], 4),
        "align": leaf.aligned.status.value,
        "align_score": round(
            1.0 if leaf.aligned.status in (Alignment.exact, Alignment.lenient) else leaf.aligned.score / 100,
            4,
        ),
        "in_heading": leaf.in_heading,
        "by_value": leaf.by_value,
        "referenced": leaf.referenced,
        "injected": leaf.injected,
        "check": leaf.check.status,
        "reasks": reasks,
        "parser": parser,
        "reader": _reader(leaf, readers),
        "problem": (not null and type_problem(value, item=item, field=leaf.name) is not None),
        "words": _words(value),
        "sample": sample,
        "source": "model",
        **text_features(leaf, value, *(text or (None, 0))),
    }
