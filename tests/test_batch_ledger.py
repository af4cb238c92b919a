from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from extractor.batch.inputs import resolve_inputs
from extractor.batch.limits import Limiter
from extractor.batch.outputs import flatten
from extractor.batch.pricing import load_prices
from extractor.record import Field, FilingRecord, Item, LLMCall, Method, Source
from extractor.store.ledger import Ledger, StageResult


def test_register_is_idempotent_and_keeps_input_order(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as led:
        assert led.register(["/a", "/b", "/c"]) == 3
        assert led.register(["/b", "/d", "/a"]) == 1
        assert [r.path for r in led.filings()] == ["/a", "/b", "/c", "/d"]
        assert [r.id for r in led.filings()] == [1, 2, 3, 4]
        mode = led._query("PRAGMA journal_mode")[0][0]
    assert mode == "wal"


def test_states_and_retryable_fills(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as led:
        led.register(["/a", "/b"])
        led.commit_parse(1, '{"x": 1}', "text of a", status="ok", done=False, error=None)
        led.commit_parse(2, '{"x": 2}', None, status="error", done=True, error="input: empty file")
        assert [r.state for r in led.filings()] == ["parsed", "done"]
        assert led.parsed_record(1) == ('{"x": 1}', "text of a")
        led.commit_fill(
            1, '{"x": 1, "filled": 1}', status="partial", cost=0.01, error="fill failed for item(s) 5.02",
            stages=[StageResult("fill:5.02", "error", "RateLimitError", "m", 10, 0)],
        )  # fmt: skip
        assert led.retryable_fills(max_attempts=1) == []
        assert led.retryable_fills(max_attempts=2) == [1]
        led.reopen_for_fill([1])
        assert led.filings("parsed")[0].id == 1
        led.commit_fill(
            1, '{"x": 1, "filled": 2}', status="ok", cost=0.01,
            stages=[StageResult("fill:5.02", "ok", None, "m", 12, 3)],
        )  # fmt: skip
        assert led.retryable_fills(max_attempts=5) == []
        s = led.summary()
        assert (s.total, s.done, s.ok, s.error, s.partial) == (2, 2, 1, 1, 0)
        assert (s.tokens_in, s.tokens_out) == (22, 3)
        assert s.cost == pytest.approx(0.02)
        assert [r for _, _, r in led.records()] == ['{"x": 1, "filled": 2}', '{"x": 2}']
        st = led.stages(1)
        assert [(x.stage, x.status) for x in st] == [("fill:5.02", "ok"), ("parse", "ok")]
    # the stage row counts its attempts
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert db.execute("SELECT attempts FROM stages WHERE stage = 'fill:5.02'").fetchone() == (2,)


def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as led:
        led.register(["/a"])
        with pytest.raises(sqlite3.IntegrityError), led._tx() as db:
            db.execute("UPDATE filings SET state = 'parsed' WHERE id = 1")
            db.execute("INSERT INTO filings(id, path, added_at, updated_at) VALUES (1, '/dup', 0, 0)")
        assert led.filings()[0].state == "pending"


def test_resolve_inputs_files_folders_globs_lists(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    a = tmp_path / "d" / "a.htm"
    b = tmp_path / "d" / "sub" / "b.txt"
    c = tmp_path / "c.txt"
    for p in (a, b, c):
        p.write_text("x")
    (tmp_path / "d" / ".hidden").write_text("x")
    lst = tmp_path / "inputs.lst"
    lst.write_text(f"# comment\n\nc.txt\n{a}\nnope.txt\n")
    r = resolve_inputs([str(tmp_path / "d"), str(tmp_path / "*.txt"), str(lst), str(a)])
    assert r.paths == [str(a), str(b), str(c)]
    assert r.missing == [str(tmp_path / "nope.txt")]
    r2 = resolve_inputs([f"@{lst}", str(tmp_path / "missing*.htm")])
    assert r2.paths == [str(c), str(a)]
    assert r2.missing == [str(tmp_path / "nope.txt"), str(tmp_path / "missing*.htm")]


def test_limiter_rpm_and_tpm_with_a_fake_clock() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    async def main() -> list[float]:
        lim = Limiter(4, rpm=3, tpm=1000, clock=lambda: now[0], sleep=sleep)
        times = []
        for _ in range(7):
            async with lim:
                await lim._admit(100)
                times.append(now[0])
        return times

    times = asyncio.run(main())
    assert times == [0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 120.0]

    now[0] = 0.0

    async def tokens() -> list[float]:
        lim = Limiter(4, tpm=1000, clock=lambda: now[0], sleep=sleep)
        out = []
        for _ in range(3):
            async with lim:
                await lim._admit(400)
                out.append(now[0])
        return out

    assert asyncio.run(tokens()) == [0.0, 0.0, 60.0]


def test_prices_prefix_match_and_batch_discount(tmp_path: Path) -> None:
    f = tmp_path / "prices.toml"
    f.write_text('["my-model"]\ninput = 1.0\noutput = 2.0\n')
    p = load_prices(f)
    assert p.cost("my-model", 1_000_000, 500_000) == pytest.approx(2.0)
    assert p.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert p.cost("local", 10**6, 10**6) == 0.0
    assert load_prices(f, batch_api=True).cost("my-model", 10**6, 0) == pytest.approx(0.5)
    assert load_prices(model="x", price_in=3.0).cost("x", 10**6, 10**6) == pytest.approx(3.0)


def test_flatten_rows_per_field_item_exhibit() -> None:
    event = {
        "changes": [
            {
                "person": Field[str](
                    value="Jane Doe",
                    confidence=0.9,
                    method=Method.llm,
                    span=(120, 128),
                    quote="Jane Doe",
                    alignment="exact",
                ).model_dump(mode="json"),
                "position": Field[str](value="CFO", confidence=0.3, method=Method.llm).model_dump(
                    mode="json"
                ),
            }
        ]
    }
    item = Item(number="5.02", title="t", legacy=False, modern_equivalent="5.02", reported=True, heading="Item 5.02",
                span=(100, 200), text="x" * 100, event=event,
                llm=LLMCall(model="gpt-4o-mini", prompt_name="p", prompt_hash="h", tokens_in=50, tokens_out=7))  # fmt: skip
    rec = FilingRecord(
        source=Source(path="/x/f.htm", sha256="0", size_bytes=1, accession="0000320193-24-000005"),
        form_type=Field[str](value="8-K", confidence=1.0),
        items=[item],
    )
    fields, items, exhibits = flatten(rec)
    by = {(r["item"], r["field"]): r for r in fields}
    person = by[("5.02", "changes[0].person")]
    assert person["value"] == "Jane Doe" and person["grounded"] is True
    assert (person["span_start"], person["span_end"], person["model"]) == (120, 128, "gpt-4o-mini")
    pos = by[("5.02", "changes[0].position")]
    assert pos["grounded"] is False and pos["confidence"] == 0.3
    assert by[("form", "form_type")]["grounded"] is False  # no span
    assert by[("form", "form_type")]["value"] == "8-K"
    assert ("cover", "company_name") in by
    assert items[0]["filing"] == "0000320193-24-000005" and items[0]["tokens_in"] == 50
    assert exhibits == []
    json.dumps(fields)  # plain data
