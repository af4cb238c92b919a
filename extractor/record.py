"""The filing record: the public contract every stage reads and writes.

A record is built by the deterministic parser (``extractor.parse``), gains
``items[].event`` from the LLM fill stage, is stored by batch runs and edited by
review. Field names are public: extend, never rename.

Every extracted value is a :class:`Field`: the value, a confidence in [0, 1],
how it was obtained (``method``), and where it came from: ``span`` is a
``[start, end)`` character interval of the filing's *normalized* text and
``quote`` is exactly ``text[start:end]``.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, field_serializer
from pydantic import Field as PydField
from pydantic.json_schema import SkipJsonSchema

from .events.tree import without_raw

SCHEMA_VERSION = "1.0"

T = TypeVar("T")

Span = tuple[int, int]


class Strict(BaseModel):
    """Base for everything that crosses a boundary: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Method(str, Enum):
    parser = "parser"  # read from the document text by the deterministic parser
    header = "header"  # read from the EDGAR SGML header (metadata, not the document)
    llm = "llm"  # filled by a language model
    human = "human"  # set or confirmed by a reviewer


class Alignment(str, Enum):
    exact = "exact"  # quote found verbatim
    lenient = "lenient"  # found ignoring case / whitespace / punctuation variants
    fuzzy = "fuzzy"  # found approximately
    none = "none"  # not found in the text: ungrounded


class Field(Strict, Generic[T]):
    value: T | None = None
    confidence: float = PydField(0.0, ge=0.0, le=1.0)
    method: Method = Method.parser
    span: Span | None = None
    quote: str | None = None
    alignment: Alignment | None = None
    reasons: list[str] = PydField(default_factory=list)
    # the score before calibration (``extractor.calibration``), when the confidence is calibrated. In
    # memory only: never serialized (the record's bytes stay as they were); the serialized record keeps it
    # in the reason "confidence calibrated RAW -> VALUE (...)", written for people, not read back.
    raw_confidence: SkipJsonSchema[float | None] = PydField(None, exclude=True)
    # what the confidence was computed from (``extractor.fill.features``: token probabilities, grounding,
    # agreement, answer checks...), for the calibration fit of an eval run. In memory only, like
    # ``raw_confidence``.
    features: SkipJsonSchema[dict[str, Any] | None] = PydField(None, exclude=True)


class Format(str, Enum):
    html = "html"
    sgml = "sgml"
    text = "text"


class Status(str, Enum):
    ok = "ok"
    partial = "partial"
    error = "error"


class Attachment(Strict):
    """One document of a full EDGAR submission (from its <TYPE>, <SEQUENCE>, <FILENAME>, <DESCRIPTION>)."""

    type: str
    sequence: str | None = None
    filename: str | None = None
    description: str | None = None


class Source(Strict):
    path: str
    sha256: str
    size_bytes: int
    format: Format | None = None
    encoding: str | None = None
    accession: str | None = None
    cik: str | None = None
    document: str | None = None  # primary document file name, when the submission says
    attachments: list[Attachment] = PydField(default_factory=list)  # every document of a submission


class Registrant(Strict):
    name: Field[str]
    state_of_incorporation: Field[str] | None = None
    commission_file_number: Field[str] | None = None
    irs_employer_id: Field[str] | None = None


class Checkboxes(Strict):
    rule_425: Field[bool]
    rule_14a12: Field[bool]
    rule_14d2b: Field[bool]
    rule_13e4c: Field[bool]


class Security(Strict):
    title: Field[str]
    trading_symbol: Field[str]
    exchange: Field[str]


class Cover(Strict):
    company_name: Field[str] = PydField(default_factory=Field)
    registrants: list[Registrant] = PydField(default_factory=list)
    date_of_report: Field[dt.date] = PydField(default_factory=Field)
    state_of_incorporation: Field[str] = PydField(default_factory=Field)
    commission_file_number: Field[str] = PydField(default_factory=Field)
    irs_employer_id: Field[str] = PydField(default_factory=Field)
    address: Field[str] = PydField(default_factory=Field)
    zip_code: Field[str] = PydField(default_factory=Field)
    phone: Field[str] = PydField(default_factory=Field)
    checkboxes: Checkboxes | None = None
    emerging_growth_company: Field[bool] | None = None
    securities_12b: list[Security] | None = None  # null when the form has no Section 12(b) table


class LLMCall(Strict):
    """Metadata of the model call(s) that filled one item's event."""

    model: str
    prompt_name: str
    prompt_hash: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    attempts: int = 0
    cache_hit: bool = False
    outcome: str = "ok"
    error: str | None = None


EndReason = Literal["next_heading", "section_banner", "signature_block", "exhibit_index", "end_of_document"]


class Boundary(Strict):
    """Why an item's text ends where it does, and how far that end can be trusted
    (``extractor.sections.boundaries``). ``flags`` name what looks wrong: ``contains_signature_block``
    (the item swallowed the signatures), ``orphan_text_after`` (prose after the end that no part holds:
    the item stopped at a sub-heading), ``ends_mid_sentence``, ``runs_past_exhibit_list``."""

    end_reason: EndReason
    confidence: float = PydField(ge=0.0, le=1.0)
    flags: list[str] = PydField(default_factory=list)
    reasons: list[str] = PydField(default_factory=list)


