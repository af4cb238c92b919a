"""Time and peak memory of ``extractor parse`` on hostile inputs, one input class at a time.

    python benchmarks/hostile_inputs.py [--scale 1.0] [--only NAME,...] [--keep DIR]

Each input is generated (in a subprocess of its own, so that this process stays small: a child's peak
RSS counts the parent it was forked from), then parsed by ``extractor parse FILE --out OUT`` in a fresh
subprocess, so the peak RSS printed is that input's alone (``os.wait4``). The baseline is a subprocess that imports the
parser and only reads and decodes the same bytes: the floor any parse of the file pays. Columns: size,
what the record says (status, or the refusal), wall and CPU seconds, peak RSS of the parse, of the
baseline, and the memory bar of issue 17 for inputs under the size limit (3 x input + 100 MB), then
whether the issue's bar holds (a record or a clear refusal within 30 s and 1 GB, and the memory bar).
``--scale`` shrinks the generated sizes (0.1 for a quick look).
"""

from __future__ import annotations

import argparse
import codecs
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "parser" / "seed__000_bd0abfb8ce1b425c.txt"
HEAD = b"FORM 8-K\nCURRENT REPORT\nItem 8.01 Other Events\n"
MB = 1_000_000


def _fill(unit: bytes, size: int, head: bytes = HEAD, tail: bytes = b"") -> bytes:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def _html(body: bytes) -> bytes:
    return b"<html><body><p>FORM 8-K</p><p>CURRENT REPORT</p>" + body + b"<p>Done.</p></body></html>"


def _attributes(size: int) -> bytes:
    n = size // 15
    tag = b"<div " + b" ".join(b'd%07d="xy"' % i for i in range(n)) + b">Item 8.01 Other Events</div>"
    return _html(tag)


def _nested(size: int) -> bytes:
    n = size // 11
    return _html(b"<div>" * n + b"Item 8.01 Other Events" + b"</div>" * n)


def _cells(size: int) -> bytes:
    n = size // 10
    return _html(b"<p>Item 8.01 Other Events</p><table><tr>" + b"<td>x</td>" * n + b"</tr></table>")


def _seed_repeated(size: int) -> str:
    text = SEED.read_text(encoding="utf-8")
    return text * max(1, size // len(text))


def _nul(size: int) -> bytes:
    data = SEED.read_bytes()
    return data[:3000] + b"\x00" + data[3000:]


def _laughs(size: int) -> bytes:
    ents = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{ents}]><lolz>&lol9;</lolz>'.encode()


