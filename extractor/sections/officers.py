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

from .text import field as make_field
from .text import find_dates, lines, null_field
from .votes import column_of

_TITLE_WORDS = frozenset(
    "president chief executive senior vice chairman chair chairwoman general director former interim group head "
    "principal corporate secretary treasurer controller officer evp svp ceo cfo coo cto cio founder co-founder "
    "managing partner global regional division business operating financial legal counsel and".split()
)
_NOT_NAME = frozenset(
    "named total base target annual the company name executive officer position title fiscal year salary "
    "bonus award awards plan grant other all each new current prior board member members committee audit "
    "compensation nominating governance retainer fee fees cash stock equity meeting lead independent "
    "mr mrs ms miss dr corporation corp inc llc ltd plc holdings bank trust partners lp co securities "
    "exchange commission united states".split()
)
_SUFFIX = re.compile(r",?\s+(?:Jr\.?|Sr\.?|II|III|IV)(?=\s|,|$)")
_WORD = re.compile(r"[A-Z][A-Za-z'’]*(?:-[A-Z]?[a-z][A-Za-z'’]*)*\.?|[A-Z]\.")
_MONEY = re.compile(r"\$\s?\d|\d\s?%|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s*(?:million|thousand)\b", re.I)


def name_at(cell: str, start: int = 0) -> tuple[int, int] | None:
    """(start, end) of the person's name that opens ``cell`` at ``start`` (after blanks), or None."""
    pos = start + len(cell[start:]) - len(cell[start:].lstrip())
    words: list[tuple[int, int]] = []
    while True:
        m = _WORD.match(cell, pos)
        if m is None:
            break
        w = m.group().rstrip(".").lower()
        if w in _TITLE_WORDS and words:
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
    if len(full) < 2 or any(w.rstrip(".").lower() in _NOT_NAME | _TITLE_WORDS for w in full):
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


def _is_title(cell: str) -> bool:
    words = re.findall(r"[A-Za-z-]+", cell.lower())
    return (
        bool(words)
        and not any(ch.isdigit() for ch in cell)
        and any(w in _TITLE_WORDS - {"and"} for w in words)
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


HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|sir|dame)\.?\s+", re.I)


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


_ADDRESSED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+")


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
