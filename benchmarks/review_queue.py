"""Review queue at scale: a synthetic run with 10,000 flagged fields; time to first page.

    .venv/bin/python benchmarks/review_queue.py [--flagged 10000] [--browser]

Prints: time to index records.jsonl (server start), the first-page API latency over real HTTP
(uvicorn on 127.0.0.1), a filtered page, a deep page, a decision round trip, and with --browser the
time until the page in headless Chromium has rendered the queue and the first field (needs
/usr/bin/chromium and the playwright package).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

FIELDS_PER_RECORD = 20  # 10 flagged + 10 confident


def fld(value: object, conf: float, method: str = "parser", span: list[int] | None = None) -> dict:
    return {
        "value": value,
        "confidence": conf,
        "method": method,
        "span": span,
        "quote": None if span is None else str(value),
        "alignment": "exact" if span else None,
        "reasons": ["synthetic"],
    }


def record(i: int) -> dict:
    c = lambda k: ((i * 7919 + k * 104729) % 1000) / 1000 * 0.69  # noqa: E731 - flagged: < 0.7
    ok = 0.95
    changes = [
        {
            "person": fld(f"Person {i}-{j}", c(j), "llm", [100, 110]),
            "change": fld("appointment", ok, "llm", [120, 131]),
            "position": fld("Chief Financial Officer", c(j + 10), "llm", [140, 163]),
            "effective_date": fld("2020-01-01", ok, "llm", [170, 180]),
        }
        for j in range(3)
    ]
    return {
        "source": {"path": f"/data/filing-{i}.htm", "sha256": f"{i:064x}", "size_bytes": 1000},
        "form_type": fld("8-K", ok, span=[0, 3]),
        "cover": {
            "company_name": fld(f"Company {i % 500} Inc.", ok, span=[10, 20]),
            "date_of_report": fld("2020-01-01", c(20), span=[30, 40]),
            "state_of_incorporation": fld("Delaware", c(21), span=[50, 58]),
            "commission_file_number": fld("001-12345", ok, span=[60, 69]),
            "irs_employer_id": fld("12-3456789", c(22), span=[70, 80]),
            "address": fld("1 Main Street", ok, span=[80, 93]),
            "zip_code": fld("02139", c(23), span=[95, 100]),
            "phone": fld("(555) 555-5555", ok),
        },
        "items": [
            {
                "number": "5.02",
                "title": "Departure of Directors or Certain Officers",
                "legacy": False,
                "modern_equivalent": "5.02",
                "reported": True,
                "heading": "Item 5.02",
                "span": [90, 400],
                "text": "x",
                "event": {"changes": changes},
                "llm": {"model": ["model-a", "model-b"][i % 2], "prompt_name": "p", "prompt_hash": "h"},
            }
        ],
        "text": "synthetic filing text " * 40,
        "text_length": 880,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flagged", type=int, default=10_000)
    ap.add_argument("--browser", action="store_true", help="also time first paint in headless Chromium")
    args = ap.parse_args()
    n_records = args.flagged // 10
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp)
        with (run / "records.jsonl").open("w") as fh:
            for i in range(n_records):
                fh.write(json.dumps(record(i)) + "\n")
        size_mb = (run / "records.jsonl").stat().st_size / 1e6

        from extractor.review.queue import RunIndex

        t0 = time.perf_counter()
        flagged = len(RunIndex.load(run, 0.7).entries)
        t_index = time.perf_counter() - t0
        print(f"run: {n_records} records, {size_mb:.1f} MB records.jsonl, {flagged} flagged fields")
        print(f"index records.jsonl (in-process): {t_index * 1000:.0f} ms")

        # the real command, in its own process (as a user runs it)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "extractor", "review", str(run), "--no-browser", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("open http"):
                break
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.01)
        print(f"`extractor review` start until serving: {(time.perf_counter() - t0) * 1000:.0f} ms")
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base) as http:

                def timed(path: str, reps: int = 20, **kw: object) -> float:
                    times = []
                    for _ in range(reps):
                        t = time.perf_counter()
                        r = http.get(path, **kw)  # type: ignore[arg-type]
                        r.raise_for_status()
                        times.append(time.perf_counter() - t)
                    return statistics.median(times) * 1000

                print(f"GET /api/queue first page (50 rows):  {timed('/api/queue?limit=50'):.1f} ms median")
                print(
                    f"GET /api/queue filtered (item+model):   {timed('/api/queue?limit=50&field=changes[].person&model=model-b'):.1f} ms median"
                )
                print(
                    f"GET /api/queue deep page (offset 9900): {timed('/api/queue?limit=50&offset=9900'):.1f} ms median"
                )
                print(
                    f"GET /api/queue status=left:             {timed('/api/queue?limit=50&status=left'):.1f} ms median"
                )
                first = http.get("/api/queue?limit=1").json()["rows"][0]["q"]
                print(
                    f"GET /api/field (one field):             {timed('/api/field', params={'q': first}):.1f} ms median"
                )
                page = http.get("/").text
                token = page.split('name="review-token" content="')[1].split('"')[0]
                times = []
                for row in http.get("/api/queue?limit=20").json()["rows"]:
                    t = time.perf_counter()
                    r = http.post(
                        "/api/decide",
                        json={"q": row["q"], "action": "accept"},
                        headers={"X-Review-Token": token, "Origin": base},
                    )
                    r.raise_for_status()
                    times.append(time.perf_counter() - t)
                print(
                    f"POST /api/decide (fsync'd):             {statistics.median(times) * 1000:.1f} ms median"
                )
            if args.browser:
                from playwright.sync_api import sync_playwright

                flags = [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ]
                with sync_playwright() as p:
                    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
                    pg = b.new_page()
                    runs = []
                    for _ in range(5):
                        t = time.perf_counter()
                        pg.goto(base + "/")
                        pg.wait_for_selector("body[data-ready='1']")
                        runs.append(time.perf_counter() - t)
                        paint = pg.evaluate(
                            "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"
                        )
                    b.close()
                print(
                    f"browser: page ready (queue + first field rendered): {statistics.median(runs) * 1000:.0f} ms median of 5"
                )
                print(f"browser: first contentful paint (last load): {paint:.0f} ms")
        finally:
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
