"""The signature block: where it starts, who signed, with what title, on what date (pure).

Signers are found by "/s/" marks (also "/S/", "\\s\\", "s/"), by "By:" lines, and by "Name:"/"Title:" rows.
The typed name under a "/s/" line wins over the signed one when both are there ("/s/ Herb Glaubman" over
"Herbert Glaubman" keeps the typed form). Dates come from "Date:"/"Dated:" lines, else a lone date in the
block; one date serves every signer it precedes or follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..record import Field, Signature
from .text import DATE_RE, Line, clean, field, iter_lines, lines, parse_date

SIG_HEADING = re.compile(
    r"^[\W_]{0,3}(?:SIGNATURES?|S\s?I\s?G\s?N\s?A\s?T\s?U\s?R\s?E\s?S?|Signatures?)(?:\s+PAGE)?[\W_]{0,3}$"
)
_HEADING_HINT = re.compile(r"S\s?[Ii]")  # in every SIG_HEADING line
SIG_SENTENCE = re.compile(
    r"Pursuant to the requirements of the Securities (?:and )?Exchange Act(?: of 1934)?,? (?:as amended,? )?(?:the|each) (?:registrant|company)",
    re.I,
)
_SLASH_S = re.compile(r"(?:^|\s|\|)(?:By:?\s*)?(?:/\s?s\s?/|\\s\\|s/|/S/|/s)\s*(?P<name>[^|/\n]*)", re.I)
_BY = re.compile(r"^\s*By\s*:?\s*(?P<name>[A-Z][^|\n]{2,60})$")
_NAME = re.compile(r"^\s*(?:Name|Printed Name)\s*:\s*(?P<v>.+)$", re.I)
_TITLE = re.compile(r"^\s*(?:Title|Its)\s*:\s*(?P<v>.+)$", re.I)
_DATE_LINE = re.compile(r"^\s*Dated?\s*[:.]?\s*(?:as of\s*)?", re.I)
_NOT_A_NAME = re.compile(
    r"(?:registrant|inc\b|inc\.|corp|company|co\.|llc|l\.p\.|ltd|pursuant|date|signature|duly|authorized|"
    r"exhibit|\d)",
    re.I,
)
_TITLE_WORDS = re.compile(
    r"\b(?:officer|president|chairman|chief|director|secretary|treasurer|counsel|controller|vice|"
    r"executive|manager|partner|principal|accounting|financial|general|senior|trustee|member|ceo|cfo|"
    r"attorney|assistant|head|lead|founder|owner|comptroller|administrator|vp|svp|evp|coo|cao|cto)\b",
    re.I,
)
_LABEL_CELL = re.compile(r"^(?:By|Name|Title|Its|Date|Dated|Printed Name)\s*:?$", re.I)
_RULE = re.compile(r"^[\s_\-=*.]+$")


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
    out = []
    for ln in lines(text, start, end):
        cells = []
        for s, _e, part in ln.cells:
            ls = len(part) - len(part.lstrip())
            rs = len(part.rstrip())
            if rs > ls:
                cells.append(Line(s + ls, s + rs, part[ls:rs]))
        k = 0
        while k < len(cells):
            c = cells[k]
            if _LABEL_CELL.match(c.text) and k + 1 < len(cells):
                nxt = cells[k + 1]
                c = Line(c.start, nxt.end, text[c.start : nxt.end])
                k += 1
            if not _RULE.match(c.text):
                out.append(c)
            k += 1
    return out


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
    m = re.match(rf"^(?:[A-Z][\w.'-]*\.?,?\s+){{0,4}}{last}(?:,?\s+(?:Jr|Sr|II|III|IV)\.?)?,?\s+", text, re.I)
    if m and _TITLE_WORDS.search(text[m.end() :]):
        return m.end()
    return None


def parse_signatures(text: str, block: Block, limit: int = 6000) -> list[Signature]:
    end = min(block.end, block.start + limit)
    entries = _entries(text, block.start, end)
    dates = []
    for i, entry in enumerate(entries):
        for dm in DATE_RE.finditer(entry.text):
            d = parse_date(dm)
            if d and (_DATE_LINE.match(entry.text) or len(entry.text) - (dm.end() - dm.start()) < 12):
                dates.append((i, entry.start + dm.start(), entry.start + dm.end(), d))
    sigs: list[Signature] = []
    used_until = -1
    for i, e in enumerate(entries):
        if i <= used_until:
            continue
        name_span: tuple[int, int] | None = None
        conf = 0.9
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
            if _SLASH_S.search(nxt.text) or _BY.match(nxt.text):
                break
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
                continue
            if tm:
                v = tm.start("v")
                title_span = (nxt.start + v, nxt.end)
                j += 1
                title_span = _extend_title(entries, j, title_span)
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
        name_f = field(
            text, name_span[0], name_span[1], clean(text[name_span[0] : name_span[1]]).rstrip(","), conf
        )
        title_f = (
            field(text, title_span[0], title_span[1], clean(text[title_span[0] : title_span[1]]), conf - 0.1)
            if title_span
            else Field(value=None, confidence=0.5, reasons=["no title found under the signer"])
        )
        date_f = (
            field(text, date[1], date[2], date[3], 0.9)
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


def _extend_title(entries: list[Line], j: int, span: tuple[int, int]) -> tuple[int, int]:
    """Join a title wrapped over lines ('Executive Vice President and' / 'Chief Financial Officer')."""
    while j < len(entries):
        prev_text = entries[j - 1].text.strip()
        nxt = entries[j]
        if (
            _DANGLING.search(prev_text)
            and len(nxt.text) < 80
            and not _SLASH_S.search(nxt.text)
            and not DATE_RE.search(nxt.text)
            and not _LABEL_CELL.match(nxt.text.split(":")[0] + ":")
        ):
            span = (span[0], nxt.end)
            j += 1
            continue
        break
    return span


def _nearest_date(
    dates: Sequence[tuple[int, int, int, object]], i: int
) -> tuple[int, int, int, object] | None:
    if not dates:
        return None
    return min(dates, key=lambda d: (abs(d[0] - i), d[0] < i))
