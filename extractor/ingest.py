"""Bytes from disk -> a decoded filing and the one document to parse.

EDGAR serves an 8-K in several shapes:

- a full submission ``.txt``: ``<SEC-DOCUMENT>``/``<SEC-HEADER>`` then several ``<DOCUMENT>`` blocks, each with
  ``<TYPE>``, ``<SEQUENCE>``, ``<FILENAME>``, ``<DESCRIPTION>`` and ``<TEXT>`` (HTML or plain text);
- a primary HTML document, bare or wrapped in a single ``<DOCUMENT>`` block;
- plain text (native ASCII filings, or text converted from HTML).

``read_filing`` sniffs the shape, decodes (utf-8, else cp1252 with latin-1 for its holes), and returns the
primary document as a slice of the decoded text, so every later offset maps back into the file.
Problems that make a file unusable raise :class:`~extractor.errors.InputError` with a clear reason.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .input_check import check_file, refuse_special, too_large
from .record import Attachment, Format

DEFAULT_MAX_BYTES = 32 * 1024 * 1024

_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
}

# <TABLE>, <CAPTION>, <S>, <C>, <PAGE> also occur in plain-text SGML documents: not a sign of HTML.
_NOT_CONTROL = bytes([9, 10, 12, 13, *range(32, 256)])
_HTML_HINT = re.compile(rb"<(?:html|body|div|p|font|br|span|td|tr)\b", re.I)
_DOC_BLOCK = re.compile(r"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.S | re.I)
_TAG_LINE = re.compile(r"^\s*<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\n<]*)", re.M | re.I)
_TEXT_BLOCK = re.compile(r"<TEXT>\s*?\n?(.*?)(?:</TEXT>|\Z)", re.S | re.I)
_HEADER_FIELD = re.compile(r"^\s*([A-Z][A-Z0-9 \-]+?):\s*(\S.*?)\s*$", re.M)


@dataclass(frozen=True)
class RawFiling:
    path: str
    sha256: str
    size_bytes: int
    encoding: str
    text: str  # the whole decoded file
    format: Format  # html | sgml | text, as the record reports it
    body_start: int  # the primary document is text[body_start:body_end]
    body_end: int
    body_is_html: bool
    header: dict[str, list[str]] = field(default_factory=dict)  # SEC header fields (all values)
    doc_type: str | None = None  # <TYPE> of the primary document
    doc_filename: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.body_end]

    def header_value(self, key: str) -> str | None:
        values = self.header.get(key)
        return values[0] if values else None


def _cp1252_holes(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: decode them as latin-1 instead.
    if not isinstance(error, UnicodeDecodeError):  # registered for decoding only
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("extractor-latin1", _cp1252_holes)


def decode(data: bytes) -> tuple[str, str]:
    """Decode filing bytes; returns (text, encoding). Never fails on text input."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="extractor-latin1"), "cp1252"


