"""Batch-run throughput against a local fake OpenAI-compatible server (no network, no model).

    .venv/bin/python benchmarks/batch_throughput.py [--latency 0.2] [--jitter 0] [--levels 1,8,32,64]
                                                    [--per-level 8]

The server (``tests/fakeserver.py``, a test helper, in its own process so it does not share this process's
CPU) answers every chat completion after ``--latency`` seconds (the issue's setting), or after a latency
spread uniformly around it with ``--jitter 0.5`` (0.5x to 1.5x: real endpoints vary, and a fixed latency
makes the answers of a wave arrive together; see "bound" below). Synthetic 8-Ks with one Item 8.01 each
(unique text, so the response cache never hits across filings) go through the real parser and the real
fill stage (``extractor.fill`` over instructor + openai, grounding, confidence) with ``extractor run``'s
machinery: ledger, limiter, outputs.

Printed per concurrency level: requests/s achieved vs the ideal concurrency/latency; the tool's own
overhead per filing measured two ways: (fill wall time - LLM wait) / filings at concurrency 1, and this
process's CPU time per filing; and the re-run check: the same inputs into a fresh run directory with the
same response cache make zero requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from extractor.batch import RunConfig, run_batch
from extractor.batch.fill_pool import FillPool, WorkerSpec
from extractor.batch.fill_stage import FillStage
from extractor.batch.limits import Limiter
from extractor.batch.providers import build_fill
from extractor.record import LLMCall

FAKESERVER = Path(__file__).resolve().parents[1] / "tests" / "fakeserver.py"  # the tests' fake endpoint

TEXT = (
    "On {d}, the Board of Directors of Example Corp {i} declared a quarterly cash dividend of ${amt} per "
    "share of common stock, payable on {d2} to shareholders of record at the close of business."
)


def make_inputs(folder: Path, n: int, tag: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = TEXT.format(d="March 3, 2024", d2="April 1, 2024", i=f"{tag}-{i}", amt=f"0.{i % 90 + 10}")
        (folder / f"{tag}-{i:05d}.txt").write_text(
            "UNITED STATES\nSECURITIES AND EXCHANGE COMMISSION\nFORM 8-K\nCURRENT REPORT\n"
            f"EXAMPLE CORP {tag}-{i}\n\nItem 8.01. Other Events.\n\n{body}\n\nSIGNATURES\n"
        )


def stats(base_url: str) -> dict:
    with urllib.request.urlopen(base_url + "/stats") as r:
        return json.loads(r.read())


def raw_fill(base_url: str, limiter: Limiter) -> FillStage:
    """The batch machinery alone: one real HTTP chat completion per filing, no instructor/grounding."""
    import httpx

    from extractor.batch.limits import LimitedTransport, http_transport

    client = httpx.AsyncClient(
        transport=LimitedTransport(http_transport(limiter.requests_in_flight), limiter)
    )

    async def afill(record, text):
        r = await client.post(base_url + "/chat/completions",
                              json={"model": "m", "messages": [{"role": "user", "content": text[-400:]}]})  # fmt: skip
        r.raise_for_status()
        usage = r.json()["usage"]
        call = LLMCall(model="m", prompt_name="raw", prompt_hash="0", tokens_in=usage["prompt_tokens"],
                       tokens_out=usage["completion_tokens"], attempts=1)  # fmt: skip
        items = [it.model_copy(update={"event": {}, "llm": call}) for it in record.items]
        return record.model_copy(update={"items": items})

    return FillStage(afill, model="m", aclose=client.aclose)


class MeasuredPool(FillPool):
    """The fill pool, counting its workers' CPU between ready and stop (their start-up imports excluded)."""

    worker_cpu_s = 0.0

    async def start(self) -> None:
        await super().start()
        self._cpu0 = sum(_cpu_of(pid) for pid in self.pids)

    async def aclose(self) -> None:
        self.worker_cpu_s = sum(_cpu_of(pid) for pid in self.pids) - getattr(self, "_cpu0", 0.0)
        await super().aclose()


