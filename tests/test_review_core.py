"""Review core: finding and typing fields, the queue, decisions, apply_decisions, gold export."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from review_helpers import N, hostile_record, make_run, nuance_record

from extractor.eval.gold import load_gold
from extractor.events.tree import path_str
from extractor.record import FilingRecord, Method
from extractor.review.export import export_gold
from extractor.review.fields import EditError, iter_fields, parse_value, value_type
from extractor.review.queue import RunIndex
from extractor.store.decisions import DecisionStore, apply_decisions


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return make_run(tmp_path / "run", [nuance_record(), hostile_record()])


def test_iter_fields_finds_cover_event_exhibit_signature_fields() -> None:
    paths = [path_str(p) for p, _ in iter_fields(nuance_record())]
    assert "form_type" in paths
    assert "cover/date_of_report" in paths
    assert "items/0/event/counterparties/0" in paths
    assert "items/0/event/summary" in paths
    assert "exhibits/0/description" in paths
    assert "signatures/0/date" in paths
    assert not any(p.startswith("source") for p in paths)


def test_value_types_come_from_record_contract_and_event_schema() -> None:
    rec = nuance_record()
    assert value_type("cover/date_of_report", rec).tp is dt.date
    assert value_type("cover/phone", rec).tp is str
    assert value_type("signatures/0/date", rec).tp is dt.date
    assert value_type("items/0/event/agreement_date", rec).tp is dt.date
    assert value_type("items/0/event/counterparties/0", rec).tp is str
    assert value_type("items/0/event/counterparties/0", rec).nullable is False


def test_parse_value_validates_by_type() -> None:
    rec = nuance_record()
    date = value_type("cover/date_of_report", rec)
    assert parse_value("2011-07-08", date) == "2011-07-08"
    assert parse_value("  ", date) is None
    with pytest.raises(EditError, match="date"):
        parse_value("July 8, 2011", date)
    with pytest.raises(EditError, match="required"):
        parse_value("", value_type("items/0/event/counterparties/0", rec))
    assert (
        parse_value("  Credit   Suisse ", value_type("items/0/event/counterparties/0", rec))
        == "Credit Suisse"
    )


def test_parse_value_int_bool_literal() -> None:
    from typing import Literal

    from extractor.review.fields import ValueType

    assert parse_value("1,234,567", ValueType(int, True)) == 1234567
    with pytest.raises(EditError):
        parse_value("12.5", ValueType(int, True))
    assert parse_value("Yes", ValueType(bool, True)) is True
    assert parse_value("false", ValueType(bool, True)) is False
    outcome = ValueType(Literal["approved", "rejected", "other"], True)
    assert parse_value("approved", outcome) == "approved"
    with pytest.raises(EditError, match="approved"):
        parse_value("passed", outcome)


def test_queue_flags_and_orders_lowest_confidence_first(run: Path) -> None:
    index = RunIndex.load(run, threshold=0.7)
    nuance = [e for e in index.entries if e.rec == N]
    assert [e.path for e in nuance][:4] == [
        "items/0/event/summary",  # 0.0, failed
        "items/0/event/counterparties/0",  # 0.2
        "cover/irs_employer_id",  # 0.3
        "cover/state_of_incorporation",  # 0.4
    ]
    confs = [e.confidence for e in index.entries]
    assert confs == sorted(confs)
    by_path = {e.path: e for e in nuance}
    assert "cover/company_name" not in by_path  # 0.95: not flagged
    assert by_path["cover/address"].flags == ("ungrounded",)  # 0.8 but ungrounded
    assert by_path["items/0/event/summary"].flags == ("low", "failed", "empty")
    assert by_path["items/0/event/counterparties/0"].group == "Item 1.01"
    assert by_path["items/0/event/counterparties/0"].name == "counterparties[]"
    assert by_path["items/0/event/counterparties/0"].model == "qwen2.5-3b"
    assert {e.path for e in nuance} == {
        "items/0/event/summary",
        "items/0/event/counterparties/0",
        "cover/irs_employer_id",
        "cover/state_of_incorporation",
        "exhibits/0/description",
        "cover/date_of_report",
        "items/0/event/agreement_type",
        "cover/phone",
        "cover/address",
    }


def test_queue_filters(run: Path) -> None:
    index = RunIndex.load(run, threshold=0.7)
    assert {e.path for e in index.select(item="Item 1.01")} == {
        "items/0/event/summary",
        "items/0/event/counterparties/0",
        "items/0/event/agreement_type",
    }
    assert [e.path for e in index.select(flag="ungrounded")] == ["cover/address"]
    assert {e.rec for e in index.select(company="NUANCE COMMUNICATIONS, INC.")} == {N}
    done = {index.select(item="Item 1.01")[0].qid}
    assert len(index.select(item="Item 1.01", done=done, status="left")) == 2
    assert len(index.select(item="Item 1.01", done=done, status="done")) == 1


def test_decisions_are_saved_with_time_and_reviewer_and_undo_restores(run: Path) -> None:
    rec = nuance_record()
    sha, path = rec["source"]["sha256"], rec["source"]["path"]
    with DecisionStore(run) as store:
        first = store.record(
            sha256=sha,
            source_path=path,
            field_path="cover/irs_employer_id",
            action="accept",
            value="94-3156478",
            original=rec["cover"]["irs_employer_id"],
            reviewer="ann",
        )
        store.record(
            sha256=sha,
            source_path=path,
            field_path="cover/irs_employer_id",
            action="edit",
            value="94-3156479",
            original=rec["cover"]["irs_employer_id"],
            reviewer="ann",
        )
        current = store.current()
        assert current[(sha, path, "cover/irs_employer_id")].value == "94-3156479"
        undone = store.undo_last("ann")
        assert undone is not None and undone.action == "edit"
        assert store.current()[(sha, path, "cover/irs_employer_id")].id == first.id
        assert store.undo_last("bob") is None  # undo is per reviewer
    # another connection (another process) sees the committed rows, with time and reviewer
    rows = (
        sqlite3.connect(run / "review.sqlite")
        .execute("SELECT action, reviewer, decided_at, undone_at FROM decisions ORDER BY id")
        .fetchall()
    )
    assert [(r[0], r[1], r[3] is None) for r in rows] == [("accept", "ann", True), ("edit", "ann", False)]
    assert dt.datetime.fromisoformat(rows[0][2]).tzinfo is not None


def test_apply_decisions_makes_reviewed_values_human(run: Path) -> None:
    rec = nuance_record()
    sha, path = rec["source"]["sha256"], rec["source"]["path"]
    record = FilingRecord.model_validate(rec)
    assert apply_decisions(record, run) is record  # no review database yet
    with DecisionStore(run) as store:
        kw = {"sha256": sha, "source_path": path, "reviewer": "ann"}
        store.record(
            field_path="cover/irs_employer_id",
            action="edit",
            value="94-3156479",
            original=rec["cover"]["irs_employer_id"],
            **kw,
        )
        store.record(
            field_path="cover/address", action="reject", value="x", original=rec["cover"]["address"], **kw
        )
        store.record(
            field_path="items/0/event/counterparties/0",
            action="accept",
            value="Lenders",
            original=rec["items"][0]["event"]["counterparties"][0],
            **kw,
        )
        store.record(field_path="cover/no_such_field", action="accept", value=1, original={}, **kw)
    out = apply_decisions(record, run)
    irs = out.cover.irs_employer_id
    assert (irs.value, irs.method, irs.confidence, irs.span) == ("94-3156479", Method.human, 1.0, (439, 449))
    assert irs.quote == "94-3156479"  # the evidence stays where the reviewer read it
    assert irs.reasons[0] == "fuzzy match"
    assert irs.reasons[-1].startswith("reviewed: edit by ann at ") and irs.reasons[-1].endswith(
        '(was "94-3156478")'
    )
    addr = out.cover.address
    assert (addr.value, addr.method, addr.span, addr.quote) == (None, Method.human, None, None)
    cp = out.items[0].event["counterparties"][0]
    assert (cp["value"], cp["method"]) == ("Lenders", "human")
    assert out.cover.phone.method == Method.parser  # untouched
    # the input record is not modified
    assert record.cover.irs_employer_id.value == "94-3156478"


def test_apply_decisions_ignores_other_filings(run: Path) -> None:
    nuance, hostile = nuance_record(), hostile_record()
    with DecisionStore(run) as store:
        store.record(
            sha256=nuance["source"]["sha256"],
            source_path=nuance["source"]["path"],
            field_path="cover/phone",
            action="accept",
            value="(781) 565-5000",
            original=nuance["cover"]["phone"],
            reviewer="ann",
        )
    other = FilingRecord.model_validate(hostile)
    assert apply_decisions(other, run) is other


def _decide_all(run: Path, rec: dict, decisions: dict[str, tuple[str, object]]) -> None:
    from extractor.events.tree import get_at
    from extractor.review.fields import path_parts

    with DecisionStore(run) as store:
        for fpath, (action, value) in decisions.items():
            store.record(
                sha256=rec["source"]["sha256"],
                source_path=rec["source"]["path"],
                field_path=fpath,
                action=action,
                value=value,
                original=get_at(rec, path_parts(fpath)),
                reviewer="ann",
            )


def test_export_writes_only_reviewed_values_as_gold(run: Path, tmp_path: Path) -> None:
    rec = nuance_record()
    _decide_all(
        run,
        rec,
        {
            "cover/irs_employer_id": ("edit", "94-3156479"),
            "cover/date_of_report": ("accept", "2011-07-07"),
            "cover/address": ("reject", None),
            # the whole 1.01 event: exported as one
            "items/0/event/agreement_type": ("accept", "credit agreement"),
            "items/0/event/counterparties/0": ("edit", "Lenders under the credit agreement"),
            "items/0/event/agreement_date": ("accept", "2011-07-07"),
            "items/0/event/summary": ("edit", "Nuance amended and restated its credit agreement."),
            # one of the two exhibit fields: exhibits are not exported (gold lists must be complete)
            "exhibits/0/description": ("accept", "Amendment Agreement"),
        },
    )
    out = tmp_path / "gold"
    report = export_gold(run, out)
    assert report.reviewed_filings == 1 and not report.invalid
    target = out / "edgarcrawler__1002517_8K_2011_0000950123-11-065257.htm.json"
    assert report.written == [target]
    data = json.loads(target.read_text())
    assert data["cover"] == {"irs_employer_id": "94-3156479", "date_of_report": "2011-07-07", "address": None}
    assert "exhibits" not in data and "items" not in data and "form_type" not in data
    assert data["events"] == {
        "1.01": {
            "agreement_type": "credit agreement",
            "counterparties": ["Lenders under the credit agreement"],
            "agreement_date": "2011-07-07",
            "summary": "Nuance amended and restated its credit agreement.",
        }
    }
    assert data["labeler"] == "review: ann"
    gold = load_gold(target)  # valid against the gold model
    assert gold.cover.labeled() == {
        "irs_employer_id": "94-3156479",
        "date_of_report": dt.date(2011, 7, 7),
        "address": None,
    }


def test_export_keeps_existing_gold_unless_asked(run: Path, tmp_path: Path) -> None:
    rec = nuance_record()
    _decide_all(run, rec, {"cover/phone": ("accept", "(781) 565-5000")})
    out = tmp_path / "gold"
    out.mkdir()
    target = out / "edgarcrawler__1002517_8K_2011_0000950123-11-065257.htm.json"
    target.write_text(
        json.dumps({"file": target.name[:-5], "labeler": "hand", "cover": {"zip_code": "01803"}})
    )
    report = export_gold(run, out)
    assert report.skipped_existing == [target] and report.written == []
    report = export_gold(run, out, merge=True)
    assert report.written == [target]
    data = json.loads(target.read_text())
    assert data["cover"] == {"zip_code": "01803", "phone": "(781) 565-5000"}
    assert data["labeler"] == "hand + review: ann"
