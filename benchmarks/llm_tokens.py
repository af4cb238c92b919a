"""Tokens sent to the model per filing (item text + short header, chunked) vs the whole filing in one
prompt, on the gold set; optionally fill time per filing and event accuracy with the embedded default.

    python benchmarks/llm_tokens.py                        # token economy only (no model)
    python benchmarks/llm_tokens.py --fill 5               # + fill the first 5 gold filings with events
    python benchmarks/llm_tokens.py --fill 5 --local-model qwen2.5-coder-0.5b

Token counts without a model are estimated as chars / 4 for both sides (same estimator, so the ratio
is fair); with ``--fill`` the server's own counts (prompt tokens) are printed too. "Whole filing" is
one prompt: the same system rules with the field descriptions of every schema the filing needs, plus
the filing's entire normalized text, two ways: "whole" is the 8-K document alone (the cover page and items
as the parser reads them); "submission" is everything the filing holds as text: the 8-K and its exhibits
(press releases, agreements) from a full ``.txt`` submission, markup removed, binaries and XBRL left out
(for a file holding one document the two are equal). "raw file" is the stored file, markup and all. Event accuracy is the share of labeled event fields scored
correct by the eval harness's ``compare_events``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.config import load_settings  # noqa: E402
from extractor.eval.compare import compare_events  # noqa: E402
from extractor.eval.gold import load_gold_dir  # noqa: E402
from extractor.fill import fill_record, schema_for_item  # noqa: E402
from extractor.fill.plan import plan_item, prefilled  # noqa: E402
from extractor.ingest import read_filing  # noqa: E402
from extractor.llm.fake import FakeProvider  # noqa: E402
from extractor.normalize import html_to_text, text_to_text  # noqa: E402
from extractor.parse import parse_document  # noqa: E402
from extractor.prompts import render  # noqa: E402


def est(chars: int) -> int:
    return chars // 4


def whole_filing_chars(record, text: str) -> int:
    schemas = {schema_for_item(i) for i in record.items} - {None}
    date = record.cover.date_of_report.value
    total = len(text)
    for schema in schemas:  # rules + field docs of each needed schema; text counted once
        p = render(
            schema,
            company=record.cover.company_name.value or "",
            date_of_report=date.isoformat() if isinstance(date, dt.date) else "",
            number="all",
            title="all items",
            text="",
        )
        total += sum(len(m["content"]) for m in p.messages)
    return total


_DOC = re.compile(r"<DOCUMENT>(.*?)</DOCUMENT>", re.S | re.I)
_TYPE = re.compile(r"<TYPE>\s*([^\s<]+)", re.I)
_TEXT = re.compile(r"<TEXT>(.*?)(?:</TEXT>|$)", re.S | re.I)
_NOT_TEXT = re.compile(r"^(?:GRAPHIC|ZIP|EXCEL|PDF|XML|JSON|EX-101\.|EX-104)", re.I)


def submission_text_chars(path: Path, main_chars: int) -> int:
    """Characters of the whole submission as text: every text or HTML document of a full ``.txt``
    submission (8-K body and exhibits: press releases, agreements), markup removed; binaries, XBRL and
    graphics left out. A file holding one document counts as its normalized text (``main_chars``)."""
    raw = read_filing(path)
    docs = _DOC.findall(raw.text)
    if len(docs) < 2:
        return main_chars
    total = 0
    for doc in docs:
        t = _TYPE.search(doc)
        if t and _NOT_TEXT.match(t.group(1)):
            continue
        m = _TEXT.search(doc)
        body = m.group(1) if m else doc
        if re.search(r"<(?:html|body|p|div|table|font)\b", body[:5000], re.I):
            total += len(html_to_text(body)[0])
        else:
            total += len(text_to_text(body)[0])
    return max(total, main_chars)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=ROOT / "evals" / "gold")
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/raw"))
    ap.add_argument("--fill", type=int, default=0, help="fill this many gold filings with the embedded model")
    ap.add_argument("--local-model", default=None)
    ap.add_argument("--only", nargs="*", help="gold file names to fill (default: the first N with events)")
    args = ap.parse_args()

    golds = [g for g in load_gold_dir(args.gold) if g.events and (args.corpus / g.file).is_file()]
    settings = load_settings({"local_model": args.local_model, "use_cache": False, "item_max_seconds": 1800})
    fake = FakeProvider.dry_run()
    rows = []
    for g in golds:
        parsed = parse_document(args.corpus / g.file)
        rec, text = parsed.record, parsed.text
        sent = 0
        for item in rec.items:
            pre, done = prefilled(item)
            if done is not None:
                continue  # the parser read the whole event: no model call
            plan = plan_item(rec, item, fake, settings, pre)
            if plan is not None:
                sent += sum(len(m["content"]) for p in plan.prompts for m in p.messages)
        whole = whole_filing_chars(rec, text)
        submission = whole - len(text) + submission_text_chars(args.corpus / g.file, len(text))
        raw = (args.corpus / g.file).stat().st_size
        rows.append((g.file, est(sent), est(whole), est(raw), est(submission)))
    ratios = [r[1] / r[2] for r in rows if r[2]]
    print(f"token economy on {len(rows)} gold filings with events (estimate: chars/4)")
    print(
        f"{'filing':64} {'sent':>7} {'whole':>7} {'ratio':>6} {'submission':>10} {'ratio':>6} {'raw file':>9}"
    )
    for f, s, w, r, sub in rows:
        print(f"{f[:64]:64} {s:>7} {w:>7} {s / w:>6.0%} {sub:>10} {s / sub:>6.0%} {r:>9}")
    total_s, total_w, total_r, total_sub = (sum(r[i] for r in rows) for i in (1, 2, 3, 4))
    sub_ratios = [r[1] / r[4] for r in rows if r[4]]
    print(
        f"total: {total_s} sent vs {total_w} whole normalized 8-K document = {total_s / total_w:.1%} "
        f"(median per filing {statistics.median(ratios):.1%})"
    )
    print(
        f"       vs {total_sub} whole submission as text (8-K and exhibits, no markup) = {total_s / total_sub:.1%} "
        f"(median per filing {statistics.median(sub_ratios):.1%}); vs raw files as stored: {total_s / total_r:.1%}"
    )

    if args.fill:
        from extractor.llm import make_provider

        chosen = [g for g in golds if not args.only or g.file in args.only][: args.fill]
        t0 = time.monotonic()
        provider = make_provider(settings)
        print(f"\nembedded model {provider.model}: server up in {time.monotonic() - t0:.1f}s")
        print(f"{'filing':64} {'items':>5} {'tok_in':>6} {'tok_out':>7} {'secs':>6} {'correct':>8}")
        times, right, total = [], 0, 0
        try:
            for g in chosen:
                parsed = parse_document(args.corpus / g.file)
                t = time.monotonic()
                rec = fill_record(parsed.record, parsed.text, provider, settings=settings)
                secs = time.monotonic() - t
                calls = [i.llm for i in rec.items if i.llm]
                obs = compare_events(g, rec)
                ok = sum(o.correct for o in obs)
                right, total = right + ok, total + len(obs)
                times.append(secs)
                print(
                    f"{g.file[:64]:64} {len(calls):>5} {sum(c.tokens_in for c in calls):>6} "
                    f"{sum(c.tokens_out for c in calls):>7} {secs:>6.1f} {ok:>4}/{len(obs):<3}",
                    flush=True,
                )
        finally:
            provider.close()
        if times:
            print(
                f"fill time per filing: median {statistics.median(times):.1f}s, max {max(times):.1f}s; "
                f"event fields correct {right}/{total}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
