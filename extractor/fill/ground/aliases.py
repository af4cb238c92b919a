"""Defined short names of parties, expanded to the name the text defines them by (pure).

Filings name a party in full once and then by a defined short name: ``AdvancePierre Foods Holdings, Inc.
("AdvancePierre")``, ``Barclays Bank plc (together with its affiliates, "Barclays")``. A small model
that answers a counterparty with the short name ("AdvancePierre") has read the right party but not its
name; the grounding replaces such a value by the full name the definition prints, grounded where the
definition is, with the reason. Only an exact short name is expanded (case and quotes aside), only to a
name the text itself prints before the definition, and never a generic role word ("Buyer", "Parent",
"the Company", "Merger Sub"): those name whoever the agreement says, and a role is not a name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

__all__ = ["defined_names", "expand"]

# a quoted short name in the parenthetical right after a name: ("X"), (the "X"), (together with its
# subsidiaries, "X"), (collectively, the "X")
_DEFINITION = re.compile(
    r"\(\s*(?:[^()\"\u201c\u201d]{0,60}?,\s*)?(?:the\s+)?[\"\u201c]([^\"\u201d]{2,50})[\"\u201d]\s*\)"
)
_LEGAL_TAIL = re.compile(
    r"(?:,?\s+(?:Inc|Incorporated|Corp|Corporation|Co|Company|LLC|L\.L\.C|LP|L\.P|LLP|plc|PLC|Ltd|Limited|"
    r"N\.A|S\.A|AG|N\.V|B\.V|GmbH)\.?)+$"
)
_TOKEN = re.compile(r"[A-Z0-9][\w.&'\u2019-]*|&|of|and|de|du|la|for")
_ROLES = frozenset(
    "company registrant buyer seller purchaser parent merger sub sub borrower borrowers lender lenders "
    "agent administrative agent trustee issuer guarantor guarantors holder holders investor investors "
    "licensee licensor landlord tenant employer employee executive bank banks underwriters underwriter "
    "representatives seller parties party acquiror acquirer target".split()
)


def _name_before(text: str, end: int) -> str | None:
    """The capitalized name that ends at ``end`` (a legal-form tail and its comma included)."""
    head = text[max(0, end - 160) : end].rstrip()
    tail = _LEGAL_TAIL.search(head)
    core = head[: tail.start()] if tail else head
    words = core.split()
    taken: list[str] = []
    for word in reversed(words):
        if not _TOKEN.fullmatch(word) or word.endswith(","):
            break
        taken.append(word)
        if len(taken) >= 8:
            break
    while taken and not taken[-1][:1].isupper():  # a name opens with a capital
        taken.pop()
    if not taken or not any(w[:1].isupper() for w in taken):
        return None
    if tail and "and" in taken:  # "by and among Biogen and Reata Pharmaceuticals, Inc." names two
        taken = taken[: taken.index("and")]
    name = " ".join(reversed(taken)) + (tail[0] if tail else "")
    return " ".join(name.split()).removesuffix("'s").removesuffix("\u2019s")


_THINGS = re.compile(
    r"\b(?:agreements?|notes?|plan|transactions?|meeting|premises|form|offering|facility)\b", re.I
)


def _derived(short: str, full: str) -> bool:
    """The short name is made from the full name: one of its words opens a word of the full name
    ("AdvancePierre" of "AdvancePierre Foods Holdings, Inc."), or it is the full name's initials
    ("SVB" of "Silicon Valley Bank", "DPPI" of "Data Processing Professionals, Inc.")."""
    words = [w.casefold() for w in re.findall(r"[\w&'-]+", full)]
    for w in re.findall(r"[\w&'-]+", short.casefold()):
        if len(w) >= 3 and any(x.startswith(w) or (w.startswith(x) and len(x) >= 3) for x in words):
            return True
    initials = "".join(w[0] for w in re.findall(r"[A-Z0-9][\w&'-]*", full))
    compact = re.sub(r"\W", "", short)
    return len(compact) >= 2 and compact.upper() in (initials.upper(), initials.upper()[: len(compact)])


@lru_cache(maxsize=32)
def defined_names(text: str) -> Mapping[str, tuple[str, int, int]]:
    """Short name (case-folded) -> (full name, start, end) for every definition of a party in ``text``;
    a short name defined twice for different names is left out (ambiguous). Cached: every party value
    of an item asks of the same texts."""
    out: dict[str, tuple[str, int, int]] = {}
    clash: set[str] = set()
    for m in _DEFINITION.finditer(text):
        short = " ".join(m[1].split()).strip(" ,.")
        key = short.casefold()
        if key in _ROLES or key.removeprefix("the ") in _ROLES or _THINGS.search(short):
            continue
        full = _name_before(text, m.start())
        if full is None or full.casefold() == key or len(full) <= len(short) or not _derived(short, full):
            continue
        start = text.rfind(full.split()[0], max(0, m.start() - 170), m.start())
        if start < 0:
            continue
        if key in out and out[key][0] != full:
            clash.add(key)
        out.setdefault(key, (full, start, m.start()))
    for key in clash:
        out.pop(key, None)
    return MappingProxyType(out)


def expand(value: str, texts: Sequence[str]) -> tuple[str, int, int, int] | None:
    """(full name, index of the text, start, end) when ``value`` is a short name one of ``texts``
    defines for a longer name, else None."""
    key = " ".join(value.split()).strip(" ,.\"'\u201c\u201d").casefold()
    key = key.removeprefix("the ")
    for k, text in enumerate(texts):
        names = defined_names(text)
        hit = names.get(key) or names.get("the " + key)
        if hit:
            return hit[0], k, hit[1], hit[2]
    return None
