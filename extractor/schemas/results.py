"""Item 2.02 (Results of Operations and Financial Condition; legacy Item 12)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ._base import Event


class ResultsOfOperations(Event):
    period_end: dt.date | None = Field(
        None, description="end date of the fiscal period whose results are announced"
    )
