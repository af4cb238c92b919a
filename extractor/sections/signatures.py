"""The signature block: where it starts, who signed, with what title, on what date (pure).

Signers are found by "/s/" marks (also "/S/", "\\s\\", "s/"), by "By:" lines, and by "Name:"/"Title:" rows.
The typed name under a "/s/" line wins over the signed one when both are there ("/s/ Herb Glaubman" over
"Herbert Glaubman" keeps the typed form). Dates come from "Date:"/"Dated:" lines, else a lone date in the
block; one date serves every signer it precedes or follows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..record import Field, Signature
from .text import DATE_RE, MONTH_RE, Line, clean, date_across, field, iter_lines, lines, parse_date

SIG_HEADING = re.compile(
    r"^[\W_]{0,3}(?:SIGNATURES?|S\s?I\s?G\s?N\s?A\s?T\s?U\s?R\s?E\s?S?|Signatures?)(?:\s+PAGE)?[\W_]{0,3}$"
)
_HEADING_HINT = re.compile(r"S\s?[Ii]")  # in every SIG_HEADING line
SIG_SENTENCE = re.compile(
    r"Pursuant to the requirements of the Securities (?:and )?Exchange Act(?: of 1934)?,? (?:as amended,? )?"
    r"(?:(?:the|each) (?:registrant|company)|[^\n]{3,100}?\bhas duly caused)",
    re.I,
)
_SLASH_S = re.compile(
    r"(?:(?:^|\s|\|)(?:By:?\s*)?(?:/\s?s\s?/|\\s\\|s/|/S/|/s)|(?<=:)/\s?s\s?/)\s*(?P<name>[^|/\n]*)", re.I
)  # "Date:/s/ Jane Roe": a label cell glued to the mark
_BY = re.compile(r"^\s*By\s*:?\s*(?P<name>[A-Z][^|\n]{2,60})$")
_NAME = re.compile(r"^\s*(?:Name|Printed Name)\s*:\s*(?P<v>.+)$", re.I)
_TITLE = re.compile(r"^\s*(?:Title|Its)\s*:\s*(?P<v>.+)$", re.I)
_DATE_LINE = re.compile(r"^\s*Dated?\s*[:.]?\s*(?:as of\s*)?", re.I)
_NOT_A_NAME = re.compile(
    r"(?:registrant|inc\b|inc\.|corp|company|co\.|llc|l\.p\.|ltd|pursuant|date|signature|duly|authorized|"
    r"exhibit|\d)",
    re.I,
)
_COMPANY = re.compile(r"\b(?:inc|corp|corporation|company|co|llc|l\.?p|ltd|plc|registrant)\b", re.I)
_TITLE_WORDS = re.compile(
    r"\b(?:officer|president|chairman|chief|director|secretary|treasurer|counsel|controller|vice|"
    r"executive|manager|partner|principal|accounting|financial|general|senior|trustee|member|ceo|cfo|"
    r"attorney|assistant|head|lead|founder|owner|comptroller|administrator|vp|svp|evp|coo|cao|cto)\b",
    re.I,
)
_LABEL_CELL = re.compile(r"^(?:By|Name|Title|Its|Date|Dated|Printed Name)\s*:?$", re.I)
_RULE = re.compile(r"^[\s_\-=*.\u2500-\u257f]+$")  # box-drawing lines too (w3m's rules)
# a label glued to the value before it ("/s/ Jane RoeName:Jane RoeTitle:Secretary"): converters that
# join a table's cells or blocks without a space
_GLUED_LABEL = re.compile(r"(?<=[a-z.])(?=(?:Name|Title|Its|Date|Dated)\s*:)")
# a title word glued to the name before it ("Jane RoeChief Executive Officer") or inside a title
# ("President andChief"): the same converters
_GLUED_TITLE = re.compile(
    r"(?<=[a-z])(?=(?:Executive|Chief|Senior|Vice|President|General|Secretary|Treasurer|Director|"
    r"Chairman|Officer|Controller|Counsel|Principal|Assistant)\b)"
)


@dataclass(frozen=True)
class Block:
    start: int
    end: int


def find_block(text: str, after: int = 0) -> Block | None:
    """Start of the signature block at or after `after`: the SIGNATURES heading or the 'Pursuant to
    the requirements ... duly caused' sentence."""
    for ln in iter_lines(text, after, having=_HEADING_HINT):
        if SIG_HEADING.match(ln.text) and len(ln.text) < 40:
            return Block(ln.start, len(text))
    m = SIG_SENTENCE.search(text, after)
    if m:
        line_start = text.rfind("\n", 0, m.start()) + 1
        return Block(line_start, len(text))
    return None


