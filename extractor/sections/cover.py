"""The cover page of a Form 8-K (pure).

Cover values are found next to the captions the form prints under or beside them: "(Exact name of
registrant as specified in its charter)", "(Commission File Number)", "Date of Report (Date of earliest
event reported)", ... A value can sit before its caption in the same cell or line ("0-17999 (Commission File
Number)"), after it ("Date of Report ...: January 31, 2008"), in the cell above it when captions form a
table row under a row of values, or on the line above. Typed patterns (file numbers, IRS ids, zip codes,
phone numbers, dates) pick the value out of a row of several.

Two dates ("October 3, 2000 (September 21, 2000)", or a "Date of Report" and a "Date of earliest event
reported"): the date of report is the earliest event's date; the quote keeps both.
"""

from __future__ import annotations

import re

from ..record import Checkboxes, Cover, Field, Registrant, Security
from .text import DATE_RE, Line, clean, field, lines, parse_date

_CAPTION = re.compile(r"\([^()]{3,120}\)")
FILE_NO = re.compile(r"(?<![\d-])(?:\d{1,3}|[A-Z]{1,2})-\d{3,6}(?:-\d{1,3})?(?![\d-])")
IRS_NO = re.compile(r"(?<![\d-])\d{2}\s?-\s?\d{6,7}(?![\d-])|(?<![\d-])\d{9}(?!\d)")
ZIP = re.compile(r"(?<![\d-])\d{5}(?:-\d{4})?(?![\d-])")
PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.\-]{0,3}\d{3}[\s.\-]\d{4}(?!\d)")

INTL_PHONE = re.compile(r"\+\d{1,3}[\s\-]?\(?\d{1,4}\)?[\s\-]\d{3,4}[\s\-]?\d{3,5}")

_LABEL = {
    "name": re.compile(r"exact name of (?:the )?registrants?|name of registrant as specified", re.I),
    "state": re.compile(
        r"\(\s*state\s+or\s+other\b|state\s+(?:or\s+other\s+)?jurisdiction|state\s+(?:or\s+other\s+)?of\s+(?:incorporation|organization)|jurisdiction\s+of\s+incorporation|state\s+of\s+incorporation",
        re.I,
    ),
    "file": re.compile(r"commission\s+file\b|file\s+number|^\(?\s*commission\s*\)?\s*$", re.I),
    "irs": re.compile(
        r"\(\s*I\.\s?R\.\s?S\.(?=\s*(?:$|\||Employer|No|Identification))|I\.?\s?R\.?\s?S\.?\s+Employer|Employer\s+Identification|identification\s+no",
        re.I,
    ),
    "address": re.compile(
        r"address\s+of\s+principal\s+(?:executive\s+)?offices?|address,? including zip code", re.I
    ),
    "zip": re.compile(r"\(?\s*zip\s+code\s*\)?", re.I),
    "phone": re.compile(
        r"telephone\s+number,?\s+(?:including|with)\s+area\s+code|\btelephone\s+number\b", re.I
    ),
    "date": re.compile(
        r"date\s+of\s+report|date\s+of\s+earliest|earliest\s+event|^\W*event\s+reported", re.I
    ),
}
_ANY_LABEL = re.compile(
    "|".join(p.pattern for k, p in _LABEL.items() if k != "file")
    + r"|commission file|former name|check the appropriate",
    re.I,
)
_RULES = {
    "rule_425": re.compile(r"Rule\s+425\b", re.I),
    "rule_14a12": re.compile(r"Rule\s+14a\s?-\s?12\b", re.I),
    "rule_14d2b": re.compile(r"Rule\s+14d\s?-\s?2\s?\(b\)", re.I),
    "rule_13e4c": re.compile(r"Rule\s+13e\s?-\s?4\s?\(c\)", re.I),
}
_CHECKED = re.compile(r"[☒☑■✓✔⌧✗✘]|\[\s*[xX✓]\s*\]|(?:^|\s)[xXýþ](?:\s|$)|\(\s*[xX]\s*\)")
_UNCHECKED = re.compile(r"[☐□¨❑○◻]|\[\s*\]|\|_\||(?:^|\s)[oq0_](?:\s|$)|\(\s*\)")
_STATES = [
    *(
        "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii "
        "Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan "
        "Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee "
        "Texas Utah Vermont Virginia Washington Wisconsin Wyoming"
    ).split(),
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "District of Columbia",
    "Puerto Rico", "Cayman Islands", "British Virgin Islands", "Bermuda", "Canada", "Ontario",
    "British Columbia", "Ireland", "England and Wales", "Netherlands", "Israel", "Marshall Islands",
    "Luxembourg", "Jersey", "Switzerland", "Bahamas", "Panama", "Quebec", "Alberta",
]  # fmt: skip
_STATE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _STATES), key=len, reverse=True)) + r")\b", re.I
)


