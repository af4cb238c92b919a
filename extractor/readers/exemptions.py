"""Item 3.02: the exemption from registration a sale relies on, and how much was sold (pure).

``exemption``: the provisions cited in the sentence that claims the exemption ("... in reliance on the
exemption from registration provided by Section 4(a)(2) of the Securities Act and Rule 506 of
Regulation D"), quoted from the first citation to the last. A citation counts only in a sentence that
speaks of an exemption, a reliance or registration, so a "Section 4(2)" elsewhere is never read.

``citations`` is the comparison form of an exemption, shared by the merge and the eval: the set of
provisions cited, with the JOBS Act's renumbering undone (Section 4(2) became Section 4(a)(2) in 2012;
both name the private-offering exemption) and a rule's paragraph kept ("Rule 506(b)"). Two statements
of an exemption agree when they cite the same provisions, however much of the Act's name they print.

``amount``: the number of shares (or the principal of notes) the sentence that issues them states:
"issue 416,335 shares", "36,518,563 newly issued shares", "$250 million aggregate principal amount", "approximately $24,000,000
in shares".
"""

from __future__ import annotations

import re

from .text import sentences
from .values import ReaderValue, Segment, value_at

__all__ = ["amount", "citations", "exemption"]

_N = r"\s*\(\s*"
_C = r"\s*\)"
_CITE = re.compile(
    rf"\bSection\s+(?:4{_N}a{_C}{_N}[1-7]{_C}|4{_N}[1-6]{_C}|3{_N}a{_C}{_N}(?:9|10|11){_C}|3{_N}b{_C})"
    r"|\bRules?\s+(?:144A|50[456]|701|147A?|903|904)\b(?:\s*\(\s*[bc]\s*\))?"
    r"|\bRegulations?\s+(?:D|S|A|CE)\b",
    re.I,
)
_CLAIM = re.compile(r"exempt|relian|\bregist|safe\s+harbor|private\s+(?:placement|offering)", re.I)
_GAP_MAX = 90  # a citation further than this from the previous one is another statement


def citations(text: object) -> frozenset[str]:
    """The provisions an exemption statement cites, in a comparison form ("section 4(a)(2)", "rule
    506(b)", "regulation d")."""
    out = set()
    for m in _CITE.finditer(str(text or "")):
        key = re.sub(r"\s+", "", m[0].lower())
        key = re.sub(r"^(section|rules?|regulations?)", lambda w: w[1].rstrip("s") + " ", key)
        out.add("section 4(a)(2)" if key == "section 4(2)" else key)
    return frozenset(out)


def exemption(segments: list[Segment]) -> ReaderValue | None:
    """The cited provisions of the first sentence that claims an exemption."""
    for text, offset in segments:
        for s, e in sentences(text):
            sentence = text[s:e]
            found = list(_CITE.finditer(sentence))
            if not found or not _CLAIM.search(sentence):
                continue
            last = found[0]
            for m in found[1:]:
                if m.start() - last.end() > _GAP_MAX:
                    break
                last = m
            start, end = s + found[0].start(), s + last.end()
            value = " ".join(text[start:end].split())
            return value_at(text, start, end, offset, value, 0.85, "exemption_citation")
    return None


_ISSUED = re.compile(r"\b(?:issu|s[oe]l[dl]|sale|deliver|exchang|grant|purchas|acqui)", re.I)
_COUNT = re.compile(
    r"(?:approximately\s+)?(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s+million)\s+"
    r"(?:(?:newly[-\s]issued|additional|unregistered|restricted)\s+)?shares\b"
    r"|(?:approximately\s+)?(?:US)?\$\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion))?\s+"
    r"(?:in\s+)?aggregate\s+principal\s+amount"
    r"|(?:approximately\s+)?(?:US)?\$\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion))?\s+in\s+shares\b",
    re.I,
)


def amount(segments: list[Segment]) -> ReaderValue | None:
    """The first share count or principal amount stated in a sentence that issues or sells."""
    for text, offset in segments:
        for s, e in sentences(text):
            sentence = text[s:e]
            m = _COUNT.search(sentence)
            if m is None or not _ISSUED.search(sentence):
                continue
            start, end = s + m.start(), s + m.end()
            return value_at(text, start, end, offset, " ".join(m[0].split()), 0.7, "sale_amount")
    return None