def _check_bytes(data: bytes, path: str, max_bytes: int) -> None:
    if not data.strip():
        raise InputError("empty file: no text to parse", path=path)
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"binary input: this is {what}, not a filing", path=path)
    sample = data[:65536]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16: its NUL bytes are halves of characters; count controls among the decoded characters
        chars = sample[: len(sample) // 2 * 2].decode("utf-16", errors="replace")
        controls = sum(1 for c in chars if c < " " and c not in "\t\n\x0c\r")
        size = len(chars)
    else:
        # NULs count with the other control characters: a stray one does not make a filing binary
        controls = len(sample.translate(None, _NOT_CONTROL))
        size = len(sample)
    if controls > size * 0.05:
        what = "NUL bytes" if b"\x00\x00" in sample else "control characters"
        raise InputError(f"binary input: too many {what} for a text filing", path=path)


def _parse_header(header_text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for m in _HEADER_FIELD.finditer(header_text):
        fields.setdefault(m.group(1).strip().upper(), []).append(m.group(2).strip())
    return fields


def _doc_meta(block: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    head = block[:2000]
    cut = re.search(r"<TEXT>", head, re.I)
    for m in _TAG_LINE.finditer(head[: cut.start()] if cut else head):
        meta.setdefault(m.group(1).upper(), m.group(2).strip())
    return meta


def _is_8k_type(doc_type: str) -> bool:
    return doc_type.upper().replace(" ", "").startswith("8-K")


def _no_8k_document(submission_type: str, doc_types: list[str]) -> str:
    """Why a submission has no 8-K document to parse, naming what it has instead."""
    named = sorted({t for t in doc_types if t})
    found = (
        f"its {len(doc_types)} document(s) are of type {', '.join(named[:8])}"
        if named
        else (f"none of its {len(doc_types)} document(s) has a <TYPE>")
    )
    if submission_type and _is_8k_type(submission_type):
        return f"no 8-K document: the header says {submission_type}, but {found}"
    return f"not an 8-K: the submission is of type {submission_type or 'unknown'}; {found}"


def read_filing(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawFiling:
    """Read a regular file of at most ``max_bytes``. Devices, FIFOs and sockets are refused before they
    are opened (a FIFO would block, ``/dev/zero`` never ends), and the read itself stops one byte past
    the limit whatever the file system said its size was."""
    where = str(path)
    check_file(path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: a FIFO swapped in after stat
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            refuse_special(st.st_mode, where)
            if st.st_size > max_bytes:
                raise too_large(st.st_size, max_bytes, where)
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=where) from exc
    if len(data) > max_bytes:
        raise too_large(None, max_bytes, where)
    return read_bytes(data, path=where, max_bytes=max_bytes)


def read_bytes(data: bytes, *, path: str = "<bytes>", max_bytes: int = DEFAULT_MAX_BYTES) -> RawFiling:
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes, path)
    _check_bytes(data, path, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data)
    base: dict[str, Any] = {
        "path": path,
        "sha256": sha,
        "size_bytes": len(data),
        "encoding": encoding,
        "text": text,
    }

    head = text[:4096]
    is_submission = re.search(r"<SEC-(?:DOCUMENT|HEADER)>|<IMS-(?:DOCUMENT|HEADER)>", head, re.I)
    blocks = list(_DOC_BLOCK.finditer(text)) if "<DOCUMENT>" in text[:200000].upper() else []

    if is_submission or len(blocks) > 1:
        hdr_m = re.search(r"<(?:SEC|IMS)-HEADER>(.*?)</(?:SEC|IMS)-HEADER>", text, re.S | re.I)
        header = _parse_header(hdr_m.group(1)) if hdr_m else {}
        if not blocks:
            raise InputError("SEC submission without any <DOCUMENT>: nothing to parse", path=path)
        docs = []
        for b in blocks:
            meta = _doc_meta(b.group(1))
            docs.append((b, meta))
        attachments = tuple(
            Attachment(
                type=m.get("TYPE", "").strip(),
                sequence=m.get("SEQUENCE"),
                filename=m.get("FILENAME"),
                description=m.get("DESCRIPTION"),
            )
            for _, m in docs
        )
        primary = next((d for d in docs if _is_8k_type(d[1].get("TYPE", ""))), None)
        submission_type = (header.get("CONFORMED SUBMISSION TYPE") or [""])[0]
        if primary is None:
            raise InputError(_no_8k_document(submission_type, [a.type for a in attachments]), path=path)
        block, meta = primary
        start, end = _text_bounds(text, block)
        return RawFiling(
            **base,
            format=Format.sgml,
            body_start=start,
            body_end=end,
            body_is_html=bool(
                _HTML_HINT.search(text[start : min(end, start + 20000)].encode("utf-8", "ignore"))
            ),
            header=header,
            doc_type=meta.get("TYPE"),
            doc_filename=meta.get("FILENAME"),
            attachments=attachments,
        )

    if len(blocks) == 1:
        block = blocks[0]
        meta = _doc_meta(block.group(1))
        start, end = _text_bounds(text, block)
        if "<TEXT>" not in block.group(1)[:3000].upper():
            # e.g. a bare <DOCUMENT> around non-SGML content: keep everything after the tag
            start, end = block.start(1), block.end(1)
        is_html = bool(_HTML_HINT.search(text[start : min(end, start + 20000)].encode("utf-8", "ignore")))
        return RawFiling(
            **base,
            format=Format.html if is_html else Format.text,
            body_start=start,
            body_end=end,
            body_is_html=is_html,
            doc_type=meta.get("TYPE"),
            doc_filename=meta.get("FILENAME"),
        )

    is_html = bool(_HTML_HINT.search(data[:20000]))
    return RawFiling(
        **base,
        format=Format.html if is_html else Format.text,
        body_start=0,
        body_end=len(text),
        body_is_html=is_html,
    )


def _text_bounds(text: str, block: re.Match[str]) -> tuple[int, int]:
    inner_start = block.start(1)
    inner = block.group(1)
    m = _TEXT_BLOCK.search(inner)
    if not m:
        return inner_start, block.end(1)
    return inner_start + m.start(1), inner_start + m.end(1)


@dataclass(frozen=True)
class DocumentBlock:
    """Where one ``<DOCUMENT>``'s text lies in a decoded submission."""

    attachment: Attachment
    start: int  # its <TEXT> is text[start:end]
    end: int
    is_html: bool


def document_blocks(text: str) -> list[DocumentBlock]:
    """Every ``<DOCUMENT>`` of a full submission with the bounds of its text (pure)."""
    out = []
    for block in _DOC_BLOCK.finditer(text):
        meta = _doc_meta(block.group(1))
        start, end = _text_bounds(text, block)
        is_html = bool(_HTML_HINT.search(text[start : min(end, start + 20000)].encode("utf-8", "ignore")))
        att = Attachment(
            type=meta.get("TYPE", "").strip(),
            sequence=meta.get("SEQUENCE"),
            filename=meta.get("FILENAME"),
            description=meta.get("DESCRIPTION"),
        )
        out.append(DocumentBlock(att, start, end, is_html))
    return out
