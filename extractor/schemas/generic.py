"""Any item without a dedicated schema."""

from __future__ import annotations

from pydantic import Field

from ._base import Event


class KeyFact(Event):
    name: str = Field(description="short name of the fact, e.g. 'effective date'")
    value: str = Field(description="its value as printed")


class GenericEvent(Event):
    summary: str | None = Field(None, description="one-sentence summary of what the item reports")
    key_facts: list[KeyFact] = Field(default_factory=list)
