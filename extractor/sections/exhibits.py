"""Exhibit lists: in Item 9.01 / legacy Item 7(c), and in an "Exhibit Index" (pure).

An entry is a line (or a table row) that starts with an exhibit number of Regulation S-K Item 601
("99.1", "10.2", "3(i)", "Exhibit 99", "EX-99.1") followed by its description, on the same line or the
next. Numbers are normalized ("EX-99.1" and "Exhibit 99.1" -> "99.1"; footnote stars dropped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..record import Exhibit
from .text import Line, clean, field, iter_lines, lines

INDEX_HEADING = re.compile(
    r"^[\W_]{0,3}(?:EXHIBIT\s+INDEX|INDEX\s+(?:TO|OF)\s+EXHIBITS|Exhibit\s+Index|Index\s+(?:to|of)\s+Exhibits|"
    r"EXHIBITS?\s+LIST|List\s+of\s+Exhibits)\b[\W_]{0,3}",
    re.I,
)
# Item 601 exhibit table numbers (major part).
_VALID_MAJOR = {1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                28, 31, 32, 33, 34, 35, 36, 95, 96, 97, 98, 99, 100, 101, 104, 106, 107}  # fmt: skip
_ENTRY = re.compile(
    r"^(?:[^\w(\s]|_){0,2}\s*(?:(?:Exhibit|Exh\.?|Ex\.?|EX-)\s*(?:No\.?|Number)?\s*)?"
    r"(?P<num>\d{1,3}(?:\.\d{1,3}){0,2}(?:\s?\((?:[a-z]{1,4}|\d{1,2})\))?)(?P<star>\*{0,3})"
    r"(?=$|[\s|:.\-])(?!-K)\.?(?P<sep>\s*(?:\||:|-|\u2014|\.)?\s*)(?P<desc>.*)$",
    re.I,
)
# the minor part of a number in a cell of its own, after the major part's cell ("2 | .1* | ...")
_MINOR_CELL = re.compile(
    r"^\s*\|?\s*\.(?P<minor>\d{1,3})\*{0,3}(?:(?=\s*\|?\s*[A-Z\"\u201c(])\s*\|?\s*|\s*$)"
)
_MINOR_LINE = re.compile(r"^\s*\.(?P<minor>\d{1,3})\*{0,3}\s*$")
_INDEX_HINT = re.compile(r"[EeIiLl\u0130\u0131](?i:XHIBIT|NDEX|IST)")  # in every INDEX_HEADING line
_HEADER_ROW = re.compile(r"^(?:exhibit|number|no\.|description|document|page|paper|sequential)", re.I)


def normalize_number(raw: str) -> str:
    s = re.sub(r"(?i)^(?:exhibit|exh\.?|ex\.?|ex-)\s*(?:no\.?|number)?\s*", "", raw.strip())
    s = s.rstrip("*").rstrip(".")
    return re.sub(r"\s+", "", s)


def _major_ok(num: str) -> bool:
    m = re.match(r"\d+", num)
    return m is not None and int(m.group(0)) in _VALID_MAJOR


def parse_exhibit_lines(text: str, start: int, end: int, *, confidence: float) -> list[Exhibit]:
    """Exhibit entries between start and end of the normalized text."""
    out: list[Exhibit] = []
    ls = _rows_apart(lines(text, start, end), end - start)
    seen: set[str] = set()
    taken = start  # end of the last description read
    for idx, ln0 in enumerate(ls):
        ln = _after_label(ln0)
        m = _ENTRY.match(ln.text)
        if not m or ln.start < taken:  # (a line the description before took: "Exhibit 4.5 to the ...")
            continue
        num = normalize_number(m.group("num"))
        if not _major_ok(num):
            continue
        desc = m.group("desc")
        num_end, desc_at, nxt = ln.start + m.end("num"), ln.start + m.start("desc"), idx + 1
        if "." not in num and "(" not in num and not m.group("star"):
            # the number set over two cells: "2 | .1* | Agreement ...", "2 .1*  Agreement ..." (w3m),
            # or "2" / ".1*" / "Agreement ..." one cell a line (lxml) is exhibit 2.1
            rest = ln.text[m.end("num") :]
            split = _MINOR_CELL.match(rest)
            below = _MINOR_LINE.match(ls[idx + 1].text) if not rest.strip() and idx + 1 < len(ls) else None
            if split:
                num, num_end = f"{num}.{split['minor']}", ln.start + m.end("num") + split.end("minor")
                desc, desc_at = rest[split.end() :], ln.start + m.end("num") + split.end()
            elif below:
                num, num_end, nxt = f"{num}.{below['minor']}", ls[idx + 1].start + below.end("minor"), idx + 2
        if re.match(r"^\d{4}\b", desc) or re.match(r"^(?:%|percent|million|billion|and\s+\d)", desc, re.I):
            continue  # a date, an amount, a sentence: not an exhibit entry
        bare = "." not in num and "(" not in num and not re.match(r"(?i)\s*(?:exhibit|ex)", ln.text)
        if bare and int(num) < 99 and not m.group("sep").strip() and not desc[:1].isupper():
            continue  # a bare small number ("2 Agreement ...") is an entry only when set off as one
        d_start = desc_at
        d_end = ln.end
        desc_line: Line | None = ln
        if not desc.strip(" |"):
            # description on the next line (a bare whole number alone on a line is a page number,
            # unless it is one of the three-digit numbers no page of an 8-K reaches)
            if "." not in num and "(" not in num and int(num) < 100:
                continue
            if nxt < len(ls) and not _ENTRY.match(ls[nxt].text):
                desc_line = ls[nxt]
                d_start, d_end = desc_line.start, desc_line.end
            elif idx and _desc_above(text, ls[idx - 1], ln, taken):
                desc_line = ls[idx - 1]  # w3m sets the number under a one-line description's cell
                d_start, d_end = desc_line.start, desc_line.end
            else:
                desc_line = None
        if desc_line is not None:
            d_end = _continuation(text, ls, ls.index(desc_line) if desc_line in ls else idx, d_end)
            dtext = text[d_start:d_end]
            # drop a trailing page-number cell and footnote marks
            dtext_clean = re.sub(r"(?:\s\|\s*\d{1,3}|\s+\d{1,3})\s*$", "", dtext)
            d_end = d_start + len(dtext_clean.rstrip(" *"))
            value = clean(text[d_start:d_end]).rstrip("*").strip()
            if not re.search(r"[A-Za-z]{2}", value) or (_HEADER_ROW.match(value) and len(value) < 25):
                continue
            top = _cell_top(text, ls, idx, taken) if desc_line is ln else idx
            if top < idx:
                # the number sits on a middle line of a description wrapped in its cell
                value = clean(f"{text[ls[top].start : ls[idx - 1].end]} {value}")
                d_start = ls[top].start
            taken = d_end
        if num in seen:
            continue
        seen.add(num)
        n_start = ln.start + m.start("num")
        number_f = field(text, n_start, num_end, num, confidence)
        if desc_line is not None:
            desc_f = field(text, d_start, d_end, value, confidence - 0.05)
        else:
            from ..record import Field

            desc_f = Field(value=None, confidence=0.4, reasons=["no description printed"])
        out.append(Exhibit(number=number_f, description=desc_f))
    return out


def _cell_top(text: str, ls: Sequence[Line], idx: int, taken: int) -> int:
    """The first line of the description whose row's number sits on line ``idx``: the line above when it
    is the description's first line (see ``_head_of_cell``); several lines above when all are, and a
    blank line (or the description before) sits over the first of them."""
    k = idx
    while k > 0 and ls[k - 1].end > taken and _head_of_cell(text, ls[k - 1], ls[k], first=False):
        k -= 1
    above = k == 0 or ls[k - 1].end <= taken or "\n\n" in text[ls[k - 1].end : ls[k].start]
    if k < idx - 1 and ls[k].text[:1].isupper() and above:
        return k
    single = idx > 0 and ls[idx - 1].end > taken and _head_of_cell(text, ls[idx - 1], ls[idx])
    return idx - 1 if single else idx


def _desc_above(text: str, head: Line, ln: Line, taken: int) -> bool:
    """The line just above a number alone on its line (and with no description under it) is its
    description: not taken, not a row, a header, a list label or a sentence leading into the list."""
    t = head.text.strip()
    return (
        head.end > taken
        and text[head.end : ln.start] == "\n"
        and " | " not in t
        and len(t) >= 10
        and t[:1].isupper()
        and not t.endswith(":")
        and not _HEADER_ROW.match(t)
        and not _LIST_LABEL.match(t + " | ")
        and not _INDEX_HINT.search(t[:12])
        and not entry_line(t)
    )


def _head_of_cell(text: str, head: Line, ln: Line, first: bool = True) -> bool:
    """The line just above an entry is the first line of its description (w3m centres a row's number
    in a cell that wraps): words that stop mid-phrase, not a heading, a header row or a sentence; with
    ``first`` false (a line further down the description) it need not start in upper case."""
    t = head.text.strip()
    return (
        text[head.end : ln.start] == "\n"
        and " | " not in t
        and len(t) >= 20
        and (t[:1].isupper() or not first)
        and bool(_OPEN_END.search(t))
        and not _HEADER_ROW.match(t)
        and not _CONTENTS_ROW.search(t)
        and not _LIST_LABEL.match(t + " | ")
        and not entry_line(t)
    )


_LIST_LABEL = re.compile(
    r"^(?:\(?[a-z]\)?\s*\|?\s*Exhibits?\.?:?(?:\s*\|\s*|\s*(?=\d{1,3}\.\d))|\([a-z]\)\s*\|\s*(?=\d{1,3}\.\d))",
    re.I,
)
# a row that goes on after the one before it on the same line ("... and Stuart Crumbaugh 10.2 Employment
# Agreement ..."): a list whose rows sit in one table cell, which the HTML reader joins with spaces
_NEXT_ROW = re.compile(r"(?<=[a-z)\"'.]) (?P<num>\d{1,3}\.\d{1,2})(?= [A-Z])")
_REFERENCE = re.compile(r"(?:Exhibits?|No\.|Nos\.|Items?|Sections?|Rules?|Forms?|and|or|to|,)\s*$", re.I)


def _rows_apart(ls: Sequence[Line], size: int) -> Sequence[Line]:
    """The lines, with a line that holds several rows in turn ("10.1 A ... 10.2 B ...") cut before each:
    only where the numbers rise and the number is not a reference ("Exhibit 10.1", "Item 2.01")."""
    if size > 1 << 18:
        return ls
    out: list[Line] = []
    for ln in ls:
        m = _ENTRY.match(_after_label(ln).text)
        if m is None or not _major_ok(normalize_number(m.group("num"))):
            out.append(ln)
            continue
        last, cut = _as_tuple(normalize_number(m.group("num"))), 0
        for r in _NEXT_ROW.finditer(ln.text):
            num = _as_tuple(r.group("num"))
            if num <= last or not _major_ok(r.group("num")) or _REFERENCE.search(ln.text, 0, r.start()):
                continue
            out.append(Line(ln.start + cut, ln.start + r.start(), ln.text[cut : r.start()]))
            cut, last = r.start("num"), num
        out.append(Line(ln.start + cut, ln.end, ln.text[cut:]))
    return out


def _as_tuple(num: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", num))


def _after_label(ln: Line) -> Line:
    """The line without a leading "(d) Exhibits" cell, when its first entry sits in the next cell or is
    glued to it (converters that join a list's label and its first row on one line; w3m prints a label
    by the middle row of its cell)."""
    m = _LIST_LABEL.match(ln.text)
    if m is None:
        return ln
    return Line(ln.start + m.end(), ln.end, ln.text[m.end() :])


_CONNECTOR_END = re.compile(
    r"(?:\b(?:of|and|among|between|the|by|to|dated|as|for|with|in|on|or)|,|&)\s*$", re.I
)


def _continuation(text: str, ls: Sequence[Line], k: int, end: int) -> int:
    """Extend a description over the lines it wraps onto (no blank line between, a lower-case or
    punctuation start, or a line that ended on a connector such as 'of' or 'and')."""
    while k + 1 < len(ls):
        cur, nxt = ls[k], ls[k + 1]
        row = _ENTRY.match(_after_label(nxt).text) and not (
            _CONNECTOR_END.search(cur.text) and _CITED.match(nxt.text)
        )  # "... by reference to" / "Exhibit 4.5 to the Registrant's ...": a citation, not a row
        if text[cur.end : nxt.start] != "\n" or row or len(nxt.text) > 200:
            break
        first = nxt.text.lstrip()[:1]
        if not (first.islower() or first in ",;(&" or _CONNECTOR_END.search(cur.text) or _wrapped(cur, nxt)):
            break
        end = nxt.end
        k += 1
    return end


_CITED = re.compile(r"Exhibits?\s+\d[\d.]*\s+(?:to|of|filed|in|and|thereto)\b")
_CONTENTS_ROW = re.compile(r"\b(?:Item|ITEM|Part|PART)\s+(?:\d|[IVX]+\b)")
_OPEN_END = re.compile(r"[A-Za-z,\-]$")
# a line that ends on an abbreviation inside a name ("... eScription, Inc., U.S." / "Bank, National ...")
_ABBREVIATION_END = re.compile(r"(?:\bU\.S|\bN\.A|\bL\.P|\b(?:Inc|Corp|Co|Ltd|Mr|Ms|Dr|St))\.$")
_WORDS = re.compile(r"[A-Za-z]+[,;]?(?:\s+[A-Za-z0-9,.'&\-]+)*[.)]?")
# a line cut inside a phrase that words do not end: a month before its day, a rate before its noun,
# an opening parenthesis ("dated January" / "5, 2016", "Form of 1.950%" / "Notes Due 2020")
_CUT_END = re.compile(r"(?:\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|\d%|\([^)]*)$")
_PHRASE = re.compile(r"[\w(\"'$][\w\s,.'&\-()%$;:\"/]*")
_HEADING = re.compile(r"(?:SIGNATURES?|Signatures?|EXHIBIT|Exhibit|INDEX|Index)\b")


def _wrapped(cur: Line, nxt: Line) -> bool:
    """A description hard-wrapped onto the next line: the line ends inside a phrase (a word, not a
    period) and the next is words only (no cells, no number first), ending where a phrase can end;
    or the line ends where no phrase does (a month, "4.125%", an open parenthesis) and the next goes on
    with the phrase (digits and parentheses too, not a heading)."""
    t = nxt.text.strip()
    if " | " in t or _CONTENTS_ROW.search(t):
        return False  # a cell row, or a row of the exhibit's contents ("Part II, Item 7. ...")
    end = cur.text.rstrip()
    if (_OPEN_END.search(end) or _ABBREVIATION_END.search(end)) and _WORDS.fullmatch(t):
        return True
    opened = end.count("(") > end.count(")")
    return (
        bool(_CUT_END.search(end) or opened or (_OPEN_END.search(end) and "(" in t))
        and bool(_PHRASE.fullmatch(t))
        and not _HEADING.match(t)
    )


def find_index(text: str, start: int = 0) -> int | None:
    """Offset of an 'Exhibit Index' heading line at or after start."""
    for ln in iter_lines(text, start, having=_INDEX_HINT):
        if INDEX_HEADING.match(ln.text) and len(ln.text) < 60:
            return ln.start
    return None


def entry_line(line: str) -> bool:
    """True when a line starts like an exhibit entry ("99.1 Press release ...", "Exhibit 10.2")."""
    m = _ENTRY.match(line)
    return m is not None and _major_ok(normalize_number(m.group("num")))