# name -> (what it is, bytes to write given a target size in bytes, or a special path)
Gen = Callable[[int], bytes]
CLASSES: dict[str, tuple[str, Gen | str, int]] = {
    "short_lines": ("15M lines of 'a' (issue 16/17: 138 s, 5.1 GB)", lambda n: _fill(b"a\n", n), 30 * MB),
    "word_lines": ("lines of two short words", lambda n: _fill(b"ab cd\n", n), 30 * MB),
    "blank_separated": ("a line, a blank line, ...", lambda n: _fill(b"a\n\n", n), 30 * MB),
    "spaced_lines": ("lines normalization rewrites (runs of spaces, blanks)", lambda n: _fill(b"a  b \n\n\n", n), 8 * MB),
    "cp1252_quotes": ("cp1252 curly quotes on every line", lambda n: _fill(b"a \x93b\x94\n", n), 30 * MB),
    "one_line": ("one 30 MB line of words", lambda n: _fill(b"word ", n), 30 * MB),
    "one_line_60mb": ("one 60 MB line: over the size limit", lambda n: _fill(b"word ", n), 60 * MB),
    "attributes": ("one tag with ~2M attributes (issue: 3.2 GB)", _attributes, 31 * MB),
    "nested_divs": ("2.5M nested <div>", _nested, 28 * MB),
    "table_cells": ("3M cells in one table row", _cells, 30 * MB),
    "utf16_bom": ("a real filing repeated, UTF-16 with a BOM", lambda n: codecs.BOM_UTF16_LE + _seed_repeated(n // 2).encode("utf-16-le"), 30 * MB),
    "stray_nul": ("a real filing with one NUL byte", _nul, 0),
    "billion_laughs": ("XML entity expansion", _laughs, 0),
    "gzip": ("a gzip archive", lambda n: b"\x1f\x8b\x08\x00" + os.urandom(max(16, n)), 1 * MB),
    "dev_zero": ("/dev/zero (st_size 0, endless)", "/dev/zero", 0),
    "fifo": ("a FIFO with no writer", "fifo", 0),
}  # fmt: skip


def _measure(argv: list[str], timeout: float) -> tuple[float, float, float, int | None]:
    """Wall s, CPU s, peak RSS MB, exit code (None: killed at the timeout) of one subprocess."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            p.returncode = None
            return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, None
        time.sleep(0.01)
    return (
        time.perf_counter() - t,
        ru.ru_utime + ru.ru_stime,
        ru.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
    )


_SUMMARY = """
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        rec = json.loads(f.readline())
except (OSError, ValueError):
    print("no record"); raise SystemExit
if rec["status"] == "error":
    print("error: " + rec["errors"][0]["message"][:60])
else:
    print(rec["status"] + " (items " + (",".join(i["number"] for i in rec["items"]) or "-") + ")")
"""


def _outcome(out: Path) -> str:
    """What the record says, read in a subprocess (a record holding 30 MB of text would grow this
    process, and with it the peak RSS the next children are charged with)."""
    r = subprocess.run([sys.executable, "-c", _SUMMARY, str(out)], capture_output=True, text=True)
    return r.stdout.strip() or "no record"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the generated sizes (default 1)")
    ap.add_argument("--only", help="comma-separated class names")
    ap.add_argument("--timeout", type=float, default=300.0, help="kill a parse after this many seconds")
    ap.add_argument("--keep", type=Path, help="keep the generated inputs in this folder")
    ap.add_argument("--generate", nargs=3, metavar=("NAME", "PATH", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:  # the generating subprocess
        name, path, size = args.generate
        gen = CLASSES[name][1]
        assert callable(gen)
        Path(path).write_bytes(gen(int(size)))
        return 0
    names = args.only.split(",") if args.only else list(CLASSES)
    env_py = [sys.executable]
    work = Path(args.keep or tempfile.mkdtemp(prefix="hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'class':16} {'MB':>6}  {'record':46} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} "
          f"{'base MB':>7} {'3x+100':>7}  bar")  # fmt: skip
    failed = 0
    for name in names:
        what, gen, size = CLASSES[name]
        if gen == "/dev/zero":
            path = Path("/dev/zero")
        elif gen == "fifo":
            path = work / "fifo.txt"
            if not path.exists():
                os.mkfifo(path)
        else:
            assert callable(gen)
            path = work / f"{name}.in"
            subprocess.run(
                [*env_py, __file__, "--generate", name, str(path), str(int(size * args.scale))], check=True
            )
        regular = path.is_file()
        nbytes = path.stat().st_size if regular else 0
        out = work / f"{name}.jsonl"
        wall, cpu, rss, code = _measure(
            [*env_py, "-m", "extractor", "parse", str(path), "--out", str(out)], args.timeout
        )
        record = _outcome(out) if code == 0 else ("killed at the timeout" if code is None else f"exit {code}")
        base = 0.0
        if regular:
            read = f"import extractor.parse; open({str(path)!r}, 'rb').read().decode('utf-8', 'replace')"
            base = _measure([*env_py, "-c", read], args.timeout)[2]
        under_limit = (
            regular and nbytes <= 32 * 1024 * 1024 and not record.startswith("error: file too large")
        )
        mem_bar = 3 * nbytes / 2**20 + 100 if under_limit else 1024.0
        ok = code == 0 and wall < 30 and rss < min(1024.0, mem_bar)
        failed += not ok
        print(f"{name:16} {nbytes / MB:6.1f}  {record:46.46} {wall:7.2f} {cpu:6.2f} {rss:7.0f} {base:7.0f} "
              f"{mem_bar if under_limit else float('nan'):7.0f}  {'ok' if ok else 'MISSED'}  {what}")  # fmt: skip
        for f in (out, path if regular and not args.keep else None):
            if f is not None:
                f.unlink(missing_ok=True)
    print(f"{len(names) - failed} of {len(names)} classes within the bar")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
