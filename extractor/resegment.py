"""Restore line breaks in text that has no usable line structure (pure, linear time).

A submission flattened to one line, or converter output that glued a whole document into a few very long
lines (lxml ``text_content()`` or BeautifulSoup ``get_text()`` of HTML written without line breaks), leaves
the line-based readers nothing to hold on to: no Item heading starts a line, no caption sits under its
value, no signer's name ends a line. When most of a text's characters sit in lines longer than
:data:`LONG_LINE`, those lines get a line break where a form prints one:

- before an Item heading ("Item 2.02", "ITEM 5.", "Items 2.02 and 9.01") that is not a cross-reference
  ("under Item 2.02", "Item 2.02 of this report"), and after its title when the SEC's title follows;
- before and after a cover caption ("(Exact name of registrant ...)", "(Commission File Number)", ...,
  consecutive captions stay together as a row), before "FORM 8-K", "Date of Report" and the cover's
  check-box lines, and after the date of report;
- before and after "SIGNATURE(S)", before "Pursuant to the requirements of the Securities Exchange Act",
  and in the signature block before "/s/", "By:", "Name:", "Title:", "Date:", with a break after the
  signed name (a name typed twice, "/s/ A. Smith A. Smith Chief ...", is two lines);
- before and after a rule of dashes, equals signs or underscores (page breaks, lines under values);
- before an exhibit row ("99.1 Press release ...", "Exhibit 10.2 ...") after the exhibits' heading.

A space before a break becomes the line break (the text keeps its length and offsets); elsewhere a line
break is inserted and the :class:`~extractor.normalize.OffsetMap` shifted to match. The map says it was
resegmented, so that values read from the repaired text carry a lower confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from typing import TYPE_CHECKING

from . import catalog

if TYPE_CHECKING:
    from .normalize import OffsetMap

LONG_LINE = 1000  # characters: a line this long is a paragraph at most, never a page
_LONGISH = 200  # in a text without line structure, lines this long are resegmented too
_SHARE = 0.5  # share of the text in long lines above which the text has no usable line structure

_ITEM = re.compile(
    r"(?<![A-Z])(?:ITEMS?|Items?)\s*(?P<num>\d{1,2})(?:\s?[.\-]\s?(?P<sub>\d{2}))?(?!\d)\.?"
    r"(?=\s*[.:\-|)]?\s*[A-Z(\"'])"
)
_GLUED_ITEM = re.compile(r"(?<![A-Za-z])" + _ITEM.pattern.removeprefix("(?<![A-Z])"))
_CROSS_REF = re.compile(
    r"(?:\b(?:in|under|to|see|of|and|or|this|pursuant|with|by|per|at|from|our|its|the|such)|[,(])\s*$",
    re.I,
)
_CAPTION = re.compile(
    r"\((?:Exact\s+name|Name\s+of\s+registrant|State\s+(?:or\s+other|of)|Commission|I\.?\s?R\.?\s?S\.?|"
    r"IRS|Address|Zip|Registrant'?s\s+telephone|Telephone|Former\s+name|Date\s+of\s+earliest)[^()]{0,160}\)",
    re.I,
)
_BEFORE = re.compile(
    r"FORM\s+8-K(?:/A)?\b|CURRENT\s+REPORT\b|Date\s+of\s+Report\b|DATE\s+OF\s+REPORT\b|"
    r"(?<!\()(?<!\( )Registrant'?s\s+telephone|Check\s+the\s+appropriate\s+box|Securities\s+registered\s+pursuant|"
    r"Indicate\s+by\s+check\s+mark|Emerging\s+growth\s+company|[☐☒]|"
    r"Pursuant\s+to\s+the\s+requirements\s+of\s+the\s+Securities|EXHIBIT\s+INDEX\b|Exhibit\s+Index\b|"
    r"INDEX\s+TO\s+EXHIBITS\b|Index\s+to\s+Exhibits\b",
)
_RULE = re.compile(r"[-=_*]{5,}(?: [-=_*]{5,})*")  # rules under captions and page breaks: a line each
_REPORT_DATE = re.compile(r"(?:earliest\s+event\s+reported|Date\s+of\s+Report)\)?\s*:?\s*", re.I)
_DATE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\s*,?\s*(?:19|20)\d{2}", re.I
)
_DATE_BEFORE = re.compile(_DATE.pattern + r"\s*$", re.I)
# also glued to the words around it ("... iXBRL.3SIGNATUREPursuant to", "Data FileSIGNATURES")
_SIGNATURE = re.compile(r"(?:(?<![A-Za-z])|(?<=[a-z]))SIGNATURES?(?:(?![A-Za-z])|(?=Pursuant))(?!\s+PAGE)")
_SIGNER = re.compile(r"/s/|\\s\\|(?<![A-Za-z])(?:By|Name|Title|Its|Dated?)\s*:", re.I)
_SLASH = re.compile(r"(?:/s/|\\s\\)\s*", re.I)
_TITLE_WORD = re.compile(
    r"(?:President|Chief|Vice|Executive|Senior|Secretary|Treasurer|Director|General|Chairman|Officer|"
    r"Controller|Counsel|Principal|Manager|Partner|Assistant|Trustee|CEO|CFO|COO|EVP|SVP|VP)\b",
    re.I,
)
_EXHIBITS_START = re.compile(r"(?<![A-Za-z])(?:Item|ITEM)\s*(?:9\.\s?01|7)\b|EXHIBIT\s+INDEX|Exhibit\s+Index")
_EXHIBIT_ROW = re.compile(
    r"(?<![\d$,/-])(?<![\d.]\.)(?<!Item )(?<!ITEM )(?:(?:Exhibit|EXHIBIT|EX-)\s*(?:No\.?\s*)?)?(?:\d{1,3}\.\d{1,2}|10\d)(?:\s?\([a-z]\))?"
    r"(?=[\s|*]*[A-Z\"'])"
)


def flat(text: str) -> bool:
    """True when most of the text's characters sit in lines of :data:`LONG_LINE` or more."""
    if len(text) < LONG_LINE:
        return False
    return sum(e - s for s, e in _long_lines(text)) >= _SHARE * len(text)


