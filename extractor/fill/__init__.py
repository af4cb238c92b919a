"""The fill stage (the LLM half of the pipeline): parsed record + provider -> record with ``items[].event``.

Public API (used by the CLI, the batch runner and the eval harness)::

    provider = make_provider(settings)                   # embedded local model when nothing configured
    record = fill_record(record, text, provider, cache=None, calllog=None, settings=None)
    record = await afill_record(record, text, provider, cache=None, calllog=None, settings=None,
                                concurrency=2)

One item, in the order of the modules:

1. ``plan``: the item's schema (``extractor.events.schema_for_item``; 9.01 and legacy 7 have none: no
   call), the parser's pre-fill, the text in chunks, the prompts (``extractor.prompts``) and cache keys;
2. ``call``: each chunk answered from the response cache or the provider (one async core; the sync
   ``fill_record`` drives it without an event loop); the model fills the *quoted* schema
   (``extractor.quoted``);
3. ``ground`` (align, checks, injection): each value tied to its span in the filing;
4. ``confidence``: each grounded value scored by the rules of ``extractor.prefill.scoring`` and
   calibrated, stored as a Field dict in the event's shape;
5. ``merge``: chunk events merged (best confidence per field, lists concatenated and de-duplicated),
   people de-duplicated, the registrant dropped from its counterparties; then combined with the
   parser's pre-fill. ``items[].llm`` records model, prompt name/hash, tokens, latency, attempts, cache
   hit.

Parser pre-fill (``extractor.prefill``): values the text states in a fixed shape (2.02 ``period_end``,
5.07 meeting date and vote tables) are read by the parser and never re-asked. An item whose event the
parser covers completely gets no call (``llm`` stays None); otherwise the model is asked only for the
uncovered fields and the two are combined (parser Fields keep method ``parser``).

A failing item never fails the filing: its leaves become null Fields with confidence 0 and the reason,
the error goes to ``record.errors`` (part ``"item X"``) and the status becomes ``partial``.
"""

from __future__ import annotations

from ..events import schema_for_item
from ..llm import make_provider
from .call import afill_item, afill_record, fill_item, fill_record
from .plan import chunks, referenced_items

__all__ = [
    "afill_item",
    "afill_record",
    "chunks",
    "fill_item",
    "fill_record",
    "make_provider",
    "referenced_items",
    "schema_for_item",
]