def _none(reason: str) -> Field:  # type: ignore[type-arg]
    return Field(value=None, confidence=0.5, reasons=[reason])


class _Cover:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.lines = lines(text, start, end)

    # -- locating captions ---------------------------------------------------------------------------
    def find(self, key: str, after: int = 0) -> tuple[int, re.Match[str]] | None:
        pat = _LABEL[key]
        for i, ln in enumerate(self.lines):
            if ln.end <= after:
                continue
            m = pat.search(ln.text)
            if m:
                return i, m
        return None

    def cell_at(self, ln: Line, pos: int) -> tuple[int, tuple[int, int, str]]:
        cells = ln.cells
        for k, c in enumerate(cells):
            if c[0] <= pos <= c[1]:
                return k, c
        return len(cells) - 1, cells[-1]

    def before_in_cell(self, ln: Line, m: re.Match[str]) -> tuple[int, int] | None:
        """Text before the caption in the same cell, minus the caption's opening parenthesis."""
        pos = ln.start + m.start()
        _, (cs, _ce, _ct) = self.cell_at(ln, pos)
        seg = self.text[cs:pos]
        # cut at the opening parenthesis of the caption
        p = seg.rfind("(")
        if p >= 0:
            seg = seg[:p]
        # and after any earlier caption in the same cell
        close = seg.rfind(")")
        base = cs
        if close >= 0 and _ANY_LABEL.search(seg[: close + 1]):
            base = cs + close + 1
            seg = seg[close + 1 :]
        if seg.strip(" :|"):
            ls = len(seg) - len(seg.lstrip(" :|"))
            return base + ls, base + len(seg.rstrip(" :|"))
        return None

    def after_colon(self, ln: Line, m: re.Match[str]) -> tuple[int, int] | None:
        rest = ln.text[m.end() :]
        cm = re.match(r"[^:|]{0,40}?(?:\)\s*)?[:|]\s*", rest)
        if cm:
            s = ln.start + m.end() + cm.end()
            if ln.end > s:
                return s, ln.end
        return None

    def value_row(self, i: int, skip_captions: bool = True) -> Line | None:
        """The nearest line above line i that is not itself a caption row."""
        j = i - 1
        while j >= 0:
            ln = self.lines[j]
            t = ln.text.strip()
            if t and not (skip_captions and _is_caption_row(t)):
                return ln
            j -= 1
        return None

    def aligned(self, i: int, m: re.Match[str]) -> tuple[int, int] | None:
        """The cell above the caption's cell when captions and values form aligned table rows."""
        ln = self.lines[i]
        k, _ = self.cell_at(ln, ln.start + m.start())
        n = len(ln.cells)
        above = self.value_row(i)
        if above is None or n < 2:
            return None
        cells = above.cells
        if len(cells) == n and cells[k][2].strip():
            return cells[k][0], cells[k][1]
        return None


_CAPTION_WORDS = re.compile(
    r"^(?:of|or|and|other|the|in|its|as|incorporation|organization|identification|number|no\.?|employer|"
    r"i\.?r\.?s\.?|irs|code|zip|charter|specified|jurisdiction|state|commission|file|registrant'?s?|"
    r"exact|name|address|principal|executive|offices?|telephone|including|area|former|if|changed|since|"
    r"last|report|fiscal|year|date|earliest|event|reported)$",
    re.I,
)
_RULE_LINE = re.compile(r"^[\s_\-=|*.]*$")


def _is_caption_row(t: str) -> bool:
    if _RULE_LINE.match(t):
        return True
    stripped = _CAPTION.sub("", t).replace("|", " ").strip()
    if t.startswith("(") and len(stripped) < 5:
        return True
    if _ANY_LABEL.search(t) and t.startswith("("):
        return True
    # a wrapped caption: "of incorporation) Identification Number)"
    words = re.sub(r"[()|,:]", " ", t).split()
    return bool(words) and ")" in t and all(_CAPTION_WORDS.match(w) for w in words)


