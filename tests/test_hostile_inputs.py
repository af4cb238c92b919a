"""Hostile inputs (issue 17): devices and pipes, encodings, stray NULs, inputs shaped to cost memory or
time per line or per attribute, and oversized review requests. Every input is a real file (or socket)
made in the test; filings come from tests/data/parser (copied from the corpus).

Time and memory are measured by ``benchmarks/hostile_inputs.py``; these tests check that each input
gets the right record or refusal, and that the fast paths give the very text and offsets of the
general ones.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import normalize
from extractor.parse import parse_bytes, parse_document, parse_file
from extractor.sections.text import Line, Lines, iter_lines, lines

DATA = Path(__file__).parent / "data" / "parser"
SEED = DATA / "seed__000_bd0abfb8ce1b425c.txt"  # plain text converted from HTML
HTML = DATA / "rania__875045-000119312523198542_d454539d8k.htm"


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extractor", *args], capture_output=True, text=True, timeout=timeout
    )


def _summary(rec):  # type: ignore[no-untyped-def]
    return (
        rec.status.value,
        [(i.number, i.reported, len(i.text)) for i in rec.items],
        rec.cover.company_name.value,
        rec.cover.date_of_report.value,
    )


# -- devices, pipes, sizes ------------------------------------------------------------------------------


def test_devices_and_fifos_are_refused_without_being_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: opening it for a blocking read would hang forever
    r = _cli("parse", "/dev/zero", str(fifo), str(SEED), "--out", str(tmp_path / "out.jsonl"))
    assert r.returncode == 1  # some records are errors (exit codes: docs/cli.md)
    got = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [g["errors"][0]["message"] for g in got[:2]] == [
        "not a regular file: this is a character device; only regular files are parsed",
        "not a regular file: this is a named pipe (FIFO); only regular files are parsed",
    ]
    assert got[2]["status"] == "ok"  # the good file after them is parsed
    r = _cli("extract", "--dry-run", str(fifo))
    assert r.returncode == 1 and "named pipe (FIFO)" in r.stdout


def test_the_read_stops_at_the_limit_whatever_the_size_on_disk_says() -> None:
    # /proc files are regular files whose st_size is 0 whatever they hold
    path = "/proc/self/maps"
    assert os.stat(path).st_size == 0
    rec = parse_file(path, max_bytes=64)
    assert rec.errors[0].message == "file too large: more than the 64 bytes limit was read"


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "one-line.txt"
    big.write_bytes(b"FORM 8-K " * 400_000)  # 3.6 MB on one line
    rec = parse_file(big, max_bytes=2_000_000)
    assert rec.errors[0].message == "file too large: 3.6 MB is over the 2 MB limit"


# -- encodings and NULs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_read(tmp_path: Path, codec: str) -> None:
    text = SEED.read_bytes().decode("utf-8")
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    path = tmp_path / "utf16.txt"
    path.write_bytes(bom + text.encode(codec))
    rec, ref = parse_file(path), parse_file(SEED)
    assert rec.source.encoding == "utf-16"
    assert _summary(rec) == _summary(ref)
    assert rec.cover.company_name.value == "ImmunoGen, Inc."


def test_a_stray_nul_does_not_reject_a_filing_and_is_dropped(tmp_path: Path) -> None:
    data = HTML.read_bytes()
    k = data.index(b"Item", 4000)
    path = tmp_path / "nul.htm"
    path.write_bytes(data[:k] + b"\x00" + data[k:])
    rec, ref = parse_document(path), parse_document(HTML)
    assert rec.record.status.value == "ok" and "\x00" not in rec.text
    assert _summary(rec.record) == _summary(ref.record)


def test_binary_inputs_are_still_refused(tmp_path: Path) -> None:
    padded = SEED.read_bytes()[:2000] + b"\x00" * 4000  # a text header, then NUL padding
    assert parse_bytes(padded).errors[0].message == "binary input: too many NUL bytes for a text filing"
    rng = random.Random(3)
    noise = bytes(rng.randrange(256) for _ in range(8000))
    assert parse_bytes(noise).errors[0].message.startswith("binary input")


def test_a_submission_without_an_8k_document_says_what_it_has() -> None:
    def submission(kind: str, docs: list[str]) -> bytes:
        blocks = "".join(
            f"<DOCUMENT>\n<TYPE>{t}\n<SEQUENCE>{n}\n<TEXT>\nExhibit text\n</TEXT>\n</DOCUMENT>\n"
            for n, t in enumerate(docs, 1)
        )
        head = f"<SEC-DOCUMENT>\n<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t{kind}\n</SEC-HEADER>\n"
        return (head + blocks + "</SEC-DOCUMENT>\n").encode()

    rec = parse_bytes(submission("8-K", ["EX-99.1", "GRAPHIC"]))
    assert rec.errors[0].message == (
        "no 8-K document: the header says 8-K, but its 2 document(s) are of type EX-99.1, GRAPHIC"
    )
    rec = parse_bytes(submission("10-K", ["10-K", "EX-31"]))
    assert rec.errors[0].message == (
        "not an 8-K: the submission is of type 10-K; its 2 document(s) are of type 10-K, EX-31"
    )


# -- cost per line and per attribute ----------------------------------------------------------------------


def test_many_short_lines_parse_to_one_item_holding_them_all(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    n = 300_000
    path.write_bytes(b"FORM 8-K\nCURRENT REPORT\nItem 8.01 Other Events\n" + b"a\n" * n)
    rec = parse_file(path)
    assert [(i.number, i.reported) for i in rec.items] == [("8.01", True)]
    assert rec.items[0].text.count("\na") == n
    assert rec.text_length == len("FORM 8-K\nCURRENT REPORT\nItem 8.01 Other Events\n") + 2 * n - 1


def test_a_tag_with_many_attributes_is_one_tag(tmp_path: Path) -> None:
    attrs = " ".join(f'data-a{i}="x>y"' for i in range(200_000))  # quoted ">" inside every value
    path = tmp_path / "attrs.htm"
    path.write_text(f"<html><body><p>FORM 8-K</p><div {attrs}>Item 8.01 Other Events</div><p>Done.</p>")
    parsed = parse_document(path)
    assert parsed.text == "FORM 8-K\n\nItem 8.01 Other Events\nDone."
    assert [i.number for i in parsed.record.items] == ["8.01"]


def test_json_of_a_long_text_is_written_in_pieces_to_the_same_text(tmp_path: Path) -> None:
    import io

    from extractor.cli.parse import write_record

    rec = parse_file(SEED, include_text=True)
    rec.items[0].text += ' "quoted" \\ \t \u2028 \x01 é 🙂'
    for indent in (None, 2):
        out = io.StringIO()
        write_record(out, rec, indent=indent, long=50)
        assert out.getvalue() == rec.model_dump_json(indent=indent) + "\n"


# -- the fast paths give what the general ones give --------------------------------------------------------

_PIECES = [
    "a",
    "b c",
    " ",
    "  ",
    "\n",
    "\n",
    "\n\n",
    "\t",
    "<i>",
    "<PAGE>",
    "&amp;",
    "\u2019",
    "\xa0",
    "\r",
    "|",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(0, 200), st.integers(0, 200))
def test_plain_text_fast_path_equals_the_line_by_line_path(pieces: list[str], i: int, j: int) -> None:
    src = "".join(pieces)
    start, end = sorted((min(i, len(src)), min(j, len(src))))
    fast, fmap = normalize.text_to_text(src, start, end)
    saved = normalize._as_is_end
    normalize._as_is_end = lambda s, pos, e: pos  # every line through the general path
    try:
        slow, smap = normalize.text_to_text(src, start, end)
    finally:
        normalize._as_is_end = saved
    assert fast == slow
    assert [fmap.to_source(k) for k in range(len(fast) + 2)] == [
        smap.to_source(k) for k in range(len(slow) + 2)
    ]


def _reference_lines(text: str, start: int, end: int) -> list[Line]:
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        e = end if nl < 0 else nl
        if e > pos:
            out.append(Line(pos, e, text[pos:e]))
        pos = e + 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab S\n", max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_lines_lazy_or_held_and_filtered_lines(text: str, i: int, j: int) -> None:
    start, end = sorted((min(i, len(text)), min(j, len(text))))
    want = _reference_lines(text, start, end)
    saved = Lines.MATERIALIZE, Lines.STEP
    Lines.MATERIALIZE, Lines.STEP = 4, 3  # the lazy form on short texts too
    try:
        for ls in (lines(text, start, end),):
            assert list(ls) == want and len(ls) == len(want)
            assert [ls[k] for k in range(len(want))] == want and ls[1:5] == want[1:5]
            assert all(ls.index(x) == want.index(x) and x in ls for x in want)
    finally:
        Lines.MATERIALIZE, Lines.STEP = saved
    for having in (re.compile("S"), re.compile(r"b\s?S")):
        got = list(iter_lines(text, start, end, having=having))
        assert [ln for ln in want if having.search(ln.text)] == [g for g in got if having.search(g.text)]
        assert all(g in want for g in got)


# -- the review server's body limit ------------------------------------------------------------------------


def test_a_chunked_body_past_the_limit_is_refused_after_64_kb(tmp_path: Path) -> None:
    import select
    import socket
    import threading
    import time

    import uvicorn
    from review_helpers import make_run, nuance_record, standin_parse

    from extractor.review.server import MAX_BODY, ReviewApp, create_app

    run = make_run(tmp_path / "run", [nuance_record()])
    review = ReviewApp(str(run), threshold=0.7, reviewer="ann", parse=standin_parse, token="tok")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(review, [f"127.0.0.1:{port}"])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(
            f"POST /api/decide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            "X-Review-Token: tok\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"x" * 65536
        sent, reply = 0, ""
        while sent < 16 * 2**20 and not reply:  # a 16 MB body, sent while watching for an answer
            c.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            if select.select([c], [], [], 0.01)[0]:
                reply = c.recv(65536).decode("latin-1")
        while "request too large" not in reply and select.select([c], [], [], 2)[0]:
            more = c.recv(65536).decode("latin-1")  # the rest of the answer
            if not more:
                break
            reply += more
        c.close()
        # the answer came before the body ended: the server stopped reading it at the limit
        assert reply.startswith("HTTP/1.1 413") and "request too large" in reply, reply[:200]
        assert MAX_BODY <= sent < 16 * 2**20
        assert review.store.current() == {}  # nothing was decided
    finally:
        server.should_exit = True
        thread.join(10)
