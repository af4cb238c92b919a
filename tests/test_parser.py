"""The deterministic parser on real filings (copied from ../shared/corpus into tests/data/parser).

Expected values were read from the filings (the same values stand in the hand-made gold labels under
evals/gold). Each hard case of the parser issue has a test on a real filing; cases the corpus has no
example of ("Item 2. 02", "Items 2.02 and 9.01", "Item 2.02 -") use a real filing whose heading is
rewritten in the test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from extractor.parse import parse_bytes, parse_document, parse_file
from extractor.record import FilingRecord

DATA = Path(__file__).parent / "data" / "parser"
GOLD = Path(__file__).parent.parent / "evals" / "gold"


def parse(name: str) -> FilingRecord:
    return parse_file(DATA / name)


def items(rec: FilingRecord) -> list[tuple[str, bool]]:
    return [(i.number, i.reported) for i in rec.items]


def gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.json").read_text())


# -- formats and the whole record ---------------------------------------------------------------------


def test_seed_plain_text_converted_from_html() -> None:
    rec = parse("seed__000_bd0abfb8ce1b425c.txt")
    assert rec.status.value == "ok"
    assert rec.source.format.value == "text"
    c = rec.cover
    assert c.company_name.value == "ImmunoGen, Inc."
    assert c.date_of_report.value == dt.date(2008, 1, 31)
    assert c.state_of_incorporation.value == "Massachusetts"
    assert c.commission_file_number.value == "0-17999"
    assert c.irs_employer_id.value == "04-2726691"
    assert c.address.value == "128 Sidney Street, Cambridge, MA"
    assert c.zip_code.value == "02139"
    assert c.phone.value == "(617) 995-2500"
    # checkboxes printed as "0" and "o": all unchecked
    assert c.checkboxes is not None
    assert [
        f.value
        for f in (
            c.checkboxes.rule_425,
            c.checkboxes.rule_14a12,
            c.checkboxes.rule_14d2b,
            c.checkboxes.rule_13e4c,
        )
    ] == [False] * 4
    assert c.emerging_growth_company is None  # the 2008 form has no such box
    assert c.securities_12b is None
    assert items(rec) == [("2.02", True), ("9.01", True)]
    assert [(e.number.value, e.description.value) for e in rec.exhibits] == [
        ("99.1", "Press Release of ImmunoGen, Inc. dated January 31, 2008")
    ]
    assert [(s.name.value, s.title.value, s.date.value) for s in rec.signatures] == [
        ("Daniel M. Junius", "Executive Vice President and Chief Financial Officer", dt.date(2008, 1, 31))
    ]


def test_full_submission_takes_header_and_attachments() -> None:
    rec = parse("edgarcrawler__1001426_8K_2006_0001275287-06-004486.txt")
    assert rec.source.format.value == "sgml"
    assert rec.source.accession == "0001275287-06-004486"
    assert rec.source.cik == "1001426"
    types = [a.type for a in rec.source.attachments]
    assert types[0] == "8-K" and "EX-99.1" in types
    ex = {e.number.value: e for e in rec.exhibits}
    assert ex["99.1"].document is not None  # linked to the attached EX-99.1 document
    assert items(rec) == [("2.02", True), ("4.02", True), ("9.01", True)]
    # two signers sharing one "Date:" line
    assert [(s.name.value, s.date.value) for s in rec.signatures] == [
        ("Alex Hui", dt.date(2006, 8, 16)),
        ("Angela Chen", dt.date(2006, 8, 16)),
    ]


def test_every_span_quotes_the_normalized_text() -> None:
    for path in sorted(DATA.iterdir()):
        parsed = parse_document(path)
        text = parsed.text
        data = parsed.record.model_dump()

        def walk(node: object, text: str = text, path: Path = path) -> None:
            if isinstance(node, dict):
                if "span" in node and "quote" in node and node.get("span"):
                    s, e = node["span"]
                    assert text[s:e] == node["quote"], (path.name, node)
                for k, v in node.items():
                    if k != "attached":  # an attached exhibit's spans index its own text (test_structure)
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(data)
        for it in parsed.record.items:
            assert text[it.span[0] : it.span[1]] == it.text


def test_offset_map_points_back_into_the_source() -> None:
    parsed = parse_document(DATA / "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm")
    for it in parsed.record.items:
        s, e = parsed.source_span(*it.span)
        assert s < e
        # the HTML source of the heading, once tags and entities are removed, starts with the heading words
        raw = re.sub(r"<[^>]+>|&nbsp;|&#160;", " ", parsed.source_text[s : s + 400])
        assert re.sub(r"\s+", " ", raw).strip().startswith(f"Item {it.number}")


# -- items ----------------------------------------------------------------------------------------------


def test_item_headings_inside_table_cells() -> None:
    rec = parse("edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm")
    assert items(rec) == [("1.01", True), ("1.02", True), ("2.03", True), ("9.01", True)]
    assert rec.items[0].heading.startswith("Item 1.01 | Entry into a Material Definitive Agreement")


def test_heading_without_space_split_into_cells() -> None:
    # "Item5." and "Other Events." in separate cells, pre-2004 items
    rec = parse("edgarcrawler__1001426_8K_2002_0001012870-02-001163.txt")
    assert items(rec) == [("5", True), ("7", True)]
    assert rec.items[0].legacy and rec.items[0].modern_equivalent == "8.01"
    assert rec.items[1].title == "Financial Statements, Pro Forma Financial Information and Exhibits"


def test_pre_2004_items_and_exhibit_index_after_signature() -> None:
    rec = parse("coverparser__0000320193-96-000027_0000320193-96-000027.txt")
    assert items(rec) == [
        ("5", True),
        ("7", True),
    ]  # "Items 1 through 4, 6 and 8 Not Applicable." is no heading
    assert [i.modern_equivalent for i in rec.items] == ["8.01", "9.01"]
    item7 = rec.items[1]
    assert "SIGNATURE" not in item7.text and "INDEX TO EXHIBITS" not in item7.text
    assert item7.text.endswith("99.1 | Text of press release dated December 20, 1996.")  # no page number
    assert rec.sections.exhibit_index is not None and rec.sections.signatures is not None


def test_table_of_contents_is_not_a_report() -> None:
    rec = parse("edgarcrawler__1002517_8K_2007_0000950135-07-006316.htm")
    assert items(rec) == [("1.01", True), ("3.02", True), ("7.01", True), ("9.01", True)]
    assert rec.items[0].text.startswith(
        "ITEM 1.01 Entry into a Material Definitive Agreement\nOn October 18, 2007"
    )
    toc = parse("edgarcrawler__1001136_8K_2001_0000950124-01-503539.htm")
    assert items(toc) == [("2", True), ("3", True), ("5", True)]
    assert all(len(i.text) > 200 for i in toc.items)


def test_items_that_say_none_are_not_reported() -> None:
    rec = parse("coverparser__0000084581-00-500009_formacqui.htm")
    assert items(rec) == [
        ("1", False), ("2", False), ("3", False), ("4", False), ("5", True),
        ("6", False), ("7", False), ("8", False),
    ]  # fmt: skip


def test_hidden_unclosed_paragraphs_do_not_swallow_the_body() -> None:
    # page numbers in <P style="display: none"> without </P>
    rec = parse("edgarcrawler__1001907_8K_2010_0000950123-10-107880.htm")
    assert items(rec) == [("4.01", True), ("9.01", True)]
    assert "PMB Helin Donovan" in rec.items[0].text


def test_lee_corpus_record_without_cover() -> None:
    rec = parse("lee2014__AA-8K-20061122081447.txt")
    assert items(rec) == [("2.05", True), ("2.06", True), ("9.01", True)]
    assert rec.cover.company_name.value is None


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Item 2. 02 Results of Operations and Financial Condition", ["2.02"]),
        ("ITEM 2.02. RESULTS OF OPERATIONS AND FINANCIAL CONDITION", ["2.02"]),
        ("Item 2.02 - Results of Operations and Financial Condition", ["2.02"]),
        ("Items 2.02 and 9.01 Results of Operations; Financial Statements and Exhibits", ["2.02", "9.01"]),
        ("Item 2.02", ["2.02"]),
        ("Item 5. Other Events", ["5"]),
    ],
)
def test_heading_variants_on_a_real_filing(heading: str, expected: list[str]) -> None:
    raw = (DATA / "seed__000_bd0abfb8ce1b425c.txt").read_bytes()
    raw = raw.replace(b"ITEM 2.02 RESULTS OF OPERATION AND FINANCIAL CONDITION", heading.encode())
    rec = parse_bytes(raw, path="seed-variant.txt")
    numbers = [i.number for i in rec.items]
    assert numbers[: len(expected)] == expected
    assert rec.items[0].text.startswith(heading)


def test_cross_reference_at_line_start_is_not_a_heading() -> None:
    raw = (DATA / "seed__000_bd0abfb8ce1b425c.txt").read_bytes()
    raw = raw.replace(b"ITEM 9.01.", b"Item 1.01 above is incorporated by reference.\n\nITEM 9.01.")
    rec = parse_bytes(raw, path="seed-xref.txt")
    assert [i.number for i in rec.items] == ["2.02", "9.01"]


def test_item_spans_end_before_the_next_part() -> None:
    for path in sorted(DATA.iterdir()):
        parsed = parse_document(path)
        rec = parsed.record
        ends = [i.span[0] for i in rec.items[1:]]
        for k, it in enumerate(rec.items):
            assert re.match(r"^\W{0,4}I\s?tems?", it.text, re.I) or it.text.startswith("ITEM:"), (
                path.name,
                it.text[:30],
            )
            for boundary in [s for s in (rec.sections.signatures, rec.sections.exhibit_index) if s]:
                if boundary[0] > it.span[0]:
                    assert it.span[1] <= boundary[0], (path.name, it.number)
            if k < len(ends) and ends[k] > it.span[0]:
                assert it.span[1] <= ends[k]


# -- cover ------------------------------------------------------------------------------------------------


def test_two_dates_on_the_cover_take_the_earliest_event() -> None:
    rec = parse("coverparser__0000320193-96-000027_0000320193-96-000027.txt")
    assert rec.cover.date_of_report.value == dt.date(1996, 12, 20)
    assert "December 24, 1996" in rec.cover.date_of_report.quote  # the other date is kept in the quote
    rec = parse("edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm")
    assert rec.cover.date_of_report.value == dt.date(2016, 4, 15)
    assert rec.cover.date_of_report.quote == "April 19, 2016 (April 15, 2016)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rania__875045-000119312523198542_d454539d8k.htm", (False, True, False, False)),  # &#9746; / &#9744;
        ("edgarcrawler__1001039_8K_2017_0000950157-17-001598.htm", (True, False, False, False)),  # [x] / [ ]
        (
            "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm",
            (False, False, False, False),
        ),  # Wingdings ¨
        (
            "edgarcrawler__1002517_8K_2007_0000950135-07-006316.htm",
            (False, False, False, False),
        ),  # Wingdings o
        ("coverparser__0000092122-05-000042_yearend048k.txt", (False, False, False, False)),  # []
    ],
)
def test_checkbox_glyphs(name: str, expected: tuple[bool, ...]) -> None:
    cb = parse(name).cover.checkboxes
    assert cb is not None
    assert (cb.rule_425.value, cb.rule_14a12.value, cb.rule_14d2b.value, cb.rule_13e4c.value) == expected


def test_modern_cover_with_12b_table_and_egc() -> None:
    rec = parse("rania__875045-000119312523198542_d454539d8k.htm")
    c = rec.cover
    assert c.company_name.value == "BIOGEN INC."
    assert c.commission_file_number.value == "0-19311"
    assert c.irs_employer_id.value == "33-0112644"
    assert c.zip_code.value == "02142"
    assert c.emerging_growth_company is not None and c.emerging_growth_company.value is False
    assert c.securities_12b is not None
    assert [(s.title.value, s.trading_symbol.value, s.exchange.value) for s in c.securities_12b] == [
        ("Common Stock, $0.0005 par value", "BIIB", "The Nasdaq Global Select Market")
    ]


def test_combined_filing_lists_every_registrant() -> None:
    rec = parse("coverparser__0000092122-05-000042_yearend048k.txt")
    expected = gold("coverparser__0000092122-05-000042_yearend048k.txt")["cover"]
    assert [r.name.value for r in rec.cover.registrants] == expected["registrants"]
    assert rec.cover.company_name.value == "The Southern Company"
    assert rec.cover.commission_file_number.value == "1-3526"
    assert rec.cover.irs_employer_id.value == "58-0690070"
    assert rec.cover.state_of_incorporation.value == "Delaware"
    georgia = rec.cover.registrants[2]
    assert (georgia.commission_file_number.value, georgia.irs_employer_id.value) == ("1-6468", "58-0257110")
    assert [s.name.value for s in rec.signatures] == ["W. Dean Hudson", "Wayne Boston"]


def test_signature_slash_s_typed_name_and_title_rows() -> None:
    rec = parse("edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm")
    assert [(s.name.value, s.title.value, s.date.value) for s in rec.signatures] == [
        ("Daniel D. Tempesta", "Executive Vice President and Chief Financial Officer", dt.date(2016, 4, 19))
    ]


# -- encodings and bad input ------------------------------------------------------------------------------


def test_cp1252_bytes_entities_nbsp_soft_hyphen_and_curly_quotes() -> None:
    raw = (DATA / "seed__000_bd0abfb8ce1b425c.txt").read_bytes()
    raw = raw.replace(
        b"Registrant s telephone", b"Registrant\x92s tele\xadphone"
    )  # cp1252 quote, soft hyphen
    rec = parse_bytes(raw, path="seed-cp1252.txt", include_text=True)
    assert rec.source.encoding == "cp1252"
    assert "Registrant's telephone" in (rec.text or "")
    assert rec.cover.phone.value == "(617) 995-2500"
    html = (
        "<html><body><p>FORM 8-K</p><p>CURRENT REPORT</p>"
        "<p><b>Item&nbsp;8.01</b><b>&#160;Other&nbsp;Events.</b></p>"
        "<p>The company&#146;s board declared a &#8220;special&#8221; divi&shy;dend of $1.00 per share.</p>"
        "<p>SIGNATURES</p><p>/s/ Jane Roe</p><p>Chief Executive Officer</p><p>Date: May 1, 2020</p></body></html>"
    )
    rec = parse_bytes(html.encode("latin-1"), path="inline.htm", include_text=True)
    assert [i.number for i in rec.items] == ["8.01"]
    assert 'The company\'s board declared a "special" dividend of $1.00 per share.' in rec.items[0].text
    assert rec.signatures[0].name.value == "Jane Roe"


def test_bad_inputs_get_error_records(tmp_path: Path) -> None:
    cases: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.htm": b"   \n\n  ",
        "binary.bin": bytes(range(256)) * 64,
        "doc.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        "tenk.htm": b"<html><body><p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-K</p>"
        b"<p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p><p>Item 1. Business</p></body></html>",
        "page.html": b"<html><head><title>Recipes</title></head><body><h1>Lemon cake</h1><p>Mix and bake.</p></body></html>",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.write(b"FORM 8-K\n" + b"x" * (50 * 1024 * 1024))
    reasons = {}
    for path in sorted(tmp_path.iterdir()):
        rec = parse_file(path)
        assert rec.status.value == "error", path.name
        assert rec.errors and rec.errors[0].part == "input"
        reasons[path.name] = rec.errors[0].message
    assert reasons["empty.txt"].startswith("empty file")
    assert reasons["blank.htm"].startswith("empty file")
    assert reasons["binary.bin"].startswith("binary input")
    assert "PDF" in reasons["doc.pdf"]
    assert "10-K" in reasons["tenk.htm"]
    assert "does not look like a Form 8-K" in reasons["page.html"]
    assert "too large" in reasons["huge.txt"]
    assert parse_file(tmp_path / "missing.htm").errors[0].message.startswith("cannot read file")


def test_exhibit_document_is_not_an_8k() -> None:
    rec = parse("edgartools__BuckleInc.8-K.EX99.1.html")
    assert rec.status.value == "error"
    assert "EX-99.1" in rec.errors[0].message


def test_truncated_filing_still_gives_a_record() -> None:
    raw = (DATA / "edgarcrawler__1002517_8K_2016_0001193125-16-546593.htm").read_bytes()
    rec = parse_bytes(raw[: len(raw) * 3 // 4], path="truncated.htm")
    assert rec.status.value in ("ok", "partial")
    assert [i.number for i in rec.items][:2] == ["1.01", "1.02"]
    assert rec.cover.company_name.value == "NUANCE COMMUNICATIONS, INC."


def test_self_closing_empty_cells_leave_no_separator() -> None:
    # XHTML-style <td .../> spacer cells, as in NVIDIA's 2026 filing (edgartools__0001045810-26-000024.txt)
    html = (
        "<html><body><p>FORM 8-K</p><p>Item 5.02 Departure of Directors or Certain Officers</p><table>"
        '<tr><td>Named Executive Officer</td><td colspan="3" style="padding:0"/><td>Target Award</td></tr>'
        '<tr><td>Jen-Hsun Huang</td><td colspan="3"/><td>$4,000,000</td></tr></table></body></html>'
    )
    rec = parse_bytes(html.encode(), path="cells.htm", include_text=True)
    assert "Named Executive Officer | Target Award\nJen-Hsun Huang | $4,000,000" in (rec.text or "")