def _first_match(
    pat: re.Pattern[str], text: str, start: int, end: int, exclude: re.Pattern[str] | None = None
) -> tuple[int, int] | None:
    for m in pat.finditer(text, start, end):
        if exclude is not None and any(
            x.start() <= m.start() < x.end() or m.start() <= x.start() < m.end()
            for x in exclude.finditer(text, max(start, m.start() - 12), min(end, m.end() + 12))
        ):
            continue
        return m.start(), m.end()
    return None


def parse_cover(text: str, start: int, end: int) -> Cover:
    c = _Cover(text, start, end)
    cover = Cover()
    cover.date_of_report = _date(c)
    regs, first_block = _combined_registrants(c)
    if regs:
        cover.registrants = regs
        first = regs[0]
        cover.company_name = first.name
        cover.commission_file_number = first.commission_file_number or _none("not on the cover")
        cover.irs_employer_id = first.irs_employer_id or _none("not on the cover")
        cover.state_of_incorporation = first.state_of_incorporation or _none("not on the cover")
    else:
        cover.company_name = _company(c)
        cover.state_of_incorporation = _state(c)
        cover.commission_file_number = _typed(c, "file", FILE_NO, exclude=IRS_NO)
        cover.irs_employer_id = _typed(c, "irs", IRS_NO, exclude=None)
        if cover.company_name.value:
            cover.registrants = [
                Registrant(
                    name=cover.company_name,
                    state_of_incorporation=cover.state_of_incorporation,
                    commission_file_number=cover.commission_file_number,
                    irs_employer_id=cover.irs_employer_id,
                )
            ]
    cover.address, cover.zip_code = _address(c)
    cover.phone = _phone(c)
    for key, value in first_block.items():
        if getattr(cover, key).value is None:
            setattr(cover, key, value)
    cover.checkboxes = _checkboxes(c)
    cover.emerging_growth_company = _egc(c)
    cover.securities_12b = _securities(c)
    return cover


# -- fields ---------------------------------------------------------------------------------------------


def _date(c: _Cover) -> Field:  # type: ignore[type-arg]
    hits = []
    for i, ln in enumerate(c.lines):
        if _LABEL["date"].search(ln.text):
            hits.append(i)
    if not hits:
        return _none("no 'Date of Report' caption on the cover")
    found: list[tuple[object, int, int]] = []
    first = hits[0]
    for i in hits:
        if i - first > 4:
            break
        ln = c.lines[i]
        window = [ln]
        if i + 1 < len(c.lines) and not DATE_RE.search(ln.text):
            window.append(c.lines[i + 1])
        for w in window:
            for m in DATE_RE.finditer(c.text, w.start, w.end):
                d = parse_date(m)
                if d:
                    found.append((d, m.start(), m.end()))
    if not found and first > 0:
        prev = c.lines[first - 1]
        for m in DATE_RE.finditer(c.text, prev.start, prev.end):
            d = parse_date(m)
            if d:
                found.append((d, m.start(), m.end()))
    if not found:
        return _none("no date next to the 'Date of Report' caption")
    found = sorted(set(found), key=lambda f: f[1])
    # dates within a short stretch belong together; keep the first cluster
    cluster = [found[0]]
    for f in found[1:]:
        if f[1] - cluster[-1][2] < 120:
            cluster.append(f)
    earliest = min(cluster, key=lambda f: f[0])  # type: ignore[arg-type,return-value]
    q_end = cluster[-1][2]
    quote = c.text[cluster[0][1] : q_end]
    if quote.count("(") > quote.count(")") and c.text[q_end : q_end + 1] == ")":
        cluster[-1] = (cluster[-1][0], cluster[-1][1], q_end + 1)
    conf = 0.95 if len(cluster) == 1 else 0.9
    reasons = [] if len(cluster) == 1 else ["two dates printed: the earliest event's date is taken"]
    return field(c.text, cluster[0][1], cluster[-1][2], earliest[0], conf, reasons=reasons)


_NAME_NOISE = re.compile(
    r"^(?:form\s+8-?k|current\s+report|united\s+states|securities\s+and\s+exchange|washington|pursuant|"
    r"date\s+of|\(?amendment|commission file|_+$|-+$|\d+$)",
    re.I,
)


