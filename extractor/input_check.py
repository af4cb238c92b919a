"""Whether an input file is worth opening, and the record of one that gives no parse.

One input check (:func:`check_file`) for the whole tool: ``ingest.read_filing`` runs it before it reads a
file, and a batch run runs it before it hands a file to its parser (a stand-in parser included), so both
refuse the same inputs with the same reasons. One builder (:func:`error_record`) for the record of a
refused or crashed input: ``status: error``, the reason, and the source's size and sha256 when known.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .errors import InputError
from .record import FilingRecord, PartError, Source, Status

_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def refuse_special(mode: int, path: str) -> None:
    """:class:`InputError` unless ``mode`` is a regular file's (a FIFO would block the reader,
    ``/dev/zero`` never ends)."""
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, not a file", path=path)
    if not stat.S_ISREG(mode):
        what = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
        raise InputError(f"not a regular file: this is {what}; only regular files are parsed", path=path)


def check_file(path: str | Path, max_bytes: int) -> int:
    """The size of ``path`` when it is worth opening, else :class:`InputError` with the reason.

    Refused: missing, a directory, not a regular file, empty, unreadable, over ``max_bytes``."""
    where = str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=where) from exc
    refuse_special(st.st_mode, where)
    if st.st_size == 0 and _reads_nothing(path):  # size 0 is no proof of emptiness (/proc files)
        raise InputError("empty file: no text to parse", path=where)
    if not os.access(path, os.R_OK):
        raise InputError("cannot read file: permission denied", path=where)
    if st.st_size > max_bytes:
        raise too_large(st.st_size, max_bytes, where)
    return st.st_size


def _reads_nothing(path: str | Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(1) == b""
    except OSError:
        return False  # unreadable: the access check or the read reports it


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB") if n >= 100_000 else f"{n} bytes"


def too_large(size: int | None, max_bytes: int, path: str) -> InputError:
    """``size`` None: the read went past the limit (the file grew, or its size on disk lied)."""
    if size is None:
        return InputError(f"file too large: more than the {_mb(max_bytes)} limit was read", path=path)
    return InputError(f"file too large: {_mb(size)} is over the {_mb(max_bytes)} limit", path=path)


def file_sha256(path: str | Path) -> str:
    """sha256 of a file, read in 1 MB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def error_record(
    path: str, message: str, *, part: str = "input", data: bytes | None = None, measure: bool = True
) -> FilingRecord:
    """The record of an input that gives no parse: ``status: error`` and the reason.

    The source's sha256 and size come from ``data`` when given, else from the file when it can be read;
    ``measure=False``: neither (the file is not touched)."""
    sha, size = "", 0
    if data is not None:
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
    elif measure:
        try:
            st = os.stat(path)
            size = st.st_size
            if stat.S_ISREG(st.st_mode):
                sha = file_sha256(path)
        except OSError:
            pass
    return FilingRecord(
        source=Source(path=path, sha256=sha, size_bytes=size),
        status=Status.error,
        errors=[PartError(part=part, message=message)],
    )
