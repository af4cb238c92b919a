"""Cover fields read next to their captions: date of report, name, state, file number, IRS id, address,
zip code, phone."""

from __future__ import annotations

import re

from ...record import Field
from ..text import DATE_RE, Line, clean, field, parse_date
from .reader import (
    ANY_LABEL,
    FILE_NO,
    INTL_PHONE,
    IRS_NO,
    LABEL,
    PHONE,
    RULE_LINE,
    STATE_RE,
    ZIP,
    CoverText,
    first_match,
    is_caption_row,
    missing,
)

_PAREN_DATE = re.compile(r"\s*\(\s*(?:" + DATE_RE.pattern + ")", re.I)


def report_date(c: CoverText) -> Field:  # type: ignore[type-arg]
    hits = []
    for i, ln in enumerate(c.lines):
        if LABEL["date"].search(ln.text):
            hits.append(i)
    if not hits:
        return _uncaptioned_date(c)
    found: list[tuple[object, int, int]] = []
    first = hits[0]
    for i in hits:
        if i - first > 4:
            break
        ln = c.lines[i]
        window = [(ln.start, ln.end)]
        nxt = c.lines[i + 1] if i + 1 < len(c.lines) else None
        if nxt is not None and not DATE_RE.search(ln.text) and c.text[ln.end : nxt.start] == "\n":
            window = [
                (ln.start, nxt.end)
            ]  # the date under its caption, or wrapped after it ("July 3," / "2019")
        elif nxt is not None and (not DATE_RE.search(ln.text) or _PAREN_DATE.match(nxt.text)):
            window.append(
                (nxt.start, nxt.end)
            )  # the date under its caption, or the earliest event's "(date)"
        for w_start, w_end in window:
            for m in DATE_RE.finditer(c.text, w_start, w_end):
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
        return missing("no date next to the 'Date of Report' caption")
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
    if "\n" in c.text[earliest[1] : earliest[2]]:
        conf = min(conf, 0.8)
        reasons.append("the date is broken across lines: an unfamiliar layout")
    return field(c.text, cluster[0][1], cluster[-1][2], earliest[0], conf, reasons=reasons)


def _uncaptioned_date(c: CoverText) -> Field:  # type: ignore[type-arg]
    """No 'Date of Report' caption: a date alone on its line near the top of the cover, before any
    caption (a signature's or a press release's date never is); read with low confidence."""
    for ln in c.lines[:30]:
        if ANY_LABEL.search(ln.text) or LABEL["file"].search(ln.text):
            break
        m = DATE_RE.fullmatch(ln.text.strip(" *_|"))
        d = parse_date(m) if m else None
        if m and d:
            s = ln.start + ln.text.index(m.group(0))
            reason = "no 'Date of Report' caption: the date printed alone on the cover"
            return field(c.text, s, s + len(m.group(0)), d, 0.6, reasons=[reason])
    return missing("no 'Date of Report' caption on the cover")


NAME_NOISE = re.compile(
    r"^(?:form\s+8-?k|current\s+report|united\s+states|securities\s+and\s+exchange|washington|pursuant|"
    r"date\s+of|\(?amendment|commission file|_+$|-+$|\d+$)",
    re.I,
)


_MARKUP_EDGE = " *_#|"  # Markdown emphasis and heading marks a converter leaves around a value
_LEGAL_END = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|co|company|companies|ltd|limited|llc|l\.l\.c|lp|l\.p|plc|"
    r"trust|bancorp|bancshares|holdings|group|n\.a|s\.a)\.?\s*$",
    re.I,
)


_ALT_TEXT = re.compile(r"^\[[^\]]{0,40}\]$")  # an image's alt text as text browsers print it: "[logo]"


def _name_line(t: str) -> bool:
    return bool(t) and not (
        NAME_NOISE.match(t)
        or DATE_RE.search(t)
        or t.startswith("(")
        or RULE_LINE.match(t)
        or _ALT_TEXT.match(t)
    )


def _blank_between(c: CoverText, a: int, b: int) -> bool:
    return "\n\n" in c.text[c.lines[a].end : c.lines[b].start + 1]