def _entries(text: str, start: int, end: int) -> list[Line]:
    """Lines of the block, split into table cells; a label cell ("Name:", "By:") joins the next cell."""
    cells = []
    for ln in lines(text, start, end):
        for s, _e, part in ln.cells:
            for a, b in _unglued(part):
                ls = len(part[a:b]) - len(part[a:b].lstrip())
                rs = len(part[a:b].rstrip())
                if rs > ls and not _RULE.match(part[a:b]):
                    cells.append(Line(s + a + ls, s + a + rs, part[a + ls : a + rs]))
    out = []
    k = 0
    while k < len(cells):
        c = cells[k]
        if _LABEL_CELL.match(c.text) and k + 1 < len(cells) and not _LABEL_CELL.match(cells[k + 1].text):
            # a label and its value in the next cell, or on the next line ("Name:" / "Jane Roe"; a
            # "By:" alone on its line is read by parse_signatures, which knows what a signer looks like)
            nxt = cells[k + 1]
            between = text[c.end : nxt.start]
            if "\n" not in between or not re.match(r"By\b", c.text, re.I):
                c = Line(c.start, nxt.end, text[c.start : nxt.end].replace("\n", " "))
                k += 1
        out.append(c)
        k += 1
    return out


def _unglued(part: str) -> list[tuple[int, int]]:
    """The cell's pieces: split before a glued label, and between a typed name and a title glued to it."""
    cuts = [m.start() for m in _GLUED_LABEL.finditer(part)]
    m = _GLUED_TITLE.search(part)
    if m is not None and _looks_like_name(part[: m.start()]) and _TITLE_WORDS.match(part[m.start() :]):
        cuts.append(m.start())
    bounds = [0, *sorted(cuts), len(part)]
    return list(itertools.pairwise(bounds))


def _looks_like_name(s: str) -> bool:
    s = s.strip()
    if not (3 <= len(s) <= 60) or (_NOT_A_NAME.search(s) and not re.search(r"\b(?:Jr|Sr|II|III|IV)\b", s)):
        return False
    words = s.replace(",", " ").split()
    if not (2 <= len(words) <= 6):
        return False
    if _TITLE_WORDS.search(s):
        return False
    return all(
        w[:1].isupper() or w[:1] in "(\"'"
        for w in words
        if w.lower() not in ("de", "van", "von", "der", "la")
    )


def _name_goes_on(
    text: str, span: tuple[int, int], entries: list[Line], j: int, signed: str | None = None
) -> bool:
    """The next cell of the signed name's line carries the rest of the name (a converter split it), or
    the next line does when the name ends its line and the next line is only the rest (a hard wrap:
    "/s/ Jane" / "Q. Roe"); with ``signed`` (the name signed above a "Name:" row), the next line
    completes that name."""
    if j >= len(entries):
        return False
    part, nxt = text[span[0] : span[1]].replace("\n", " "), entries[j].text
    between = text[span[1] : entries[j].start]
    if signed is not None:
        if _same_person(signed, part) or not _same_person(signed, f"{part} {nxt}"):
            return False
    elif "\n" in between and (between.strip() or text[entries[j].end : entries[j].end + 1] not in ("", "\n")):
        return False
    return (
        len(part.split()) <= 2
        and not _TITLE_WORDS.search(nxt)
        and not _same_person(part, nxt)
        and ":" not in nxt
        and _looks_like_name(f"{part} {nxt}")
        and len(nxt.split()) <= 3
    )


