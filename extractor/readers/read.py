"""One entry point: every reader that applies to an item, on its text (pure).

``read_item(number, segments, registrants, report_date)`` gives the item's :class:`Readings`.
``segments`` are the texts to read with their offsets in the filing: the item's own text first, then the text of the items
it incorporates by reference (a 2.03 that says "the information set forth in Item 1.01 is incorporated
herein by reference" is read from the 1.01 text). ``registrants`` are the registrant's names from the
cover, so that it is never its own counterparty; ``report_date`` (the cover's date of report) is the
date of a 5.02 change "effective immediately".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .. import catalog
from ..schemas import schema_for
from . import agreements, amounts, auditors, category, exemptions, officers, parties
from .agreements import VERBS
from .dates import dated_after, maturity_date, sentence_date
from .summary import lead_sentence
from .values import ReaderValue, Readings, Segment

__all__ = ["ITEMS", "read_item"]

ITEMS = frozenset({"1.01", "1.02", "2.03", "3.02", "4.01", "5.02", "7.01", "8.01"})


def _locate(segments: list[Segment], value: ReaderValue) -> tuple[str, int, int] | None:
    """(segment text, its offset, the value's start in it)."""
    for text, offset in segments:
        if offset <= value.span[0] < offset + len(text):
            return text, offset, value.span[0] - offset
    return None


def _agreement_date(segments: list[Segment], found: ReaderValue, verb: str) -> ReaderValue | None:
    where = _locate(segments, found)
    if where is None:
        return None
    text, offset, start = where
    end = start + len(found.quote)
    if verb == "enter":
        dated = dated_after(text, end, offset)
        if dated is not None:
            return dated
    return sentence_date(text, start, offset, VERBS[verb], undated=verb == "end")


def read_item(
    number: str,
    segments: list[Segment],
    registrants: Sequence[str] = (),
    report_date: dt.date | None = None,
) -> Readings:
    modern = catalog.modern_equivalent(number) if catalog.is_known(number) else None
    schema = schema_for(modern) if modern else None
    fallback: dict[str, ReaderValue] = {}
    if segments and schema is not None and "summary" in schema.model_fields:
        lead = lead_sentence(segments)  # stands only where the model gives no summary (merge)
        if lead is not None:
            fallback["summary"] = lead
    if modern not in ITEMS or not segments:
        return Readings(item=modern or number, fallback=fallback)
    assert modern is not None
    values: dict[str, ReaderValue] = {}
    lists: dict[str, tuple[ReaderValue, ...]] = {}
    complete: set[str] = set()
    if modern in ("1.01", "1.02", "2.03"):
        found = (
            agreements.agreement_type(segments, modern)
            if modern != "2.03"
            else agreements.instrument(segments)
        )
        if found is not None:
            values["agreement_type" if modern != "2.03" else "instrument"] = found
            if modern != "2.03":
                date = _agreement_date(segments, found, "enter" if modern == "1.01" else "end")
                if date is not None:
                    values["agreement_date" if modern == "1.01" else "termination_date"] = date
        if modern == "2.03":
            amount = amounts.principal_amount(segments)
            if amount is not None:
                values["principal_amount"] = amount
            maturity = maturity_date(segments)
            if maturity is not None:
                values["maturity_date"] = maturity
        names, whole = parties.counterparties(segments, registrants)
        if names:
            lists["counterparties"] = tuple(names)
            if whole:
                complete.add("counterparties")
    elif modern == "3.02":
        for name, reader in (
            ("securities", agreements.securities),
            ("amount", exemptions.amount),
            ("exemption", exemptions.exemption),
        ):
            found = reader(segments)
            if found is not None:
                values[name] = found
    elif modern == "4.01":
        values.update(auditors.auditor_change(segments))
    elif modern in ("7.01", "8.01"):
        found = category.category(segments)
        if found is not None:
            values["category"] = found
    elif modern == "5.02":
        return Readings(
            item=modern, changes=tuple(officers.officer_changes(segments, report_date)), fallback=fallback
        )
    return Readings(item=modern, values=values, lists=lists, complete=frozenset(complete), fallback=fallback)