def _name_above(c: CoverText, i: int) -> tuple[tuple[int, int] | None, bool]:
    """The name printed above its caption (line i): the nearest line that is not a rule, a date or a
    form heading, with the short lines just above it when the name was broken across lines
    ("ACME" / "HOLDINGS CORP."). The flag says whether lines were joined."""
    j = i - 1
    while j >= 0:
        t = c.lines[j].text.strip()
        if _name_line(t):
            break
        if DATE_RE.search(t) or LABEL["date"].search(t):
            return None, False
        j -= 1
    if j < 0:
        return None, False
    top = j
    words = len(c.lines[j].text.split())
    while top > 0 and len(c.lines[top].text) < 40 and words < 8:
        t = c.lines[top - 1].text.strip()
        if not _name_line(t) or len(t) >= 40 or _blank_between(c, top - 1, top) or ANY_LABEL.search(t):
            break
        top -= 1
        words += len(t.split())
    return (c.lines[top].start, c.lines[j].end), top < j


def _name_goes_up(c: CoverText, i: int, span: tuple[int, int]) -> tuple[tuple[int, int], bool]:
    """A name before its caption that starts its line, with the name's first words on the line above
    ("NUANCE" / "COMMUNICATIONS, INC. (Exact name ...)": converters that keep the source's line breaks)."""
    ln = c.lines[i]
    if i == 0 or c.text[ln.start : span[0]].strip(_MARKUP_EDGE) or _blank_between(c, i - 1, i):
        return span, False
    t = c.lines[i - 1].text.strip()
    head = c.text[span[0] : span[1]]
    if (
        _name_line(t)
        and " | " not in t
        and len(t.split()) <= 4
        and not _LEGAL_END.search(t)
        and not ANY_LABEL.search(t)
        and not LABEL["file"].search(t)
        and len(t.split()) + len(head.split()) <= 8
    ):
        return (c.lines[i - 1].start + c.lines[i - 1].text.index(t), span[1]), True
    return span, False


def _uncaptioned_name(c: CoverText) -> Field:  # type: ignore[type-arg]
    """No 'Exact name' caption: a short line of its own that ends in a legal form ("ZURN INDUSTRIES,
    INC."), before the first caption; read with low confidence."""
    for ln in c.lines[:40]:
        t = ln.text.strip(_MARKUP_EDGE)
        if LABEL["file"].search(t) or LABEL["date"].search(t):
            continue  # "Commission File Number: 0-1234" / "Date of Report: ..." lines above the name
        if ANY_LABEL.search(t):
            break
        if len(t) < 80 and _name_line(t) and _LEGAL_END.search(t) and not re.search(r"\d{3}", t):
            s = ln.start + ln.text.index(t)
            return field(
                c.text,
                s,
                s + len(t),
                clean(t),
                0.6,
                reasons=["no 'Exact name' caption: a line ending in a legal form"],
            )
    return missing("no 'Exact name of registrant' caption on the cover")


def company(c: CoverText) -> Field:  # type: ignore[type-arg]
    hit = c.find("name")
    if hit is None:
        return _uncaptioned_name(c)
    i, m = hit
    ln = c.lines[i]
    joined = False
    span = c.before_in_cell(ln, m)
    if span is not None:
        span, joined = _name_goes_up(c, i, span)
    if span is None:
        span = c.aligned(i, m)
    if span is None:
        span, joined = _name_above(c, i)
    if span is None:
        return missing("no name above its caption")
    s, e = span
    while s < e and c.text[s] in _MARKUP_EDGE + "\n":
        s += 1
    while e > s and c.text[e - 1] in _MARKUP_EDGE + "\n":
        e -= 1
    span = (s, e)
    value = clean(c.text[s:e])
    cells = [p.strip() for p in value.split("|") if p.strip()]
    if len(cells) > 1:  # name in a row with other values: take the longest non-numeric cell
        cand = [p for p in cells if not re.fullmatch(r"[\d\s-]+", p) and not STATE_RE.fullmatch(p)]
        if cand:
            best = max(cand, key=len)
            s = c.text.find(best, span[0], span[1] + 1)
            span = (s, s + len(best))
            value = best
    if joined:
        return field(c.text, span[0], span[1], value, 0.75, reasons=["name printed over several lines"])
    return field(c.text, span[0], span[1], value, 0.92)


