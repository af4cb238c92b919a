"""Alignment: find a quote the model gave in the item's text (pure).

``align(quote, text)`` tries, in order: ``exact`` (verbatim), ``lenient`` (case, whitespace runs, curly
quotes, dashes and non-breaking spaces normalized), ``fuzzy`` (rapidfuzz's best partial alignment scoring
>= ``FUZZY_MIN``, quotes of >= ``FUZZY_MIN_LEN`` chars only); exact and lenient matches start and end at
word boundaries. Offsets are in ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ...record import Alignment

FUZZY_MIN = 85.0
FUZZY_MIN_LEN = 12

_TRANS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Lower-cased, whitespace-collapsed, punctuation-unified text and, per char, its index in ``text``."""
    out: list[str] = []
    pos: list[int] = []
    prev_space = True
    for i, ch in enumerate(text.translate(_TRANS)):
        if ch.isspace():
            if not prev_space:
                out.append(" ")
                pos.append(i)
            prev_space = True
            continue
        out.append(ch.lower())
        pos.append(i)
        prev_space = False
    if out and out[-1] == " ":
        out.pop()
        pos.pop()
    return "".join(out), pos


@dataclass(frozen=True)
class Aligned:
    status: Alignment
    start: int | None = None  # offsets in the item text
    end: int | None = None
    score: float = 0.0  # 100 for exact/lenient, rapidfuzz score for fuzzy


def _find_words(text: str, q: str) -> int:
    """First occurrence of ``q`` in ``text`` that does not start or end inside a word: a quote "0" is not
    found in "2010", nor "Inc" in "Incentive"."""
    i = text.find(q)
    while i >= 0:
        before = i > 0 and q[0].isalnum() and text[i - 1].isalnum()
        end = i + len(q)
        after = end < len(text) and q[-1].isalnum() and text[end].isalnum()
        if not before and not after:
            return i
        i = text.find(q, i + 1)
    return -1


def align(quote: str | None, text: str, *, allow_fuzzy: bool = True) -> Aligned:
    """Find ``quote`` in ``text``: exact, then lenient, then fuzzy; exact and lenient matches start and
    end at word boundaries."""
    if not quote or not quote.strip():
        return Aligned(Alignment.none)
    q = quote.strip()
    i = _find_words(text, q)
    if i >= 0:
        return Aligned(Alignment.exact, i, i + len(q), 100.0)
    nt, pos = normalize_with_map(text)
    nq, _ = normalize_with_map(q)
    if not nq:
        return Aligned(Alignment.none)
    j = _find_words(nt, nq)
    if j >= 0:
        return Aligned(Alignment.lenient, pos[j], pos[j + len(nq) - 1] + 1, 100.0)
    if allow_fuzzy and len(nq) >= FUZZY_MIN_LEN and nt:
        res = fuzz.partial_ratio_alignment(nq, nt, score_cutoff=FUZZY_MIN)
        if res is not None and res.dest_end > res.dest_start:
            s, e, score = _refine(nq, nt, res.dest_start, res.dest_end)
            return Aligned(Alignment.fuzzy, pos[s], pos[e - 1] + 1, score)
    return Aligned(Alignment.none)


def align_in_body(quote: str | None, text: str, heading_len: int = 0, *, allow_fuzzy: bool = True) -> Aligned:
    """``align`` that does not count the item's heading (the first ``heading_len`` chars): "Item 8.01
    Other Events" names the item, it states nothing, so a category "other" quoted as "Other" is not
    grounded there. The quote is looked for after the heading; if it is only in the heading, it is not
    aligned."""
    found = align(quote, text, allow_fuzzy=allow_fuzzy)
    if heading_len <= 0 or found.end is None or found.end > heading_len:
        return found
    rest = align(quote, text[heading_len:], allow_fuzzy=allow_fuzzy)
    if rest.start is None or rest.end is None:
        return Aligned(Alignment.none)
    return Aligned(rest.status, rest.start + heading_len, rest.end + heading_len, rest.score)


def _refine(nq: str, nt: str, s: int, e: int) -> tuple[int, int, float]:
    """Widen/narrow a partial-ratio window (always len(quote) long) to the best full-ratio window,
    then to whole words."""
    k = max(3, len(nq) // 10)
    best = (fuzz.ratio(nq, nt[s:e]), s, e)
    for s2 in range(max(0, s - k), min(s + k, e - 1) + 1):
        for e2 in range(max(s2 + 1, e - k), min(len(nt), e + k) + 1):
            r = fuzz.ratio(nq, nt[s2:e2])
            if r > best[0]:
                best = (r, s2, e2)
    score, s, e = best
    while s > 0 and nt[s - 1].isalnum() and nt[s].isalnum():
        s -= 1
    while e < len(nt) and nt[e - 1].isalnum() and nt[e].isalnum():
        e += 1
    return s, e, float(score)
