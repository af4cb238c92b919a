"""Public entry points of the deterministic parser (no LLM).

``parse_file`` / ``parse_bytes`` never raise on bad input: they return a record whose ``status`` is
``error`` with the reason in ``errors``. ``parse_document`` also returns the normalized text and the
offset map back to the source document (for showing a span in the original).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .types import FilingRecord


@dataclass(frozen=True)
class ParsedFiling:
    record: FilingRecord
    text: str  # the normalized text; every span in the record indexes it
    source_text: str  # the decoded source document the text was made from
    source_offsets: list[int]  # source_offsets[i] = offset in source_text of text[i] (len(text)+1 long)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalized text to the source document."""
        if not self.source_offsets:
            return (0, 0)
        n = len(self.source_offsets) - 1
        s = self.source_offsets[min(max(start, 0), n)]
        e = self.source_offsets[min(max(end, 0), n)]
        return (s, max(s, e))


def parse_document(path: str | Path) -> ParsedFiling:
    raise NotImplementedError  # implemented in the parser issue (being written)


def parse_file(path: str | Path, *, include_text: bool = False) -> FilingRecord:
    parsed = parse_document(path)
    if include_text:
        return parsed.record.model_copy(update={"text": parsed.text})
    return parsed.record
