"""Sentences and names in item text (pure helpers shared by the readers)."""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "sentence_at", "sentences"]

# Words that end with a period without ending a sentence.
ABBREVIATIONS = frozenset(
    "inc corp co ltd llc l.l.c lp l.p llp l.l.p n.a na u.s s.a plc mr mrs ms dr jr sr st no nos vs "
    "jan feb mar apr jun jul aug sep sept oct nov dec bros assn p.c p.a".split()
)
_END = re.compile(
    r"[.!?](?=[\"\u201d)]?\s+[\"\u201c(]?[A-Z0-9])|\n\s*\n|\n(?=\s*(?:\(\w\)|[A-Z][^\n]{0,80}\n))"
)


_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # "J.P. Morgan", "L.L.C. and": dotted initials


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a period, ! or ? before a capital (not after an abbreviation, a
    single initial or dotted initials), or a blank line."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if text[m.start()] == ".":
            word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(start, m.start() - 12) : m.start()])
            if word and (
                word[1].lower() in ABBREVIATIONS or len(word[1]) == 1 or _INITIALS.fullmatch(word[1])
            ):
                continue
        if _wrapped(text, m):
            continue
        end = m.start() + 1 if text[m.start()] in ".!?" else m.start()
        if text[start:end].strip():
            out.append((start, end))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return [part for s, e in out for part in _heading_split(text, s, e)]


def _wrapped(text: str, m: re.Match[str]) -> bool:
    """A line break inside a hard-wrapped paragraph (text filings wrap at 60-80 characters): the line
    before is that long, not all capitals (a heading), and ends without punctuation, so the capital
    after it continues the sentence."""
    if m[0] != "\n":
        return False
    line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
    wrap = 60 <= len(line.strip()) <= 80 and re.search(r"[a-z]", line) is not None
    return wrap and not re.search(r"[.;:!?|]\s*$", line)


def _heading_split(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A short heading line without a period before the sentence ("Employment Arrangements\nOn ...")
    is a sentence of its own."""
    nl = text.find("\n", s, min(e, s + 120))
    if (
        nl < 0
        or not text[s:nl].strip()
        or re.search(r"[.;:,]\s*$", text[s:nl])
        or not text[nl + 1 : e].strip()
        or text[nl + 1 : e].lstrip()[:1].islower()  # a hard-wrapped sentence goes on in lower case
    ):
        return [(s, e)]
    return [(s, nl), (nl + 1, e)]


def sentence_at(bounds: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in bounds:
        if s <= pos < e:
            return s, e
    return (pos, pos)