def _company(c: _Cover) -> Field:  # type: ignore[type-arg]
    hit = c.find("name")
    if hit is None:
        return _none("no 'Exact name of registrant' caption on the cover")
    i, m = hit
    ln = c.lines[i]
    span = c.before_in_cell(ln, m)
    if span is None:
        span = c.aligned(i, m)
    if span is None:
        j = i - 1
        while j >= 0:
            t = c.lines[j].text.strip()
            if t and not _NAME_NOISE.match(t) and not DATE_RE.search(t) and not t.startswith("("):
                span = (c.lines[j].start, c.lines[j].end)
                break
            if DATE_RE.search(t) or _LABEL["date"].search(t):
                break
            j -= 1
    if span is None:
        return _none("no name above its caption")
    value = clean(c.text[span[0] : span[1]])
    cells = [p.strip() for p in value.split("|") if p.strip()]
    if len(cells) > 1:  # name in a row with other values: take the longest non-numeric cell
        cand = [p for p in cells if not re.fullmatch(r"[\d\s-]+", p) and not _STATE_RE.fullmatch(p)]
        if cand:
            best = max(cand, key=len)
            s = c.text.find(best, span[0], span[1] + 1)
            span = (s, s + len(best))
            value = best
    return field(c.text, span[0], span[1], value, 0.92)


def _state(c: _Cover) -> Field:  # type: ignore[type-arg]
    hit = c.find("state")
    if hit is None:
        return _none("no 'State of incorporation' caption on the cover")
    i, m = hit
    ln = c.lines[i]
    span = c.before_in_cell(ln, m) or c.aligned(i, m)
    if span is None:
        row = c.value_row(i)
        if row is not None:
            sm = _STATE_RE.search(row.text)
            if sm:
                span = (row.start + sm.start(), row.start + sm.end())
            else:
                first = row.cells[0]
                t = first[2]
                cut = FILE_NO.search(t) or IRS_NO.search(t)
                piece = t[: cut.start()] if cut else t
                if piece.strip() and len(piece.strip()) < 40:
                    span = (first[0], first[0] + len(piece.rstrip()))
    if span is None:
        return _none("no value above the state caption")
    raw = c.text[span[0] : span[1]]
    sm = re.search(r"\(\s*An?\s+(.+?)\s+(?:corporation|company|limited)", raw, re.I)
    if sm:
        return field(c.text, span[0] + sm.start(1), span[0] + sm.end(1), clean(sm.group(1)), 0.85)
    sm = _STATE_RE.search(raw)
    if sm and (FILE_NO.search(raw) or IRS_NO.search(raw)):
        return field(c.text, span[0] + sm.start(), span[0] + sm.end(), sm.group(0), 0.85)
    return field(c.text, span[0], span[1], clean(raw), 0.9)


def _typed(c: _Cover, key: str, pat: re.Pattern[str], exclude: re.Pattern[str] | None) -> Field:  # type: ignore[type-arg]
    hit = c.find(key)
    if hit is None:
        return _none(f"no {key} caption on the cover")
    i, m = hit
    ln = c.lines[i]
    # 1. same cell before the caption, 2. after a colon, 3. the aligned cell above, 4. lines above
    candidates = []
    bc = c.before_in_cell(ln, m)
    if bc:
        candidates.append(bc)
    ac = c.after_colon(ln, m)
    if ac:
        candidates.append(ac)
    _k, (_cs, ce, _ct) = c.cell_at(ln, ln.start + m.end())
    if ce > ln.start + m.end():
        candidates.append((ln.start + m.end(), ce))  # "Commission File Number 1-15829"
    al = c.aligned(i, m)
    if al:
        candidates.append(al)
    for s, e in candidates:
        hitm = _first_match(pat, c.text, s, e, exclude)
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.93)
    # rows above, nearest first (at most 4), choosing by column when the row has as many cells
    k, _ = c.cell_at(ln, ln.start + m.start())
    for j in range(i - 1, max(-1, i - 5), -1):
        row = c.lines[j]
        if len(row.cells) == len(ln.cells) and len(ln.cells) > 1:
            s, e, _t = row.cells[k]
            hitm = _first_match(pat, c.text, s, e, exclude)
        else:
            hitm = _first_match(pat, c.text, row.start, row.end, exclude)
            if key == "file" and hitm is None:
                hitm = None
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.85)
    # the line below (captions above values)
    if i + 1 < len(c.lines):
        row = c.lines[i + 1]
        hitm = _first_match(pat, c.text, row.start, row.end, exclude)
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.7)
    return _none(f"no {key} value near its caption")


