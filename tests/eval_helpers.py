"""Helpers for the eval tests: filing records built by hand from gold labels (a perfect stand-in for
the parser and fill stages), so scoring can be checked without running either."""

from __future__ import annotations

import datetime as dt
from typing import Any

from extractor import catalog
from extractor.eval.gold import GoldFiling
from extractor.record import (
    Checkboxes,
    Cover,
    Exhibit,
    FilingRecord,
    Item,
    Registrant,
    Security,
    Signature,
    Source,
)
from extractor.record import Field as F


def f(value: Any, confidence: float = 0.9) -> F[Any]:
    return F(value=value, confidence=confidence)


def wrap_event(node: Any, confidence: float) -> Any:
    """Plain event values -> the filled shape (each leaf a Field dict)."""
    if isinstance(node, dict):
        return {k: wrap_event(v, confidence) for k, v in node.items()}
    if isinstance(node, list):
        return [wrap_event(v, confidence) for v in node]
    if isinstance(node, dt.date):
        node = node.isoformat()
    return {"value": node, "confidence": confidence, "span": None, "quote": None}


def record_from_gold(gold: GoldFiling, confidence: float = 0.9, events: bool = True) -> FilingRecord:
    c = gold.cover
    cover = Cover(
        company_name=f(c.company_name, confidence),
        registrants=[Registrant(name=f(n, confidence)) for n in c.registrants or []],
        date_of_report=f(c.date_of_report, confidence),
        state_of_incorporation=f(c.state_of_incorporation, confidence),
        commission_file_number=f(c.commission_file_number, confidence),
        irs_employer_id=f(c.irs_employer_id, confidence),
        address=f(c.address, confidence),
        zip_code=f(c.zip_code, confidence),
        phone=f(c.phone, confidence),
        checkboxes=None
        if c.checkboxes is None
        else Checkboxes(**{k: f(v, confidence) for k, v in c.checkboxes.model_dump().items()}),
        emerging_growth_company=None
        if c.emerging_growth_company is None
        else f(c.emerging_growth_company, confidence),
        securities_12b=[
            Security(title=f(s.title), trading_symbol=f(s.trading_symbol), exchange=f(s.exchange))
            for s in c.securities_12b or []
        ],
    )
    items = []
    for gi in gold.items or []:
        event = None
        if events and gold.events and gi.number in gold.events:
            event = wrap_event(gold.events[gi.number], confidence)
        items.append(
            Item(
                number=gi.number,
                title=catalog.canonical_title(gi.number),
                legacy=catalog.is_legacy(gi.number),
                modern_equivalent=catalog.modern_equivalent(gi.number),
                reported=gi.reported,
                heading=f"Item {gi.number}",
                span=(0, 0),
                text="",
                event=event,
            )
        )
    return FilingRecord(
        source=Source(path=gold.file, sha256="0" * 64, size_bytes=0),
        form_type=f(gold.form_type, confidence),
        cover=cover,
        items=items,
        exhibits=[Exhibit(number=f(e.number), description=f(e.description)) for e in gold.exhibits or []],
        signatures=[
            Signature(name=f(s.name), title=f(s.title), date=f(s.date)) for s in gold.signatures or []
        ],
    )


def demo_results(gold_dir: Any, corpus: Any, replicates: int = 100) -> dict[str, Any]:
    """An eval result for two stand-in models on the test gold set: ``perfect`` echoes the gold labels
    (confidence 0.95); ``sloppy`` gets every date of report and all signatures wrong and fills no events."""
    from pathlib import Path

    from extractor.eval.gold import load_gold_dir
    from extractor.eval.results import build_results
    from extractor.eval.runner import FunctionRunner, Output, run_model

    golds = {g.file: g for g in load_gold_dir(Path(gold_dir))}

    def perfect(path: Path) -> Output:
        return Output(record_from_gold(golds[path.name], 0.95), tokens_in=1000, tokens_out=100, calls=1)

    def sloppy(path: Path) -> Output:
        rec = record_from_gold(golds[path.name], 0.9, events=False)
        rec.cover.date_of_report = F(value=dt.date(1990, 1, 1), confidence=0.2)
        rec.signatures = []
        return Output(rec)

    runners = [FunctionRunner("perfect", perfect), FunctionRunner("sloppy", sloppy, events=False)]
    runs = {r.name: run_model(r, golds.values(), Path(corpus)) for r in runners}
    prices = {"perfect": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}}
    return build_results(runs, gold_dir=str(gold_dir), seed=3, replicates=replicates, prices=prices)
