"""Cover check boxes (the four Rule provisions, emerging growth company) and Section 12(b) securities."""

from __future__ import annotations

import itertools
import re

from ...record import Checkboxes, Field, Security
from ..text import Line, clean, field
from .reader import CHECKED, RULES, UNCHECKED, CoverText


def box_glyph(c: CoverText, idx: int, phrase_start: int) -> tuple[bool | None, tuple[int, int] | None]:
    ln = c.lines[idx]
    prefix = c.text[ln.start : phrase_start]
    # a glyph just before the phrase on the same line
    for pat, val in ((CHECKED, True), (UNCHECKED, False)):
        ms = list(pat.finditer(prefix))
        if ms:
            return val, (ln.start + ms[-1].start(), ln.start + ms[-1].end())
    # a glyph alone on the line above
    if idx > 0:
        prev = c.lines[idx - 1]
        t = prev.text.strip()
        if len(t) <= 5:
            for pat, val in ((CHECKED, True), (UNCHECKED, False)):
                g = pat.search(prev.text)
                if g:
                    return val, (prev.start + g.start(), prev.start + g.end())
    return None, None


def checkboxes(c: CoverText) -> Checkboxes | None:
    out: dict[str, Field] = {}  # type: ignore[type-arg]
    found_any = False
    for key, pat in RULES.items():
        for i, ln in enumerate(c.lines):
            m = pat.search(ln.text)
            if not m or not re.search(r"communications|soliciting|material", ln.text, re.I):
                continue
            found_any = True
            phrase = re.search(r"(?:Written|Soliciting|Pre-commencement)", ln.text, re.I)
            pstart = ln.start + (phrase.start() if phrase else m.start())
            val, span = box_glyph(c, i, pstart)
            if val is None:
                out[key] = Field(
                    value=False, confidence=0.6, span=None, quote=None, reasons=["no box glyph printed"]
                )
            else:
                assert span is not None
                out[key] = field(c.text, span[0], span[1], val, 0.95)
            break
    if not found_any:
        return None
    for key in RULES:
        out.setdefault(key, Field(value=False, confidence=0.4, reasons=["provision line not found"]))
    return Checkboxes(**out)


def egc(c: CoverText) -> Field | None:  # type: ignore[type-arg]
    for i, ln in enumerate(c.lines):
        m = re.search(r"emerging growth company", ln.text, re.I)
        if m and re.search(r"indicate by check mark|if an emerging", ln.text, re.I):
            m = _box_after_question(c, ln)
        if not m:
            continue
        after = ln.text[m.end() :]
        for pat, val in ((CHECKED, True), (UNCHECKED, False)):
            g = pat.search(after)
            if g:
                s = ln.start + m.end() + g.start()
                return field(c.text, s, ln.start + m.end() + g.end(), val, 0.95)
        glyph, span = box_glyph(c, i, ln.start + m.start())
        if glyph is not None and span is not None:
            return field(c.text, span[0], span[1], glyph, 0.9)
        if i + 1 < len(c.lines):
            nxt = c.lines[i + 1]
            if len(nxt.text.strip()) <= 5:
                for pat, val2 in ((CHECKED, True), (UNCHECKED, False)):
                    g = pat.search(nxt.text)
                    if g:
                        return field(c.text, nxt.start + g.start(), nxt.start + g.end(), val2, 0.85)
        return Field(value=False, confidence=0.6, reasons=["no box glyph printed"])
    return None


def _box_after_question(c: CoverText, ln: Line) -> re.Match[str] | None:
    """The question and its answer on one line ("Indicate by check mark whether ... emerging growth company
    as defined in ... of this chapter). Emerging growth company ☐"): the last "emerging growth company",
    when a box follows it."""
    found = list(re.finditer(r"emerging growth company", ln.text, re.I))
    last = found[-1] if len(found) > 1 else None
    if last is None:
        return None
    after = ln.text[last.end() :].lstrip(" |:")
    return last if any(pat.match(after) for pat in (CHECKED, UNCHECKED)) else None


_NOT_APPLICABLE = re.compile(r"n/?a|none|not applicable|-+", re.I)
_EXCHANGE = re.compile(r"exchange|nasdaq|nyse|market|bourse|llc", re.I)
_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}(?:\s?[A-Z0-9]{1,4})?$")


