"""Item 2.02 (legacy 12): the end of the fiscal period whose results are announced (pure).

``period_end(text, offset)`` finds phrases such as "for the quarter ended December 31, 2007", "fourth
quarter and fiscal year ended September 30, 2017", "three months and year ended ...", "first quarter of
fiscal 2024 ended August 31, 2023", and returns the date as a parser Field whose quote is the date as
printed (span shifted by ``offset``, the item's start in the normalized filing text). None when no such
phrase is there: the press release attached as an exhibit is not read.

Only "ended" counts ("ending" names a future period: guidance, a fiscal year to come). A period ended
that a comparison names ("compared to the quarter ended ...", "the prior year quarter ended ...") is
skipped. When the
phrases name several different dates the first one wins, at a lower confidence.
"""

from __future__ import annotations

import re
from typing import Any

from ..record import Field
from ..sections.text import find_dates, first_date

_PERIOD = re.compile(
    r"\b(?:quarter|year|period|months|weeks|fiscal\s+(?:19|20)\d{2}|fiscal\s+year)\b"
    r"(?:[^.\n;]|\.(?=\d)){0,60}?\bended\s+",
    re.I,
)
_COMPARISON = re.compile(
    r"\b(?:compared\s+(?:to|with)|versus|vs\.?|as\s+against)\b[^.\n]{0,50}$"
    r"|\b(?:prior|previous|preceding|same)[-\s](?:year|fiscal\s+year|period)(?:'s)?\s+(?:\w+\s+){0,2}$",
    re.I,
)


def period_end(text: str, offset: int = 0) -> Field[Any] | None:
    """The period end date announced in an Item 2.02 text, or None (see the module docstring)."""
    found = []
    for m in _PERIOD.finditer(text):
        line_start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start())) + 1
        if _COMPARISON.search(text, line_start, m.start() + 1):
            continue
        dates = [d for d in find_dates(text, m.end(), min(len(text), m.end() + 30)) if d[1] == m.end()]
        if dates:
            found.append(dates[0])
    return first_date(text, found, offset, many_confidence=0.65, what="period end dates")
