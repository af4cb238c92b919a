"""Item 5.02 (Departure/Election/Appointment of Directors or Officers; Compensatory Arrangements;
legacy Item 6 for director resignations)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ._base import Event

ChangeKind = Literal["appointment", "departure", "election", "compensation", "other"]


class OfficerChange(Event):
    person: str | None = Field(None, description="full name of the person")
    change: ChangeKind | None = Field(
        None, description="appointment, departure, election (by shareholders or board), compensation, other"
    )
    position: str | None = Field(None, description="office or board seat concerned, as printed")
    effective_date: dt.date | None = Field(None, description="date the change takes effect")


class OfficerChanges(Event):
    changes: list[OfficerChange] = Field(default_factory=list, description="one entry per person and change")
