"""Shared base of the event schemas.

An event schema is the *plain value* shape of what one 8-K item reports: it is what gold labels hold
and what a filled record's ``items[].event`` carries once each value is wrapped as a grounded Field.
Every field may be null: null is a correct answer when the text does not say it; a guess is not.
Dates are ISO dates; amounts are strings that keep the currency and unit as printed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