# what follows a title in text without line structure: a page number, the exhibit index, a running head
_AFTER_TITLE = re.compile(
    r"\s+(?:-\s?\d{1,3}\s?-|\d{1,3}(?=\s|$)|Table of Contents|TABLE OF CONTENTS|EXHIBIT INDEX|Exhibit Index|"
    r"INDEX TO EXHIBITS|Index to Exhibits|EXHIBITS?\b)"
)


def _title_end(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The title without the page number or heading a flattened page glued after it."""
    m = _AFTER_TITLE.search(text, span[0], span[1])
    return (span[0], m.start()) if m is not None and m.start() > span[0] else span


def _once(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The signed name without its typed copy glued after it ("Jane Q. Roe Jane Q. Roe")."""
    words = list(re.finditer(r"\S+", text[span[0] : span[1]]))
    k = len(words) // 2
    if k >= 2 and len(words) == 2 * k and [w.group() for w in words[:k]] == [w.group() for w in words[k:]]:
        return span[0], span[0] + words[k - 1].end()
    return span


def _typed_across(text: str, entries: list[Line], j: int, signed: str) -> tuple[int, int] | None:
    """The signer's typed name on two lines (entries j and j + 1, each a whole line), when only the two
    together are the signed name."""
    if j + 1 >= len(entries):
        return None
    a, b = entries[j], entries[j + 1]
    both = f"{a.text} {b.text}"
    if (
        _same_person(signed, a.text)
        or not _same_person(signed, both)
        or not _looks_like_name(both)
        or text[a.end : b.start] != "\n"
        or _TITLE_WORDS.search(both)
    ):
        return None
    return a.start, b.end


def _value(s: str) -> str:
    """A name's or title's text as a value: cells and lines read as spaces, glued title words apart, a
    label set between a title's lines dropped."""
    return _GLUED_TITLE.sub(" ", clean(re.sub(r"\s(?:Title|Its)\s*:\s", " ", s.replace(" | ", " "))))


def _name_words(s: str) -> list[str]:
    words = re.sub(r"[.,]", " ", s.lower()).split()
    return [w for w in words if w not in ("jr", "sr", "ii", "iii", "iv")]


def _same_person(a: str, b: str) -> bool:
    la, lb = _name_words(a), _name_words(b)
    return bool(la and lb) and la[-1] == lb[-1]


def _split_name_title(text: str, signed: str) -> int | None:
    """Where the title starts in an entry that begins with the signer's name ("Jane Roe Secretary",
    "Jane Roe, Chief Executive Officer")."""
    words = signed.split()
    if not words:
        return None
    last = re.escape(words[-1].rstrip(",."))
    m = re.match(
        rf"^(?:[A-Z][\w.'-]*\.?,?\s+){{0,4}}{last}(?:,?\s+(?:Jr|Sr|II|III|IV)\.?)?(?:,\s*|\s+)", text, re.I
    )
    if m and _TITLE_WORDS.search(text[m.end() :]):
        return m.end()
    return None


def parse_signatures(text: str, block: Block, limit: int = 6000) -> list[Signature]:
    end = min(block.end, block.start + limit)
    entries = _entries(text, block.start, end)
    dates: list[tuple[int, int, int, object, bool]] = []
    tails: set[int] = set()  # entries that are the second line of a wrapped date
    for i, entry in enumerate(entries):
        for dm in DATE_RE.finditer(entry.text):
            d = parse_date(dm)
            if d and (_DATE_LINE.match(entry.text) or len(entry.text) - (dm.end() - dm.start()) < 12):
                dates.append((i, entry.start + dm.start(), entry.start + dm.end(), d, False))
        wrapped = _wrapped_date(text, entries, i)
        if wrapped is not None:
            dates.append((i, *wrapped[1:], True))
            tails.add(wrapped[0])
    sigs: list[Signature] = []
    used_until = -1
    for i, e in enumerate(entries):
        if i <= used_until:
            continue
        name_span: tuple[int, int] | None = None
        conf = 0.9
        broken = False  # the name read across a line break
        m = _SLASH_S.search(e.text)
        if m and m.group("name").strip(" ,._-"):
            raw = m.group("name")
            # stop at a date or a second column
            dated = DATE_RE.search(raw)
            if dated:
                raw = raw[: dated.start()]
            label = re.search(r"\b(?:Title|Name|Its)\s*:", raw)
            if label:
                raw = raw[: label.start()]
            raw = raw.rstrip(" ,")
            if len(raw.strip()) >= 3:
                s = e.start + m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip()))
                name_span = (s, s + len(raw.strip()))
                if _name_goes_on(text, name_span, entries, i + 1):  # "/s/ Jane | Q. Roe": one name
                    i += 1
                    broken = "\n" in text[name_span[1] : entries[i].start]
                    name_span = (name_span[0], entries[i].end)
        elif m and not m.group("name").strip() and i + 1 < len(entries):
            nxt = entries[i + 1]
            if _looks_like_name(nxt.text):
                name_span = (nxt.start, nxt.end)
                i += 1
        if name_span is None:
            b = _BY.match(e.text)
            if b and _looks_like_name(b.group("name")):
                name_span = (e.start + b.start("name"), e.start + b.end("name"))
                conf = 0.75
            elif re.match(r"^\s*By\s*:?\s*$", e.text) and i + 1 < len(entries):
                nxt = entries[i + 1]
                head = nxt.text.split(",")[0]
                if _looks_like_name(nxt.text) or (
                    _looks_like_name(head) and _TITLE_WORDS.search(nxt.text[len(head) :])
                ):
                    i += 1
                    name_span = (nxt.start, nxt.end)
                    conf = 0.7
        if name_span is None:
            continue
        j = i + 1
        title_span: tuple[int, int] | None = None
        head, comma, tail = text[name_span[0] : name_span[1]].partition(",")
        if comma and _TITLE_WORDS.search(tail) and not re.match(r"\s*(?:Jr|Sr|II|III|IV)\b", tail):
            # "Bruce J. Feldman, President and" / "Chief Executive Officer"
            title_span = (name_span[0] + len(head) + 1, name_span[1])
            name_span = (name_span[0], name_span[0] + len(head))
            title_span = _extend_title(entries, j, title_span)
            while j < len(entries) and entries[j].end <= title_span[1]:
                j += 1
        signed = clean(text[name_span[0] : name_span[1]])
        # look ahead for Name:/Title:/typed name/title lines
        while title_span is None and j < len(entries) and j <= i + 5:
            nxt = entries[j]
            by = _BY.match(nxt.text)
            if by and _same_person(signed, by.group("name")) and not _SLASH_S.search(nxt.text):
                # "/s/ Jane Roe" then "By: Jane Roe": the typed name under its label
                name_span = (nxt.start + by.start("name"), nxt.start + by.end("name"))
                j += 1
                continue
            if _SLASH_S.search(nxt.text) or by:
                break
            if j in tails:  # "14, 2022" under "Date: February"
                j += 1
                continue
            nm = _NAME.match(nxt.text)
            tm = _TITLE.match(nxt.text)
            if nm:
                v = nm.start("v")
                inline_title = re.search(r"\s(?:Title|Its)\s*:\s*", nxt.text)
                if inline_title and inline_title.start() > v:  # "Name: Jane Roe Title: Secretary"
                    name_span = (nxt.start + v, nxt.start + inline_title.start())
                    title_span = (nxt.start + inline_title.end(), nxt.end)
                    j += 1
                    title_span = _extend_title(entries, j, title_span)
                    break
                name_span = (nxt.start + v, nxt.end)
                j += 1
                if j < len(entries) and _name_goes_on(text, name_span, entries, j, signed=signed):
                    name_span = (name_span[0], entries[j].end)  # "Name: Jane" / "Roe"
                    j += 1
                continue
            if re.fullmatch(r"By\s*:?", nxt.text):  # "/s/ Jane Roe" / "By:" / "Jane Roe"
                j += 1
                continue
            typed = _typed_across(text, entries, j, signed)
            if typed is not None:  # the typed name wrapped too: "Jane" / "Roe"
                name_span, broken = typed, True
                j += 2
                continue
            if tm:
                v = tm.start("v")
                title_span = (nxt.start + v, nxt.end)
                j += 1
                title_span = _extend_title(entries, j, title_span, labelled=text)
                break
            if DATE_RE.search(nxt.text) and _DATE_LINE.match(nxt.text):
                j += 1
                continue
            if (
                title_span is None
                and _same_person(signed, nxt.text)
                and _looks_like_name(nxt.text.rstrip(","))
            ):
                name_span = (nxt.start, nxt.start + len(nxt.text.rstrip(",")))
                j += 1
                continue
            cut = _split_name_title(nxt.text, signed) if title_span is None else None
            if cut is not None:
                name_span = (nxt.start, nxt.start + len(nxt.text[:cut].rstrip(" ,")))
                title_span = (nxt.start + cut, nxt.end)
                j += 1
                title_span = _extend_title(entries, j, title_span)
                break
            if _TITLE_WORDS.search(nxt.text) and len(nxt.text) < 160:
                title_span = (nxt.start, nxt.end)
                j += 1
                title_span = _extend_title(entries, j, title_span)
                break
            break
        used_until = j - 1
        # a title on the same line as the name ("John Smith, Chief Financial Officer")
        nm_text = text[name_span[0] : name_span[1]]
        if title_span is None and "," in nm_text:
            head, _, tail = nm_text.partition(",")
            if _TITLE_WORDS.search(tail):
                title_span = (name_span[0] + len(head) + 1, name_span[1])
                name_span = (name_span[0], name_span[0] + len(head))
        date = _nearest_date(dates, i)
        name_span = _once(text, name_span)
        if title_span is not None:
            title_span = _title_end(text, title_span)
        why = ["the signer's name broken across lines"] if broken else None
        name_value = _value(text[name_span[0] : name_span[1]]).rstrip(",")
        name_f = field(
            text, name_span[0], name_span[1], name_value, min(conf, 0.75) if broken else conf, reasons=why
        )
        title_f = (
            field(text, title_span[0], title_span[1], _value(text[title_span[0] : title_span[1]]), conf - 0.1)
            if title_span
            else Field(value=None, confidence=0.5, reasons=["no title found under the signer"])
        )
        date_f = (
            field(
                text,
                date[1],
                date[2],
                date[3],
                0.75 if date[4] else 0.9,
                reasons=["the date wrapped over two lines"] if date[4] else None,
            )
            if date
            else Field(value=None, confidence=0.5, reasons=["no date in the signature block"])
        )
        sigs.append(Signature(name=name_f, title=title_f, date=date_f))
    return sigs


