"""What a batch run needs of its parser and of its fill stage, typed (the CLI builds both and hands them in).

- :class:`Parser`: ``parser(path) -> ParsedDocument`` (or a bare ``FilingRecord``). The engines send it to
  their workers (a process pool, Dask, Ray) by pickling, so it must be a module-level function or another
  picklable callable; ``extractor.parse.parse_document`` is the production one (:func:`default_parser`).
- :class:`Filler`: the fill stage as the runner drives it: ``FillStage`` in this process, ``FillPool`` in
  worker processes (``extractor run --fill-procs``).
- :data:`FillFn`: the coroutine ``FillStage`` wraps, ``afill(record, text) -> filled record``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from ..record import FilingRecord

if TYPE_CHECKING:
    from .fill_stage import FillOutcome

FillFn = Callable[[FilingRecord, str], Awaitable[FilingRecord]]


class ParsedDocument(Protocol):
    """A parser's answer: the record and the normalized text its spans index."""

    @property
    def record(self) -> FilingRecord: ...

    @property
    def text(self) -> str: ...


class Parser(Protocol):
    """Parses one input file. Bad input should give an error record; an exception is caught by the caller."""

    def __call__(self, path: str, /) -> ParsedDocument | FilingRecord: ...


class Filler(Protocol):
    """What the runner needs of a fill stage: in this process or in a pool of worker processes."""

    model: str

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...

    async def run_json(self, record_json: str, text: str) -> FillOutcome: ...


def default_parser() -> Parser:
    """The deterministic parser (``extractor.parse.parse_document``)."""
    from ..parse import parse_document

    return parse_document


def parser_name(parser: Parser) -> str:
    """``module:name`` of a parser, for ``run.json`` (a label; nothing is imported from it)."""
    target = parser if hasattr(parser, "__qualname__") else type(parser)
    return f"{target.__module__}:{target.__qualname__}"
