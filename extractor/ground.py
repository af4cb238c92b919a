"""Grounding: tie each value the model returned to the words of the filing (pure functions).

For every non-null leaf the model gives ``{quote, value}``. The quote is aligned to the item's text:

1. ``exact``: the quote occurs verbatim;
2. ``lenient``: it occurs once case, whitespace runs, curly quotes, dashes and non-breaking spaces are
   normalized;
3. ``fuzzy``: rapidfuzz's best partial alignment scores >= ``FUZZY_MIN`` (quotes of >= 12 chars only);
4. otherwise, for string values, the *value* itself is looked up (exact/lenient); else ``none``.

The span found is mapped to the normalized filing: ``item.span[0] + offset in item.text``, and the
stored quote becomes exactly ``text[start:end]``. Then the value is checked against its quote: a date
must be a date the quote states, a number must appear in the quote, a name must appear in it
(free-text fields such as summaries are paraphrases and are not checked). Text that addresses the model
("ignore previous instructions", "you are an AI", ...) marks suspect regions; a value read from one is
flagged (see ``injection_regions``). Confidence is computed from these facts in
``extractor.confidence``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from .quoted import leaf_kind, plain_fields
from .sections.text import MONTHS
from .types import Alignment

FUZZY_MIN = 85.0
FUZZY_MIN_LEN = 12
# free-text fields: the value is the model's wording, not a copy, so it is not checked against the quote
PARAPHRASE = frozenset(
    {"summary", "description", "name", "agreement_type", "instrument", "securities", "consideration"}
)
# name-like fields: the value must appear in its quote
NAMES = frozenset(
    {"person", "counterparties", "counterparty", "former_auditor", "new_auditor", "exchange", "position"}
)


# -- alignment -----------------------------------------------------------------------------------
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


# -- value checks ---------------------------------------------------------------------------------
_MONTHS = MONTHS  # one month table for the parser and grounding
_MON = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_RE_MDY = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4})", re.I)
_RE_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?" + _MON + r",?\s+(\d{4})", re.I)
_RE_MD = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{4})", re.I)
_RE_MY = re.compile(_MON + r",?\s+(\d{4})", re.I)
_RE_NUM = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b")
_RE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def dates_in(text: str) -> tuple[set[dt.date], set[tuple[int, int]], set[tuple[int, int]]]:
    """Full dates, (month, day) without year, and (year, month) stated in ``text``."""
    full: set[dt.date] = set()
    md: set[tuple[int, int]] = set()
    ym: set[tuple[int, int]] = set()
    for m in _RE_MDY.finditer(text):
        d = _mk(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        if d:
            full.add(d)
    for m in _RE_DMY.finditer(text):
        d = _mk(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if d:
            full.add(d)
    for m in _RE_NUM.finditer(text):
        y = int(m.group(3))
        y = y + (2000 if y < 50 else 1900) if y < 100 else y
        d = _mk(y, int(m.group(1)), int(m.group(2)))
        if d:
            full.add(d)
    for m in _RE_ISO.finditer(text):
        d = _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            full.add(d)
    for m in _RE_MD.finditer(text):
        md.add((_MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _RE_MY.finditer(text):
        ym.add((int(m.group(2)), _MONTHS[m.group(1).lower()]))
    return full, md, ym


def numbers_in(text: str) -> set[int]:
    return {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text) if n.replace(",", "").isdigit()}


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "partial" | "fail" | "n/a"
    reason: str | None = None
    corrected: Any = None  # the value its quote states instead (enum fields), else None


# Kinds of change that a quote states in so many words. A departure cue is looked for first and its words
# are then removed ("will not stand for re-election" is a departure, not an election). Groups are the value
# sets of one field: 5.02 ``change`` and 4.01 ``change``.
_DEPARTURE = re.compile(
    r"\b(?:resign\w*|retir\w*|step(?:s|ped|ping)?\s+down|depart\w*|terminat\w*|separat\w*|"
    r"(?:will|would|to)\s+leave|left\s+the\s+company|not\s+(?:to\s+)?(?:stand|seek|run)\s+for\s+re-?election|"
    r"declin\w*\s+to\s+stand|passed\s+away|death|removed)\b",
    re.I,
)
ENUM_CUES: dict[str, list[dict[str, re.Pattern[str]]]] = {
    "change": [
        {
            "departure": _DEPARTURE,
            "appointment": re.compile(
                r"\b(?:appoint\w*|named|hire[ds]?|hiring|join\w*|promot\w*|designat\w*)\b", re.I
            ),
            "election": re.compile(r"\b(?:elected|election\s+of|elect)\b", re.I),
            "compensation": re.compile(
                r"\b(?:salary|salaries|bonus\w*|award\w*|compensat\w*|grant\w*|incentive|severance|retention)\b",
                re.I,
            ),
        },
        {
            "dismissed": re.compile(r"\bdismiss\w*", re.I),
            "resigned": re.compile(r"\bresign\w*", re.I),
            "declined": re.compile(r"\bdeclin\w*\s+to\s+stand", re.I),
            "engaged": re.compile(r"\b(?:engag\w*|appoint\w*|select\w*|retain\w*)\b", re.I),
        },
    ],
}


def enum_check(name: str, value: Any, quote: str) -> Check:
    """Does the quote state the enum value? When its words state exactly one other value of the same
    field ("he was resigning" given as an appointment), that value is the correction."""
    for group in ENUM_CUES.get(name, []):
        if value not in group:
            continue
        rest = quote
        stated = set()
        if "departure" in group and group["departure"].search(rest):
            stated.add("departure")
            rest = group["departure"].sub(" ", rest)
        stated |= {k for k, cue in group.items() if k != "departure" and cue.search(rest)}
        if value in stated:
            return Check("ok")
        if len(stated) == 1:
            (other,) = stated
            return Check("partial", f"the quote states {other!r}, not {value!r}: corrected", corrected=other)
        return Check("n/a")
    return Check("n/a")


def check_value(name: str, kind: str, value: Any, quote: str | None) -> Check:
    """Is ``value`` what ``quote`` says? Dates and numbers parsed; names looked up; others n/a."""
    if value is None or not quote:
        return Check("n/a")
    if kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        full, md, ym = dates_in(quote)
        if day in full:
            return Check("ok")
        if (day.month, day.day) in md or (day.year, day.month) in ym:
            return Check("partial", "quote states the date only in part")
        if full or md:
            return Check("fail", "date differs from the date in its quote")
        return Check("fail", "no date in its quote")
    if kind in ("int", "float"):
        if int(value) in numbers_in(quote):
            return Check("ok")
        return Check("fail", "number not in its quote")
    if kind == "str":
        if name in PARAPHRASE:
            return Check("n/a")
        nv, _ = normalize_with_map(str(value))
        nq, _ = normalize_with_map(quote)
        if nv and nv in nq:
            return Check("ok")
        if fuzz.partial_ratio(nv, nq) >= FUZZY_MIN:
            return Check("partial", "value only approximately in its quote")
        if name in NAMES:
            return Check("fail", "value not in its quote")
        return Check("partial", "value not in its quote")
    if kind == "enum":
        return enum_check(name, value, quote)
    return Check("n/a")


# -- prompt injection -----------------------------------------------------------------------------
_INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|directions|rules)"
    r"|disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|system)"
    r"|you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|large\s+language|llm|chatbot)"
    r"|(?:system|developer)\s+(?:prompt|message|instructions?)"
    r"|\bnew\s+instructions?\b"
    r"|(?:^|\n)\s*(?:assistant|system|user)\s*:"
    r"|(?:respond|reply|answer)\s+(?:only\s+)?with\b"
    r"|(?:set|report)\s+(?:the\s+)?confidence"
    r"|</?\s*(?:filing_text|system|instructions?|prompt)\s*>",
    re.I,
)


def injection_regions(text: str, *, reach: int = 400) -> list[tuple[int, int]]:
    """Spans of ``text`` around phrases that address a language model, widened to the paragraph."""
    regions: list[tuple[int, int]] = []
    for m in _INJECTION.finditer(text):
        lo = text.rfind("\n\n", max(0, m.start() - reach), m.start())
        hi = text.find("\n\n", m.end(), m.end() + reach)
        start = lo + 2 if lo >= 0 else max(0, m.start() - reach)
        end = hi if hi >= 0 else min(len(text), m.end() + reach)
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions


# -- the grounded tree ----------------------------------------------------------------------------
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


_NULL_WORDS = frozenset(
    {"null", "none", "n/a", "na", "not stated", "not specified", "not applicable", "unknown", ""}
)


def nullish(value: Any) -> Any:
    """None for the words small models write instead of a JSON null ("null", "N/A", "not stated")."""
    if isinstance(value, str) and value.strip().strip(".").lower() in _NULL_WORDS:
        return None
    return value


Segment = tuple[str, int, list[tuple[int, int]]]  # text, its start in the filing, injection regions


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
    if value is None:
        return Leaf(
            path,
            name,
            kind,
            None,
            mquote,
            Aligned(Alignment.none),
            None,
            None,
            Check("n/a"),
            reasons=["null"],
        )
    segments: list[Segment] = [(item_text, item_start, regions), *extra]
    aligned, seg = Aligned(Alignment.none), segments[0]
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
                by_value = align_in_body(
                    str(value),
                    candidate[0],
                    heading_len if candidate is segments[0] else 0,
                    allow_fuzzy=False,
                )
                if by_value.status is not Alignment.none:
                    aligned, seg = by_value, candidate
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
    evidence."""
    regions = injection_regions(item_text)
    extra: list[Segment] = [(t, s, injection_regions(t)) for t, s in referenced]
    heading_len = len(heading) if heading and item_text.startswith(heading) else 0

    def leaf(path: tuple[str | int, ...], name: str, kind: str, pair: Any) -> Leaf:
        return ground_leaf(path, name, kind, pair, item_text, item_start, regions, extra, heading_len)

    def walk(
        model: type[BaseModel], data: dict[str, Any] | None, prefix: tuple[str | int, ...]
    ) -> dict[str, Any]:
        data = data or {}
        out: dict[str, Any] = {}
        for name, (shape, inner, _info) in plain_fields(model).items():
            got = data.get(name)
            path = (*prefix, name)
            if shape == "leaf":
                out[name] = leaf(path, name, leaf_kind(inner), got)
            elif shape == "leaf_list":
                kind = leaf_kind(inner)
                out[name] = [
                    leaf((*path, i), name, kind, pair)
                    for i, pair in enumerate(got or [])
                    if pair and nullish(pair.get("value")) is not None
                ]
            elif shape == "model_list":
                out[name] = [walk(inner, sub, (*path, i)) for i, sub in enumerate(got or [])]
            else:
                out[name] = walk(inner, got, path) if got is not None else None
        return out

    return walk(schema, quoted, ())


def iter_leaves(tree: Any) -> list[Leaf]:
    if isinstance(tree, Leaf):
        return [tree]
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in iter_leaves(v)]
    if isinstance(tree, list):
        return [leaf for v in tree for leaf in iter_leaves(v)]
    return []