_DANGLING = re.compile(
    r"(?:\band|\bof|,|&|-|\bChief|\bVice|\bGeneral|\bAssociate|\bExecutive|\bSenior|\bCorporate|"
    r"\bAccounting|\bFinancial|\bAssistant|\bDeputy|\bthe|\bBoard)$",
    re.I,
)


_CONTINUES = re.compile(r"(?:and|&)\s", re.I)  # a wrapped title's second line: "And Chief Financial Officer"


def _extend_title(
    entries: list[Line], j: int, span: tuple[int, int], labelled: str | None = None
) -> tuple[int, int]:
    """Join a title wrapped over lines ('Executive Vice President and' / 'Chief Financial Officer',
    'Senior Vice President, Finance' / 'And Chief Financial Officer'), also
    over its label when a converter set the label between the lines ('Executive Vice President,' /
    'Title: General Counsel'); with ``labelled`` (the text, when the title came after 'Title:'), one more
    whole line goes on it ('Title: Chief Financial Officer' / '(Principal Financial Officer)')."""
    line_added = False
    while j < len(entries):
        prev_text = entries[j - 1].text.strip()
        nxt = entries[j]
        if labelled and not line_added and _title_line_goes_on(labelled, span, entries[j - 1], nxt):
            span = (span[0], labelled.find("\n", nxt.start) % (len(labelled) + 1))
            while j < len(entries) and entries[j].end <= span[1]:
                j += 1
            line_added = True
            continue
        label = _TITLE.match(nxt.text)
        ok = (
            len(nxt.text) < 80
            and not _SLASH_S.search(nxt.text)
            and not DATE_RE.search(nxt.text)
            and (
                not _LABEL_CELL.match(nxt.text.split(":")[0] + ":")
                or (label is not None and labelled is None)
            )
        )
        goes_on = _DANGLING.search(prev_text) or _CONTINUES.match(nxt.text)
        if (goes_on or prev_text.count("(") > prev_text.count(")")) and ok:
            span = (span[0], nxt.end)
            j += 1
            continue
        break
    return span


