"""Scorers on hand-made cases: matching rules, nulls, tolerances, set matching with duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

from extractor.eval.score import (
    assign,
    match_sets,
    norm_exhibit_number,
    pair_exhibit_number,
    pair_item,
    pair_name,
    parse_amount,
    prf,
    score_amount,
    score_bool,
    score_date,
    score_enum,
    score_fuzzy,
    score_id,
    score_int,
    score_value,
)


def test_nulls_follow_the_labeling_convention():
    assert score_date(None, None).correct
    assert score_date(None, None).reason == "both null"
    spurious = score_date(None, dt.date(2019, 3, 1))
    assert not spurious.correct and "spurious" in spurious.reason
    missing = score_fuzzy("Apple Inc.", None)
    assert not missing.correct and missing.reason.startswith("missing")
    # an empty string is no value
    assert score_fuzzy(None, "  ").correct


def test_dates_exact_after_parsing():
    assert score_date(dt.date(2019, 3, 1), "2019-03-01").correct
    assert score_date("2019-03-01", "March 1, 2019").correct
    assert score_date("2000-09-22", "Sept. 22, 2000").correct
    wrong = score_date("2019-03-01", "2019-03-04")
    assert not wrong.correct and wrong.reason == "date 2019-03-04 != gold 2019-03-01"
    assert not score_date("2019-03-01", "sometime in March").correct


def test_commission_file_number_ignores_leading_zeros_per_group():
    assert score_id("001-36743", "1-36743", id_kind="file_number").correct
    assert score_id("0-17999", "000-17999", id_kind="file_number").correct
    assert not score_id("1-3526", "1-3525", id_kind="file_number").correct


def test_phone_irs_zip_compare_digits():
    assert score_id("(617) 995-2500", "617-995-2500", id_kind="phone").correct
    assert score_id("(617) 995-2500", "+1 617 995 2500", id_kind="phone").correct
    assert not score_id("(617) 995-2500", "(617) 995-2501", id_kind="phone").correct
    assert score_id("04-2726691", "042726691", id_kind="irs").correct
    assert score_id("95014", "95014-2083", id_kind="zip").correct
    assert not score_id("95014-2083", "95014-2084", id_kind="zip").correct
    assert not score_id("02139", "02138", id_kind="zip").correct


def test_enum_and_bool():
    assert score_enum("m&a_announcement", "M&A announcement").correct
    assert score_enum("8-K/A", "8-k/a").correct
    assert not score_enum("8-K", "8-K/A").correct
    assert score_bool(False, False).correct
    assert not score_bool(False, True).correct
    assert score_bool(True, "yes").correct
    assert not score_bool(None, False).correct  # the form has no box: a value is spurious


def test_numbers_and_amounts_with_stated_tolerance():
    assert score_int(2664386155, "2,664,386,155").correct
    assert not score_int(2664386155, 2664386154).correct
    assert parse_amount("$400 million") == 400_000_000
    assert parse_amount("$1.25 billion") == 1_250_000_000
    assert score_amount("$400 million", "$400,000,000").correct
    assert score_amount("$400 million", "$401.9 million").correct  # within 0.5%
    assert not score_amount("$400 million", "$403 million").correct
    # not numeric on one side: falls back to fuzzy text
    m = score_amount("an undisclosed amount", "an undisclosed amount")
    assert m.correct and "not both numeric" in m.reason


def test_fuzzy_names_titles_with_thresholds():
    assert score_fuzzy("WAL-MART STORES, INC.", "Wal-Mart Stores, Inc.").correct
    assert score_fuzzy("Paul R. Carter", "/s/ Paul R. Carter").correct
    assert not score_fuzzy("Apple Inc.", "Alphabet Inc.").correct
    m = score_fuzzy(
        "Senior Vice President, General Counsel and Secretary",
        "Senior Vice President & General Counsel",
        kind="title",
    )
    assert not m.correct and "0." in m.reason
    assert score_value(
        "address", "128 Sidney Street, Cambridge, MA", "128 Sidney Street Cambridge MA"
    ).correct


def test_prf_edge_cases():
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)  # empty gold, empty prediction
    assert prf(0, 2, 0) == (0.0, 0.0, 0.0)  # empty gold, spurious predictions
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)  # nothing predicted: precision counts as 0
    p, r, f = prf(3, 1, 2)
    assert (p, r) == (0.75, 0.6)
    assert f == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_assignment_is_optimal_not_greedy():
    # greedy takes (0, 0) and leaves row 1 unmatched; the optimum pairs both rows
    assert assign([[0.9, 0.8], [0.85, 0.0]]) == [(0, 1), (1, 0)]
    assert assign([]) == []
    assert assign([[0.0, 0.0]]) == []  # zero weight = not allowed
    assert assign([[0.5], [0.7], [0.6]]) == [(1, 0)]


def test_items_match_on_number_and_reported():
    gold = [("2.02", True), ("9.01", True), ("5.02", False)]
    pred = [("9.01", True), ("2.02", True), ("5.02", True), ("8.01", True)]
    sm = match_sets(gold, pred, pair_item)
    assert (sm.tp, sm.fp, sm.fn) == (2, 2, 1)
    assert "missed ('5.02', False)" in sm.reason


def test_empty_gold_list():
    sm = match_sets([], [], pair_item)
    assert (sm.tp, sm.fp, sm.fn, sm.f1) == (0, 0, 0, 1.0)
    sm = match_sets([], ["99.1"], pair_exhibit_number)
    assert (sm.tp, sm.fp, sm.fn, sm.f1) == (0, 1, 0, 0.0)


def test_duplicates_need_one_prediction_each():
    gold = ["Melissa K. Caen", "Melissa K. Caen"]
    sm = match_sets(gold, ["Melissa K. Caen"], pair_name)
    assert (sm.tp, sm.fp, sm.fn) == (1, 0, 1)
    sm = match_sets(gold, ["MELISSA K. CAEN", "Melissa K Caen"], pair_name)
    assert (sm.tp, sm.fp, sm.fn) == (2, 0, 0)


def test_exhibit_numbers_normalized():
    assert norm_exhibit_number("EX-99.1") == "99.1"
    assert norm_exhibit_number("Exhibit 99.01") == "99.1"
    assert norm_exhibit_number("99") == "99"
    assert norm_exhibit_number("3(i)") == "3(i)"
    assert pair_exhibit_number("10.2", "10.20").correct is False  # 10.20 is a different exhibit from 10.2
    sm = match_sets(["99.1", "99.2"], ["EX-99.2", "99.1", "99.3"], pair_exhibit_number)
    assert (sm.tp, sm.fp, sm.fn) == (2, 1, 0)


def test_names_ignore_legal_forms_but_not_other_words():
    assert score_fuzzy("Apple Inc.", "Apple").correct
    assert score_fuzzy("The Southern Company", "Southern Co.").correct
    assert score_fuzzy("Wells Fargo Bank, N.A.", "Wells Fargo Bank").correct
    assert not score_fuzzy("Barclays Bank plc", "Barclays").correct  # "Bank" is part of the name
    assert not score_fuzzy("Inc.", "Corp.").correct  # nothing but legal forms: compared as printed
