"""Gold labels: hand-made answers for one filing, read from the filing by a person.

One JSON file per filing under ``evals/gold/<corpus file name>.json``. A key that is absent means
"not labeled" and is not scored; an explicit ``null`` means "the filing does not state it" and is scored
(the right answer is null). Events are keyed by item number as printed ("5.02", or legacy "5") and are
validated against the event schema of the item's modern equivalent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import catalog
from ..schemas import schema_for


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldCheckboxes(_Gold):
    rule_425: bool
    rule_14a12: bool
    rule_14d2b: bool
    rule_13e4c: bool


class GoldSecurity(_Gold):
    title: str
    trading_symbol: str | None
    exchange: str | None


class GoldCover(_Gold):
    company_name: str | None = None
    registrants: list[str] | None = None  # all registrant names, in order, for combined filings
    date_of_report: dt.date | None = None
    state_of_incorporation: str | None = None
    commission_file_number: str | None = None
    irs_employer_id: str | None = None
    address: str | None = None
    zip_code: str | None = None
    phone: str | None = None
    checkboxes: GoldCheckboxes | None = None
    emerging_growth_company: bool | None = None
    securities_12b: list[GoldSecurity] | None = None

    def labeled(self) -> dict[str, Any]:
        """Only the fields the labeler set (explicit nulls included)."""
        return {k: getattr(self, k) for k in self.model_fields_set}


class GoldItem(_Gold):
    number: str
    reported: bool = True

    @model_validator(mode="after")
    def _known(self) -> GoldItem:
        if not catalog.is_known(self.number):
            raise ValueError(f"unknown 8-K item number {self.number!r}")
        return self


class GoldExhibit(_Gold):
    number: str
    description: str | None = None


class GoldSignature(_Gold):
    name: str
    title: str | None = None
    date: dt.date | None = None


class GoldFiling(_Gold):
    file: str  # the corpus file name
    labeler: str = ""
    notes: str = ""
    form_type: str | None = None
    cover: GoldCover = Field(default_factory=GoldCover)
    items: list[GoldItem] | None = None
    exhibits: list[GoldExhibit] | None = None
    signatures: list[GoldSignature] | None = None
    events: dict[str, dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _events_valid(self) -> GoldFiling:
        for number, event in (self.events or {}).items():
            if not catalog.is_known(number):
                raise ValueError(f"event for unknown item {number!r}")
            schema = schema_for(catalog.modern_equivalent(number))
            if schema is None:
                raise ValueError(f"item {number} has no event schema")
            schema.model_validate(event)
        return self

    def event_model(self, number: str) -> Any:
        schema = schema_for(catalog.modern_equivalent(number))
        assert schema is not None and self.events is not None
        return schema.model_validate(self.events[number])


def load_gold(path: Path) -> GoldFiling:
    return GoldFiling.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))


def load_gold_dir(folder: Path) -> list[GoldFiling]:
    return [load_gold(p) for p in sorted(Path(folder).glob("*.json"))]


if __name__ == "__main__":  # python -m extractor.eval.gold evals/gold
    import sys

    golds = load_gold_dir(Path(sys.argv[1] if len(sys.argv) > 1 else "evals/gold"))
    print(f"{len(golds)} gold files valid")