def _title_line_goes_on(text: str, span: tuple[int, int], prev: Line, nxt: Line) -> bool:
    """After 'Title: ...', the next line is more of the title: a short whole line with no label, mark or
    date, not a name nor the registrant, of title words, going on in lower case or with a parenthesis,
    or under a title line long enough to have wrapped ("... Secretary, Global" / "Governance and ...")."""
    ls = text.rfind("\n", 0, nxt.start) + 1
    le = text.find("\n", nxt.start) % (len(text) + 1)
    line = text[ls:le].strip()
    if "\n" not in text[prev.end : nxt.start] or text[ls : nxt.start].strip() or not line:
        return False
    first = text[text.rfind("\n", 0, span[0]) + 1 : text.find("\n", span[0]) % (len(text) + 1)]
    return (
        len(line) < 60
        and ":" not in line
        and not _SLASH_S.search(line)
        and not DATE_RE.search(line)
        and not re.search(r"\d", line)
        and not _COMPANY.search(line)
        and not _looks_like_name(line)
        and not SIG_HEADING.match(line)
        and (
            len(first) >= 60
            or (
                _TITLE_WORDS.search(line) is not None
                and (bool(re.match(r"\(|[a-z]|(?i:and|of|&)\s", line)) or first.count("(") > first.count(")"))
            )
        )
    )


def _wrapped_date(text: str, entries: list[Line], i: int) -> tuple[int, int, int, object] | None:
    """A "Date:" cell whose date goes on at the start of the next line ("Date: February" / "14, 2022"):
    the index of that second entry, the span of the first part and the date."""
    e = entries[i]
    if not _DATE_LINE.match(e.text) or DATE_RE.search(e.text):
        return None
    mon = re.search(rf"\b{MONTH_RE}\b", e.text, re.I)
    if mon is None:
        return None
    for k in range(i + 1, min(i + 4, len(entries))):
        if "\n" in text[e.end : entries[k].start]:  # the first cell of a later line
            d = date_across(e.text, entries[k].text)
            return (k, e.start + mon.start(), e.end, d) if d is not None else None
    return None


def _nearest_date(
    dates: Sequence[tuple[int, int, int, object, bool]], i: int
) -> tuple[int, int, int, object, bool] | None:
    if not dates:
        return None
    return min(dates, key=lambda d: (abs(d[0] - i), d[0] < i))
