"""The item's lead sentence, a fallback summary (pure).

An item's summary is the model's wording. When the model gives none (a small model answers null for
long or list-like items) the record would say nothing about an item that says something; the lead
sentence of the item's text, the first that states something, is the extractive summary (the classic
"lead" baseline of summarization). It stands only where the model gave no summary (``merge``), always at
a low confidence (``CONFIDENCE``, below the review threshold), so a reviewer sees it.

Skipped as leads: the heading, "Not applicable" / "None", the cover's legends ("Check the appropriate box
below ..."), the furnished-not-filed legend, forward-looking statement legends, safe-harbor and "the information ... shall not be deemed" boilerplate, and a sentence
that only points elsewhere ("The information set forth under Item 1.01 is incorporated herein by
reference"): then the lead is read from the referenced item's text (the next segment).
"""

from __future__ import annotations

import re

from .text import sentences
from .values import ReaderValue, Segment, value_at

__all__ = ["CONFIDENCE", "lead_sentence"]

CONFIDENCE = 0.3
_MAX = 400  # a longer lead is cut at a word boundary

_HEADING = re.compile(r"^\s*item\s*\d{1,2}(?:\.\d{2})?\b[^\n]*", re.I)
_BOILERPLATE = re.compile(
    r"shall\s+not\s+be\s+deemed|furnished\s+(?:pursuant\s+to|under)|forward[-\s]looking|safe\s+harbor|"
    r"private\s+securities\s+litigation\s+reform|^\W*(?:not\s+applicable|none)\W*$|"
    r"^\W*\(?[a-d]\)?\W*$|is\s+(?:attached|filed|furnished|included)\s+(?:hereto\s+)?as\s+exhibit|"
    r"^\W*(?:see|refer\s+to)\b|^\s*exhibits?\b|"
    # the cover's legends, which a body read from the start of a list layout opens with
    r"check\s+the\s+appropriate\s+box|indicate\s+by\s+check\s+mark|filing\s+obligation\s+of\s+the\s+registrant|"
    r"emerging\s+growth\s+company|pursuant\s+to\s+section\s+1[23]\s*\(|exact\s+name\s+of\s+registrant",
    re.I,
)
_REFERENCE = re.compile(
    r"incorporated\s+(?:herein\s+)?by\s+reference|set\s+forth\s+(?:above\s+)?(?:in|under|above)", re.I
)
_POINTER = re.compile(r"\b(?:item\s+\d|exhibit\s+\d)", re.I)
_WORDS = re.compile(r"[A-Za-z]{2,}")


_SMALL = frozenset("a an and as at by for in of on or the to with".split())


def _heading_like(sentence: str, words: list[str]) -> bool:
    """A heading, not a sentence: no closing punctuation and (nearly) every word capitalized."""
    if sentence.rstrip().endswith((".", "!", "?", ":", ";")) and not sentence.isupper():
        return False
    content = [w for w in words if w.lower() not in _SMALL]
    return sentence.isupper() or sum(w[0].isupper() for w in content) >= 0.8 * max(1, len(content))


def _lead(text: str, offset: int) -> ReaderValue | None:
    head = _HEADING.match(text)
    skip = head.end() if head else 0
    for s, e in sentences(text):
        if e <= skip:
            continue
        s = max(s, skip)
        sentence = " ".join(text[s:e].split())
        words = _WORDS.findall(sentence)
        if len(words) < 6 or _BOILERPLATE.search(sentence) or _heading_like(sentence, words):
            continue
        if _REFERENCE.search(sentence) and _POINTER.search(sentence) and len(words) < 60:
            continue  # only points at another item or an exhibit
        if len(sentence) > _MAX:
            cut = text.rfind(" ", s, s + _MAX)
            e = cut if cut > s else s + _MAX
            sentence = " ".join(text[s:e].split()) + " ..."
        return value_at(text, s, e, offset, sentence, CONFIDENCE, "lead_sentence",
                        reasons=("the item's lead sentence (the model gave no summary)",))  # fmt: skip
    return None


def lead_sentence(segments: list[Segment]) -> ReaderValue | None:
    """The first sentence that states something: of the item's own text, else of the items it
    incorporates by reference."""
    for text, offset in segments[:2]:
        got = _lead(text, offset)
        if got is not None:
            return got
    return None
