"""The principal or maximum amount of a 2.03 obligation, as printed, from the phrase that states it
(pure).

Three phrasings; the earliest of the first two wins, else the earliest of the third (the item's own
text before the items it incorporates by reference):

1. ``$X (in) aggregate principal amount of ...`` (notes, debentures);
2. ``entered into / provides (for) / consists of / includes a $X ... <credit agreement or instrument>``
   ("entered into a $10.0 million Loan Agreement", "provides for a $242.5 million revolving credit
   facility"): the amount printed before the agreement or facility the item creates;
3. ``borrowings / commitments / loans of up to $X``, ``aggregate commitments of / remain at $X``.

A rent, a fee or a purchase price is none of these, so a lease's 2.03 has no principal amount read.
"""

from __future__ import annotations

import re
from functools import cache

from .values import ReaderValue, Segment, value_at
from .vocabulary import kinds

__all__ = ["principal_amount"]

_MONEY = r"(?:US)?\$\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand))?"


@cache
def _phrases() -> tuple[tuple[re.Pattern[str], float], ...]:
    nouns = sorted(
        {a for k in kinds() if k.family == "instrument" or k.name == "credit agreement" for a in k.aliases},
        key=len,
        reverse=True,
    )
    noun = "|".join(r"\s+".join(re.escape(w) for w in a.split()) for a in nouns)
    return (
        (re.compile(rf"({_MONEY})\s+(?:in\s+)?aggregate\s+principal\s+amount\s+of\b", re.I), 0.8),
        (
            re.compile(
                r"\b(?:entered\s+into|entry\s+into|provides?(?:\s+for)?|consists?\s+of|includes?|establish\w*)\s+"
                rf"(?:a|an)\s+(?:new\s+)?({_MONEY})\s+(?:[\w-]+\s+){{0,4}}?(?:{noun})s?\b",
                re.I,
            ),
            0.8,
        ),
        (
            re.compile(
                r"\b(?:(?:borrowings?|commitments?|loans?|advances?)\s+(?:of\s+)?up\s+to\s+(?:an\s+aggregate\s+"
                rf"(?:principal\s+amount\s+)?of\s+)?|(?:aggregate|total)\s+(?:[\w-]+\s+){{0,2}}commitments\s+"
                rf"(?:of|remain\s+at|are|is|will\s+be)\s+)({_MONEY})",
                re.I,
            ),
            0.65,
        ),
    )


def principal_amount(segments: list[Segment]) -> ReaderValue | None:
    strong, weak = _phrases()[:2], _phrases()[2:]
    for tier in (strong, weak):
        for text, offset in segments:
            found = [(m, c) for pattern, c in tier if (m := pattern.search(text)) is not None]
            if found:
                m, confidence = min(found, key=lambda f: f[0].start(1))
                value = " ".join(m[1].split())
                return value_at(text, m.start(1), m.end(1), offset, value, confidence, "principal_phrase")
    return None
