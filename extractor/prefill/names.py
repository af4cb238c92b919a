"""Names of people and of the registrant (pure): one place for the rules that say who is who.

- :func:`person_key`: the key that identifies a person across readings (the last name, titles of address
  and suffixes dropped): used to merge the model's 5.02 entries with each other and with the parser's
  compensation-table rows;
- :func:`is_person_name`: is a model's ``person`` value a person's name at all (not a plan, a company, a
  title)?
- :func:`name_at`: the person's name that opens a table cell or a phrase ("Colette M. Kress", "Timothy S.
  Teter, Jr."), used by the compensation-table reader and by :func:`resolve_person`;
- :func:`resolve_person`: a model's ``person`` value that is not a bare name, made one from the filing;
- :func:`is_registrant`: is a name the registrant itself ("Disney" for The Walt Disney Company)?

``HONORIFIC`` (a leading "Mr." / "Mrs." / "Dr." ...) is the one list of titles of address. Two name tests
stay distinct because their rules differ: :func:`is_person_name` (2-6 capitalized words, no words of
organizations or titles; for values a model returned) and ``prefill.votes``' nominee-cell test (1-7 words,
mostly capitalized, no vote-column header; for rows of a vote table, where a nominee may be one word).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|sir|dame)\.?\s+", re.I)
_ADDRESSED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+")

TITLE_WORDS = frozenset(
    "president chief executive senior vice chairman chair chairwoman general director former interim group head "
    "principal corporate secretary treasurer controller officer evp svp ceo cfo coo cto cio founder co-founder "
    "managing partner global regional division business operating financial legal counsel and".split()
)
_NOT_NAME_WORDS = frozenset(
    "named total base target annual the company name executive officer position title fiscal year salary "
    "bonus award awards plan grant other all each new current prior board member members committee audit "
    "compensation nominating governance retainer fee fees cash stock equity meeting lead independent "
    "mr mrs ms miss dr corporation corp inc llc ltd plc holdings bank trust partners lp co securities "
    "exchange commission united states".split()
)
_SUFFIX = re.compile(r",?\s+(?:Jr\.?|Sr\.?|II|III|IV)(?=\s|,|$)")
_WORD = re.compile(r"[A-Z][A-Za-z'’]*(?:-[A-Z]?[a-z][A-Za-z'’]*)*\.?|[A-Z]\.")


def name_at(cell: str, start: int = 0) -> tuple[int, int] | None:
    """(start, end) of the person's name that opens ``cell`` at ``start`` (after blanks), or None."""
    pos = start + len(cell[start:]) - len(cell[start:].lstrip())
    words: list[tuple[int, int]] = []
    while True:
        m = _WORD.match(cell, pos)
        if m is None:
            break
        w = m.group().rstrip(".").lower()
        if w in TITLE_WORDS and words:
            break
        words.append((m.start(), m.end()))
        pos = m.end()
        sp = len(cell[pos:]) - len(cell[pos:].lstrip(" "))
        if sp == 0 or sp > 2:
            break
        pos += sp
        if len(words) > 5:
            return None
    if not 2 <= len(words) <= 5:
        return None
    full = [cell[s:e] for s, e in words if not re.fullmatch(r"[A-Z]\.", cell[s:e])]
    if len(full) < 2 or any(w.rstrip(".").lower() in _NOT_NAME_WORDS | TITLE_WORDS for w in full):
        return None
    if any(len(w.rstrip(".")) < 2 for w in full):
        return None
    s, e = words[0][0], words[-1][1]
    if cell[e - 1] == "." and e - words[-1][0] > 2:
        e -= 1  # the full stop after a surname ends the sentence, not the name
    m = _SUFFIX.match(cell, e)
    if m:
        e = m.end()
    return s, e


