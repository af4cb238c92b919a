"""Combined filings: one cover for several registrants, printed as a table."""

from __future__ import annotations

import re

from ...record import Field, Registrant
from ..text import clean, field
from .reader import FILE_NO, IRS_NO, PHONE, ZIP, CoverText


def combined_registrants(c: CoverText) -> tuple[list[Registrant], dict[str, Field]]:  # type: ignore[type-arg]
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
            extra = address_block(c, block)
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


def address_block(c: CoverText, block: list[tuple[int, int]]) -> dict[str, Field]:  # type: ignore[type-arg]
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