def _long_lines(text: str, least: int = LONG_LINE) -> list[tuple[int, int]]:
    """(start, end) of every line of ``least`` characters or more (a regex scan from line starts only, so
    linear in the text's length)."""
    pat = _LONG_LINES.get(least) or _LONG_LINES.setdefault(least, re.compile(rf"^[^\n]{{{least},}}", re.M))
    return [m.span() for m in pat.finditer(text)]


_LONG_LINES: dict[int, re.Pattern[str]] = {}


_WRAP_LINES = re.compile(r"^[^\n]{40,200}$", re.M)
_WRAP_MIN_LINES = 12  # cut lines a text needs before it counts as wrapped inside words
_WRAP_SHARE = 0.55  # of the lines within 10 columns of the widest, the share exactly as wide
_WRAP_SPACE = 0.08  # of those, the share cut next to a space (a word-wrapped text: none)


def hard_wrap_width(src: str, start: int = 0, end: int | None = None) -> int | None:
    """The width at which src[start:end] was hard-wrapped at any character (inside words and numbers),
    or None. Such a text has many lines exactly as wide as its widest line (up to 200 columns), few a
    little shorter, and some of them cut just before or after a space (one space, not an indent); a text
    wrapped at words, or justified, has its lines' lengths spread below the width and no space at a cut."""
    end = len(src) if end is None else end
    lengths: dict[int, int] = {}
    for m in _WRAP_LINES.finditer(src, start, end):
        n = m.end() - m.start()
        lengths[n] = lengths.get(n, 0) + 1
    if not lengths:
        return None
    width = max(lengths)
    near = sum(v for k, v in lengths.items() if k >= width - 10)
    if lengths[width] < _WRAP_MIN_LINES or lengths[width] < _WRAP_SHARE * near:
        return None
    spaced = 0
    for m in re.compile(rf"^[^\n]{{{width}}}$", re.M).finditer(src, start, end):
        nxt = src[m.end() + 1 : m.end() + 3]
        spaced += src[m.end() - 1] == " " or (nxt[:1] == " " and nxt[1:] not in ("", " "))
    return width if spaced >= _WRAP_SPACE * lengths[width] else None