def person_key(node: Any) -> str | None:
    """The key that identifies a person across readings: the last name ("Mrs. Fairhead", "Rona
    Fairhead" -> "fairhead"); ``node`` is a Field dict. None when there is no name."""
    value = node.get("value") if isinstance(node, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    words = re.sub(r"[.,]", " ", HONORIFIC.sub("", value.strip())).lower().split()
    words = [w for w in words if w not in ("jr", "sr", "ii", "iii", "iv")]
    return words[-1] if words else None


def _common_words(name: str, text: str) -> bool:
    """Does a word of ``name`` also occur in lower case in ``text``? Then it is a word, not a name
    ("Employment Arrangements" beside "employment")."""
    return any(
        re.search(rf"\b{re.escape(w.lower())}\b", text) for w in re.findall(r"[A-Za-z][a-z'’-]+", name)
    )


def resolve_person(node: dict[str, Any], item_text: str, item_start: int) -> dict[str, Any] | None:
    """A model's ``person`` Field dict whose value is not a bare name, made one from the filing's words:

    - a phrase or sentence naming one person ("a new employment agreement with Mr. Alan N. Braverman,
      pursuant to which ...") gives that name;
    - a surname, with or without a title of address ("Mr. Braverman"), gives the one full name the item
      text has for that surname ("Alan N. Braverman").

    A candidate with a word that the item text also uses in lower case ("Employment Arrangements") is a
    heading, not a name. The name is located in the item text (span and quote point at it), the method
    stays ``llm``, the confidence drops by a tenth and ``reasons`` says what was done. None when neither
    works."""
    value = node.get("value")
    if not isinstance(value, str) or not value.strip():
        return None
    found = []
    for m in _ADDRESSED.finditer(value):
        span = name_at(value, m.end())
        if span:
            found.append(value[span[0] : span[1]])
    if not found and not _ADDRESSED.match(value):
        for w in re.finditer(r"(?<![\w.'’-])[A-Z]", value):  # every capitalized word may open the name
            span = name_at(value, w.start())
            if span:
                found.append(value[span[0] : span[1]])
    names = set(found)
    reason = "the name taken from a longer value"
    if not names:
        words = HONORIFIC.sub("", value.strip()).rstrip(".,").split()
        if len(words) != 1 or not words[0][:1].isupper():
            return None
        surname = words[0]
        for m in re.finditer(rf"\b{re.escape(surname)}\b", item_text):
            starts = [t.start() for t in re.finditer(r"\S+", item_text[max(0, m.start() - 60) : m.start()])]
            for k in starts[-4:]:  # the longest name that ends with this surname
                s0 = max(0, m.start() - 60) + k
                span = name_at(item_text, s0)
                if span and span[1] == m.end() and span[1] - span[0] > len(surname):
                    names.add(item_text[span[0] : span[1]])
                    break
        reason = "the full name from the item text"
    names = {n for n in names if not _common_words(n, item_text)}
    if len(names) != 1:
        return None
    (name,) = names
    i = item_text.find(name)
    if i < 0:
        return None
    out = dict(node)
    out.update(
        value=name,
        span=[item_start + i, item_start + i + len(name)],
        quote=name,
        alignment="exact",
        confidence=round(float(node.get("confidence") or 0.0) * 0.9, 3),
        reasons=[*node.get("reasons", []), f"{reason} ({value[:60]!r})"],
    )
    return out


_NOT_A_PERSON = re.compile(
    r"\d|\b(?:company|corporation|inc|llc|board|committee|plan|program|programme|agreement|adoption|list|"
    r"shareholders?|stockholders?|officers?|directors?|president|chief|executive|chairman|compensation|"
    r"award|bonus|salary|fiscal|year|the|of|and)\b",
    re.I,
)


def is_person_name(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    words = HONORIFIC.sub("", value.strip()).replace(",", " ").split()
    if not 2 <= len(words) <= 6 or _NOT_A_PERSON.search(value):
        return False
    return all(w[:1].isupper() for w in words)


_ENTITY_SUFFIX = frozenset(
    "the inc incorporated corp corporation co company companies ltd limited llc plc lp holdings group".split()
)


def _entity_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _ENTITY_SUFFIX}


def is_registrant(name: str, registrants: Sequence[str]) -> bool:
    """Is ``name`` the registrant? Its words, less "Inc.", "Corp.", "The" ..., are all words of one of the
    registrants' names on the cover page ("Disney" and "The Walt Disney Company")."""
    words = _entity_words(name)
    return bool(words) and any(words <= own for own in map(_entity_words, registrants) if own)
