"""Where an item's text ends, why, and how far that end can be trusted (pure).

An item runs from its heading to the first of: the next item heading, a "Section N" banner, the signature
block, the exhibit index, the end of the document. ``item_end`` says which one it was (the end reason);
``assess`` then looks for the signs of a wrong end that other tools leave silent:

- ``contains_signature_block``: the item's text holds the signature statement ("Pursuant to the
  requirements of the Securities Exchange Act ...") or a SIGNATURES line: the block was not recognized and
  the item swallowed it;
- ``orphan_text_after``: the item stopped at a banner or an exhibit-index line, yet prose follows that no
  other part holds (the item stopped at a sub-heading and lost its tail);
- ``ends_mid_sentence``: the last line is prose that stops on a connector word ("of", "the") or a comma.

``boundary`` confidence is the end reason's base confidence, capped by each flag found.
"""

from __future__ import annotations

import re

from ..record import Boundary, EndReason
from .exhibits import entry_line
from .text import lines

_BASE: dict[str, float] = {
    "next_heading": 0.95,
    "signature_block": 0.95,
    "exhibit_index": 0.9,
    "section_banner": 0.9,
    "end_of_document": 0.75,
}
_CAP = {"contains_signature_block": 0.3, "orphan_text_after": 0.4, "ends_mid_sentence": 0.6}
_WHY = {
    "contains_signature_block": "the item's text holds a signature block",
    "orphan_text_after": "prose follows the item's end that no part of the filing holds",
    "ends_mid_sentence": "the item's last line stops mid-sentence",
}
SIGNATURE_STATEMENT = re.compile(
    r"pursuant\s+to\s+the\s+requirements\s+of\s+the\s+securities\s+exchange\s+act\s+of\s+1934"
    r"[^.]{0,80}?\b(?:registrant|company|corporation)\b[^.]{0,40}?\bcaused\b",
    re.I,
)
_SIGNATURE_LINE = re.compile(r"^[\W_]*SIGNATURES?[\W_]*$")
_MID_SENTENCE_END = re.compile(
    r"(?:\b(?:of|the|and|to|in|a|an|for|with|by|or|that|which|as|under|from|on|at|its|their)|,)\s*$"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def item_end(
    heading_end: int,
    next_heading: int | None,
    sig_start: int | None,
    index_start: int | None,
    banners: list[int],
    text_length: int,
) -> tuple[int, EndReason]:
    """The raw end of an item (before trimming) and its reason. ``sig_start`` / ``index_start`` count only
    after the heading; ``banners`` are the offsets of "Section N" banner lines."""
    end, reason = (
        (next_heading, "next_heading") if next_heading is not None else (text_length, "end_of_document")
    )
    candidates: list[tuple[int | None, EndReason]] = [
        (sig_start, "signature_block"),
        (index_start, "exhibit_index"),
    ]
    for pos, why in candidates:
        if pos is not None and heading_end < pos < end:
            end, reason = pos, why
    for b in banners:
        if heading_end <= b < end:
            end, reason = b, "section_banner"
            break
    return end, reason  # type: ignore[return-value]


def is_prose(line: str) -> bool:
    """A line of running text: ten words or more, mostly words, not an exhibit entry or a table row."""
    if " | " in line or entry_line(line):
        return False
    words = _WORD.findall(line)
    return len(words) >= 10 and sum(len(w) for w in words) >= 0.6 * len(line.strip())


def assess(text: str, heading_end: int, end: int, reason: EndReason, next_part: int) -> Boundary:
    """Judge an item's end. ``heading_end``..``end`` is the item's body; ``next_part`` is where the next
    part the parser recognized starts (the next item, the signatures or the end of the text)."""
    flags: list[str] = []
    body = text[heading_end:end]
    if SIGNATURE_STATEMENT.search(body) or any(_SIGNATURE_LINE.match(ln.text) for ln in lines(body)):
        flags.append("contains_signature_block")
    if reason in ("section_banner", "exhibit_index"):
        gap = []
        for ln in lines(text, end, max(end, next_part))[1:]:  # the first line is the banner / index heading
            if reason == "exhibit_index" and entry_line(ln.text):
                break  # the index's entries (and their wrapped descriptions) belong to the index
            gap.append(ln.text)
        if any(is_prose(t) for t in gap):
            flags.append("orphan_text_after")
    last = lines(body)[-1:] if body.strip() else []
    if last and is_prose(last[0].text) and _MID_SENTENCE_END.search(last[0].text):
        flags.append("ends_mid_sentence")
    confidence = _BASE[reason]
    for f in flags:
        confidence = min(confidence, _CAP[f])
    reasons = [f"ends at the {reason.replace('_', ' ')}"] + [_WHY[f] for f in flags]
    return Boundary(end_reason=reason, confidence=confidence, flags=flags, reasons=reasons)
