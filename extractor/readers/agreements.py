"""Agreement and instrument kinds read from defined-term patterns (items 1.01, 1.02, 2.03, 3.02; pure).

Every occurrence of a vocabulary alias (``vocabulary``) in the item text is a candidate, extended back
over the modifiers printed before it ("Fourth Amended and Restated" + "Credit Agreement"). A candidate
is scored by what the text says around it:

- a defined term right after it (``(the "Credit Agreement")``, ``(together, the "Repurchase
  Agreement")``): the text names the agreement it reports on;
- a verb of the item's event before it in the same sentence: entered into / executed / amended for
  1.01 and 2.03, terminated / repaid for 1.02, issued / sold for 3.02;
- an "existing" / "prior" agreement is not the one a 1.01 reports (it may be the one a 1.02 ends).

``agreement_type`` (1.01, 1.02) is the first best candidate of the agreement family, its value the
normalized phrase; ``instrument`` (2.03) is the first best instrument phrase *as its alias* ("senior
notes", "revolving credit facility": what kind, not which one), else the kind of the agreement that
creates the obligation ("lease", "repurchase agreement"); ``securities`` (3.02) is the class of shares
as printed ("shares of common stock").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from ..sections.text import MONTH_RE
from .text import sentence_at, sentences
from .values import ReaderValue, Segment, value_at
from .vocabulary import alias_pattern, recognize

__all__ = ["Candidate", "agreement_type", "candidates", "instrument", "securities"]


@dataclass(frozen=True)
class Candidate:
    start: int  # in the segment text
    end: int
    phrase: str
    value: str  # normalized (vocabulary.recognize)
    kind: str
    family: str
    alias: str  # the alias matched, lower case
    defined: str | None  # the defined term printed right after it
    verbs: frozenset[str]  # event verbs before it in its sentence
    existing: bool
    quoted: bool  # the occurrence is itself inside quotation marks (a defined term's name)
    amount: str  # "before" (an amount printed right before it), "sentence" (in its sentence) or ""


@cache
def _alias_re() -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{alias_pattern()})\b)")


_MODIFIER = re.compile(
    r"(?:[A-Z][\w'&.%-]*|\d[\d.,]*%?|\$[\d.,]+|revolving|senior|secured|unsecured|"
    r"subordinated|convertible|syndicated|master|lease|extension|term|amended|restated)$"
)
_STOP = frozenset(
    "the a an its their this that certain such into with under to by or in on for from as "
    "which entered new existing".split()
)
_DEFINED = re.compile(
    r"\s*(?:,?\s*dated\s+(?:as\s+of\s+)?[^()]{4,30}?,?\s*)?(?:\((?:[^()\"\u201c]{0,90}?,\s*)?(?:the\s+)?"
    r"[\"\u201c]([^\"\u201d]{2,60})[\"\u201d]|\bor\s+the\s+[\"\u201c]([^\"\u201d]{2,60})[\"\u201d])",
    re.I,
)
VERBS: dict[str, re.Pattern[str]] = {
    "enter": re.compile(
        r"\b(?:entered\s+into|enter\s+into|entry\s+into|executed|signed|entered\s+in|"
        r"amended\s+and\s+restated|amended|extended)\b",
        re.I,
    ),
    "end": re.compile(r"\b(?:terminat\w*|repaid|paid\s+off|expired?|cancel\w*)\b", re.I),
    "issue": re.compile(
        r"\b(?:issu\w+|sold|sell|sale|borrow\w*|incurred|drew|obligated|provides?\s+for)\b", re.I
    ),
}
_AMOUNT = re.compile(r"\$\s?\d[\d,.]*(?:\s*(?:million|billion|thousand))?", re.I)
_AMOUNT_BEFORE = re.compile(
    r"\$\s?\d[\d,.]*(?:\s*(?:million|billion|thousand))?(?:\s+(?:aggregate\s+)?principal\s+amount\s+of)?"
    r"(?:\s+[\w%.,-]+){0,3}\s*$",
    re.I,
)
# One-word aliases also name other things ("the Loan Parties", "the Facility"): weaker evidence.
_GENERIC = frozenset(
    {"loan", "facility", "note", "shares", "units", "lease", "amendment", "guaranty", "waiver"}
)
_EXISTING = re.compile(r"\b(?:existing|prior|previous|original|former|old)\b", re.I)


def _extend_back(text: str, start: int, capitalized: bool) -> int:
    """Start of the modifiers printed before an alias occurrence (at most six words)."""
    pos = start
    for _ in range(6):
        m = re.search(r"([\w'&.%$-]+)(,?\s+)$", text[max(0, pos - 40) : pos])
        if not m:
            break
        word = m[1]
        if word.lower() == "and" and re.search(r"amended\s+and\s*$", text[max(0, pos - 14) : pos], re.I):
            pos -= len(m[0])
            continue
        weak = word.lower() in _STOP or not _MODIFIER.match(word) or (capitalized and not word[:1].isupper())
        if weak and word.lower() not in ("amended", "restated") and not (capitalized and word == "and"):
            break
        if word == "and" and not re.search(r"Amended\s+and\s*$", text[max(0, pos - 14) : pos]):
            break
        pos -= len(m[0])
    return pos


def candidates(text: str) -> list[Candidate]:
    bounds = sentences(text)
    out: list[Candidate] = []
    for m in _alias_re().finditer(text):
        s = _extend_back(text, m.start(), m.group(0)[:1].isupper())
        dated = _LEAD_DATE.match(text[s : m.end()])  # "April 7, 2015 term loan agreement": not a modifier
        if dated and s + dated.end() < m.start() + 1:
            s += dated.end()
        phrase = text[s : m.end()]
        found = recognize(phrase)
        if found is None:
            continue
        value, kind = found
        alias = " ".join(m.group(0).lower().split())
        d = _DEFINED.match(text, m.end())
        defined = (d[1] or d[2]) if d else None
        ss, _ = sentence_at(bounds, m.start())
        before = text[ss:s]
        verbs = frozenset(name for name, rx in VERBS.items() if rx.search(before))
        near = text[max(ss, s - 30) : m.end()]
        existing = bool(_EXISTING.search(near)) or bool(defined and _EXISTING.search(defined))
        quoted = s > 0 and text[s - 1] in '"\u201c'
        _, se = sentence_at(bounds, m.start())
        amount = ("before" if _AMOUNT_BEFORE.search(text[max(ss, s - 80) : s])
                  else "sentence" if _AMOUNT.search(text[ss:se]) else "")  # fmt: skip
        c = Candidate(s, m.end(), phrase, value, kind.name, kind.family, alias, defined, verbs, existing,
                      quoted, amount)  # fmt: skip
        if out and _paper_form(out[-1], c, text):
            prev = out.pop()
            c = replace(prev, end=c.end, phrase=text[prev.start : c.end], defined=defined or prev.defined)
        out.append(c)
    return out


def _paper_form(prev: Candidate, c: Candidate, text: str) -> bool:
    """A one-word alias right after an alias of its family is the paper form of the same obligation:
    "term loan note", "revolving credit note" are the term loan and the revolving credit."""
    return c.alias in _GENERIC and prev.family == c.family and not text[prev.end : c.start].strip()


def _score(c: Candidate, verbs: tuple[str, ...], *, want_existing: bool) -> float:
    if c.quoted:
        return 0.0
    score = 0.4
    if c.defined:
        score += 0.25
    if c.verbs & set(verbs):
        score += 0.25
    if c.amount and c.family == "instrument":
        score += 0.25 if c.amount == "before" else 0.1
    if c.alias in _GENERIC:
        score -= 0.15
    if c.existing != want_existing:
        score -= 0.3 if not want_existing else 0.1
    return score


def _ranked(
    segments: list[Segment], family: str, verbs: tuple[str, ...], *, want_existing: bool = False
) -> list[tuple[float, Candidate, str, int]]:
    """The candidates of ``family`` scored above 0.3, best first; the first segment (the item's own
    text) gets a small bonus over the items it incorporates by reference; ties go to the earlier."""
    out: list[tuple[float, int, Candidate, str, int]] = []
    for k, (text, offset) in enumerate(segments):
        for c in candidates(text):
            if c.family != family:
                continue
            s = _score(c, verbs, want_existing=want_existing) + (0.05 if k == 0 else 0.0)
            if s > 0.3:
                out.append((s, len(out), c, text, offset))
    out.sort(key=lambda r: (-r[0], r[1]))
    return [(s, c, text, offset) for s, _i, c, text, offset in out]


def _best(
    segments: list[Segment], family: str, verbs: tuple[str, ...], *, want_existing: bool = False
) -> tuple[float, Candidate, str, int] | None:
    ranked = _ranked(segments, family, verbs, want_existing=want_existing)
    return ranked[0] if ranked else None


_MONTH = rf"{MONTH_RE}\.?"
_LEAD_DATE = re.compile(rf"^(?:dated\s+(?:as\s+of\s+)?)?{_MONTH}\s+\d{{1,2}},?\s+\d{{4}},?\s+", re.I)
_AMENDED_THING = re.compile(
    r"\s*(?:No\.\s*\d+\s*)?(?:\([^()]{0,80}\)\s*)?(?:to|of)\s+(?:the\s+|that\s+certain\s+|an?\s+|its\s+|"
    r"(?:the\s+)?Company['\u2019]s\s+)?"
    rf"(?:(?:dated\s+(?:as\s+of\s+)?)?{_MONTH}\s+\d{{1,2}},?\s+\d{{4}},?\s+)?"
    r"(?P<what>(?:[\w'\u2019&-]+\s+){0,7}?(?:agreement|plan|indenture|lease|guaranty|notes?(?!\s+[A-Z])|bylaws|charter|facility))\b",
    re.I,
)
_AMENDMENT_BEFORE = re.compile(
    r"\bamendment\s+(?:No\.\s*\d+\s+)?(?:to|of)\s+(?:the\s+|that\s+certain\s+|an?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}},?\s+)?$",
    re.I,
)


def _amended(c: Candidate, text: str) -> tuple[str, int] | None:
    """What an amendment amends, as the kind "<agreement> amendment": the defined term when it says
    ("an amendment (the "Plan Amendment")" -> "plan amendment"), the agreement after "to" / "of"
    ("Amendment No. 2 (the "Second Amendment") to the Note Purchase and Private Shelf Agreement"), or,
    for an agreement, the "amendment of an April 7, 2015 term loan agreement" printed before it."""
    if c.alias == "amendment":
        named = recognize(c.defined) if c.defined else None
        if named is not None and named[0] != "amendment" and named[0].endswith("amendment"):
            return named[0], c.end
        m = _AMENDED_THING.match(text, c.end)
        if m is None:
            return None
        what = " ".join(_LEAD_DATE.sub("", m["what"]).lower().split())
        return f"{what} amendment", m.end()
    if _AMENDMENT_BEFORE.search(text[max(0, c.start - 60) : c.start]):
        return f"{c.value} amendment", c.end
    return None


def agreement_type(segments: list[Segment], item: str) -> ReaderValue | None:
    ending = item == "1.02"
    got = _best(segments, "agreement", ("end",) if ending else ("enter",), want_existing=ending)
    if got is None:
        return None
    score, c, text, offset = got
    amended = _amended(c, text) if not ending else None
    if amended is not None:  # the quote runs over what is amended
        c = replace(c, value=amended[0], end=amended[1])
    reasons = [f"defined as {c.defined!r}"] if c.defined else []
    if c.verbs:
        reasons.append("after " + ", ".join(sorted(c.verbs)) + " verb")
    return value_at(text, c.start, c.end, offset, c.value, min(0.9, score), "defined_term",
                    reasons=tuple(reasons), kind=c.kind)  # fmt: skip


_JOINED = re.compile(r"(?:[^.;]|\.(?=\d)){0,120}?\band\s+(?:an?\s+)?(?:[^.;]|\.(?=\d)){0,40}")


def _instrument_name(c: Candidate) -> str:
    """What kind of obligation: the alias, or the alias of its defined term when that names a more
    specific kind ("a $3.0 million revolving credit note (the "Revolving Credit Facility")")."""
    named = recognize(c.defined, "instrument") if c.defined else None
    if named is not None and named[0] in {a for a in named[1].aliases} and len(named[0]) > len(c.alias):
        return named[0]
    return c.alias


def instrument(segments: list[Segment]) -> ReaderValue | None:
    ranked = [
        r for r in _ranked(segments, "instrument", ("issue", "enter")) if r[1].kind != "equity securities"
    ]
    if ranked:
        score, c, text, offset = ranked[0]
        value, end = _instrument_name(c), c.end
        # two facilities of one agreement printed together ("a $7.0 million term loan ... and a $3.0
        # million revolving credit facility"): both are the obligation
        for s2, c2, text2, _o in ranked[1:]:
            name2 = _instrument_name(c2)
            between = text[c.end : c2.start]
            if (s2 == score and text2 is text and c2.start > c.end and name2 != value
                    and _JOINED.fullmatch(between)):  # fmt: skip
                value, end = f"{value} and {name2}", c2.end
            break
        return value_at(text, c.start, end, offset, value, min(0.85, score), "instrument_phrase", kind=c.kind)
    got = _best(segments, "agreement", ("enter",))
    if got is None:
        return None
    score, c, text, offset = got
    return value_at(text, c.start, c.end, offset, c.kind, min(0.7, score - 0.1), "defined_term",
                    reasons=("the obligation is the agreement's",), kind=c.kind)  # fmt: skip


_SHARES = re.compile(
    r"\bshares\s+of\s+(?:(?:the\s+)?(?:Company|Registrant)['\u2019]s\s+|its\s+|our\s+|"
    r"(?:[A-Z][\w.&-]*\s+){1,3})?(?:(?:Class|Series)\s+[A-Z0-9-]+\s+)?(?:convertible\s+|voting\s+)?"
    r"(?:common|preferred|ordinary|capital)\s+(?:stock|shares)\b",
    re.I,
)


def securities(segments: list[Segment]) -> ReaderValue | None:
    for text, offset in segments:
        m = _SHARES.search(text)
        if m:
            value = " ".join(m[0].split())
            return value_at(text, m.start(), m.end(), offset, value, 0.75, "share_class")
    return None
