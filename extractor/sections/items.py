"""Find the Item headings of an 8-K and cut the body into items (pure).

A heading is a line that starts with "Item"/"Items" and an item number the SEC defines: "Item 2.02",
"ITEM 2.02.", "Item 2. 02", "Item 2.02 -", "Item 2.02 | Results ..." (a table row), "Items 2.02 and 9.01"
(both reported), "Item 9.01(d)", or a pre-2004 whole number ("Item 5. Other Events"). What follows the
number must look like a heading (a title, punctuation, or nothing), not prose ("Item 2.03 above ...").

Mentions are not reports: a table of contents line (title then a page number), or an earlier occurrence
of a number whose later occurrence carries the content, is dropped. Each item's span runs from its heading
to the next heading, a "Section N" banner, the signatures or the exhibit index, whichever comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .. import catalog
from .text import Line, iter_lines, lines, stripped_length

_HEADING = re.compile(
    r"^[\W_]{0,4}?(?P<kw>I\s?TEMS?|I\s?tems?)(?![A-Za-z])\s*(?:No\.?\s*)?[:#\-]?\s*"
    r"(?P<num>\d{1,2})(?:\s*[.\-]\s?(?P<sub>\d{2})(?!\d))?(?:\s*\((?P<letter>[a-z])\))?"
    r"(?P<more>(?:\s*(?:,|and|&|;)\s*(?:Items?\s*)?\d{1,2}(?:\.\s?\d{2})?(?!\d))*)",
)
# in every line _HEADING / _SECTION match, for the regex engine to find before a line is read (a literal
# first letter keeps its scan fast)
HEADING_HINT = re.compile(r"I\s?(?:TEM|tem)")
SECTION_HINT = re.compile(r"[Ss\u017f](?i:ECTION)")
_MORE_NUM = re.compile(r"(\d{1,2})(?:\.\s?(\d{2}))?")
_PROSE_NEXT = re.compile(
    r"^(?:of|to|in|is|was|are|were|above|below|hereof|herein|through|thru|as|on|for|which|that|this|"
    r"and\s+(?!\d)|or|has|have|shall|will|may|be|by|with|from)\b",
    re.I,
)
_TOC_TAIL = re.compile(r"(?:\.{3,}|\s\|)\s*\d{1,3}\s*$")
_SECTION = re.compile(r"^\s*Section\s+\d{1,2}\s*(?:[-.:|]|$)", re.I)
_NOT_REPORTED = re.compile(r"^[\W_]*(?:not\s+applicable|none|n/?a|inapplicable|no\s+change)[\W_]*$", re.I)
_LEE_ITEM = re.compile(r"^ITEM:\s*(?P<title>.+)$")


@dataclass(frozen=True)
class Heading:
    numbers: tuple[str, ...]
    start: int  # offset of the heading line
    end: int  # end of the heading line
    text: str  # the heading line as printed
    toc_like: bool


def _normalize_number(num: str, sub: str | None) -> str | None:
    if sub is not None:
        n = f"{int(num)}.{sub}"
        if n in catalog.MODERN:
            return n
        return None
    n = str(int(num))
    return n if n in catalog.LEGACY else None


def _title_score(number: str, rest: str) -> float:
    title = catalog.canonical_title(number).lower()
    head = rest[: len(title) + 10].lower()
    if not head:
        return 0.0
    return float(fuzz.partial_ratio(title[: min(len(title), 40)], head[: min(len(head), 60)]))


def match_heading(line: Line) -> Heading | None:
    m = _HEADING.match(line.text)
    if not m:
        return None
    first = _normalize_number(m.group("num"), m.group("sub"))
    if first is None:
        return None
    numbers = [first]
    for mm in _MORE_NUM.finditer(m.group("more") or ""):
        n = _normalize_number(mm.group(1), mm.group(2))
        if n is not None and n not in numbers:
            numbers.append(n)
    rest = line.text[m.end() :]
    stripped = rest.lstrip(" .:-|)\u2022*")
    separated = len(stripped) < len(rest) or not rest
    if _PROSE_NEXT.match(stripped):
        return None
    if m.group("kw").lower().startswith("items") and re.match(r"\s*(?:through|to|-)\s*\d", rest):
        return None
    if stripped:
        score = _title_score(first, stripped)
        looks_title = score >= 70
        # an unknown title is fine only when it is set off like a heading and short
        set_off = separated and stripped[:1].isupper() and len(line.text) <= 160
        short = len(line.text) <= 80 and stripped[:1].isupper()
        if not (looks_title or set_off or short):
            return None
    toc = bool(_TOC_TAIL.search(line.text)) and len(line.text) < 200
    return Heading(tuple(numbers), line.start, line.end, line.text, toc)


def find_headings(text: str, start: int = 0, end: int | None = None) -> list[Heading]:
    found = [h for ln in iter_lines(text, start, end, having=HEADING_HINT) if (h := match_heading(ln))]
    return _drop_mentions(found, text)


def _drop_mentions(found: list[Heading], text: str) -> list[Heading]:
    """Keep one heading per item number: the one followed by the most content. A table of contents, or
    a cross-reference printed like a heading, loses to the heading that carries the report."""

    def content(i: int) -> int:
        nxt = found[i + 1].start if i + 1 < len(found) else len(text)
        return stripped_length(text, found[i].end, nxt)

    best: dict[tuple[str, ...], int] = {}
    for i, h in enumerate(found):
        size = content(i) - (10_000 if h.toc_like else 0)
        if h.numbers not in best or size > content(best[h.numbers]) - (
            10_000 if found[best[h.numbers]].toc_like else 0
        ):
            best[h.numbers] = i
    keep_idx = sorted(best.values())
    # a number reported alone and again inside a combined heading: keep the richer one only
    out: list[Heading] = []
    seen: set[str] = set()
    for i in keep_idx:
        h = found[i]
        if set(h.numbers) & seen and content(i) < 40:
            continue
        seen.update(h.numbers)
        out.append(h)
    return out


def lee_items(text: str) -> list[tuple[str, int, int]]:
    """Items named by title only ('ITEM: Other Events' lines of the Lee et al. corpus records)."""
    out = []
    for ln in lines(text, 0, min(len(text), 4000)):
        m = _LEE_ITEM.match(ln.text)
        if not m:
            continue
        number = title_to_number(m.group("title"))
        if number:
            out.append((number, ln.start, ln.end))
    return out


def title_to_number(title: str) -> str | None:
    t = title.lower().strip(" .")
    best, best_score = None, 0.0
    for number, canonical in catalog.MODERN.items():
        score = fuzz.ratio(t, canonical.lower())
        if score > best_score:
            best, best_score = number, score
    return best if best_score >= 75 else None


def is_section_banner(line: Line) -> bool:
    return bool(_SECTION.match(line.text)) and len(line.text) < 120


def is_not_reported(body: str, start: int = 0, end: int | None = None) -> bool:
    """True when an item's text (after its heading; ``body[start:end]``) only says 'Not applicable' /
    'None' (page numbers and running headers that follow on the page do not count). Reads the lines one
    at a time: a body can be long."""
    parts = (p for p in (ln.text.strip() for ln in iter_lines(body, start, end)) if p)
    first = next(parts, None)
    if first is None or not _NOT_REPORTED.match(first):
        return False
    return all(len(p) < 60 and not re.search(r"[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}", p) for p in parts)
