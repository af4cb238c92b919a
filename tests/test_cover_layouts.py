"""Cover-page layout families found by the session-12 unseen set, each tested on corpus siblings (same
registrant, era and layout) with the values read in those filings."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.parse import parse_document, parse_file
from extractor.record import FilingRecord

DATA = Path(__file__).parent / "data" / "parser"


def parse(name: str) -> FilingRecord:
    return parse_file(DATA / name)


def cover_values(rec: FilingRecord) -> tuple[object, ...]:
    c = rec.cover
    return (
        c.state_of_incorporation.value,
        c.commission_file_number.value,
        c.irs_employer_id.value,
        c.address.value,
        c.zip_code.value,
        c.phone.value,
    )


# 2022 covers: "Nevada 000-29913 90-1133909" over its three captions, an address block of three lines
# with "Tel." and "Fax." lines under it and one combined "(Address and telephone number of registrant's
# principal executive offices and principal place of business)" caption; the page heading breaks
# "SECURITIES AND EXCHANGE" / "COMMISSION". In -22-024640 the whole block sits in one table cell of
# <div>s (a table used as a frame keeps its lines); in -22-000363 in rows of their own.
@pytest.mark.parametrize(
    "name",
    [
        "edgarcrawler__1005101_8K_2022_0001437749-22-024640.htm",
        "../structure/edgarcrawler__1005101_8K_2022_0001171200-22-000363.htm",  # already a fixture there
    ],
)
def test_address_and_telephone_caption_under_tel_and_fax_lines(name: str) -> None:
    parsed = parse_document(DATA / name)
    rec = parsed.record
    state, file_no, irs, address, zip_code, phone = cover_values(rec)
    assert (state, file_no, irs, zip_code, phone) == (
        "Nevada",
        "000-29913",
        "90-1133909",
        "92672",
        "(949) 429-5370",  # the "Tel." line, not the "Fax. (888) 312.0124" one under it
    )
    assert isinstance(address, str)
    assert address.replace(",", "") == "120 Calle Iglesia Unit B San Clemente CA"
    for f in (rec.cover.address, rec.cover.phone, rec.cover.commission_file_number):
        assert f.span is not None and parsed.text[f.span[0] : f.span[1]] == f.quote


def test_frame_table_keeps_its_lines_and_data_table_rows_stay_one_line() -> None:
    text = parse_document(DATA / "edgarcrawler__1005101_8K_2022_0001437749-22-024640.htm").text
    lines = text.splitlines()
    # a table of one <td> of <div>s: each block its own line
    assert "120 Calle Iglesia," in lines and "Unit B" in lines and "San Clemente, CA 92672" in lines
    # a row of three cells is still one line
    assert "Title of Each Class of Security | Trading Symbol | Name of Exchange on Which Registered" in lines


def test_title_going_on_with_and_on_the_next_line() -> None:
    rec = parse("edgarcrawler__1001907_8K_2004_0001193125-04-084786.htm")
    assert [(s.name.value, s.title.value) for s in rec.signatures] == [
        ("Brian K. Harrington", "Senior Vice President, Finance And Chief Financial Officer")
    ]


def securities(rec: FilingRecord) -> list[tuple[object, object, object]]:
    return [(s.title.value, s.trading_symbol.value, s.exchange.value) for s in rec.cover.securities_12b or []]


def test_12b_title_set_over_several_cells() -> None:
    # "Class A Common Stock" | "Par Value" | "$0.10" | "TSN" | "New York Stock Exchange" under a header of
    # three columns: the extra cells belong to the title
    rec = parse("edgarcrawler__100493_8K_2020_0000100493-20-000014.htm")
    assert securities(rec) == [("Class A Common Stock Par Value $0.10", "TSN", "New York Stock Exchange")]
    title = rec.cover.securities_12b[0].title  # type: ignore[index]
    assert title.quote == "Class A Common Stock | Par Value | $0.10"
    # the same cover asks and answers the EGC question on one line: "... of this chapter). Emerging growth
    # company ☐"
    egc = rec.cover.emerging_growth_company
    assert egc is not None and egc.value is False and egc.quote == "☐"


def test_12b_row_of_na_registers_nothing() -> None:
    rec = parse("edgarcrawler__1005101_8K_2022_0001171200-22-000059.htm")  # "NA | NA | NA"
    assert rec.cover.securities_12b == []


def test_12b_row_stacking_common_stock_and_notes() -> None:
    # one table row, each cell a stack of paragraphs: three titles, one symbol, three exchanges
    rec = parse_file(DATA.parent / "coverparser__0001193125-19-191922_d776427d8k.htm")
    assert securities(rec) == [
        ("Common Stock, par value $0.01 per share", "ORCL", "New York Stock Exchange"),
        ("2.25% senior notes due January 2021", None, "New York Stock Exchange"),
        ("3.125% senior notes due July 2025", None, "New York Stock Exchange"),
    ]


# Check boxes set in Wingdings, where the font prints a box for a letter: "x" is a box with an X (checked,
# Rule 425 in the 2018 filings on the Fox deal), "p" an empty bold square, "¨" an empty square.
@pytest.mark.parametrize(
    ("name", "expected", "glyphs"),
    [
        ("edgarcrawler__1001039_8K_2018_0001001039-18-000032.htm", (True, False, False, False), "☒☐☐☐"),
        ("edgarcrawler__1001039_8K_2016_0001001039-16-000528.htm", (False, False, False, False), "☐☐☐☐"),
    ],
)
def test_wingdings_letters_read_as_the_boxes_they_print(
    name: str, expected: tuple[bool, ...], glyphs: str
) -> None:
    parsed = parse_document(DATA / name)
    cb = parsed.record.cover.checkboxes
    assert cb is not None
    boxes = (cb.rule_425, cb.rule_14a12, cb.rule_14d2b, cb.rule_13e4c)
    assert tuple(b.value for b in boxes) == expected
    assert "".join(b.quote or "?" for b in boxes) == glyphs  # each read from its printed box
    for b in boxes:  # the box maps back to the letter (or the entity "&#168;") in the source
        assert b.span is not None
        s, _e = parsed.source_span(*b.span)
        assert parsed.source_text[s:].startswith(("x<", "p<", "&#168;"))