def _address(c: _Cover) -> tuple[Field, Field]:  # type: ignore[type-arg]
    hit = c.find("address")
    if hit is None:
        return _none("no address caption on the cover"), _none("no zip code caption on the cover")
    i, m = hit
    ln = c.lines[i]
    zip_f: Field | None = None  # type: ignore[type-arg]
    zm = _LABEL["zip"].search(ln.text)
    k_zip = c.cell_at(ln, ln.start + zm.start())[0] if zm else None
    spans: list[tuple[int, int]] = []
    bc = c.before_in_cell(ln, m)
    if bc:
        spans.append(bc)
    else:
        # up to three lines above, stopping at captions / other values
        j = i - 1
        while j >= 0 and len(spans) < 3:
            row = c.lines[j]
            t = row.text.strip()
            if _RULE_LINE.match(t):
                j -= 1
                continue
            if (
                not t
                or _is_caption_row(t)
                or _ANY_LABEL.search(t)
                or (IRS_NO.search(t) and FILE_NO.search(t))
            ):
                break
            cells = row.cells
            if k_zip is not None and len(cells) == len(ln.cells) and len(cells) > 1:
                zs, ze, zt = cells[k_zip]
                if ZIP.fullmatch(zt.strip()) and zip_f is None:
                    zip_f = field(c.text, zs, ze, zt.strip(), 0.9)
                parts = [cl for idx, cl in enumerate(cells) if idx != k_zip]
            else:
                parts = cells
            if len(parts) > 1 and zip_f is None:
                zc = [cl for cl in parts if ZIP.fullmatch(cl[2].strip())]
                if zc:
                    zip_f = field(c.text, zc[0][0], zc[0][1], zc[0][2].strip(), 0.85)
                    parts = [cl for cl in parts if cl is not zc[0]]
            if parts:
                spans.insert(0, (parts[0][0], parts[-1][1]))
            j -= 1
            if j >= 0 and (
                c.lines[j].text.strip().startswith("(") or _NAME_NOISE.match(c.lines[j].text.strip())
            ):
                break
    if not spans:
        return _none("no address above its caption"), zip_f or _none("no zip code")
    s, e = spans[0][0], spans[-1][1]
    pm = PHONE.search(c.text, s, e)
    if pm and pm.start() > s:
        e = pm.start()
        spans = [(a, min(b, e)) for a, b in spans if a < e]
    value = clean(" ".join(clean(c.text[a:b]).replace(" | ", ", ") for a, b in spans))
    # a zip code at the end of the address line
    zip_tail = re.search(r"[,\s]+(\d{5}(?:-\d{4})?)\s*$", value)
    if zip_tail:
        if zip_f is None:
            zm2 = list(ZIP.finditer(c.text, s, e))
            if zm2:
                zip_f = field(c.text, zm2[-1].start(), zm2[-1].end(), zm2[-1].group(0), 0.88)
        value = value[: zip_tail.start()].rstrip(" ,")
        cut = c.text.rfind(zip_tail.group(1), s, e)
        if cut > s:
            e = cut
    if zip_f is None:
        zip_f = _zip_caption(c)
    addr = field(c.text, s, e, value.rstrip(" ,"), 0.85)
    addr.value = value.rstrip(" ,")
    return addr, zip_f


def _zip_caption(c: _Cover) -> Field:  # type: ignore[type-arg]
    hit = c.find("zip")
    if hit is None:
        return _none("no zip code on the cover")
    i, m = hit
    ln = c.lines[i]
    for span in (c.before_in_cell(ln, m), c.aligned(i, m)):
        if span:
            zm = ZIP.search(c.text, span[0], span[1])
            if zm:
                return field(c.text, zm.start(), zm.end(), zm.group(0), 0.9)
    row = c.value_row(i)
    if row is not None:
        zms = list(ZIP.finditer(c.text, row.start, row.end))
        if zms:
            return field(c.text, zms[-1].start(), zms[-1].end(), zms[-1].group(0), 0.8)
    return _none("no zip code near its caption")