def securities(c: CoverText) -> list[Security] | None:
    start = None
    for i, ln in enumerate(c.lines):
        if re.search(r"registered pursuant to Section 12\s?\(b\)", ln.text, re.I):
            start = i
            break
    if start is None:
        return None
    out: list[Security] = []
    columns: dict[str, int] = {}
    width = 0
    for ln in c.lines[start + 1 : start + 20]:
        t = ln.text
        if re.search(r"indicate by check mark|emerging growth|check the appropriate|^item\s+\d", t, re.I):
            break
        if re.search(r"title of each class|trading symbol|name of each exchange", t, re.I):
            head = [x for _s, _e, x in ln.cells if x.strip()]
            width = len(head)
            for k, h in enumerate(head):
                hl = h.lower()
                key = (
                    "title"
                    if "title" in hl
                    else "symbol"
                    if "symbol" in hl
                    else "exchange"
                    if "exchange" in hl
                    else None
                )
                if key:
                    columns[key] = k
            continue
        cells = [(s, e, x) for s, e, x in ln.cells if x.strip()]
        if len(cells) < 2 or all(_NOT_APPLICABLE.fullmatch(x.strip()) for _s, _e, x in cells):
            continue  # "N/A | N/A | N/A": nothing registered
        if len(cells) >= 3:
            if width >= 3 and len(cells) >= width and len(columns) == 3:
                ti, sy, ex = _by_column(cells, columns, width)
            else:
                ti, sy, ex = _joined(cells[:-2]), cells[-2], cells[-1]
            out.extend(
                _stacked(c, ti, sy, ex) or [_security(c, ti, sy, ex, split="|" in c.text[ti[0] : ti[1]])]
            )
            continue
        else:
            a, b = cells
            if _SYMBOL.match(a[2].strip()) and _EXCHANGE.search(b[2]) and out:
                prev = out[-1].title
                sec = Security(
                    title=prev.model_copy(
                        update={"confidence": 0.6, "reasons": ["title repeated from the row above"]}
                    ),
                    trading_symbol=field(c.text, a[0], a[1], clean(a[2]), 0.85),
                    exchange=field(c.text, b[0], b[1], clean(b[2]), 0.85),
                )
            elif _EXCHANGE.search(b[2]):
                sec = Security(
                    title=field(c.text, a[0], a[1], clean(a[2]), 0.8),
                    trading_symbol=Field(value=None, confidence=0.6, reasons=["no trading symbol printed"]),
                    exchange=field(c.text, b[0], b[1], clean(b[2]), 0.8),
                )
            else:
                continue
        out.append(sec)
    return out


Cell = tuple[int, int, str]


def _joined(cells: list[Cell]) -> Cell:
    """Cells read as one: a title set over several cells ("Class A Common Stock" | "Par Value" | "$0.10")."""
    return cells[0][0], cells[-1][1], " ".join(x.strip() for _s, _e, x in cells)


def _by_column(cells: list[Cell], columns: dict[str, int], width: int) -> tuple[Cell, Cell, Cell]:
    """The title, symbol and exchange cells of a row under a header of ``width`` columns; a row with
    more cells than the header has its title split over the extra ones."""
    extra = len(cells) - width
    k = columns["title"]
    at = {key: i if i < k else i + extra for key, i in columns.items() if key != "title"}
    return _joined(cells[k : k + extra + 1]), cells[at["symbol"]], cells[at["exchange"]]


# where a later title starts in a cell that stacks several ("... per share 2.25% senior notes due ...")
_NEXT_TITLE = re.compile(r"(?<=\S)\s+(?=\d+(?:\.\d+)?%|Floating\s+Rate\b)")


def _pieces(cell: Cell, cuts: list[int]) -> list[Cell]:
    s, _e, x = cell
    bounds = [0, *cuts, len(x)]
    return [(s + a, s + b, x[a:b]) for a, b in itertools.pairwise(bounds) if x[a:b].strip()]


def _stacked(c: CoverText, ti: Cell, sy: Cell, ex: Cell) -> list[Security] | None:
    """One table row whose cells stack several securities, one paragraph each, which the text reads as
    one line: "Common Stock, par value $0.01 per share 2.25% senior notes due January 2021" | "ORCL" |
    "New York Stock Exchange New York Stock Exchange". The exchange printed n times splits the row in n;
    the title cell must split in as many at the start of a note ("2.25% ...", "Floating Rate ...")."""
    rep = re.fullmatch(r"\s*(\S.*?)(?:\s+\1)+\s*", ex[2])
    if rep is None or not _EXCHANGE.search(rep.group(1)):
        return None
    exchanges = [
        (ex[0] + m.start(), ex[0] + m.end(), m.group(0)) for m in re.finditer(re.escape(rep.group(1)), ex[2])
    ]
    titles = _pieces(ti, [m.end() for m in _NEXT_TITLE.finditer(ti[2])])
    symbols = _pieces(sy, [m.end() for m in re.finditer(r"(?<=\S)\s+(?=\S)", sy[2])])
    n = len(exchanges)
    if len(titles) != n or len(symbols) not in (1, n) or "|" in c.text[ti[0] : ti[1]]:
        return None
    reason = ["several securities stacked in one table row: split at each exchange"]
    out = []
    for k in range(n):
        t, e = titles[k], exchanges[k]
        if k < len(symbols):
            symbol = field(c.text, symbols[k][0], symbols[k][1], clean(symbols[k][2]), 0.8, reasons=reason)
        else:
            symbol = Field(value=None, confidence=0.6, reasons=["no trading symbol printed on this line"])
        out.append(
            Security(
                title=field(c.text, t[0], t[1], clean(t[2]), 0.8, reasons=reason),
                trading_symbol=symbol,
                exchange=field(c.text, e[0], e[1], clean(e[2]), 0.8, reasons=reason),
            )
        )
    return out


def _security(c: CoverText, ti: Cell, sy: Cell, ex: Cell, split: bool) -> Security:
    reasons = ["the title is set over several cells: read as one"] if split else None
    title = field(c.text, ti[0], ti[1], clean(ti[2]), 0.85 if split else 0.9, reasons=reasons)
    return Security(
        title=title,
        trading_symbol=field(c.text, sy[0], sy[1], clean(sy[2]), 0.9),
        exchange=field(c.text, ex[0], ex[1], clean(ex[2]), 0.9),
    )
