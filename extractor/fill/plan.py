"""Planning one item's calls (pure): which schema, which text in which chunks, which prompts and cache keys.

For each reported item whose schema is not None (9.01 and legacy 7 have none: no call), only the item's
text plus a short header (company, date of report, item title) goes to the model, split into
overlapping chunks when long (``chunks``); events of headline facts read only the lead chunk of a long
item (``Settings.lead_chunks``), events with lists of records (5.02 changes, 5.07 proposals) every
chunk. A short item that incorporates another item by reference is shown that item's text too
(``referenced_items``). An item without text of its own (a list of "ITEM: <title>" lines before an
unheaded body) is shown the filing's body past the cover page instead (``body_without_items``), and its
values are grounded there. The parser's pre-fill (``extractor.prefill``) is read first: an item it covers
completely needs no call, otherwise the model is asked only for the uncovered fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..config import Settings
from ..events import schema_for_item, tree
from ..llm.base import Budget, Provider
from ..llm.budget import plan_budget
from ..prefill import ParserEvent, ask_schema, parser_event
from ..prefill.scoring import ParserFacts
from ..prompts import Prompt, render
from ..quoted import schema_hash
from ..record import FilingRecord, Item
from ..store.cache import cache_key


def chunks(text: str, size: int, overlap: int, limit: int) -> list[tuple[int, str]]:
    """(offset, chunk) windows of at most ``size`` chars overlapping by ``overlap``, cut at line ends."""
    if len(text) <= size:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text) and len(out) < limit:
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(
                text.rfind("\n\n", start + size // 2, end), text.rfind("\n", start + size * 3 // 4, end)
            )
            if cut > start:
                end = cut
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out


@dataclass
class Plan:
    item: Item
    schema: type[BaseModel]  # what the model is asked: the item schema minus parser-covered fields
    prompts: list[Prompt]
    keys: list[str]
    facts: ParserFacts
    pre: ParserEvent | None = None  # the parser's pre-fill, combined into the event in _finish
    # (text, start) of the items this one incorporates by reference, or of the filing's body for an item
    # without text of its own: shown to the model after the item's text, grounded in, read by the readers
    refs: list[tuple[str, int]] = field(default_factory=list)
    # a second sample's verdict per value path, by the chunk answer it checked (``fill.consistency``)
    samples: dict[str, dict[tuple[str | int, ...], str]] = field(default_factory=dict)


# a name the text defines as the filer: 'Aarons, Inc. (the Company)', 'Alcoa Inc. ("Alcoa")'
_SELF_DEFINED = re.compile(
    r"([A-Z][\w.&'\u2019-]*(?:[ ,]+[A-Z&][\w.&'\u2019-]*){0,5},?\s+(?:Inc|Corp|Co|Ltd|plc|LLC|L\.P|N\.V)\.?"
    r"|[A-Z][\w.&'\u2019-]*(?:\s+[A-Z&][\w.&'\u2019-]*){0,5}\s+(?:Corporation|Company|Incorporated))"
    r"\s*\(\s*(?:the\s+)?[\"\u201c\u201d]?\s*(?:(Company|Registrant)\b|([A-Z][\w&-]+)?[\"\u201c\u201d]\s*\))"
)


def _defines_itself(m: re.Match[str]) -> bool:
    """'X (the "Company")', or X's own short name: 'Alcoa Inc. ("Alcoa")', or a term the text lost
    ('Alcoa Inc. ("")', the lee2014 records)."""
    return bool(m[2]) or m[3] is None or m[3].lower() in m[1].lower().split()


def facts_of(record: FilingRecord, filing_text: str | None = None) -> ParserFacts:
    """What the parser knows: the date of report, and the registrant's names from the cover page, or
    when the cover names none (a layout that strips it), the name the text defines as "the Company"."""
    date = record.cover.date_of_report.value
    names = [record.cover.company_name.value] + [r.name.value for r in record.cover.registrants]
    registrants = tuple(n for n in names if n)
    if not registrants:
        texts = [filing_text] if filing_text else [i.text for i in record.items]
        found = next((m for t in texts for m in _SELF_DEFINED.finditer(t) if _defines_itself(m)), None)
        registrants = (" ".join(found[1].split()),) if found else ()
    return ParserFacts(date_of_report=date if isinstance(date, dt.date) else None, registrants=registrants)


BODY_NOTE = "(The filing prints only the titles of the items it reports; its text, shared by them:)"


def plan_item(
    record: FilingRecord,
    item: Item,
    provider: Provider,
    settings: Settings,
    pre: ParserEvent | None = None,
    filing_text: str | None = None,
) -> Plan | None:
    """The item's calls. ``filing_text`` (the normalized text the spans index) is needed only for items
    without text of their own: the filing's body is then their text (``body_without_items``)."""
    schema = schema_for_item(item)
    if schema is None:
        return None
    if pre is not None:  # ask only for what the parser did not read
        schema = ask_schema(schema, pre.covered)
    date = record.cover.date_of_report.value
    refs = referenced_items(record, item)
    body = body_without_items(record, item, filing_text)
    text = item.text + "".join(
        f"\n\n(Incorporated by reference from the same filing:)\n{r.text[: settings.chunk_chars]}"
        for r in refs
    )
    text += "".join(f"\n\n{BODY_NOTE}\n{b}" for b, _start in body)
    parts = chunks(text, settings.chunk_chars, settings.chunk_overlap, _chunk_limit(schema, settings))
    prompts = [
        render(
            schema,
            company=record.cover.company_name.value or "",
            date_of_report=date.isoformat() if isinstance(date, dt.date) else "",
            number=item.number,
            title=item.title,
            text=chunk,
            chunk_index=i + 1,
            chunk_total=len(parts),
            version=settings.prompt_version,
        )
        for i, (_off, chunk) in enumerate(parts)
    ]
    shash = schema_hash(schema)
    keys = [cache_key(provider.model, p.hash, shash, json.dumps(p.messages)) for p in prompts]
    segments = [(r.text, r.span[0]) for r in refs] + body
    return Plan(item, schema, prompts, keys, facts_of(record, filing_text), pre, segments)


