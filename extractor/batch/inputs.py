"""Resolve the INPUTS of ``extractor run``: files, folders (recursive), globs, and list files.

A *list file* is a text file whose name ends in ``.lst`` / ``.list`` / ``.paths``, or any ``@FILE``
argument: one path (or glob, or folder) per line; blank lines and ``#`` comments are ignored; relative
paths are relative to the list file. Everything else that exists is a filing, even if unreadable,
empty or binary: the parse stage turns it into an error record, it is never dropped here.
An input that matches nothing is reported back (the run records it as an error too).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

LIST_SUFFIXES = (".lst", ".list", ".paths")
_SKIP_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass
class Resolved:
    paths: list[str] = field(default_factory=list)  # absolute, in input order, without duplicates
    missing: list[str] = field(default_factory=list)  # inputs that matched nothing


def resolve_inputs(inputs: list[str]) -> Resolved:
    out = Resolved()
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            out.paths.append(key)

    def walk(arg: str, base: Path | None, depth: int) -> None:
        if depth > 5:
            out.missing.append(arg)
            return
        if arg.startswith("@"):
            _read_list(Path(arg[1:]), depth)
            return
        p = Path(arg)
        if base is not None and not p.is_absolute():
            p = base / p
        if p.is_dir():
            for f in _walk_dir(p):
                add(f)
        elif p.exists() or p.is_symlink():
            if p.suffix.lower() in LIST_SUFFIXES and p.is_file() and os.access(p, os.R_OK):
                _read_list(p, depth)
            else:
                add(p)
        elif glob.has_magic(str(p)):
            hits = sorted(glob.glob(str(p), recursive=True))
            if not hits:
                out.missing.append(str(p))
            for h in hits:
                hp = Path(h)
                if hp.is_dir():
                    for f in _walk_dir(hp):
                        add(f)
                else:
                    add(hp)
        else:
            out.missing.append(str(p))

    def _read_list(p: Path, depth: int) -> None:
        try:
            lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            out.missing.append(str(p))
            return
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                walk(line, p.parent, depth + 1)

    for arg in inputs:
        walk(arg, None, 0)
    return out


def _walk_dir(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name in _SKIP_NAMES or name.startswith("."):
                continue
            found.append(Path(dirpath) / name)
    return found
