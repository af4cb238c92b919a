"""Item events: which schema an item's event has, and the one tree module that walks event trees.

``schema_for_item(item)`` gives the plain event schema of a reported item (``extractor.schemas``), or
None when the item gets no event (9.01, legacy 7, not reported). ``extractor.events.tree`` walks the
schema, the model's quoted answers and the filled events (Field dicts) in one way for the whole package:
grounding, scoring, merging, the eval's comparison and the review app all use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from .. import catalog
from ..schemas import schema_for

if TYPE_CHECKING:  # the record contract imports this package (its serializer uses the tree)
    from ..record import Item

__all__ = ["schema_for", "schema_for_item"]


def schema_for_item(item: Item) -> type[BaseModel] | None:
    """The event schema of an item, or None when it gets no call (9.01, legacy 7, not reported)."""
    if not item.reported:
        return None
    modern = item.modern_equivalent or catalog.modern_equivalent(item.number)
    return schema_for(modern)
