"""Items 3.01 (Notice of Delisting) and 3.02 (Unregistered Sales of Equity Securities)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ._base import Event


class DelistingNotice(Event):
    """Item 3.01."""

    exchange: str | None = Field(None, description="the exchange that sent the notice")
    notice_date: dt.date | None = Field(None, description="date the notice was received")
    rule: str | None = Field(None, description="listing rule or standard cited, as printed")


class UnregisteredSale(Event):
    """Item 3.02."""

    securities: str | None = Field(None, description="class of securities sold")
    amount: str | None = Field(None, description="number of shares or principal amount, as printed")
    consideration: str | None = Field(None, description="what was received for them, as printed")
    exemption: str | None = Field(
        None, description="registration exemption relied on, e.g. 'Section 4(a)(2)'"
    )