def resegment(text: str, offsets: OffsetMap) -> tuple[str, OffsetMap]:
    """The text with its line breaks restored and Markdown tables read as rows of cells, and its map;
    unchanged (the same objects) when the text needs neither."""
    if _MD_HINT.search(text):
        md = _markdown(text)
        if md:
            text, offsets = apply_edits(text, offsets, md)
    if flat(text):
        starts: set[int] = set()
        for s, e in _long_lines(text, _LONGISH):
            starts |= _breaks(text, s, e)
        starts.update(_glued_rows(text))
        keep = sorted(p for p in starts if 0 < p < len(text) and text[p - 1] != "\n")
        edits = sorted(_line_breaks(text, keep) + _glued_numbers(text, keep))
        if edits:
            return apply_edits(text, offsets, edits)
    joined = _ITEM_SPLIT.sub(lambda m: m.group(1) + " ", text)  # "Item" / "2.02 ...": one line
    glued = _glued_headings(joined)
    rows = _glued_rows(joined)
    if glued or rows:
        edits = sorted(_line_breaks(joined, sorted({*glued, *rows})) + _glued_numbers(joined, rows))
        return apply_edits(joined, offsets, edits, resegmented=offsets.resegmented or bool(rows))
    return (joined, offsets) if joined != text else (text, offsets)


# an exhibit row glued to the text before it, as converters that drop block breaks write a list
# ("(d) Exhibits23.1 -Consent ...", "... June 27, 202099.2Press release", "... 2022104Cover Page"): the
# number after a letter, a period or a year, and a capital (or a dash) after it
_GLUED_ROW = re.compile(
    r"(?:(?<=[A-Za-z.)])|(?<=(?:19|20)\d\d))(?:\d{1,3}\.\d{1,2}|10[14])(?=\s?[-\u2013\u2014|]?\s?[A-Z])"
)
_ROWS_SPAN = 5000  # characters after an exhibits heading searched for glued rows


def _glued_rows(text: str) -> list[int]:
    out: set[int] = set()
    for ex in _EXHIBITS_START.finditer(text):
        for m in _GLUED_ROW.finditer(text, ex.end(), min(len(text), ex.end() + _ROWS_SPAN)):
            out.add(m.start())
    return sorted(p for p in out if 0 < p < len(text) and text[p - 1] != "\n")


# a line that is (or ends in a cell that is) the word "Item", and a next line that starts with an item
# number and a title ("Item" / "12. Results of Operations"; not "pursuant to Item" / "2.02 and shall")
_ITEM_SPLIT = re.compile(
    r"((?:^|(?<=\| ))(?:ITEMS?|Items?))\n(?=\d{1,2}(?:\.\d{2})?\.?\s*(?:\| )?[A-Z])", re.M
)


_GLUED_HEADING = re.compile(r"[.;:)\"] (?:\| )?(?=(?:ITEMS?|Items?)\s*\d)")


def _glued_headings(text: str) -> list[int]:
    """Item headings printed after a sentence on its line (or in the next column, " | "): a block's end
    that a converter wrote as a run of spaces. Only a heading followed by the SEC's title of its item counts."""
    out: set[int] = set()
    for g in _GLUED_HEADING.finditer(text):
        m = _ITEM.match(text, g.end())
        if m is not None and _after_title(text, m, min(len(text), m.end() + 200)):
            out.add(g.end())
    for s, e in _long_lines(
        text
    ):  # a paragraph-long line: headings glued inside it ("265Item 8.01 Other EventsOn")
        for m in _GLUED_ITEM.finditer(text, s, e):
            after = _after_title(text, m, e)
            if after and not _CROSS_REF.search(text, max(s, m.start() - 12), m.start()):
                out |= {m.start(), *after}
    return sorted(p for p in out if 0 < p < len(text) and text[p - 1] != "\n")


_MD_RULE = re.compile(r"^-{3,}(?:\|-{3,})* ?$", re.M)
# html2text's marks: a table's rule row ("---|---", or "---" over a one-cell header), a bold line
_MD_HINT = re.compile(r"^-{3,}(?:\|-{3,})+ ?$|^-{3,} *\n\|| *\*\*[^*\n]+\*\* *$", re.M)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
_MD_PIPES = re.compile(r" ?\|(?: ?\|)* ?")
# emphasis around words ("**ACME CORP.**", "_/s/ Jane Roe_"), and a title word glued to the word before
# it ("Jane RoeChief Executive Officer", "President andChief"): cells html2text joined without a space
_MD_EMPHASIS = re.compile(r"(?<![\w*_])[*_]{1,8}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,8}(?![\w*_])")
_GLUED_TITLE = re.compile(
    r"(?<=[a-z])(?=(?:Executive|Chief|Senior|Vice|President|General|Secretary|Treasurer|Director|"
    r"Chairman|Officer|Controller|Counsel|Principal|Assistant)\b)"
)


