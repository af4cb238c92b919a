"""Model time per 1-item filing with the embedded model, two prompt versions in the same process.

    python benchmarks/model_time.py                          # 6 dev gold filings, prompt v1 then v2
    python benchmarks/model_time.py --n 10 --versions v1,v2 --local-model qwen2.5-coder-1.5b

The filings are dev gold filings (``--gold``, default evals/gold) whose parser record leaves exactly one
item to the model (9.01 and items the parser reads completely need no call); ``--n`` of them are taken
evenly spread over the sorted list. One embedded server serves every version (started once; its start is
not counted); each version fills every filing before the next version starts, so a version's calls
follow each other as they do in a batch (what llama.cpp's prompt cache can reuse: from v2 on, each
schema's calls share the system prompt and examples). The response cache is bypassed
(``Settings.use_cache = False`` and no cache passed to the fill). Model seconds are the items' recorded
latencies (``items[].llm.latency_s``: requests and re-asks); tokens are the server's counts. The load
average (``os.getloadavg()``) is printed before and after each filing: the machine is shared, and a
figure measured under load says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.config import Settings  # noqa: E402
from extractor.eval.gold import load_gold_dir  # noqa: E402
from extractor.eval.stats import percentile  # noqa: E402
from extractor.fill import fill_record  # noqa: E402
from extractor.fill.plan import prepare  # noqa: E402
from extractor.llm import make_provider  # noqa: E402
from extractor.llm.fake import FakeProvider  # noqa: E402
from extractor.parse import parse_document  # noqa: E402


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def one_item_filings(gold_dir: Path, corpus: Path, n: int) -> list[tuple[Path, object, str]]:
    """(path, parsed, item number) of gold filings leaving exactly one item to the model."""
    probe, settings = FakeProvider(), Settings(use_cache=False)
    found = []
    for gold in sorted(load_gold_dir(gold_dir), key=lambda g: g.file):
        path = corpus / gold.file
        if not path.is_file():
            continue
        parsed = parse_document(path)
        asked = [i for i in parsed.record.items if not _done(prepare(parsed.record, i, probe, settings))]
        if len(asked) == 1:
            found.append((path, parsed, asked[0].number))
    if n >= len(found):
        return found
    step = len(found) / n
    return [found[int(k * step)] for k in range(n)]


def _done(plan: object) -> bool:
    return not hasattr(plan, "prompts")  # prepare() returns the finished Item when no call is needed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=str(ROOT / "evals" / "gold"))
    ap.add_argument(
        "--corpus", default=os.environ.get("EXTRACTOR_CORPUS", str(ROOT.parent / "shared/corpus/raw"))
    )
    ap.add_argument("--n", type=int, default=6, help="filings (default 6)")
    ap.add_argument("--versions", default="v1,v2", help="prompt versions, comma separated (default v1,v2)")
    ap.add_argument("--local-model", default=Settings().local_model)
    args = ap.parse_args(argv)

    filings = one_item_filings(Path(args.gold), Path(args.corpus), args.n)
    print(f"{len(filings)} one-item filings; load {load()} (1/5/15 min)")
    base = Settings(local_model=args.local_model, use_cache=False)
    provider = make_provider(base)
    summary = []
    try:
        for version in args.versions.split(","):
            settings = base.model_copy(update={"prompt_version": version})
            secs: list[float] = []
            print(f"\nprompt {version}\n{'filing':58} item  model_s  tok_in tok_out  load before -> after")
            for path, parsed, number in filings:
                before = load()
                out = fill_record(parsed.record, parsed.text, provider, settings=settings, cache=None)
                llm = next(i.llm for i in out.items if i.number == number and i.llm is not None)
                secs.append(llm.latency_s)
                print(
                    f"{path.name[:58]:58} {number:5} {llm.latency_s:7.1f} {llm.tokens_in:7d} {llm.tokens_out:7d}"
                    f"  {before} -> {load()}{'' if llm.outcome == 'ok' else '  ' + llm.outcome}"
                )
            summary.append(
                (version, statistics.median(secs), percentile(sorted(secs), 0.9), sum(secs), load())
            )
    finally:
        provider.close()
    print(f"\n{'prompt':7} {'median_s':>9} {'p90_s':>7} {'total_s':>8}  load after")
    for version, med, p90, total, after in summary:
        print(f"{version:7} {med:9.1f} {p90:7.1f} {total:8.1f}  {after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
