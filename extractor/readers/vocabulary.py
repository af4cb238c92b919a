"""The documented vocabulary of agreement and instrument kinds (``data/agreement_kinds.toml``; pure).

``recognize(phrase)`` says whether a noun phrase names a known kind and gives its normalized value:
lower case, single spaces, without the words that say *which* agreement rather than *what kind*
(articles, ordinals such as "Fourth", "existing", "new", "definitive", durations such as "five-year",
rates and amounts such as "5.375%" or "$500 million"),
and with a rewritten alias replaced by its kind's name ("Agreement and Plan of Merger" ->
"merger agreement"). Modifiers printed before the alias are kept ("amended and restated credit
agreement", "lease extension agreement"). The longest alias the phrase ends with decides the kind.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Kind", "alias_pattern", "kinds", "recognize"]


@dataclass(frozen=True)
class Kind:
    name: str
    family: str  # "agreement" | "instrument"
    aliases: tuple[str, ...]
    rewrite: bool = False


@cache
def kinds() -> tuple[Kind, ...]:
    data = tomllib.loads(
        resources.files(__package__).joinpath("data/agreement_kinds.toml").read_text("utf-8")
    )
    out = []
    for entry in data["kind"]:
        if entry["family"] not in ("agreement", "instrument"):
            raise ValueError(f"kind {entry['name']!r}: unknown family {entry['family']!r}")
        aliases = tuple(
            sorted({" ".join(a.lower().split()) for a in entry["aliases"]}, key=len, reverse=True)
        )
        out.append(Kind(entry["name"], entry["family"], aliases, bool(entry.get("rewrite", False))))
    return tuple(out)


@cache
def _by_alias() -> tuple[tuple[str, Kind], ...]:
    pairs = [(a, k) for k in kinds() for a in k.aliases]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def alias_pattern(family: str | None = None) -> str:
    """A regex alternation of every alias (longest first), words separated by any whitespace."""
    aliases = [a for a, k in _by_alias() if family is None or k.family == family]
    return "|".join(r"\s+".join(re.escape(w) for w in a.split()) for a in aliases)


_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"\d+(?:st|nd|rd|th)"
)
_DROP = re.compile(
    rf"\b(?:{_ORDINALS}|the|a|an|its|their|our|this|that|such|certain|existing|new|definitive|related|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)[- ](?:year|month|day))\b"
    r"|\$?\d[\d,.]*\s*(?:%|percent\b|million\b|billion\b)?",
    re.I,
)


def _clean(phrase: str) -> str:
    text = phrase.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[\"\u201c\u201d(),;:]", " ", text.lower())
    text = _DROP.sub(" ", text)
    return " ".join(text.split()).strip(" -")


def recognize(phrase: str | None, family: str | None = None) -> tuple[str, Kind] | None:
    """(normalized value, kind) when ``phrase`` ends with an alias of a kind (of ``family``, when
    given); None otherwise."""
    if not phrase:
        return None
    text = _clean(phrase)
    for alias, kind in _by_alias():
        if family is not None and kind.family != family:
            continue
        if text == alias or text.endswith(" " + alias):
            if kind.rewrite:
                text = (text[: -len(alias)] + kind.name).strip()
            return text, kind
    return None