def state(c: CoverText) -> Field:  # type: ignore[type-arg]
    hit = c.find("state")
    if hit is None:
        return missing("no 'State of incorporation' caption on the cover")
    i, m = hit
    ln = c.lines[i]
    span = c.before_in_cell(ln, m) or c.aligned(i, m)
    row_before = None
    if span is not None and not re.search(r"[A-Za-z]{2}", c.text[span[0] : span[1]]):
        # a number is never a state: the row of values and its captions share one line ("California |
        # 001-36743 | 94-2404110 (State or other ..."), the state is the row's state cell
        found = list(STATE_RE.finditer(c.text, ln.start, ln.start + m.start()))
        span = row_before = (found[0].start(), found[0].end()) if found else None
    stacked = c.stacked(i) if span is None else None
    row = None
    if stacked is not None and STATE_RE.search(c.text[stacked[0] : stacked[1]]):
        span = stacked
    if span is None:
        row = c.value_row(i)
        if row is not None:
            sm = STATE_RE.search(row.text)
            if sm:
                span = (row.start + sm.start(), row.start + sm.end())
            else:
                first = row.cells[0]
                t = first[2]
                cut = FILE_NO.search(t) or IRS_NO.search(t)
                piece = t[: cut.start()] if cut else t
                if piece.strip() and len(piece.strip()) < 40:
                    span = (first[0], first[0] + len(piece.rstrip()))
    wrapped = span is None and row is not None and _wrapped_state(c, row)
    if wrapped:
        span = wrapped
    if span is None:
        return missing("no value above the state caption")
    raw = c.text[span[0] : span[1]]
    glued = re.match(r"([A-Za-z][A-Za-z .]*[A-Za-z.])(?=\d)", raw)
    if glued:  # "Delaware001-1470471-0225165": a row of values a converter wrote without separators
        reason = "the state glued to the numbers after it: cut at the first digit"
        return field(c.text, span[0], span[0] + glued.end(), glued.group(1), 0.75, reasons=[reason])
    if row_before:
        reason = "values and captions on one line: the state read from the row before the caption"
        return field(c.text, span[0], span[1], raw, 0.75, reasons=[reason])
    if wrapped:
        reason = "the row of values wrapped onto the next line: read from the line above"
        return field(c.text, span[0], span[1], clean(raw), 0.75, reasons=[reason])
    sm = re.search(r"\(\s*An?\s+(.+?)\s+(?:corporation|company|limited)", raw, re.I)
    if sm:
        return field(c.text, span[0] + sm.start(1), span[0] + sm.end(1), clean(sm.group(1)), 0.85)
    sm = STATE_RE.search(raw)
    if sm and (FILE_NO.search(raw) or IRS_NO.search(raw)):
        return field(c.text, span[0] + sm.start(), span[0] + sm.end(), sm.group(0), 0.85)
    return field(c.text, span[0], span[1], clean(raw), 0.9)


def _wrapped_state(c: CoverText, row: Line) -> tuple[int, int] | None:
    """A row of values hard-wrapped at a narrow width leaves only its last cells (a file number, an
    IRS number) above the captions; the state is on the line before them."""
    if re.sub(rf"{FILE_NO.pattern}|{IRS_NO.pattern}|[\s|]", "", row.text) or row.text.strip(" |") == "":
        return None
    prev = c.value_row(c.lines.index(row))
    sm = STATE_RE.search(prev.text) if prev is not None else None
    if prev is None or sm is None:
        return None
    return prev.start + sm.start(), prev.start + sm.end()


