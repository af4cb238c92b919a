"""Item 5.02 compensation tables: one ``compensation`` change per named officer (pure).

Compensatory arrangements (Item 5.02(e)) are often reported as a table with one row per named executive
officer: a bonus plan's target awards, new base salaries, equity grants. Small models read the prose
around such a table and skip its rows; the rows are regular enough to read here instead.

``compensation_changes(text, offset)`` reads, in an item's text (normalized: a table row is one line,
cells joined by ``" | "``), every table row that

- starts with a person's name: two to five capitalized words or initials ("Colette M. Kress",
  "Jen-Hsun Huang", "Timothy S. Teter, Jr."), optionally followed in the same cell by the person's title
  ("Jen-Hsun Huang President and Chief Executive Officer"): the name ends at the first title word;
- and holds a money amount, a percentage or a share count in another cell,

in a table whose rows are mostly such rows, that shows pay (a dollar sign, or a pay word such as salary,
bonus, award, grant, units in its header or the lines above it) and has no vote column (For, Against,
Withheld, Abstain, Broker Non-Votes: director nominees and their votes are not a pay table). Each row gives one change: ``person`` (the name as printed), ``change`` "compensation",
``position`` (the title after the name, or the next cell when it is a title), and ``effective_date``:
the date of the action the prose before the table reports (the first "On <date>", "effective <date>"
before it), null when there is none. Every value is a parser Field quoting the words it was read
from; spans are shifted by ``offset`` (the item's start in the normalized filing text).

Conservative: a table with fewer than two readable rows or a row whose first cell is not a name is not
read (a single row could be a total or a heading); nothing here decides that a person *left* or *joined*.
"""

from __future__ import annotations

import re
from typing import Any

from ..sections.text import field as make_field
from ..sections.text import find_dates, lines, null_field
from .names import TITLE_WORDS, name_at
from .votes import column_of

_MONEY = re.compile(r"\$\s?\d|\d\s?%|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s*(?:million|thousand)\b", re.I)


def _is_title(cell: str) -> bool:
    words = re.findall(r"[A-Za-z-]+", cell.lower())
    return (
        bool(words)
        and not any(ch.isdigit() for ch in cell)
        and any(w in TITLE_WORDS - {"and"} for w in words)
    )


_ACTION = re.compile(r"\b(?:on|effective(?:\s+as\s+of)?|as\s+of)\s+$", re.I)


def _intro_date(text: str, table_start: int) -> tuple[Any, int, int] | None:
    """The date of the action reported before the table: the first "On <date>" / "effective <date>"."""
    for d in find_dates(text, 0, table_start):
        if _ACTION.search(text, max(0, d[1] - 20), d[1]):
            return d
    return None


def compensation_changes(text: str, offset: int = 0) -> list[dict[str, Any]]:
    """One compensation change per named officer row of the item's tables (see the module docstring)."""
    rows = lines(text)
    out: list[dict[str, Any]] = []
    k = 0
    while k < len(rows):
        if " | " not in rows[k].text:
            k += 1
            continue
        j = k
        while j < len(rows) and " | " in rows[j].text:
            j += 1
        context = " ".join(r.text for r in rows[max(0, k - 3) : k])  # the lines that introduce the table
        out.extend(_table(text, rows[k:j], context, offset))
        k = j
    return out


_VOTE_COLUMNS = frozenset({"votes_for", "votes_against", "abstentions", "broker_non_votes", "y1", "y2", "y3"})


_PAY = re.compile(
    r"\$|\b(?:salary|salaries|bonus(?:es)?|awards?|compensation|incentive|grants?|options?|units|RSUs?|PSUs?"
    r"|retention|severance|pay(?:ment)?s?|target)\b",
    re.I,
)


def _table(text: str, table: list[Any], context: str, offset: int) -> list[dict[str, Any]]:
    cells = [c[2] for line in table for c in line.cells] + context.split(" | ")
    if any(column_of(c.strip()) in _VOTE_COLUMNS for c in cells):
        return []  # a vote table: nominees and their counts
    if not _PAY.search(table[0].text) and not _PAY.search(context) and "$" not in "".join(cells):
        return []  # no sign of pay: the numbers are something else
    found = []
    for line in table:
        cells = line.cells
        first_s, _first_e, first = cells[0]
        span = name_at(first)
        if span is None:
            continue
        if not any(_MONEY.search(c[2]) for c in cells[1:]):
            continue
        ns, ne = first_s + span[0], first_s + span[1]
        rest = first[span[1] :].strip(" ,;-–—")
        if rest and _is_title(rest):
            ps = first_s + first.index(rest, span[1])
            position: tuple[int, int] | None = (ps, ps + len(rest))
        elif len(cells) > 1 and _is_title(cells[1][2]):
            position = (cells[1][0], cells[1][1])
        else:
            position = None
        found.append((ns, ne, position))
    body = [line for line in table if any(ch.isdigit() for ch in line.text)]
    if len(found) < 2 or len(found) < len(body) // 2:
        return []
    when = _intro_date(text, table[0].start)
    out = []
    for ns, ne, position in found:
        name = " ".join(text[ns:ne].split())
        row = {
            "person": make_field(text, ns, ne, name, 0.9, offset=offset),
            "change": make_field(
                text, ns, ne, "compensation", 0.8, reasons=["a row of a compensation table"], offset=offset
            ),
            "position": make_field(
                text, *position, " ".join(text[position[0] : position[1]].split()), 0.85, offset=offset
            )
            if position
            else null_field("no title in the row"),
            "effective_date": make_field(
                text,
                when[1],
                when[2],
                when[0],
                0.6,
                reasons=["the date of the sentence before the table"],
                offset=offset,
            )
            if when
            else null_field("no date before the table"),
        }
        out.append({k: f.model_dump(mode="json") for k, f in row.items()})
    return out