def _cpu_of(pid: int) -> float:
    """user + system CPU seconds of a live process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_once(inputs: Path, run_dir: Path, base_url: str, concurrency: int, cache_dir: Path, *,
                   parse_only: bool = False, mode: str = "fill", procs: int = 1):  # fmt: skip
    cfg = RunConfig(run_dir=run_dir, inputs=[str(inputs)], filings_in_flight=concurrency, parse_only=parse_only,
                    engine="process", tables=False, checkpoint_s=3600)  # fmt: skip
    if parse_only:
        return await run_batch(cfg, None)
    if procs > 1:  # extractor run --fill-procs: the fill in worker processes, the ledger here
        build = {"model": "fake-model", "base_url": base_url, "cache_dir": str(cache_dir)}
        pool = MeasuredPool(WorkerSpec(build, concurrency), procs, model="fake-model")
        res = await run_batch(cfg, pool)
        res.cpu_s += pool.worker_cpu_s
        return res
    limiter = Limiter(concurrency)
    if mode == "raw":
        return await run_batch(cfg, raw_fill(base_url, limiter))
    built = build_fill(model="fake-model", base_url=base_url, limiter=limiter, cache_dir=cache_dir)
    try:
        return await run_batch(cfg, FillStage(built.afill, model=built.model, aclose=built.aclose))
    finally:
        built.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--jitter", type=float, default=0.0,
                    help="server latency spread uniformly in latency*(1 +- jitter) (real endpoints vary)")  # fmt: skip
    ap.add_argument("--levels", default="1,8,32,64")
    ap.add_argument("--per-level", type=int, default=8, help="filings per unit of concurrency (min 24)")
    ap.add_argument("--fill-procs", default="1",
                    help="comma-separated --fill-procs values to measure at each level (e.g. 1,2)")  # fmt: skip
    ap.add_argument("--fill", choices=["fill", "raw"], default="fill",
                    help="fill: the real fill stage; raw: one plain HTTP call per filing (batch machinery only)")  # fmt: skip
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    procs_list = [int(x) for x in args.fill_procs.split(",")]
    srv = subprocess.Popen(
        [sys.executable, str(FAKESERVER), "--latency", str(args.latency),
         "--jitter", str(args.jitter)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    base_url = srv.stdout.readline().strip() if srv.stdout else ""
    tmp = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    rows = []
    try:
        for c, procs in [(c, p) for c in levels for p in procs_list if p == 1 or p <= c]:
            n = max(24, c * args.per_level)
            key = f"{c}-{procs}"
            inputs, run_dir, cache = tmp / f"in-{key}", tmp / f"run-{key}", tmp / f"cache-{key}"
            make_inputs(inputs, n, f"c{key}")
            asyncio.run(run_once(inputs, run_dir, base_url, c, cache, parse_only=True))  # parse first
            before = stats(base_url)["requests"]
            res = asyncio.run(run_once(inputs, run_dir, base_url, c, cache, mode=args.fill, procs=procs))
            reqs = stats(base_url)["requests"] - before
            wall = res.fill_wall_s
            ideal = c / args.latency
            achieved = reqs / wall if wall else 0.0
            overhead_ms = (wall - reqs * args.latency / c) / n * 1000 * c if c == 1 else None
            cpu_ms = res.cpu_s / n * 1000
            rows.append((c, procs, n, reqs, wall, achieved, ideal, cpu_ms, overhead_ms, res.summary))
            # the re-run: same inputs, fresh run directory, same cache -> zero requests
            before = stats(base_url)["requests"]
            rerun = asyncio.run(
                run_once(inputs, tmp / f"rerun-{key}", base_url, c, cache, mode=args.fill, procs=procs)
            )
            rows[-1] = (*rows[-1], stats(base_url)["requests"] - before, rerun.summary.done)
    finally:
        srv.terminate()
        srv.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    what = (
        "real fill stage (instructor, grounding, cache)"
        if args.fill == "fill"
        else "raw HTTP fill (no cache)"
    )
    spread = f" +- {args.jitter:.0%}" if args.jitter else " (fixed)"
    print(
        f"fake server latency {args.latency * 1000:.0f} ms{spread}; real parser; {what}; load avg {_load()}"
    )
    print(f"{'conc':>4} {'procs':>5} {'filings':>7} {'requests':>8} {'fill s':>7} {'req/s':>7} {'ideal':>7} "
          f"{'ratio':>6} {'cpu ms/filing':>13} {'bound':>6} {'ok':>4} {'rerun requests':>14}")  # fmt: skip
    for c, procs, n, reqs, wall, ach, ideal, cpu_ms, _ovh, s, rerun_reqs, rerun_done in rows:
        bound = f"{burst_bound(c, args.latency, cpu_ms / 1000) / ideal:.1%}" if procs == 1 else "-"
        print(f"{c:>4} {procs:>5} {n:>7} {reqs:>8} {wall:>7.2f} {ach:>7.1f} {ideal:>7.1f} {ach / ideal:>6.1%} "
              f"{cpu_ms:>13.2f} {bound:>6} {s.ok:>4} {rerun_reqs:>8} ({rerun_done} done)")  # fmt: skip
    print(
        "bound: c / (latency + c*x/2 + x) with x = cpu ms/filing: with a fixed server latency the c answers of a"
    )
    print(
        "wave arrive together and one event loop works through them in turn, so each filing waits half a wave"
    )
    for _c, _p, n, *_rest in rows:
        ovh = _rest[5]
        if ovh is not None:
            print(
                f"tool overhead per filing at concurrency 1 (fill wall - LLM wait): {ovh:.1f} ms over {n} filings"
            )
    return 0


def burst_bound(c: int, latency: float, x: float) -> float:
    """Requests/s one process can reach when ``c`` requests answered together need ``x`` s of CPU each."""
    return c / (latency + c * x / 2 + x)


def _load() -> str:
    import os

    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
