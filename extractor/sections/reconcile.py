"""Declared vs found items (pure, deterministic: no model).

*Declared* items are the ones the body's headings name. An item's body may also describe the event of
an item the filing does not declare: an officer leaving told under 8.01, an agreement signed under 7.01,
quarterly results released under 7.01. ``suggest`` reads the catch-all items (7.01 Regulation FD and
8.01 Other Events; a specific item's body naturally mentions the agreement or vote it arises from) and finds such sentences with one regular-expression rule
per event kind and returns a :class:`~extractor.record.SuggestedItem` per (suggested item, host item):
the first matching sentence as quote and span, and a confidence from the rule (a little higher when
several sentences match). A sentence whose first date lies more than 120 days before the date of
report tells background, not the event, and is skipped. Rules fire only in filings that use the 2004+ item numbers (the pre-2004 form
had no item for most of these events), never from Item 9.01 (its exhibit list names agreements), and
never for an item that is declared.

``header_items`` compares the EDGAR header's ``ITEM INFORMATION`` lines (SGML submissions) with the
declared items, in modern-equivalent numbers ("Other events" in a 1997 header is Item 5 = 8.01).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from .. import catalog
from ..record import HeaderItems, Item, Reconciliation, SuggestedItem
from .text import find_dates


@dataclass(frozen=True)
class Rule:
    number: str
    name: str
    must: tuple[re.Pattern[str], ...]  # every pattern must match the sentence
    confidence: float
    unless: re.Pattern[str] | None = None  # a sentence matching this is skipped


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _gap(n: int) -> str:
    """Up to n characters within one sentence (a period inside "$2.25" or after "Inc" does not end it)."""
    return rf"(?:[^.]|\.(?=\d)|(?:(?<=\bInc)|(?<=\b(?:Co|No|Mr|Ms|Dr)))\.){{0,{n}}}?"


_ROLE = _rx(
    r"\b(?:chief\s+\w+(?:\s+\w+)?\s+officer|president|chairman|chairwoman|chair\s+of\s+the\s+board|director|"
    r"treasurer|corporate\s+secretary|controller|ceo|cfo|coo|board\s+of\s+directors)\b"
)
_HYPOTHETICAL = (
    r"\b(?:expect\w*|anticipat\w*|intends?|intention|plans?\s+to|proposed|would|could|if|subject\s+to|"
    r"no\s+assurance|prior\s+to|upon|following)\b"
)
_VOTE = r"\b(?:annual|special)\s+meeting\b|\bstockholders\b|\bshareholders\b|\bproxy\b"
_EMPLOYMENT = (
    r"\b(?:employment|separation|severance|retention|consulting|compensation|award|offer\s+letter)\b"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "5.02",
        "officer or director departure",
        (
            _rx(
                r"\b(?:resign(?:ed|s|ation)|retire(?:d|s|ment)|step(?:ped|s)?\s+down|passed\s+away|died|"
                r"terminated\s+(?:the\s+)?employment|will\s+leave|left\s+the\s+company)\b"
            ),
            _ROLE,
        ),
        0.7,
        _rx(_VOTE + r"|\bauditor|\baccountant"),
    ),
    Rule(
        "5.02",
        "officer or director appointment",
        (_rx(r"\b(?:appointed|named|promoted|elected|hired)\b(?!\s+to\s+receive)"), _ROLE),
        0.65,
        _rx(_VOTE + r"|\bauditor|\baccountant|\bpreviously\b"),
    ),
    Rule(
        "1.01",
        "material agreement entered into",
        (
            _rx(
                r"\b(?:entered\s+into|executed|signed|replaced|agreed\s+to\s+(?:acquire|sell|merge|purchase))\b"
                + _gap(100)
                + r"\b(?:agreement|contract|indenture|"
                r"credit\s+facility|amendment)\b"
            ),
        ),
        0.6,
        _rx(
            _EMPLOYMENT
            + r"|\bpreviously\b|\bexhibit\b|\bunderwriting\b|\bterms\s+agreement|\bindemnification|"
            + _HYPOTHETICAL
        ),
    ),
    Rule(
        "2.01",
        "acquisition or disposition completed",
        (
            _rx(
                r"(?:\b(?:completed|consummated|closed)\s+(?:the|its|an?)\s+|\bthe\s+(?:close|closing|completion)\s+of\b)"
                + _gap(80)
                + r"\b(?:acquisition|merger|sale|disposition|purchase|transactions?)\b"
            ),
        ),
        0.65,
        _rx(
            _HYPOTHETICAL
            + r"|\bconditions?\b|\bpreviously\b|\bnotes\b|\bdebentures\b|\bofferings?\b|\bsecurities\b"
        ),
    ),
    Rule(
        "2.02",
        "financial results released",
        (
            _rx(
                r"\b(?:announc\w*|report(?:ed|ing|s)?|releas\w*|issued)\b"
                + _gap(100)
                + r"\b(?:financial\s+results|"
                r"results\s+of\s+operations|earnings)\b"
                + _gap(80)
                + r"\b(?:quarter|year|fiscal|period|month)"
            ),
        ),
        0.7,
        _rx(r"\b(?:will|to\s+be\s+held|conference\s+call|webcast)\b"),
    ),
    Rule(
        "2.03",
        "debt issued or borrowed",
        (
            _rx(
                r"\b(?:issued|sold|sale\s+of|borrowed|incurred|completed\s+(?:the|an|its)\s+(?:offering|issuance))\b"
                r""
                + _gap(100)
                + r"\b(?:aggregate\s+principal\s+amount|senior\s+(?:unsecured\s+)?notes|debentures|"
                r"term\s+loan)\b"
            ),
        ),
        0.6,
        _rx(_HYPOTHETICAL + r"|\bpreviously\b"),
    ),
    Rule(
        "2.05",
        "exit or disposal costs",
        (
            _rx(
                r"\b(?:restructuring|workforce\s+reduction|reduction\s+in\s+force|exit\s+or\s+disposal|layoffs?)\b"
            ),
            _rx(r"\b(?:charges?|costs?)\b"),
            _rx(r"\b(?:approved|committed|announced|adopted|will\s+(?:record|incur))\b"),
        ),
        0.55,
    ),
    Rule(
        "2.06",
        "impairment charge",
        (_rx(r"\b(?:concluded|determined)\b" + _gap(120) + r"\bimpairment\s+charge"),),
        0.6,
    ),
    Rule(
        "3.01",
        "listing deficiency notice",
        (
            _rx(r"\b(?:received|receipt\s+of)\b" + _gap(60) + r"\b(?:notice|letter|notification)\b"),
            _rx(r"\b(?:nasdaq|new\s+york\s+stock\s+exchange|nyse|american\s+stock\s+exchange|amex)\b"),
            _rx(
                r"\b(?:not\s+in\s+compliance|no\s+longer\s+(?:complies|in\s+compliance)|delist\w*|deficien\w*)"
            ),
        ),
        0.7,
    ),
    Rule(
        "3.02",
        "unregistered sale of equity",
        (
            _rx(r"\b(?:issued|sold|sale|issuance)\b"),
            _rx(r"\b(?:shares|warrants|common\s+stock|preferred\s+stock|equity\s+securities)\b"),
            _rx(
                r"\b(?:exempt(?:ion)?\s+from\s+registration|section\s+4\s*\(\s*a?\s*\)?\s*\(?2\)|regulation\s+d\b)"
            ),
        ),
        0.65,
    ),
    Rule(
        "4.01",
        "change of auditor",
        (
            _rx(
                r"\b(?:dismissed|engaged|appointed|resigned|declined\s+to\s+stand)\b"
                + _gap(140)
                + r"\bindependent\s+"
                r"(?:registered\s+)?(?:public\s+)?(?:accountants?|auditors?|accounting\s+firm)\b"
            ),
        ),
        0.7,
        _rx(r"\bratif\w*|\bproposal\b"),
    ),
    Rule(
        "4.02",
        "non-reliance on financial statements",
        (_rx(r"\b(?:should\s+no\s+longer\s+be\s+relied\s+upon|will\s+restate|to\s+restate)\b"),),
        0.7,
    ),
    Rule(
        "5.03",
        "bylaws or charter amended",
        (
            _rx(
                r"\b(?:amended|adopted|approved)\b"
                + _gap(80)
                + r"\b(?:by-?laws|certificate\s+of\s+incorporation|"
                r"articles\s+of\s+incorporation)\b"
            ),
        ),
        0.6,
        _rx(_HYPOTHETICAL + r"|\bas\s+amended\b|\bpreviously\b|\bproposal\b"),
    ),
    Rule(
        "5.07",
        "shareholder vote",
        (
            _rx(
                r"\b(?:annual|special)\s+meeting\s+of\s+(?:the\s+)?(?:company's\s+)?(?:stock|share)holders\b"
            ),
            _rx(r"\b(?:held|voted|approved|elected|re-elected)\b"),
        ),
        0.6,
        _rx(r"\b(?:will\s+be\s+held|to\s+be\s+held|record\s+date|will\s+hold)\b"),
    ),
    Rule(
        "1.05",
        "cybersecurity incident",
        (
            _rx(
                r"\bcyber(?:security)?\s+(?:incident|attack)|\bunauthorized\s+access\b"
                + _gap(80)
                + r"\b(?:systems?|network)"
            ),
        ),
        0.7,
        _rx(_HYPOTHETICAL),
    ),
)

_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Inc|Corp|Co|Ltd|No|Jr|Sr|St|vs|Messrs|U\.S|N\.A|L\.P|S\.A)|\b[A-Z])\.$"
)


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end]: split after . ! ? followed by space, and at blank
    lines; an abbreviation ("Mr.", "Inc.", an initial) does not end a sentence."""
    pos = start
    for m in re.finditer(r"[.!?][\"'\u201d)]?(?=\s)|\n[ \t|]*\n", text[start:end]):
        cut = start + m.end()
        if m.group(0).startswith(".") and _ABBREV.search(text[max(pos, cut - 12) : cut]):
            continue
        s, e = _trim(text, pos, cut)
        if e > s:
            yield s, e
        pos = cut
    s, e = _trim(text, pos, end)
    if e > s:
        yield s, e


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n|":
        s += 1
    while e > s and text[e - 1] in " \t\n|":
        e -= 1
    return s, e