def _phone(c: _Cover) -> Field:  # type: ignore[type-arg]
    hit = c.find("phone")
    if hit is None:
        return _none("no telephone caption on the cover")
    i, m = hit
    ln = c.lines[i]
    order = [(ln.start + m.end(), ln.end), (ln.start, ln.start + m.start())]
    if i + 1 < len(c.lines):
        order.append((c.lines[i + 1].start, c.lines[i + 1].end))
    row = c.value_row(i)
    if row is not None:
        order.append((row.start, row.end))
    for pat, conf in ((PHONE, 0.92), (INTL_PHONE, 0.75)):
        for s, e in order:
            pm = pat.search(c.text, s, e)
            if pm:
                return field(c.text, pm.start(), pm.end(), pm.group(0).strip(), conf)
    return _none("no phone number near its caption")


def _glyph(c: _Cover, idx: int, phrase_start: int) -> tuple[bool | None, tuple[int, int] | None]:
    ln = c.lines[idx]
    prefix = c.text[ln.start : phrase_start]
    # a glyph just before the phrase on the same line
    for pat, val in ((_CHECKED, True), (_UNCHECKED, False)):
        ms = list(pat.finditer(prefix))
        if ms:
            return val, (ln.start + ms[-1].start(), ln.start + ms[-1].end())
    # a glyph alone on the line above
    if idx > 0:
        prev = c.lines[idx - 1]
        t = prev.text.strip()
        if len(t) <= 5:
            for pat, val in ((_CHECKED, True), (_UNCHECKED, False)):
                g = pat.search(prev.text)
                if g:
                    return val, (prev.start + g.start(), prev.start + g.end())
    return None, None


def _checkboxes(c: _Cover) -> Checkboxes | None:
    out: dict[str, Field] = {}  # type: ignore[type-arg]
    found_any = False
    for key, pat in _RULES.items():
        for i, ln in enumerate(c.lines):
            m = pat.search(ln.text)
            if not m or not re.search(r"communications|soliciting|material", ln.text, re.I):
                continue
            found_any = True
            phrase = re.search(r"(?:Written|Soliciting|Pre-commencement)", ln.text, re.I)
            pstart = ln.start + (phrase.start() if phrase else m.start())
            val, span = _glyph(c, i, pstart)
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
    for key in _RULES:
        out.setdefault(key, Field(value=False, confidence=0.4, reasons=["provision line not found"]))
    return Checkboxes(**out)


def _egc(c: _Cover) -> Field | None:  # type: ignore[type-arg]
    for i, ln in enumerate(c.lines):
        m = re.search(r"emerging growth company", ln.text, re.I)
        if not m or re.search(r"indicate by check mark|if an emerging", ln.text, re.I):
            continue
        after = ln.text[m.end() :]
        for pat, val in ((_CHECKED, True), (_UNCHECKED, False)):
            g = pat.search(after)
            if g:
                s = ln.start + m.end() + g.start()
                return field(c.text, s, ln.start + m.end() + g.end(), val, 0.95)
        glyph, span = _glyph(c, i, ln.start + m.start())
        if glyph is not None and span is not None:
            return field(c.text, span[0], span[1], glyph, 0.9)
        if i + 1 < len(c.lines):
            nxt = c.lines[i + 1]
            if len(nxt.text.strip()) <= 5:
                for pat, val2 in ((_CHECKED, True), (_UNCHECKED, False)):
                    g = pat.search(nxt.text)
                    if g:
                        return field(c.text, nxt.start + g.start(), nxt.start + g.end(), val2, 0.85)
        return Field(value=False, confidence=0.6, reasons=["no box glyph printed"])
    return None


_EXCHANGE = re.compile(r"exchange|nasdaq|nyse|market|bourse|llc", re.I)
_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}(?:\s?[A-Z0-9]{1,4})?$")


def _securities(c: _Cover) -> list[Security] | None:
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
        if len(cells) < 2:
            continue
        if width >= 3 and len(cells) == width and len(columns) == 3:
            ti, sy, ex = cells[columns["title"]], cells[columns["symbol"]], cells[columns["exchange"]]
            sec = Security(
                title=field(c.text, ti[0], ti[1], clean(ti[2]), 0.9),
                trading_symbol=field(c.text, sy[0], sy[1], clean(sy[2]), 0.9),
                exchange=field(c.text, ex[0], ex[1], clean(ex[2]), 0.9),
            )
        elif len(cells) >= 3:
            ti, sy, ex = cells[0], cells[1], cells[-1]
            sec = Security(
                title=field(c.text, ti[0], ti[1], clean(ti[2]), 0.9),
                trading_symbol=field(c.text, sy[0], sy[1], clean(sy[2]), 0.9),
                exchange=field(c.text, ex[0], ex[1], clean(ex[2]), 0.9),
            )
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