_ITEM_NUMBER = re.compile(r"\bItems?\s+(\d{1,2}\.\d{2})\b", re.I)
_BY_REFERENCE = re.compile(
    r"incorporated\s+(?:herein\s+)?by\s+reference|(?:set\s+forth|contained|included|described|provided|reported|"
    r"disclosed)\s+(?:in|under)\s+Items?\s+\d",
    re.I,
)
REFERENCE_MAX_OWN_CHARS = 1500


def referenced_items(record: FilingRecord, item: Item) -> list[Item]:
    """Items of the same filing whose text a short item incorporates by reference ("The information set
    forth under Item 1.01 is incorporated herein by reference"): the model is shown their text after the
    item's own, and values quoted from it are grounded there. An item with text of its own beyond
    ``REFERENCE_MAX_OWN_CHARS`` is taken as self-contained; 9.01 (exhibits) is never pulled in."""
    own = item.text[len(item.heading) :] if item.heading and item.text.startswith(item.heading) else item.text
    if len(own) > REFERENCE_MAX_OWN_CHARS or not _BY_REFERENCE.search(own):
        return []
    wanted = {m.group(1) for m in _ITEM_NUMBER.finditer(own)} - {item.number, "9.01"}
    return [it for it in record.items if it.number in wanted and it.reported and it.text and it is not item][
        :2
    ]


BODY_MIN_CHARS = 200


def body_without_items(record: FilingRecord, item: Item, text: str | None) -> list[tuple[str, int]]:
    """The filing's body when an item has no text of its own: some layouts list the items reported
    ("ITEM: Entry into a Material Definitive Agreement", one line each) and print the text after the
    list without item headings (the lee2014 records). That text, from the end of the last item to the
    signatures or the exhibit index, is then the item's only evidence; empty otherwise."""
    own = item.text[len(item.heading) :] if item.heading and item.text.startswith(item.heading) else item.text
    if text is None or own.strip() or not record.items:
        return []
    start = max(it.span[1] for it in record.items)
    ends = [s[0] for s in (record.sections.signatures, record.sections.exhibit_index) if s and s[0] > start]
    end = min(ends, default=len(text))
    start = past_cover_legends(text, start, end)
    return [(text[start:end], start)] if len(text[start:end].strip()) >= BODY_MIN_CHARS else []


# the cover's legends and check-box provisions, which such a body opens with when the list precedes the
# cover page: no body's text states them
_COVER_LEGEND = re.compile(
    r"check\s+the\s+appropriate\s+box|indicate\s+by\s+check\s+mark|written\s+communications\s+pursuant|"
    r"soliciting\s+material\s+pursuant|pre-commencement\s+communications|emerging\s+growth\s+company|"
    r"securities\s+registered\s+pursuant\s+to\s+section\s+12",
    re.I,
)
_COVER_WINDOW = 6000  # the legends are looked for this far into the body: a cover page is shorter
_GLYPH_LINE_MAX = 5  # a line this short is a check box, a "see" or a rule, not the body's text


def past_cover_legends(text: str, start: int, end: int) -> int:
    """Where the body's text begins after ``start``: past the cover page's last legend line ("Check the
    appropriate box below ...", "Pre-commencement communications pursuant to Rule 13e-4(c) ...") when
    the body opens with the cover, then past blank and check-box glyph lines."""
    window = text[start : min(end, start + _COVER_WINDOW)]
    last = max(_COVER_LEGEND.finditer(window), key=lambda m: m.start(), default=None)
    pos = start
    if last is not None:
        nl = text.find("\n", start + last.end(), end)
        pos = end if nl < 0 else nl + 1
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl + 1
        if len(text[pos:line_end].strip()) > _GLYPH_LINE_MAX:
            return pos
        pos = line_end
    return start


def _chunk_limit(schema: type[BaseModel], settings: Settings) -> int:
    """How many chunks of a long item are read: all of them (up to ``max_chunks``) for events holding
    lists of records, which may sit anywhere in the item; ``lead_chunks`` for events of headline facts."""
    if tree.has_lists_of_records(schema) or settings.lead_chunks == 0:
        return settings.max_chunks
    return min(settings.max_chunks, settings.lead_chunks)


def budget(settings: Settings, provider: Provider, plan: Plan) -> Budget:
    """The item's budget, scaled to its text and the provider's measured speed (``llm.budget``)."""
    text_chars = len(plan.item.text) + sum(len(t) for t, _s in plan.refs)
    return plan_budget(settings, provider, plan.prompts, text_chars)


def prefilled(item: Item) -> tuple[ParserEvent | None, Item | None]:
    """The parser's pre-fill of the item, and the finished item when it covers every field (no call)."""
    schema = schema_for_item(item)
    pre = parser_event(item) if schema is not None else None
    if pre is not None and schema is not None and pre.complete(schema):
        return pre, item.model_copy(update={"event": pre.event, "llm": None})
    return pre, None


def prepare(
    record: FilingRecord, item: Item, provider: Provider, settings: Settings, filing_text: str | None = None
) -> Plan | Item:
    """The plan of the calls an item needs, or the finished item when it needs none (read completely by
    the parser, or no event schema)."""
    pre, done = prefilled(item)
    if done is not None:
        return done
    plan = plan_item(record, item, provider, settings, pre, filing_text)
    if plan is None:
        return item.model_copy(update={"event": None, "llm": None})
    return plan