class Item(Strict):
    number: str  # "2.02"; pre-2004 items as "5", "7", "12"
    title: str  # the SEC's canonical title
    legacy: bool
    modern_equivalent: str | None
    reported: bool  # false when the item only says "Not applicable" / "None"
    heading: str  # the heading as printed
    span: Span  # from the heading to before the next heading / signatures / exhibit index
    text: str  # text[span[0]:span[1]]
    event: dict[str, Any] | None = None  # filled by the LLM stage (see extractor.schemas)
    llm: LLMCall | None = None
    boundary: Boundary | None = None  # how the item's end was found (None on records made before it)

    @field_serializer("event")
    def _event(self, event: dict[str, Any] | None) -> Any:
        return without_raw(event)  # Field dicts carry their raw score in memory only


class ExhibitLink(Strict):
    """The attached document of the submission an exhibit entry names, and why it was chosen."""

    type: str  # the document's <TYPE>, "EX-99.1"
    sequence: str | None = None
    filename: str | None = None
    reason: str
    confidence: float = PydField(ge=0.0, le=1.0)


class Citation(Strict):
    """An item that cites an exhibit: by name in its text (``span`` is the mention), or by convention."""

    item: str
    reason: str
    span: Span | None = None
    confidence: float = PydField(ge=0.0, le=1.0)


class AttachedText(Strict):
    """What was read from an exhibit's attached document. Its Fields' spans index that document's own
    normalized text (``text`` and its ``text_length``, present with ``--include-exhibits``), not the 8-K's."""

    headline: Field[str] | None = None
    date: Field[dt.date] | None = None
    text_length: int = 0
    text: str | None = None


class Exhibit(Strict):
    number: Field[str]  # normalized: "99.1", "10.2", "3(i)" as printed
    description: Field[str]
    document: str | None = None  # attached document's file name / <TYPE>, when included
    link: ExhibitLink | None = None  # the attached document and the reason (submissions only)
    cited_by: list[Citation] = PydField(default_factory=list)
    attached: AttachedText | None = None  # headline and date of the attached document (press releases)


class Signature(Strict):
    name: Field[str]
    title: Field[str]
    date: Field[dt.date]


class PartError(Strict):
    part: str  # "input", "cover", "items", "exhibits", "signatures", "item 5.02", ...
    message: str


class Sections(Strict):
    """Character spans of the major parts of the normalized text."""

    cover: Span | None = None
    body: Span | None = None
    signatures: Span | None = None
    exhibit_index: Span | None = None


class SuggestedItem(Strict):
    """An item whose event the body of another item describes (an officer leaving told under 8.01), found by
    deterministic sentence rules (``extractor.sections.reconcile``; no model)."""

    number: str  # the item the sentence describes, "5.02"
    title: str
    found_in: str  # the declared item whose text holds the sentence
    rule: str  # which rule matched
    quote: str  # the sentence, exactly text[span[0]:span[1]]
    span: Span
    confidence: float = PydField(ge=0.0, le=1.0)


class HeaderItems(Strict):
    """The EDGAR header's ITEM INFORMATION lines compared with the items the body declares."""

    printed: list[str]  # the lines as the header prints them
    numbers: list[str]  # their modern-equivalent item numbers
    unmapped: list[str] = PydField(default_factory=list)  # lines no item title matches
    only_in_header: list[str] = PydField(default_factory=list)
    only_in_body: list[str] = PydField(default_factory=list)


class Reconciliation(Strict):
    declared: list[str]  # modern-equivalent numbers of the items the body's headings declare
    suggested: list[SuggestedItem] = PydField(default_factory=list)
    header: HeaderItems | None = None  # SGML submissions with ITEM INFORMATION lines


class Amendment(Strict):
    """What an 8-K/A says of the report it amends (``extractor.amendments``)."""

    number: int | None = None  # "Amendment No. 2" -> 2
    original_date: Field[dt.date] = PydField(default_factory=Field)  # filing date, else date of report
    original_items: list[str] = PydField(default_factory=list)
    original_accession: Field[str] = PydField(default_factory=Field)
    purpose: Field[str] = PydField(default_factory=Field)  # the sentence that says what is amended
    reasons: list[str] = PydField(default_factory=list)


class FilingRecord(Strict):
    schema_version: str = SCHEMA_VERSION
    source: Source
    form_type: Field[str] = PydField(default_factory=Field)
    cover: Cover = PydField(default_factory=Cover)
    items: list[Item] = PydField(default_factory=list)
    exhibits: list[Exhibit] = PydField(default_factory=list)
    signatures: list[Signature] = PydField(default_factory=list)
    sections: Sections = PydField(default_factory=Sections)
    status: Status = Status.ok
    errors: list[PartError] = PydField(default_factory=list)
    text_length: int = 0
    text: str | None = None  # the normalized text, only when asked for (spans index it)
    reconciliation: Reconciliation | None = None  # declared vs found items
    amendment: Amendment | None = None  # 8-K/A only: the report it amends


RecordStatus = Literal["ok", "partial", "error"]