def typed(c: CoverText, key: str, pat: re.Pattern[str], exclude: re.Pattern[str] | None) -> Field:  # type: ignore[type-arg]
    hit = c.find(key)
    if hit is None:
        return missing(f"no {key} caption on the cover")
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
        hitm = first_match(pat, c.text, s, e, exclude)
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.93)
    # rows above, nearest first (at most 4), choosing by column when the row has as many cells
    k, _ = c.cell_at(ln, ln.start + m.start())
    for j in range(i - 1, max(-1, i - 5), -1):
        row = c.lines[j]
        if len(row.cells) == len(ln.cells) and len(ln.cells) > 1:
            s, e, _t = row.cells[k]
            hitm = first_match(pat, c.text, s, e, exclude)
        else:
            hitm = first_match(pat, c.text, row.start, row.end, exclude)
            if key == "file" and hitm is None:
                hitm = None
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.85)
    # the line below (captions above values)
    if i + 1 < len(c.lines):
        row = c.lines[i + 1]
        hitm = first_match(pat, c.text, row.start, row.end, exclude)
        if hitm:
            return field(c.text, hitm[0], hitm[1], c.text[hitm[0] : hitm[1]], 0.7)
    return missing(f"no {key} value near its caption")


def address(c: CoverText) -> tuple[Field, Field]:  # type: ignore[type-arg]
    hit = c.find("address")
    if hit is None:
        return missing("no address caption on the cover"), missing("no zip code caption on the cover")
    i, m = hit
    ln = c.lines[i]
    zip_f: Field | None = None  # type: ignore[type-arg]
    zm = LABEL["zip"].search(ln.text)
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
            if RULE_LINE.match(t):
                j -= 1
                continue
            if not spans and phone_line(t):
                j -= 1  # "Tel. (949) 429-5370" / "Fax. ..." under the address, above a combined caption
                continue
            if not t or is_caption_row(t) or ANY_LABEL.search(t) or (IRS_NO.search(t) and FILE_NO.search(t)):
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
                c.lines[j].text.strip().startswith("(") or NAME_NOISE.match(c.lines[j].text.strip())
            ):
                break
    if not spans:
        return missing("no address above its caption"), zip_f or missing("no zip code")
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
        zip_f = zip_caption(c)
    addr = field(c.text, s, e, value.rstrip(" ,"), 0.85)
    addr.value = value.rstrip(" ,")
    return addr, zip_f


_PHONE_LABEL = r"(?:tel(?:ephone)?|phone|fax|facsimile|telecopier)\b\.?:?"
_PHONE_LINE = re.compile(rf"^\W*{_PHONE_LABEL}\s*$", re.I)
_FAX_BEFORE = re.compile(r"\b(?:fax|facsimile|telecopier)\b\W*$", re.I)


def phone_line(t: str) -> bool:
    """A line that is only a labelled phone or fax number ("Tel. (949) 429-5370", "Fax: ...")."""
    pm = PHONE.search(t)
    return pm is not None and not t[pm.end() :].strip() and bool(_PHONE_LINE.match(t[: pm.start()]))


def _fax(c: CoverText, start: int) -> bool:
    """The number at start is labelled as a fax number on its line."""
    line_start = c.text.rfind("\n", 0, start) + 1
    return bool(_FAX_BEFORE.search(c.text[max(line_start, start - 25) : start]))


def zip_caption(c: CoverText) -> Field:  # type: ignore[type-arg]
    hit = c.find("zip")
    if hit is None:
        return missing("no zip code on the cover")
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
    return missing("no zip code near its caption")


def phone(c: CoverText) -> Field:  # type: ignore[type-arg]
    hit = c.find("phone")
    if hit is None:
        return missing("no telephone caption on the cover")
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
            for pm in pat.finditer(c.text, s, e):
                if not _fax(c, pm.start()):
                    return field(c.text, pm.start(), pm.end(), pm.group(0).strip(), conf)
    # a combined "(Address and telephone number ...)" caption under the address block and its
    # "Tel." / "Fax." lines: the telephone line nearest above
    for j in range(i - 1, max(-1, i - 6), -1):
        t = c.lines[j].text
        if is_caption_row(t.strip()):
            break
        tel = PHONE.search(t)
        if tel and phone_line(t) and not _fax(c, c.lines[j].start + tel.start()):
            s = c.lines[j].start + tel.start()
            return field(c.text, s, s + len(tel.group(0).strip()), tel.group(0).strip(), 0.85)
    return missing("no phone number near its caption")
