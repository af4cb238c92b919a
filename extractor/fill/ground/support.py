"""Support: does the item's text state the model's date or amount in some form? (pure)

A small model writes dates and amounts the text does not have: "2023-04-15" for an agreement of a
2007 filing, "$7.0 million" summed from two figures. Whatever its quote, a value that the text (the
item's own text and the items it incorporates by reference) never states is not read from the filing:

- a **date** is stated when the text has it as a full date, or its month and day without a year, or
  its year and month without a day (``checks.date_mentions``); a ``period_end`` must also be the end
  of a period: one of its mentions follows "ended", "ending", "end of", "as of" or "through" (the
  date a press release was issued is not the period whose results it announces);
- an **amount** (a value that opens with a number, with or without currency and unit: "$10.0
  million", "1,250,000 shares") is stated when every number of it is printed in the text at the same
  magnitude ("$10,000,000" states "$10.0 million"), to 0.5%;
- a **free-text value** (a summary, a description, a key fact) is the model's wording, but a full date it
  writes ("terminated on April 15, 2023") must be stated as above: a summary that dates the event on a
  day the text never names is the model's invention, not a summary of the filing.

``unsupported(name, kind, value, texts)`` gives the reason a value is not stated, else None; the
grounding (``ground_leaf``) then returns the leaf as null with that reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from .checks import date_mentions

__all__ = ["amounts_in", "unsupported"]

_PERIOD_END = re.compile(r"\b(?:ended|ending|end\s+of|as\s+of|through)\s+(?:[\w,]+\s+){0,2}$", re.I)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mm": 1e6, "bn": 1e9}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(thousand|million|billion|trillion|mm|bn)\b)?", re.I
)
_AMOUNT_VALUE = re.compile(r"^\s*(?:(?:US|U\.S\.|C|A)?\$|USD|EUR|GBP|\u20ac|\u00a3)?\s*\d", re.I)


def amounts_in(text: str) -> list[float]:
    """Every number of ``text`` at its printed magnitude ("$3.25 billion" -> 3.25e9)."""
    out = []
    for m in _NUMBER.finditer(text):
        number = float(m[1].replace(",", "") + (m[2] or ""))
        out.append(number * _SCALE.get((m[3] or "").lower(), 1.0))
    return out


def _date_stated(name: str, day: dt.date, texts: Sequence[str]) -> bool:
    for text in texts:
        for form, value, start, _end in date_mentions(text):
            same = (
                value == day
                if form == "full"
                else value == (day.month, day.day)
                if form == "md"
                else value == (day.year, day.month)
            )
            if same and (name != "period_end" or _PERIOD_END.search(text[max(0, start - 40) : start])):
                return True
    return False


def unsupported(name: str, kind: str, value: Any, texts: Sequence[str]) -> str | None:
    """Why ``value`` (the model's, for field ``name`` of leaf kind ``kind``) is not stated by any of
    ``texts``, or None when it is (or is not a date or an amount)."""
    if kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if _date_stated(name, day, texts):
            return None
        if name == "period_end" and _date_stated("", day, texts):
            return f"{day.isoformat()} is in the text, but not as the end of a period"
        return f"the date {day.isoformat()} is not in the item's text"
    if kind != "str" or not isinstance(value, str):
        return None
    if not _AMOUNT_VALUE.match(value):
        for form, day, _start, _end in date_mentions(value):
            if form == "full" and not _date_stated("", day, texts):
                return f"it dates something {day.isoformat()}, a date not in the item's text"
        return None
    stated = [a for t in texts for a in amounts_in(t)]
    for amount in amounts_in(value):
        if not any(abs(amount - a) <= 0.005 * max(abs(amount), 1.0) for a in stated):
            return f"the amount {value!r} is not in the item's text"
    return None