def _declared(items: list[Item]) -> set[str]:
    return {it.modern_equivalent or it.number for it in items}


HOSTS = ("7.01", "8.01")
_STALE = dt.timedelta(days=120)


def _background(sentence: str, report_date: dt.date | None) -> bool:
    dates = find_dates(sentence)
    return report_date is not None and bool(dates) and dates[0][0] < report_date - _STALE


def suggest(text: str, items: list[Item], report_date: dt.date | None = None) -> list[SuggestedItem]:
    """Items the bodies of the catch-all items describe but the filing does not declare."""
    if not items or any(it.legacy for it in items):
        return []
    declared = _declared(items)
    found: dict[tuple[str, str], SuggestedItem] = {}
    for it in items:
        if it.number not in HOSTS or not it.reported:
            continue
        body_start = it.span[0] + len(it.text.split("\n", 1)[0])
        for s, e in sentences(text, body_start, it.span[1]):
            sentence = text[s:e]
            if len(sentence) > 1500 or _background(sentence, report_date):
                continue
            for rule in RULES:
                if rule.number in declared or rule.number == it.number:
                    continue
                if not all(p.search(sentence) for p in rule.must):
                    continue
                if rule.unless is not None and rule.unless.search(sentence):
                    continue
                key = (rule.number, it.number)
                if key in found:
                    prev = found[key]
                    found[key] = prev.model_copy(
                        update={"confidence": min(0.9, round(prev.confidence + 0.05, 3))}
                    )
                    continue
                found[key] = SuggestedItem(
                    number=rule.number,
                    title=catalog.canonical_title(rule.number),
                    found_in=it.number,
                    rule=rule.name,
                    quote=sentence,
                    span=(s, e),
                    confidence=rule.confidence,
                )
    return list(found.values())


