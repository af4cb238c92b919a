"""Metamorphic robustness on a sample (the whole corpus: benchmarks/robustness.py), and the cover
families it found: filings re-rendered by real HTML-to-text converters, hard-wrapped, upper-cased or
stripped of their SEC header must give the original's record; rules of dashes are never a name; a
date, a caption or a name broken across lines is read whole; covers without captions are read with
low confidence. Filings are copied from ../shared/corpus/raw and evals/gold-extra/raw into tests/data/robustness (one
HTML filing is the one tests/data already holds)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from robustness_helpers import DATA
from robustness_helpers import variants as _variants

from extractor import resegment
from extractor.eval import robustness as rb
from extractor.ingest import read_filing
from extractor.normalize import text_to_text
from extractor.parse import parse_bytes, parse_file


@pytest.mark.parametrize(
    ("name", "transforms"),
    [
        ("edgarcrawler__1000695_8K_2001_0000950117-01-501415.txt", {"upper", "no-header"}),
        ("coverparser__0001193125-19-191922_d776427d8k.htm", {"inscriptis", "lxml", "bs4", "upper"}),
        ("seed__000_bd0abfb8ce1b425c.txt", {"wrap-words", "wrap-chars", "upper"}),
    ],
)
def test_variants_agree_with_the_original(name: str, transforms: set[str]) -> None:
    results = _variants(name, transforms)
    assert set(results) == transforms  # every variant was made (the converters are in the dev extra)
    disagree = {t: [f for f, ok in r.items() if not ok] for t, r in results.items()}
    assert disagree == {t: [] for t in transforms}


@pytest.mark.skipif(shutil.which("w3m") is None, reason="w3m is not installed (scripts/test installs it)")
def test_w3m_dump_agrees_with_the_original() -> None:
    results = _variants("coverparser__0001193125-19-191922_d776427d8k.htm", {"w3m"})
    assert all(results["w3m"].values())


def test_agreement_fails_on_a_different_filing() -> None:
    ref = rb.reference(parse_file(DATA / "seed__000_bd0abfb8ce1b425c.txt"))
    other = parse_file(DATA / "edgarcrawler__1000695_8K_2001_0000950117-01-501415.txt")
    result = rb.agreement(ref, other)
    assert not result["company_name"] and not result["date_of_report"] and not result["items"]
    assert result["form_type"]  # both are 8-Ks


def test_transforms() -> None:
    text = "Date of Report (Date of earliest event reported): June 28, 1999\nACME HOLDINGS CORP."
    assert rb.wrap_words(text, 40).split("\n")[:2] == [
        "Date of Report (Date of earliest event",
        "reported): June 28, 1999",
    ]
    assert rb.wrap_chars(text, 40).split("\n")[0] == text[:40]
    assert "\n" not in rb.flatten(text)
    assert rb.upper("<p style='x'>Acme &amp; Co</p>", html=True) == "<p style='x'>ACME &amp; CO</p>"
    assert rb.strip_header("<SEC-HEADER>\nA: b\n</SEC-HEADER>\n<DOCUMENT>x") == "<DOCUMENT>x"
    assert rb.strip_header("<DOCUMENT>x") is None
    assert 40 <= rb.wrap_width("any name") <= 80


# -- cover families (real filings) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("edgarcrawler__1002022_8K_2000_0000914260-00-000030.txt", dt.date(2000, 5, 22)),
        # "October 3, 2000" then "(September 21, 2000)" on the next line
        ("edgarcrawler__1002022_8K_2000_0000912057-00-043726.txt", dt.date(2000, 9, 21)),
        # "August  28,2000  (August 25," / "2000)": the earliest event's date broken across lines
        ("edgarcrawler__1002022_8K_2000_0000914260-00-000057.txt", dt.date(2000, 8, 25)),
    ],
)
def test_dash_rules_are_never_the_name_and_split_dates_are_read(name: str, date: dt.date) -> None:
    rec = parse_file(DATA / name)
    assert rec.cover.company_name.value == "INNOVATIVE CLINICAL SOLUTIONS, LTD."
    assert rec.cover.date_of_report.value == date
    assert rec.signatures[0].date.value != date  # the signature's date is another one


def test_cover_without_captions_reads_name_and_date_with_low_confidence() -> None:
    rec = parse_file(DATA / "edgarcrawler__109446_8K_1994_0000109446-94-000005.txt")
    assert rec.cover.company_name.value == "ZURN INDUSTRIES, INC."
    assert rec.cover.date_of_report.value == dt.date(1994, 3, 22)
    assert rec.cover.company_name.confidence <= 0.6 and rec.cover.date_of_report.confidence <= 0.6
    rec = parse_file(DATA / "coverparser__0001104540-02-000064_0001104540-02-000064.txt")
    assert rec.cover.company_name.value == "OASIS ENTERTAINMENT'S FOURTH MOVIE PROJECT, INC."


def test_converter_output_with_broken_lines() -> None:
    # BeautifulSoup get_text(): "SanDisk" / "Corporation", "(State" / "or other jurisdiction" / ...
    rec = parse_file(DATA / "converted-bs4__1000180_8K_2010_0001000180-10-000003.txt")
    assert rec.cover.company_name.value == "SanDisk Corporation"
    assert rec.cover.state_of_incorporation.value == "Delaware"
    assert rec.cover.date_of_report.value == dt.date(2010, 1, 28)
    assert [i.number for i in rec.items] == ["2.02", "9.01"]
    assert rec.cover.company_name.confidence <= 0.8  # an unfamiliar layout: not 0.9
    assert any("broken across lines" in r for r in rec.cover.date_of_report.reasons)
    # lxml text_content(): values on three lines, then their three captions ("Date" / "of Report")
    rec = parse_file(DATA / "converted-lxml__1000180_8K_2010_0000950123-10-078896.txt")
    assert rec.cover.state_of_incorporation.value == "Delaware"
    assert rec.cover.commission_file_number.value == "000-26734"
    assert rec.cover.date_of_report.value == dt.date(2010, 8, 18)
    # w3m: the logo's alt text "[sndk]" above the name is not part of it
    rec = parse_file(DATA / "converted-w3m__1000180_8K_2011_0001000180-11-000026.txt")
    assert rec.cover.company_name.value == "SanDisk Corporation"


# -- text without line structure, converter forms (extractor/resegment.py) -----------------------------

_CORE = ("company_name", "date_of_report", "items", "exhibits", "signatures")


@pytest.mark.parametrize(
    ("name", "transforms", "fields"),
    [
        # one line per document: flattened (HTML: its inscriptis text); lxml / bs4 text of HTML written without line breaks (words
        # glued: "Description99.1Press release ...", "/s/ Luca MaestriLuca Maestri"); Markdown tables
        ("coverparser__0000320193-24-000005_aapl-20240201.htm", {"inscriptis", "flat", "html2text"}, _CORE),
        ("coverparser__0000320193-24-000005_aapl-20240201.htm", {"lxml", "bs4"}, _CORE[:3] + _CORE[4:]),
        ("seed__000_bd0abfb8ce1b425c.txt", {"flat"}, _CORE),
        # lxml: "... Exhibit 10.1.    Item 9.01. Financial Statements ..." on one line
        ("edgarcrawler__1001426_8K_2005_0001193125-05-012979.htm", {"lxml", "bs4", "html2text"}, _CORE[1:]),
        # lxml: "Item" / "12. Results of Operations and"; "... 255,697,265Item 8.01 Other EventsOn March 9"
        ("coverparser__0001104659-04-019574_a04-7804_18k.htm", {"lxml", "bs4"}, ("items", "date_of_report")),
        (
            "edgarcrawler__1001039_8K_2018_0001001039-18-000048.htm",
            {"lxml", "bs4"},
            ("items", "date_of_report"),
        ),
    ],
)
def test_text_without_line_structure_and_markdown_agree(
    name: str, transforms: set[str], fields: tuple[str, ...]
) -> None:
    results = _variants(name, transforms)
    assert set(results) == transforms
    disagree = {t: [f for f in fields if not r[f]] for t, r in results.items()}
    assert disagree == {t: [] for t in transforms}


def test_a_flattened_filing_is_read_with_lower_confidence() -> None:
    # a real record whose whole cover, items and signatures sit in a few very long lines
    rec = parse_file(DATA / "lee2014__AAN-8K-20060222180159.txt")
    assert rec.cover.company_name.value == "AARON RENTS, INC."  # the dashes around it are rules
    assert rec.cover.state_of_incorporation.value == "Georgia"
    assert rec.cover.commission_file_number.value == "1-13941"
    assert rec.cover.date_of_report.value == dt.date(2006, 2, 22)
    assert [i.number for i in rec.items] == ["2.02", "9.01"]
    assert [e.number.value for e in rec.exhibits] == ["99.1"]
    assert [(s.name.value, s.date.value if s.date else None) for s in rec.signatures] == [
        ("Gilbert L. Danielson", dt.date(2006, 2, 22))
    ]
    assert rec.cover.company_name.confidence <= 0.8
    assert rec.signatures[0].name.confidence <= 0.8
    assert any("line structure" in r for r in rec.signatures[0].name.reasons)


def test_resegmented_offsets_point_into_the_source() -> None:
    raw = read_filing(DATA / "coverparser__0000320193-24-000005_aapl-20240201.htm")
    for source in (
        rb.flatten(rb.inscriptis_text(raw.body)),
        rb.lxml_text(raw.body),
        rb.html2text_text(raw.body),
    ):
        text, offsets = text_to_text(source)
        assert offsets.resegmented
        words = list(re.finditer(r"[A-Za-z]{4,}", text))
        assert len(words) > 200
        for w in words:
            s = offsets.to_source(w.start())
            assert source[s : s + len(w.group())] == w.group()


def test_text_with_line_structure_is_left_alone() -> None:
    raw = read_filing(DATA / "seed__000_bd0abfb8ce1b425c.txt")
    text, offsets = text_to_text(raw.text, raw.body_start, raw.body_end)
    assert not offsets.resegmented and not resegment.flat(text)
    assert resegment.resegment(text, offsets) == (text, offsets)
    flat_text, flat_offsets = text_to_text(rb.flatten(raw.body))
    assert flat_offsets.resegmented and flat_text.count("\n") > 10


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        # "California   001-36743" / "94-2404110" above the captions: the state is a line higher
        ("coverparser__0000320193-24-000005_aapl-20240201.htm", ("state_of_incorporation", "date_of_report")),
        # "...reported): July 3," / "2019"; "Press Release - Oracle Names Rona" / "Fairhead to the Board"
        ("coverparser__0001193125-19-191922_d776427d8k.htm", ("date_of_report", "exhibits")),
        # "Date of Report: October" / "23, 2001"; "Press" / "Release Issued October 23, 2001"
        ("edgarcrawler__1000695_8K_2001_0000950117-01-501415.txt", ("date_of_report", "exhibits")),
    ],
)
def test_hard_wrapped_covers_and_exhibit_lists(name: str, fields: tuple[str, ...]) -> None:
    result = _variants(name, {"inscriptis", "wrap-words"})["wrap-words"]  # HTML: its inscriptis text, wrapped
    assert {f: result[f] for f in fields} == dict.fromkeys(fields, True)


def test_a_date_broken_across_lines_is_read_with_lower_confidence() -> None:
    text = "FORM 8-K\n\nDate of Report (Date of earliest event reported): July 3,\n2019\n\nACME CORP.\n"
    rec = parse_bytes(text.encode(), path="wrapped.txt")
    assert rec.cover.date_of_report.value == dt.date(2019, 7, 3)
    assert rec.cover.date_of_report.confidence <= 0.8
    assert any("broken across lines" in r for r in rec.cover.date_of_report.reasons)
