"""Items 1.01 (Entry into a Material Definitive Agreement) and 1.02 (Termination of one)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ._base import Event


class MaterialAgreement(Event):
    """Item 1.01."""

    agreement_type: str | None = Field(
        None, description="kind of agreement, e.g. 'credit agreement', 'merger agreement'"
    )
    counterparties: list[str] = Field(
        default_factory=list, description="other parties to the agreement (not the registrant)"
    )
    agreement_date: dt.date | None = Field(None, description="date the agreement was entered into")
    summary: str | None = Field(None, description="one-sentence summary of what was agreed")


class AgreementTermination(Event):
    """Item 1.02."""

    agreement_type: str | None = Field(None, description="kind of agreement terminated")
    counterparties: list[str] = Field(default_factory=list, description="other parties to the agreement")
    termination_date: dt.date | None = Field(None, description="date the termination took effect")
    summary: str | None = Field(None, description="one-sentence summary")