_ITEM_INFO = re.compile(r"^[ \t]*ITEM INFORMATION:[ \t]*(?P<v>[^\n]*?)[ \t]*$", re.M)
_NUMBER = re.compile(r"^(?:Item\s*)?(\d{1,2})(?:\.(\d{2}))?\.?$", re.I)


def header_lines(header_text: str) -> list[str]:
    """The non-empty ITEM INFORMATION values of an SGML header."""
    return [m.group("v") for m in _ITEM_INFO.finditer(header_text) if m.group("v")]


def header_number(value: str) -> str | None:
    """Modern-equivalent item number of an ITEM INFORMATION value (a number, or a current or pre-2004
    item title)."""
    m = _NUMBER.match(value.strip())
    if m:
        number = f"{int(m.group(1))}.{m.group(2)}" if m.group(2) else str(int(m.group(1)))
        return catalog.modern_equivalent(number) if catalog.is_known(number) else None
    v = value.lower().strip(" .")
    titles = [(n, t) for n, t in catalog.MODERN.items()]
    titles += [(eq, t) for _n, (t, eq) in catalog.LEGACY.items() if eq]
    best, score = None, 0.0
    for number, title in titles:
        s = fuzz.ratio(v, title.lower())
        if s > score:
            best, score = number, s
    return best if score >= 75 else None


def header_items(header_text: str, items: list[Item]) -> HeaderItems | None:
    printed = header_lines(header_text)
    if not printed:
        return None
    numbers: list[str] = []
    unmapped: list[str] = []
    for value in printed:
        n = header_number(value)
        if n is None:
            unmapped.append(value)
        elif n not in numbers:
            numbers.append(n)
    body = sorted(_declared(items), key=_order)
    return HeaderItems(
        printed=printed,
        numbers=numbers,
        unmapped=unmapped,
        only_in_header=[n for n in numbers if n not in body],
        only_in_body=[n for n in body if n not in numbers],
    )


def _order(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def reconcile(
    text: str, items: list[Item], header_text: str = "", report_date: dt.date | None = None
) -> Reconciliation:
    """The record's ``reconciliation``: declared items, suggested items, and the header's list compared."""
    return Reconciliation(
        declared=sorted(_declared(items), key=_order),
        suggested=suggest(text, items, report_date),
        header=header_items(header_text, items) if header_text else None,
    )
