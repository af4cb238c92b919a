"""``extractor review RUN_DIR`` (the review web app) and ``extractor review export RUN_DIR --to DIR``."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
import threading
import webbrowser
from pathlib import Path

DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="review low-confidence fields in the browser; 'review export' writes gold labels",
        description=(
            "Review the fields of a run that need a human (below --threshold, ungrounded or failed) in a "
            "local web app, or, as 'extractor review export RUN_DIR --to evals/gold', write the reviewed "
            "filings as gold labels."
        ),
        usage="extractor review RUN_DIR [options]\n       extractor review export RUN_DIR [--to DIR] [--merge | --overwrite]",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="the run directory (holds records.jsonl)")
    p.add_argument("export_dir", nargs="?", metavar="", help=argparse.SUPPRESS)
    p.add_argument(
        "--threshold", type=float, default=0.7, help="queue fields with confidence below this (default 0.7)"
    )
    p.add_argument("--all", action="store_true", help="queue every field, not only flagged ones")
    p.add_argument(
        "--port", type=int, default=None, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, or a free one)"
    )
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument(
        "--reviewer", default=None, help="name recorded with each decision (default: your user name)"
    )
    p.add_argument("--to", default="evals/gold", help="export: folder for gold files (default evals/gold)")
    p.add_argument("--merge", action="store_true", help="export: merge into existing gold files")
    p.add_argument("--overwrite", action="store_true", help="export: replace existing gold files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.run_dir == "export" and args.export_dir:
        return _export(Path(args.export_dir), Path(args.to), merge=args.merge, overwrite=args.overwrite)
    if args.export_dir:
        print(f"unexpected argument {args.export_dir!r}", file=sys.stderr)
        return 2
    return _serve(args)


def _export(run_dir: Path, to: Path, *, merge: bool, overwrite: bool) -> int:
    from ..review.export import export_gold

    if not (run_dir / "records.jsonl").exists():
        print(f"{run_dir}: no records.jsonl (not a run directory?)", file=sys.stderr)
        return 2
    report = export_gold(run_dir, to, merge=merge, overwrite=overwrite)
    for path in report.written:
        print(f"wrote {path}")
    for path in report.skipped_existing:
        print(f"skipped {path}: exists (use --merge or --overwrite)", file=sys.stderr)
    for name, err in report.invalid:
        print(f"invalid gold for {name}: {err}", file=sys.stderr)
    print(f"{report.reviewed_filings} reviewed filings, {len(report.written)} gold files written")
    return 1 if report.invalid else 0


def _bind(host: str, port: int | None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted sockets inherit this: without it every keep-alive response waits ~40 ms (Nagle +
    # delayed ACK), since uvicorn writes the headers and the body separately
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, DEFAULT_PORT if port is None else port))
    except OSError:
        if port is not None:
            sock.close()
            raise
        sock.bind((host, 0))
    sock.listen(128)
    return sock


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..review.server import ReviewApp, create_app
    except ImportError as exc:
        print(
            f"error: the review app needs starlette and uvicorn (part of the default install): "
            f"pip install -e . ({exc})",
            file=sys.stderr,
        )
        return 2
    run_dir = Path(args.run_dir)
    if not (run_dir / "records.jsonl").exists():
        print(f"{run_dir}: no records.jsonl (not a run directory?)", file=sys.stderr)
        return 2
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "warning: serving beyond this machine; anyone who can reach it can read the filings",
            file=sys.stderr,
        )
    reviewer = args.reviewer or os.environ.get("EXTRACTOR_REVIEWER") or getpass.getuser()
    review = ReviewApp(str(run_dir), threshold=args.threshold, reviewer=reviewer, everything=args.all)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}", f"{args.host}:{port}"]
    app = create_app(review, hosts)
    url = f"http://127.0.0.1:{port}/"
    counts = review.index
    print(
        f"reviewing {len(counts.entries)} fields of {len(counts.records)} filings in {run_dir} "
        f"as {reviewer!r}; decisions go to {run_dir / 'review.sqlite'}"
    )
    if counts.bad_lines:
        print(f"warning: {len(counts.bad_lines)} unreadable lines in records.jsonl", file=sys.stderr)
    print(f"open {url}  (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