def _markdown(text: str) -> list[Edit]:
    """Markdown (html2text's tables): rule rows go, a row's cells are joined by " | " with empty cells
    and edge pipes dropped, links keep their text."""
    edits: list[Edit] = []
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        e = len(text) if nl < 0 else nl
        if _MD_RULE.fullmatch(text, pos, e):
            edits.append((pos, min(len(text), e + 1), ""))
        else:
            edits += _md_line(text, pos, e)
            if e < len(text) and _open_cell(text, pos, e):  # a cell's caption wrapped: the row is one line
                edits.append((e, e + 1, " "))
        pos = e + 1
    return edits


def _open_cell(text: str, s: int, e: int) -> bool:
    """A table row whose last cell leaves a parenthesis open that the next line (a row too) closes."""
    cell = text[text.rfind("|", s, e) + 1 : e] if "|" in text[s:e] else ""
    if cell.count("(") <= cell.count(")"):
        return False
    nl = text.find("\n", e + 1)
    nxt = text[e + 1 : len(text) if nl < 0 else nl]
    return ")" in nxt.split("|")[0]


def _md_line(text: str, s: int, e: int) -> list[Edit]:
    edits: list[Edit] = []
    for m in _MD_LINK.finditer(text, s, e):
        edits += [(m.start(), m.start() + 1, ""), (m.start(1) + len(m.group(1)), m.end(), "")]
    for m in _MD_EMPHASIS.finditer(text, s, e):
        if not any(a < m.end() and m.start() < b for a, b, _r in edits):
            edits.append((m.start(), m.end(), ""))
    edits += [(m.start(), m.start(), " ") for m in _GLUED_TITLE.finditer(text, s, e)]
    edits.sort()
    if "|" not in text[s:e]:
        return edits
    for m in _MD_PIPES.finditer(text, s, e):
        edge = m.start() == s or m.end() == e
        if not any(a < m.end() and m.start() < b for a, b, _r in edits):
            edits.append((m.start(), m.end(), "" if edge else " | "))
    return sorted(edits)


def _breaks(text: str, s: int, e: int) -> set[int]:
    """Offsets in text[s:e] where a line should start."""
    out: set[int] = set()
    for m in _ITEM.finditer(text, s, e):
        if _CROSS_REF.search(text, max(s, m.start() - 12), m.start()):
            continue
        out.add(m.start())
        out |= _after_title(text, m, e)
    for m in _CAPTION.finditer(text, s, e):
        if not re.search(r"\)\s*$", text[max(s, m.start() - 3) : m.start()]):
            out.add(m.start())
        if not re.match(r"\s*\(", text[m.end() : m.end() + 3]):
            out.add(_skip_space(text, m.end(), e))
    for m in _BEFORE.finditer(text, s, e):
        out.add(m.start())
        if m.group(0)[:1] in "Dd":  # "Date of Report": its date may be printed just before it
            d = _DATE_BEFORE.search(text, max(s, m.start() - 25), m.start())
            if d:
                out.add(d.start())
    for m in _RULE.finditer(text, s, e):
        out |= {m.start(), _skip_space(text, m.end(), e)}
    for m in _REPORT_DATE.finditer(text, s, e):
        d = _DATE.match(text, m.end(), e)
        if d:
            out.add(_skip_space(text, d.end(), e))
    sig_at = e
    for m in _SIGNATURE.finditer(text, s, e):
        sig_at = min(sig_at, m.start())
        out.add(m.start())
        out.add(_skip_space(text, m.end(), e))
    pursuant = text.find("Pursuant to the requirements", s, e)
    if 0 <= pursuant < sig_at:
        sig_at = pursuant
    for m in _SIGNER.finditer(text, sig_at, e):
        out.add(m.start())
        out |= _after_name(text, m, e)
        d = _DATE.match(text, _skip_space(text, m.end(), e), e) if m.group(0)[:1] in "Dd" else None
        if d:
            out.add(_skip_space(text, d.end(), e))
    ex = _EXHIBITS_START.search(text, s, e)
    if ex is not None:
        for m in _EXHIBIT_ROW.finditer(text, ex.end(), e):
            out.add(m.start())
    return out