def _combined_registrants(c: _Cover) -> tuple[list[Registrant], dict[str, Field]]:  # type: ignore[type-arg]
    """Combined filings print a table: file number | name, state, address, phone | IRS number.

    Returns the registrants and, for the first one, its address / zip code / phone when printed there."""
    header = None
    for i, ln in enumerate(c.lines):
        t = ln.text.lower()
        if "commission" in t and "registrant" in t and ("i.r.s" in t or "irs" in t or "employer" in t):
            header = i
            break
    if header is None:
        return [], {}
    regs: list[Registrant] = []
    extra: dict[str, Field] = {}  # type: ignore[type-arg]
    rows = c.lines[header + 1 : header + 60]
    for n, ln in enumerate(rows):
        cells = [x for x in ln.cells if x[2].strip()]
        if len(cells) < 2:
            continue
        f = FILE_NO.search(cells[0][2])
        irs = IRS_NO.search(cells[-1][2])
        if not f or not irs:
            if regs and re.search(r"^(?:item|check|indicate|this combined)", ln.text, re.I):
                break
            continue
        mid_s, _mid_e, mid = cells[1] if len(cells) >= 3 else cells[0]
        nm = re.match(r"\s*(.+?)(?=\s*\(|\s+\d|\s*$)", mid)
        if not nm:
            continue
        name = field(c.text, mid_s + nm.start(1), mid_s + nm.end(1), clean(nm.group(1)), 0.85)
        # the rest of the registrant's block: the middle cell's tail, or the lines below the row
        block: list[tuple[int, int]] = []
        if nm.end(1) < len(mid.rstrip()):
            block.append((mid_s + nm.end(1), mid_s + len(mid.rstrip())))
        for ln2 in rows[n + 1 : n + 7]:
            cells2 = [x for x in ln2.cells if x[2].strip()]
            if len(cells2) >= 2 and FILE_NO.search(cells2[0][2]) and IRS_NO.search(cells2[-1][2]):
                break
            if re.search(r"^(?:item|check|indicate|this combined|the address)", ln2.text, re.I):
                break
            block.append((ln2.start, ln2.end))
        state = None
        for bs, be in block:
            st = re.search(r"\(\s*An?\s+(.+?)\s+(?:corporation|company|limited)", c.text[bs:be], re.I)
            if st:
                state = field(c.text, bs + st.start(1), bs + st.end(1), clean(st.group(1)), 0.85)
                break
        if not regs and block:
            extra = _address_block(c, block)
        regs.append(
            Registrant(
                name=name,
                state_of_incorporation=state,
                commission_file_number=field(
                    c.text, cells[0][0] + f.start(), cells[0][0] + f.end(), f.group(0), 0.88
                ),
                irs_employer_id=field(
                    c.text, cells[-1][0] + irs.start(), cells[-1][0] + irs.end(), irs.group(0), 0.88
                ),
            )
        )
    return regs, extra


def _address_block(c: _Cover, block: list[tuple[int, int]]) -> dict[str, Field]:  # type: ignore[type-arg]
    """Address, zip and phone from a registrant's block ("(A Delaware Corporation) 30 Ivan Allen Jr.
    Boulevard, N.W. Atlanta, Georgia 30308 (404) 506-5000")."""
    out: dict[str, Field] = {}  # type: ignore[type-arg]
    s, e = block[0][0], block[-1][1]
    seg = c.text[s:e]
    st = re.search(r"\(\s*An?\s+.+?(?:corporation|company|limited)\s*\)", seg, re.I)
    a_start = s + (st.end() if st else 0)
    pm = PHONE.search(c.text, a_start, e)
    a_end = pm.start() if pm else e
    if pm:
        out["phone"] = field(c.text, pm.start(), pm.end(), pm.group(0), 0.8)
    zms = list(ZIP.finditer(c.text, a_start, a_end))
    if zms:
        z = zms[-1]
        out["zip_code"] = field(c.text, z.start(), z.end(), z.group(0), 0.8)
        a_end = z.start()
    while a_start < a_end and c.text[a_start] in " \n|":
        a_start += 1
    if a_end > a_start:
        value = clean(c.text[a_start:a_end].replace("\n", ", ").replace(" | ", ", "))
        value = re.sub(r",\s*,", ",", value).rstrip(" ,")
        f = field(c.text, a_start, a_end, value, 0.8)
        f.value = value
        out["address"] = f
    return out
