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

from collections.abc import Iterable

from ...record import Cover, Field, Registrant
from .boxes import checkboxes, egc, securities
from .combined import combined_registrants
from .fields import address, company, phone, report_date, state, typed
from .reader import FILE_NO, IRS_NO, CoverText, missing

__all__ = ["COVER_SCALARS", "cap_unfamiliar", "parse_cover"]


def parse_cover(text: str, start: int, end: int) -> Cover:
    c = CoverText(text, start, end)
    cover = Cover()
    cover.date_of_report = report_date(c)
    regs, first_block = combined_registrants(c)
    if regs:
        cover.registrants = regs
        first = regs[0]
        cover.company_name = first.name
        cover.commission_file_number = first.commission_file_number or missing("not on the cover")
        cover.irs_employer_id = first.irs_employer_id or missing("not on the cover")
        cover.state_of_incorporation = first.state_of_incorporation or missing("not on the cover")
    else:
        cover.company_name = company(c)
        cover.state_of_incorporation = state(c)
        cover.commission_file_number = typed(c, "file", FILE_NO, exclude=IRS_NO)
        cover.irs_employer_id = typed(c, "irs", IRS_NO, exclude=None)
        if cover.company_name.value:
            cover.registrants = [
                Registrant(
                    name=cover.company_name,
                    state_of_incorporation=cover.state_of_incorporation,
                    commission_file_number=cover.commission_file_number,
                    irs_employer_id=cover.irs_employer_id,
                )
            ]
    cover.address, cover.zip_code = address(c)
    cover.phone = phone(c)
    for key, value in first_block.items():
        if getattr(cover, key).value is None:
            setattr(cover, key, value)
    cover.checkboxes = checkboxes(c)
    cover.emerging_growth_company = egc(c)
    cover.securities_12b = securities(c)
    if c.joined:
        _unfamiliar(cover, f"cover phrases broken across lines ({c.joined} joined): an unfamiliar layout")
    return cover


_UNFAMILIAR_CAP = 0.8
COVER_SCALARS = (  # the cover's single-valued fields
    "company_name",
    "date_of_report",
    "state_of_incorporation",
    "commission_file_number",
    "irs_employer_id",
    "address",
    "zip_code",
    "phone",
)


def _unfamiliar(cover: Cover, reason: str) -> None:
    """Values read from a layout the reader had to repair (text converters' broken lines) are less
    certain than values read from a familiar one: cap their confidence and say why."""
    cap_unfamiliar([getattr(cover, name) for name in COVER_SCALARS], reason)


def cap_unfamiliar(fields: Iterable[Field | None], reason: str) -> None:  # type: ignore[type-arg]
    """Cap the confidence of every found value among ``fields`` at 0.8 and add ``reason``."""
    for f in fields:
        if f is not None and f.value is not None and f.confidence > _UNFAMILIAR_CAP:
            f.confidence = _UNFAMILIAR_CAP
            f.reasons = [*f.reasons, reason]
