"""Item 2.01 (Completion of Acquisition or Disposition of Assets) and 2.03 (Creation of a Direct
Financial Obligation)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ._base import Event


class AcquisitionDisposition(Event):
    """Item 2.01 (legacy Item 2)."""

    transaction: Literal["acquisition", "disposition"] | None = Field(
        None, description="did the registrant acquire or dispose of assets"
    )
    counterparty: str | None = Field(
        None, description="the other party: seller when acquiring, buyer when disposing"
    )
    completion_date: dt.date | None = Field(None, description="date the transaction was completed")
    consideration: str | None = Field(None, description="price paid, as printed, with currency and unit")


class FinancialObligation(Event):
    """Item 2.03."""

    instrument: str | None = Field(None, description="kind of obligation, e.g. 'senior notes', 'term loan'")
    principal_amount: str | None = Field(None, description="principal or maximum amount, as printed")
    maturity_date: dt.date | None = Field(None, description="maturity date")
    counterparties: list[str] = Field(
        default_factory=list, description="lenders, agents, trustees or purchasers"
    )
