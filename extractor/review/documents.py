"""The text a record's spans index, and the original document, for showing evidence (I/O).

Records do not carry their text by default. In order of preference the normalized text comes from:
the record itself (``record.text``), the run ledger (``ledger.sqlite`` keeps it per filing; read through
:meth:`Ledger.text <extractor.store.ledger.Ledger.text>`, read-only), or
re-parsing the source document with ``extractor.parse.parse_document`` (only when the file's sha256
still matches the record's). The original document and the map from normalized offsets to it always
come from re-parsing. Results are cached (a few filings).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..input_check import file_sha256
from ..store.ledger import Ledger

LEDGER = "ledger.sqlite"


@dataclass(frozen=True)
class FilingText:
    text: str | None
    origin: str  # "record", "ledger", "parser" or "unavailable"
    warning: str | None = None


@dataclass(frozen=True)
class Original:
    source_text: str | None
    span: tuple[int, int] | None  # the evidence span mapped into source_text
    warning: str | None = None


def _default_parse(path: str) -> Any:
    from ..parse import parse_document

    return parse_document(path)


class Documents:
    def __init__(
        self,
        run_dir: str | Path,
        parse: Callable[[str], Any] | None = None,
        cache_size: int = 8,
    ) -> None:
        self.run_dir = Path(run_dir)
        self._parse = parse or _default_parse
        self._size = cache_size
        self._parsed: OrderedDict[tuple[str, str], tuple[Any, str | None]] = OrderedDict()
        self._texts: OrderedDict[tuple[str, str], FilingText] = OrderedDict()

    # -- parsing, cached
    def parsed(self, path: str, sha256: str) -> tuple[Any, str | None]:
        """``(ParsedFiling or None, problem)`` for the source document, checked against ``sha256``."""
        key = (path, sha256)
        if key in self._parsed:
            self._parsed.move_to_end(key)
            return self._parsed[key]
        result: tuple[Any, str | None]
        try:
            if not Path(path).is_file():
                result = (None, f"source document not found: {path}")
            elif sha256 and file_sha256(path) != sha256:
                result = (None, "the source document changed since the run (sha256 differs)")
            else:
                parsed = self._parse(path)
                if not parsed.text and getattr(parsed.record, "errors", None):
                    result = (
                        None,
                        "re-parsing failed: " + "; ".join(e.message for e in parsed.record.errors),
                    )
                else:
                    result = (parsed, None)
        except NotImplementedError:
            result = (None, "the parser is not available in this build")
        except Exception as exc:  # the parser should not raise; never let it break the review
            result = (None, f"re-parsing failed: {type(exc).__name__}: {exc}")
        self._parsed[key] = result
        if len(self._parsed) > self._size:
            self._parsed.popitem(last=False)
        return result

    def _ledger_text(self, path: str) -> str | None:
        db = self.run_dir / LEDGER
        if not db.exists():
            return None
        try:
            with Ledger(db, readonly=True) as ledger:
                return ledger.text(path)
        except StoreError:
            return None

    def text(self, record: dict) -> FilingText:
        src = record.get("source") or {}
        path, sha = str(src.get("path", "")), str(src.get("sha256", ""))
        key = (path, sha)
        if key in self._texts:
            self._texts.move_to_end(key)
            return self._texts[key]
        result = self._text(record, path, sha)
        self._texts[key] = result
        if len(self._texts) > self._size:
            self._texts.popitem(last=False)
        return result

    def _text(self, record: dict, path: str, sha: str) -> FilingText:
        if isinstance(record.get("text"), str):
            return FilingText(record["text"], "record")
        ledger = self._ledger_text(path)
        if ledger is not None:
            return FilingText(ledger, "ledger")
        parsed, problem = self.parsed(path, sha)
        if parsed is None:
            return FilingText(None, "unavailable", problem)
        warning = None
        length = record.get("text_length")
        if length and len(parsed.text) != length:
            warning = "re-parsed text differs in length from the run's: highlights may be off"
        return FilingText(parsed.text, "parser", warning)

    def original(self, record: dict, span: tuple[int, int] | None) -> Original:
        src = record.get("source") or {}
        parsed, problem = self.parsed(str(src.get("path", "")), str(src.get("sha256", "")))
        if parsed is None:
            return Original(None, None, problem)
        mapped = None
        warning = None
        if span is not None:
            run_text = self.text(record).text
            if run_text is not None and run_text != parsed.text:
                warning = "the run's text differs from a fresh parse: the place shown may be off"
            mapped = tuple(parsed.source_span(span[0], span[1]))
        return Original(parsed.source_text, mapped, warning)  # type: ignore[arg-type]
