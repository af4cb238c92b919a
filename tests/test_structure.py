"""Declared vs found items, exhibit links, item boundaries and amendments on real dev filings (copied into
tests/data/structure and tests/data/parser). Expected values were read from the filings.

The corpus holds no 8-K/A: the amendment tests rewrite a real 8-K into one (its <TYPE>, its form name and
an explanatory sentence naming the original), as the parser tests do for headings the corpus lacks.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractor.amendments import amended_view, read_amendment
from extractor.cli import main
from extractor.eval import structure
from extractor.parse import parse_bytes, parse_document, parse_file
from extractor.sections import boundaries as bnd
from extractor.sections.reconcile import header_number, sentences

DATA = Path(__file__).parent / "data" / "structure"
PARSER = Path(__file__).parent / "data" / "parser"
EVALS = Path(__file__).parent.parent / "evals"


def item(parsed, number):  # type: ignore[no-untyped-def]
    return next(i for i in parsed.record.items if i.number == number)


# --- 1. declared vs found items -------------------------------------------------------------------------


def test_officer_resignation_told_under_8_01_suggests_5_02() -> None:
    parsed = parse_document(DATA / "edgarcrawler__1005101_8K_2022_0001171200-22-000363.htm")
    rec = parsed.record
    assert rec.reconciliation is not None and rec.reconciliation.declared == ["8.01"]
    [s] = rec.reconciliation.suggested
    assert (s.number, s.found_in, s.rule) == ("5.02", "8.01", "officer or director departure")
    assert s.quote.startswith("On November 21, 2022, Chad Butler, tendered his resignation as the president")
    assert parsed.text[s.span[0] : s.span[1]] == s.quote
    assert 0.7 <= s.confidence <= 0.9


def test_ceo_change_furnished_under_7_01_suggests_5_02() -> None:
    rec = parse_file(DATA / "edgarcrawler__100493_8K_2020_0000100493-20-000102.htm")
    assert rec.reconciliation is not None
    assert [(s.number, s.found_in) for s in rec.reconciliation.suggested] == [("5.02", "7.01")]
    assert (
        "Noel White will be stepping down as Chief Executive Officer" in rec.reconciliation.suggested[0].quote
    )


def test_a_declared_item_is_never_suggested() -> None:
    # 8.01 tells of a board appointment and a resignation, but the filing declares 5.02 itself
    rec = parse_file(DATA / "edgarcrawler__108516_8K_2023_0000950170-23-000234.htm")
    assert rec.reconciliation is not None and "5.02" in rec.reconciliation.declared
    assert rec.reconciliation.suggested == []


def test_conditional_closing_language_suggests_nothing() -> None:
    # "satisfies one of the conditions to the closing of the Merger": no completed acquisition (2.01)
    rec = parse_file(DATA / "edgarcrawler__1002517_8K_2021_0001193125-21-182121.htm")
    assert rec.reconciliation is not None and rec.reconciliation.suggested == []


def test_sentences_do_not_end_at_abbreviations_or_decimals() -> None:
    text = "Mr. Roe joined Acme Inc. on May 1. It borrowed $2.25 billion.\n\nNext part"
    assert [text[s:e] for s, e in sentences(text, 0, len(text))] == [
        "Mr. Roe joined Acme Inc. on May 1.",
        "It borrowed $2.25 billion.",
        "Next part",
    ]


def test_header_item_information_compared_with_the_body() -> None:
    # 1996: the header names "Changes in control of registrant" (Item 1 = 5.01); the body reports Item 5
    rec = parse_file(DATA / "edgarcrawler__1004963_8K_1996_0001004963-96-000018.txt")
    h = rec.reconciliation.header if rec.reconciliation else None
    assert h is not None
    assert (h.printed, h.numbers) == (["Changes in control of registrant"], ["5.01"])
    assert (h.only_in_header, h.only_in_body) == (["5.01"], ["8.01"])
    # Apple 1996: the header lists only "Financial statements and exhibits"; the body also has Item 5
    apple = parse_file(PARSER / "coverparser__0000320193-96-000027_0000320193-96-000027.txt")
    assert apple.reconciliation is not None and apple.reconciliation.header is not None
    assert apple.reconciliation.header.only_in_body == ["8.01"]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("Other events", "8.01"),
        ("Acquisition or disposition of assets", "2.01"),
        ("Departure of Directors or Principal Officers; Election of Directors; Appointment of Principal Officers",
         "5.02"),
        ("7", "9.01"),
        ("2.02", "2.02"),
        ("Something else entirely", None),
    ],
)  # fmt: skip
def test_header_titles_map_to_modern_items(value: str, number: str | None) -> None:
    assert header_number(value) == number


# --- 2. exhibits linked ------------------------------------------------------------------------------


def test_exhibits_linked_to_documents_items_and_press_release() -> None:
    rec = parse_file(DATA / "edgarcrawler__1001258_8K_2005_0001125282-05-001175.txt")
    ex = {str(e.number.value): e for e in rec.exhibits}
    release = ex["99.1"]
    assert release.link is not None
    assert (release.link.sequence, release.link.type, release.link.filename) == (
        "2",
        "EX-99.1",
        "b405240ex99_1.txt",
    )
    assert release.link.confidence == 0.95
    assert [c.item for c in release.cited_by] == ["7.01", "8.01"]
    assert all(c.span is not None and c.confidence == 0.9 for c in release.cited_by)
    assert release.attached is not None and release.attached.text is None  # text only when asked for
    assert release.attached.headline is not None
    assert release.attached.headline.value == "ASTA FUNDING ANNOUNCES ACQUISITION OF OPTION CARD, LLC"
    # the dateline prints no year ("Monday March 7, 8:31 am ET"): the year of the date of report
    assert release.attached.date is not None and release.attached.date.value == dt.date(2005, 3, 7)
    transcript = ex["99.2"]
    assert transcript.link is not None and transcript.link.sequence == "3"


def test_uncited_exhibit_goes_to_the_item_its_number_serves() -> None:
    rec = parse_file(PARSER / "coverparser__0000320193-96-000027_0000320193-96-000027.txt")
    [release] = rec.exhibits
    assert [(c.item, c.confidence) for c in release.cited_by] == [("5", 0.5)]
    assert release.cited_by[0].reason.startswith("by convention")
    assert release.attached is not None and release.attached.date is not None
    assert release.attached.date.value == dt.date(1996, 12, 20)
    assert release.attached.headline is not None
    assert release.attached.headline.value == "Apple Computer, Inc. Agrees to Acquire NeXT Software Inc."


def test_include_exhibits_keeps_texts_that_their_spans_index(tmp_path: Path) -> None:
    rec = parse_file(DATA / "edgarcrawler__1001258_8K_2005_0001125282-05-001175.txt", include_exhibits=True)
    release = next(e for e in rec.exhibits if e.number.value == "99.1")
    att = release.attached
    assert att is not None and att.text is not None and len(att.text) == att.text_length
    for f in (att.headline, att.date):
        assert f is not None and f.span is not None and att.text[f.span[0] : f.span[1]] == f.quote
    out = tmp_path / "r.jsonl"
    src = str(DATA / "edgarcrawler__1001258_8K_2005_0001125282-05-001175.txt")
    assert main(["parse", src, "--include-exhibits", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["exhibits"][0]["attached"]["text"].startswith("EXHIBIT 99.1")


# --- 3. section boundaries ------------------------------------------------------------------------------


def test_item_that_swallows_the_signature_block_is_flagged() -> None:
    # no SIGNATURES heading: the signature statement sits inside Item 7, before the exhibit index
    parsed = parse_document(PARSER / "edgarcrawler__1001426_8K_2002_0001012870-02-001163.txt")
    b = item(parsed, "7").boundary
    assert b is not None
    assert (b.end_reason, b.flags, b.confidence) == ("exhibit_index", ["contains_signature_block"], 0.3)
    assert item(parsed, "5").boundary == bnd.Boundary(
        end_reason="next_heading", confidence=0.95, flags=[], reasons=["ends at the next heading"]
    )


def test_item_cut_at_a_sub_heading_is_flagged() -> None:
    parsed = parse_document(DATA / "edgarcrawler__1002517_8K_2021_0001193125-21-182121.htm")
    it = item(parsed, "8.01")
    assert it.boundary is not None and it.boundary.flags == []
    text = parsed.text
    sub = text.index("\nAdditional Information and Where to Find It", it.span[0]) + 1
    heading_end = it.span[0] + len(it.heading)
    after = item(parsed, "9.01").span[0]
    cut = bnd.assess(text, heading_end, sub, "section_banner", after)
    assert cut.flags == ["orphan_text_after"] and cut.confidence == 0.4


def test_item_ending_mid_sentence_is_flagged() -> None:
    parsed = parse_document(DATA / "edgarcrawler__1002517_8K_2021_0001193125-21-182121.htm")
    it = item(parsed, "8.01")
    text = parsed.text
    cut = text.index("satisfies one of the conditions to the", it.span[0]) + len(
        "satisfies one of the conditions to the"
    )
    b = bnd.assess(text, it.span[0] + len(it.heading), cut, "next_heading", cut)
    assert b.flags == ["ends_mid_sentence"] and b.confidence == 0.6


def test_item_end_reasons() -> None:
    assert bnd.item_end(10, 200, 150, None, [], 500) == (150, "signature_block")
    assert bnd.item_end(10, None, None, 120, [], 500) == (120, "exhibit_index")
    assert bnd.item_end(10, 200, None, None, [90], 500) == (90, "section_banner")
    assert bnd.item_end(10, None, None, None, [], 500) == (500, "end_of_document")


# --- 4. amendments ---------------------------------------------------------------------------------------


def _as_amendment(raw: bytes) -> bytes:
    """A real 8-K rewritten into its own 8-K/A (the corpus has none): <TYPE>, form name, explanatory note."""
    note = (
        b"EXPLANATORY NOTE\n\nThis Amendment No. 1 amends the Current Report on Form 8-K filed on\n"
        b"March 8, 2005 to restate Item 8.01 (accession number 0001125282-05-001175).\n\n"
    )
    out = raw.replace(b"<TYPE>8-K", b"<TYPE>8-K/A", 1).replace(b"FORM 8-K", b"FORM 8-K/A", 1)
    return out.replace(b"ITEM 7.01", note + b"ITEM 7.01", 1)


def test_a_cross_reference_to_an_8k_a_is_not_an_amendment() -> None:
    rec = parse_file(DATA / "edgarcrawler__1001039_8K_2018_0000950157-18-000744.htm")
    assert rec.form_type.value == "8-K" and rec.amendment is None


def test_amendment_names_the_original_and_supersedes_it_in_the_export_view() -> None:
    path = DATA / "edgarcrawler__1001258_8K_2005_0001125282-05-001175.txt"
    original = parse_file(path)
    amended = parse_bytes(_as_amendment(path.read_bytes()), path="amendment.txt", include_text=True)
    assert amended.form_type.value == "8-K/A"
    a = amended.amendment
    assert a is not None and a.number == 1
    assert a.original_date.value == dt.date(2005, 3, 8) and a.original_items == ["8.01"]
    assert a.original_accession.value == "0001125282-05-001175"
    assert amended.text is not None and a.purpose.span is not None
    assert amended.text[a.purpose.span[0] : a.purpose.span[1]] == a.purpose.quote
    assert read_amendment("FORM 8-K/A\nItem 8.01 Other Events.", 10).reasons == [
        "no sentence names the report this amendment amends"
    ]
    amendment = amended.model_copy(update={"source": amended.source.model_copy(update={"accession": "A-1"})})
    rows = list(amended_view([original, amendment]))
    assert len(rows) == 1
    [row] = rows
    assert row["versions"] == ["0001125282-05-001175", "A-1"]
    assert row["matches"][0]["reason"] == "accession 0001125282-05-001175 named in the amendment"
    parts = [s["part"] for s in row["superseded"]]
    assert "item 8.01" in parts and "item 7.01" in parts
    merged_801 = next(i for i in row["record"]["items"] if i["number"] == "8.01")
    assert merged_801["text"] == next(i.text for i in amendment.items if i.number == "8.01")


# --- evals -------------------------------------------------------------------------------------------------


def test_structure_gold_sets_validate() -> None:
    models = {
        ("reconcile", "dev_a.json"): structure.SuggestCase,
        ("reconcile", "dev_b.json"): structure.SuggestCase,
        ("reconcile", "header.json"): structure.HeaderCase,
        ("links", "dev.json"): structure.LinkCase,
        ("boundaries", "dev.json"): structure.BoundaryCase,
        ("amendments", "dev.json"): structure.AmendmentCase,
    }
    holdout = {p.name.removesuffix(".json") for p in (EVALS / "holdout").glob("*.json")}
    for (folder, name), model in models.items():
        gold, cases = structure._load(EVALS / folder / name, model)
        assert gold.labeler and cases
        assert not {c.file for c in cases} & holdout  # labeled on dev filings only
