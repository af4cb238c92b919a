"""4.01 auditor change: firm names from a list of audit firms, their role from the verb (pure).

Firms are found by name from ``data/audit_firms.txt`` (current and historical names; the legal form
as printed is kept: "Ernst & Young, LLP"), and by a generic pattern (a capitalized name ending in LLP /
L.L.P. / P.C. / P.A. / PLLC / CPAs / & Co.) in a sentence about the auditor, at a lower confidence. A
firm is the *former* auditor when the verb nearest its name says it left (dismissed, resigned,
declined to stand), the *new* one when the verb says it was engaged (engaged, appointed, retained,
selected). ``change`` is the former firm's verb, or "engaged" when only a new firm is reported.
``disagreements`` is False when the text says there were none, and left unread otherwise.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from .text import sentence_at, sentences
from .values import ReaderValue, Segment, value_at

__all__ = ["auditor_change", "firm_names", "firms_in"]


@cache
def firm_names() -> tuple[str, ...]:
    text = resources.files(__package__).joinpath("data/audit_firms.txt").read_text("utf-8")
    names = {ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")}
    return tuple(sorted(names, key=len, reverse=True))


_FORM = r"(?:,?\s+(?:LLP|L\.L\.P\.|LLC|L\.L\.C\.|P\.C\.|P\.A\.|PLLC|P\.L\.L\.C\.|Ltd\.|CPAs?|Chartered))?"


@cache
def _known() -> re.Pattern[str]:
    def one(name: str) -> str:
        parts = [re.escape(w).replace("\\&", "(?:&|and)") for w in name.replace(",", " ,").split()]
        return r"\s*".join(parts).replace(r"\s*,", r",?")

    return re.compile(rf"\b(?:{'|'.join(one(n) for n in firm_names())}){_FORM}(?![\w&])", re.I)


_GENERIC = re.compile(
    r"\b(?:[A-Z][\w'.&-]*,?\s+(?:&\s+|and\s+)?){1,5}?(?:LLP|L\.L\.P\.|P\.C\.|P\.A\.|PLLC|CPAs|"
    r"Chartered Accountants|&\s+Co\.|&\s+Company)(?![\w&])"
)
_CONTEXT = re.compile(r"\b(?:auditor|accountant|accounting\s+firm|audit|dismiss|engag|resign)", re.I)
LEFT = {
    "dismissed": re.compile(r"\b(?:dismiss\w*|terminat\w*\s+the\s+engagement|replace[ds]?)\b", re.I),
    "resigned": re.compile(r"\b(?:resign\w*|withdr[ae]w\w*)\b", re.I),
    "declined": re.compile(
        r"\b(?:declin\w*|(?:would|will)\s+not\s+stand|not\s+to\s+stand|not\s+seek)\b", re.I
    ),
}
ENGAGED = re.compile(
    r"\b(?:engag\w*|appoint\w*|retain\w*|select\w*|approv\w+\s+the\s+(?:appointment|engagement))\b", re.I
)
_NO_DISAGREEMENT = re.compile(
    r"\b(?:no|not\s+(?:been\s+|had\s+)?any|were\s+no|have\s+been\s+no|had\s+no|there\s+(?:was|were)\s+no|"
    r"without\s+any)\s+(?:\w+\s+){0,2}disagreements?\b",
    re.I,
)

Firm = tuple[int, int, str, float]  # start, end, name as printed, confidence


def firms_in(text: str) -> list[Firm]:
    found: dict[int, Firm] = {}
    for m in _known().finditer(text):
        found[m.start()] = (m.start(), m.end(), " ".join(m[0].split()), 0.85)
    bounds = sentences(text)
    for m in _GENERIC.finditer(text):
        if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _, _ in found.values()):
            continue
        ss, se = sentence_at(bounds, m.start())
        if _CONTEXT.search(text, ss, se):
            name = re.sub(r"^(?:The|On|In|During|Prior|Effective)\s+", "", " ".join(m[0].split()))
            found[m.start()] = (m.end() - len(name), m.end(), name, 0.7)
    return sorted(found.values())


def _role(text: str, firm: Firm, bounds: list[tuple[int, int]]) -> tuple[str, int] | None:
    """("dismissed" | "resigned" | "declined" | "engaged", distance) from the verb nearest the firm."""
    ss, se = sentence_at(bounds, firm[0])
    best: tuple[str, int] | None = None
    for name, rx in [*LEFT.items(), ("engaged", ENGAGED)]:
        for m in rx.finditer(text, ss, se):
            d = (
                firm[0] - m.end() if m.end() <= firm[0] else (m.start() - firm[1]) * 2
            )  # a verb before counts more
            if d >= 0 and (best is None or d < best[1]):
                best = (name, d)
    return best


def _key(name: str) -> str:
    return " ".join(re.findall(r"[a-z]+", name.lower().replace("&", " and ")))[:12]


def auditor_change(segments: list[Segment]) -> dict[str, ReaderValue]:
    out: dict[str, ReaderValue] = {}
    text, offset = segments[0]
    bounds = sentences(text)
    former: Firm | None = None
    for firm in firms_in(text):
        role = _role(text, firm, bounds)
        if role is None:
            continue
        name, _ = role
        s, e, printed, conf = firm
        if name != "engaged" and former is None:
            former = firm
            out["former_auditor"] = value_at(text, s, e, offset, printed, conf, "audit_firm")
            ss, se = sentence_at(bounds, s)
            verb = LEFT[name].search(text, ss, se)
            assert verb is not None
            out["change"] = value_at(text, verb.start(), verb.end(), offset, name, 0.75, "audit_firm_verb")
        elif (
            name == "engaged"
            and "new_auditor" not in out
            and (former is None or _key(printed) != _key(former[2]))
        ):
            out["new_auditor"] = value_at(text, s, e, offset, printed, conf, "audit_firm")
    if "new_auditor" in out and "change" not in out:
        nv = out["new_auditor"]
        out["change"] = ReaderValue("engaged", nv.span, nv.quote, 0.6, "audit_firm_verb")
    m = _NO_DISAGREEMENT.search(text)
    if m is not None and out:
        out["disagreements"] = value_at(text, m.start(), m.end(), offset, False, 0.8, "no_disagreements")
    return out
