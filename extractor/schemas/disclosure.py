"""Items 7.01 (Regulation FD Disclosure) and 8.01 (Other Events; legacy Items 5 and 9)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Event

# The fixed category list (documented in the README).
Category = Literal[
    "dividend",
    "share_repurchase",
    "financing",
    "m&a_announcement",
    "litigation",
    "guidance",
    "product_regulatory",
    "conference_presentation",
    "other",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]


class Disclosure(Event):
    summary: str | None = Field(None, description="one-sentence summary of what is disclosed")
    category: Category | None = Field(None, description="the single best category")
