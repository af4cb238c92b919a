"""The deterministic side of item events: what the text states in a fixed shape is read, not asked (pure).

- ``periods``: 2.02 / legacy 12 ``period_end``; ``votes``: 5.07 meeting date and vote tables;
  ``officers``: 5.02 compensation-table rows (these read item text, not sections of the filing);
- ``names``: person keys, titles of address, person-name tests, registrant matching;
- ``scoring``: the confidence rules (pure: no model, no I/O; ``extractor.fill.confidence`` applies them
  to model answers);
- ``combine``: the parser's event of an item (``parser_event``), the schema left to ask the model
  (``ask_schema``), the two readings combined (``combine``), and ``prefill_record`` (the parser-only
  baseline).

Nothing here imports the LLM layer (``extractor.llm``) or the fill stage (``extractor.fill``).
"""

from __future__ import annotations

from .combine import ParserEvent, ask_schema, combine, parser_event, prefill_record

__all__ = ["ParserEvent", "ask_schema", "combine", "parser_event", "prefill_record"]
