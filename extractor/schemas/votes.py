"""Item 5.07 (Submission of Matters to a Vote of Security Holders).

Director elections give one proposal per nominee; "withheld" counts as against."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ._base import Event


class Proposal(Event):
    description: str | None = Field(
        None, description="what was voted on; for director elections the nominee's name"
    )
    outcome: Literal["approved", "rejected", "other"] | None = Field(
        None, description="approved/elected, rejected/not elected, other"
    )
    votes_for: int | None = Field(None, description="votes for")
    votes_against: int | None = Field(None, description="votes against, or withheld for director elections")
    abstentions: int | None = Field(None, description="abstentions")
    broker_non_votes: int | None = Field(None, description="broker non-votes")


class ShareholderVote(Event):
    meeting_date: dt.date | None = Field(None, description="date of the shareholders' meeting")
    proposals: list[Proposal] = Field(default_factory=list)