_ROW_NUMBER = re.compile(
    r"(?:(?:Exhibit|EXHIBIT|EX-)\s*(?:No\.?\s*)?)?(?:\d{1,3}\.\d{1,2}|10\d)(?:\s?\([a-z]\))?(?=[\s|*]*[A-Z\"'])"
)


def _glued_numbers(text: str, starts: list[int]) -> list[Edit]:
    """A space between an exhibit number that starts a line and the description glued to it."""
    out: list[Edit] = []
    for p in starts:
        m = _ROW_NUMBER.match(text, p)
        if m is not None and m.end() < len(text) and text[m.end()].isalpha():
            out.append((m.end(), m.end(), " "))
    return out


def _skip_space(text: str, i: int, e: int) -> int:
    while i < e and text[i] == " ":
        i += 1
    return i


def _after_title(text: str, m: re.Match[str], e: int) -> set[int]:
    """A break after the heading's title when the SEC's title of the item follows its number."""
    num = m.group("num")
    number = f"{int(num)}.{m.group('sub')}" if m.group("sub") else str(int(num))
    if number not in catalog.MODERN and number not in catalog.LEGACY:
        return set()
    title = catalog.canonical_title(number)
    i = m.end()
    while i < e and text[i] in " .:-|":
        i += 1
    words = title.split()
    j = i
    for w in words:
        seen = re.compile(r"\s*" + re.escape(w), re.I).match(text, j, e)
        if seen is None:
            return set()
        j = seen.end()
    if j < e and text[j] == ".":
        j += 1
    return {_skip_space(text, j, e)}


_NAME_TOKEN = re.compile(r"\s*([A-Z][a-z'\-]*\.?,?)")  # a glued "SmithJohn" is two tokens


def _after_name(text: str, m: re.Match[str], e: int) -> set[int]:
    """After "/s/": a break after the signed name, and after its typed copy when it is typed again."""
    if not _SLASH.match(text, m.start()):
        return set()
    i = _SLASH.match(text, m.start()).end()  # type: ignore[union-attr]
    tokens: list[tuple[str, int]] = []
    while len(tokens) < 12:
        t = _NAME_TOKEN.match(text, i, e)
        if t is None:
            break
        tokens.append((t.group(1), t.end()))
        i = t.end()
    words = [w for w, _ in tokens]
    for k in range(1, min(5, len(words) // 2) + 1):
        if words[k : 2 * k] == words[:k]:
            return {_skip_space(text, tokens[k - 1][1], e), _skip_space(text, tokens[2 * k - 1][1], e)}
    for k, w in enumerate(words):
        if k and _TITLE_WORD.match(w):
            return {_skip_space(text, tokens[k - 1][1], e)} if k <= 5 else set()
    return set()


Edit = tuple[int, int, str]  # replace text[start:end] by the string


def _line_breaks(text: str, starts: list[int]) -> list[Edit]:
    """Start a line at every offset of ``starts``: the space before it becomes a line break, or a line
    break is inserted."""
    return [(p - 1, p, "\n") if text[p - 1] == " " else (p, p, "\n") for p in starts]


def apply_edits(
    text: str, offsets: OffsetMap, edits: list[Edit], *, resegmented: bool = True
) -> tuple[str, OffsetMap]:
    """The text with ``edits`` (sorted, not overlapping) made, and the offset map that goes with it: kept
    text maps where it did, inserted text to the source offset of the character after it."""
    parts: list[str] = []
    out: list[int] = []
    src: list[int] = []
    new_len = 0
    prev = 0

    def keep(a: int, b: int) -> None:
        nonlocal new_len
        if b <= a:
            return
        _anchor(out, src, new_len, offsets.to_source(a))
        k = bisect_right(offsets.out, a)
        while k < len(offsets.out) and offsets.out[k] < b:
            _anchor(out, src, new_len + offsets.out[k] - a, offsets.src[k])
            k += 1
        parts.append(text[a:b])
        new_len += b - a

    for start, end, repl in edits:
        keep(prev, start)
        if repl:
            _anchor(out, src, new_len, offsets.to_source(end))
            parts.append(repl)
            new_len += len(repl)
        prev = end
    keep(prev, len(text))
    new = replace(offsets, out=tuple(out), src=tuple(src), length=new_len, resegmented=resegmented)
    return "".join(parts), new


def _anchor(out: list[int], src: list[int], at: int, to: int) -> None:
    if out and out[-1] == at:
        src[-1] = to
    else:
        out.append(at)
        src.append(to)
