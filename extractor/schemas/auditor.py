"""Item 4.01 (Changes in Registrant's Certifying Accountant; legacy Item 4)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Event


class AuditorChange(Event):
    former_auditor: str | None = Field(
        None, description="the accountant that was dismissed, resigned or declined"
    )
    new_auditor: str | None = Field(None, description="the accountant engaged, if named")
    change: Literal["dismissed", "resigned", "declined", "engaged"] | None = Field(
        None, description="what happened to the former auditor ('engaged' when only a new one is reported)"
    )
    disagreements: bool | None = Field(
        None, description="true if the filing reports disagreements with the former auditor"
    )
