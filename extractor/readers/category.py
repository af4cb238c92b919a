"""The category of a 7.01 / 8.01 disclosure (legacy Items 9 and 5) from cue phrases of its first
sentences (pure).

What an item discloses is said at its start: "the Board of Directors declared a quarterly cash
dividend", "entered into an Agreement and Plan of Merger", "announced the commencement of an exchange
offer for ... notes". Each category of ``schemas.disclosure.CATEGORIES`` has cue phrases (``CUES``);
the item's first ``SENTENCES`` sentences are read (a sentence of forward-looking-statement boilerplate
is skipped: "the fair value of assets acquired" is not an acquisition), every cue occurrence counts
with the weight of its sentence (the first sentence most), and the category with the highest score
wins (a tie goes to the cue printed first). No cue at all gives ``other``: every other category is
stated in so many words, so a category without one has no support in the text.

The item's heading ("Item 8.01 Other Events", "Item 9. Regulation FD Disclosure") names the item and
states nothing; no cue matches an SEC title. The vocabulary is documented in docs/readers.md.
"""

from __future__ import annotations

import re

from .text import sentences
from .values import ReaderValue, Segment, value_at

__all__ = ["CUES", "SENTENCES", "category"]

SENTENCES = 3
_WEIGHTS = (3, 2, 1)


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:\b{p}\b)" for p in patterns), re.I)


CUES: dict[str, re.Pattern[str]] = {
    "dividend": _cues(
        r"dividends?(?!\s+reinvestment)",
        r"declared\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}distributions?",
    ),
    "share_repurchase": _cues(
        r"(?:share|stock)\s+(?:re)?purchase\s+(?:program|plan|authori[sz]ation)s?",
        r"repurchase\s+program",
        r"buy-?backs?",
        r"(?:re)?purchas\w*\s+(?:up\s+to\s+)?(?:[\w$.,%-]+\s+){0,5}?of\s+(?:its|our|the\s+company's)\s+"
        r"(?:outstanding\s+)?(?:common\s+)?(?:stock|shares)",
    ),
    "financing": _cues(
        r"(?:senior|convertible|subordinated|secured|unsecured|exchangeable)\s+notes",
        r"notes\s+due",
        r"aggregate\s+principal\s+amount",
        r"(?:public|private|registered|underwritten|secondary)\s+offerings?",
        r"offering\s+of",
        r"prospectus(?:\s+supplement)?",
        r"(?:credit|loan|financing|note\s+purchase)\s+agreements?",
        r"(?:credit|loan|revolving)\s+(?:facility|facilities)",
        r"term\s+loans?",
        r"exchange\s+offers?",
        r"consent\s+solicitations?",
        r"indentures?",
        r"debentures?",
        r"commercial\s+paper",
        r"debt\s+(?:offering|financing|securities)",
        r"underwriting\s+agreement",
    ),
    "m&a_announcement": _cues(
        r"(?:merger|acquisition|combination|arrangement|purchase)\s+agreements?",
        r"agreement\s+and\s+plan\s+of\s+(?:merger|reorgani[sz]ation)",
        r"plan\s+of\s+merger",
        r"mergers?",
        r"acqui(?:re|red|res|ring|sition|sitions)",
        r"agreements?\s+to\s+(?:purchase|acquire|sell|buy)",
        r"combine\s+(?:its|their)\s+business\w*",
        r"business\s+combination",
        r"spin-?off",
        r"split-?off",
        r"divest\w*",
        r"tender\s+offer",
        r"majority\s+interest",
    ),
    "litigation": _cues(
        r"lawsuits?",
        r"litigation",
        r"class\s+action",
        r"complaints?",
        r"plaintiffs?",
        r"defendants?",
        r"court",
        r"verdict",
        r"judgment",
        r"arbitration",
        r"subpoena",
        r"(?:settle(?:d|ment)?)\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+){0,3}(?:claims?|suits?|lawsuits?|action|litigation)",
    ),
    "guidance": _cues(
        r"guidance",
        r"outlook",
        r"forecasts?",
        r"(?:reaffirm|rais|lower|updat|revis)\w*\s+(?:its\s+|our\s+)?(?:[\w-]+\s+){0,3}"
        r"(?:estimates?|projections?|expectations?)",
        r"(?:expects?|anticipates?)\s+(?:[\w-]+\s+){0,4}(?:earnings|revenues?|sales|eps)",
    ),
    "product_regulatory": _cues(
        r"FDA",
        r"Food\s+and\s+Drug\s+Administration",
        r"clinical\s+(?:trials?|stud(?:y|ies)|data)",
        r"new\s+drug\s+application",
        r"(?:product|drug|device)\s+(?:launch|approval|recall|candidate)s?",
        r"recall\w*",
        r"(?:public\s+service|public\s+utilit(?:y|ies)|utilities|state\s+corporation)\s+commission",
        r"PSC",
        r"FERC",
        r"Federal\s+(?:Energy\s+Regulatory|Communications)\s+Commission",
        r"rate\s+(?:plans?|cases?|increases?|orders?|requests?)",
        r"regulatory\s+(?:approvals?|matters|proceedings?)",
    ),
    "conference_presentation": _cues(
        r"(?:investor|analyst)s?\s+(?:day|meeting|conference|presentation)s?",
        r"presentations?",
        r"present\s+at",
        r"slides?",
        r"webcasts?",
        r"conferences?",
        r"roadshows?",
    ),
}
_HEADING = re.compile(r"\W*item\b", re.I)
_BOILERPLATE = re.compile(r"\bforward[-\s]looking\b|\bsafe\s+harbor\b", re.I)


def _window(text: str) -> list[tuple[int, int]]:
    """The item's first ``SENTENCES`` sentences that are not headings (fewer than five words: "ITEM 5.",
    "OTHER EVENTS."; "Item 7.01 Regulation FD Disclosure.") nor forward-looking boilerplate. Line breaks do not end a sentence here (plain-text
    filings wrap their lines)."""
    out = []
    flat = text.replace("\n", " ")  # same length: offsets stay
    for s, e in sentences(flat):
        words = len(flat[s:e].split())
        if words < 5 or (words <= 8 and _HEADING.match(flat, s)) or _BOILERPLATE.search(flat, s, e):
            continue
        out.append((s, e))
        if len(out) == SENTENCES:
            break
    return out


def category(segments: list[Segment]) -> ReaderValue | None:
    """The category the first sentences of the item (its own text) state; ``other`` when they state
    none. None when the item has no text to read."""
    if not segments:
        return None
    text, offset = segments[0]
    window = _window(text)
    if not window:
        return None
    scores: dict[str, float] = {}
    first: dict[str, tuple[int, int, int]] = {}  # category -> (sentence index, start, end) of its first cue
    for k, (s, e) in enumerate(window):
        for name, cue in CUES.items():
            for m in cue.finditer(text, s, e):
                scores[name] = scores.get(name, 0.0) + _WEIGHTS[k]
                first.setdefault(name, (k, m.start(), m.end()))
    if not scores:
        s, e = window[0]
        return value_at(text, s, e, offset, "other", 0.7, "category_cues",
                        reasons=("no cue of any category in the item's first sentences",))  # fmt: skip
    best = max(scores, key=lambda n: (scores[n], -first[n][1]))
    k, s, e = first[best]
    rest = max((v for n, v in scores.items() if n != best), default=0.0)
    confidence = (0.8 if k == 0 else 0.65) if scores[best] >= rest + 2 else 0.6
    return value_at(text, s, e, offset, best, confidence, "category_cues",
                    reasons=(f"cue {text[s:e]!r} (score {scores[best]:g} against {rest:g})",))  # fmt: skip
