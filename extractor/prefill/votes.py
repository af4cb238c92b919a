"""Item 5.07 vote results read from the normalized text (pure).

``read_votes(text, offset)`` reads an item's text (``offset`` = where it starts in the normalized filing
text, so spans index the filing) into a :class:`VoteRead`: the meeting date and one proposal per matter
voted on, each value a parser :class:`~extractor.record.Field` whose quote is exactly the words it was read
from. Director elections give one proposal per nominee (description = the nominee's name); "withheld"
counts as against.

Layouts read (normalized text: a table row is one line, cells joined by ``" | "``):

- a header row of vote columns (``For | Against | Abstain | Broker Non-Votes``, ``Votes For | Votes
  Withheld``, frequency columns ``1 Year | 2 Years | 3 Years``), optionally led by a label column
  (``Nominee``), followed by rows ``label | n | n ...`` (one nominee or one proposal per row) or rows of
  numbers only (the counts of the proposal whose heading precedes them; under an election, of the name on
  the line above);
- key-value rows ``Votes For | 931,126,456`` and list lines ``• | 171,439,767 votes for (89.7% ...)``;
- prose ``1,806,791,973 shares in favor, 508,390,449 shares against, 7,129,921 shares abstaining``.

Proposals start at headings (``Proposal No. 2: ...``, ``2. | ...``, ``(ii) | ...``) or at numbered table
rows. The outcome comes from the proposal's own prose ("was approved", "were elected", "did not
approve"); null when it says neither or both. A frequency vote (1/2/3 years) gets the count of the
option with the most votes as ``votes_for`` and no ``votes_against`` (the labeling convention).

Conservative by design: a row whose cells do not line up with its header, a count read twice with two
values, or a proposal with fewer than two counts is skipped, never guessed; ``complete`` tells the fill
stage whether every proposal-looking block with numbers in it was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..record import Field
from ..sections.text import Line, lines, null_field
from ..sections.text import field as make_field
from .vote_prose import meeting_date, prose_counts

COUNTS = ("votes_for", "votes_against", "abstentions", "broker_non_votes")
FREQ = ("y1", "y2", "y3")

# -- cells --------------------------------------------------------------------------------------------
_PREFIX = r"(?:(?:number\s+of\s+)?(?:votes?|shares)\s+(?:cast\s+|voted\s+)?)?"
_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    ("votes_for", re.compile(rf"^{_PREFIX}(?:for|in\s+favou?r|affirmative)$")),
    ("votes_against", re.compile(rf"^{_PREFIX}(?:against|withheld|withhold|authority\s+withheld|opposed)$")),
    ("abstentions", re.compile(rf"^{_PREFIX}(?:abstain(?:ed|ing|s)?|abstentions?)$")),
    ("broker_non_votes", re.compile(r"^(?:broker\s*)?non[- ]?votes?$|^broker\s+non[- ]?votes?$")),
    ("y1", re.compile(r"^(?:(?:1|one)\s*-?\s*year|every\s+(?:1\s+|one\s+)?year|annual(?:ly)?)$")),
    ("y2", re.compile(r"^(?:(?:2|two)\s*-?\s*years?|every\s+(?:2|two)\s+years)$")),
    ("y3", re.compile(r"^(?:(?:3|three)\s*-?\s*years?|every\s+(?:3|three)\s+years)$")),
    ("pct", re.compile(r"^(?:%|percent(?:age)?|%\s*of\s+.*|percent\s+of\s+.*)$")),
    ("result", re.compile(r"^(?:results?|outcome)$")),
]
_LABELS = re.compile(
    r"^(?:(?:director\s+)?nominees?(?:\s+for\s+director)?|directors?(?:\s+nominees?)?|name(?:\s+of\s+(?:nominee|director))?"
    r"|proposals?|matters?|description|election\s+of\s+directors)$"
)
_NUM = re.compile(r"^\(?(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?\s*(?:\(\s*\d+(?:\.\d+)?\s*%\s*\))?\*?$")
_PCT = re.compile(r"^\d+(?:\.\d+)?\s*%$")
_NIL = re.compile(r"^(?:-+|n/?a|none|\*)$", re.I)


def _norm(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().strip(":*").strip()).lower().replace("\u2011", "-")


def column_of(cell: str) -> str | None:
    """The vote column a header cell names ("votes_for", "y1", "pct", ...), "label", or None."""
    c = _norm(cell)
    for kind, rx in _COLUMNS:
        if rx.match(c):
            return kind
    if _LABELS.match(c):
        return "label"
    return None


def _int(cell: str) -> int | None:
    m = _NUM.match(cell.strip())
    return int(m.group(1).replace(",", "")) if m else None


def _split_header(line: Line) -> tuple[int, tuple[bool, list[str]]] | None:
    """A heading and a header in one row ("1. | Election of Directors: | For | Against"): the index of the
    first header cell and the header, when the leading cells are a proposal heading."""
    cells = line.cells
    for k in range(1, min(3, len(cells) - 1)):
        lead = " ".join(c for _s, _e, c in cells[:k])
        if not (_HEADING.match(lead) or _ELECTION.search(lead)):
            continue
        rest = Line(cells[k][0], line.end, line.text[cells[k][0] - line.start :])
        h = _header(rest)
        if h is not None:
            return k, h
    return None


def _header(line: Line) -> tuple[bool, list[str]] | None:
    """(led by a nominee/director label column, value column kinds) when the line is a header row of vote
    columns."""
    cells = [c for _s, _e, c in line.cells]
    kinds = [column_of(c) for c in cells]
    if any(k is None for k in kinds):
        return None
    labeled = kinds[0] == "label" and bool(re.search(r"nominee|director", cells[0], re.I))
    values = [k for k in kinds if k != "label"]
    counted = [k for k in values if k not in ("pct", "result")]
    if "label" in kinds[1:] or len(counted) < 2 or len(set(counted)) != len(counted):
        return None
    return labeled, [k for k in values if k is not None]


# -- headings and outcomes ----------------------------------------------------------------------------
_HEADING = re.compile(
    r"^(?:(?:Proposal|Item|Matter)\s*(?:No\.?|Number|#)?\s*(?:\d{1,2}|[IVX]{1,4}|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)\b"
    r"(?:\s*\([^)]{0,40}\))?\s*[:.)\-]?|\(?(?:\d{1,2}|[ivx]{1,5}|[a-h])[.)](?!\d))\s*(?:\|\s*)?(?P<rest>.*)$",
    re.I,
)
_ELECTION = re.compile(
    r"\belect(?:ion|ed|ing)?\b[^.]{0,80}\b(?:directors?|trustees?|nominees?|board)\b|\bdirector\s+nominees?\b|\belection\s+of\b",
    re.I,
)
_REJECTED = re.compile(
    r"\b(?:not|n't)\s+(?:been\s+|be\s+)?(?:approved?|elected|ratified|adopted|passed?)\b|\bdid\s+not\s+(?:receive|pass|approve|elect|ratify|adopt|obtain)\b"
    r"|\bfailed\b|\brejected\b|\bdefeated\b",
    re.I,
)
_APPROVED = re.compile(
    r"\b(?:approved|elected|re-elected|ratified|adopted|passed|approving|selected)\b", re.I
)
_SUCCESSOR = re.compile(
    r"\bsuccessors?\s+(?:is|are|has|have)\s+(?:been\s+)?(?:duly\s+)?elected\b|\buntil\b[^.]{0,60}\belected\b"
    r"|\bbeen\s+previously\s+approved\b|\bpreviously\s+(?:approved|adopted)\b",
    re.I,
)
_LEAD = re.compile(r"^(?:with\s+respect\s+to\s+(?:the\s+)?|to\s+consider\s+and\s+vote\s+(?:up)?on\s+)", re.I)


def _outcome(text: str, regions: list[tuple[int, int]]) -> tuple[str, int, int] | None:
    """('approved' | 'rejected', start, end) when the prose of a proposal states one outcome only."""
    found: dict[str, tuple[int, int]] = {}
    for start, end in regions:
        chunk = _SUCCESSOR.sub(lambda m: " " * len(m.group(0)), text[start:end])
        for m in _REJECTED.finditer(chunk):
            found.setdefault("rejected", (start + m.start(), start + m.end()))
        masked = _REJECTED.sub(lambda m: " " * len(m.group(0)), chunk)
        for m in _APPROVED.finditer(masked):
            found.setdefault("approved", (start + m.start(), start + m.end()))
    if len(found) != 1:
        return None
    kind, (s, e) = next(iter(found.items()))
    return kind, s, e


# -- result types -------------------------------------------------------------------------------------
@dataclass
class ProposalRead:
    description: Field[Any]
    counts: dict[str, Field[Any]] = field(default_factory=dict)
    outcome: Field[Any] | None = None
    election: bool = False

    def event(self) -> dict[str, Any]:
        """The proposal in the event's shape: every leaf a Field dict (method parser)."""
        out: dict[str, Any] = {"description": self.description.model_dump(mode="json")}
        out["outcome"] = (self.outcome or null_field("outcome not stated")).model_dump(mode="json")
        for name in COUNTS:
            f = self.counts.get(name) or null_field("not in the vote table" if self.counts else "not stated")
            out[name] = f.model_dump(mode="json")
        return out


@dataclass
class VoteRead:
    meeting_date: Field[Any] | None
    proposals: list[ProposalRead]
    complete: bool  # every block that looked like vote counts was read

    def event(self) -> dict[str, Any]:
        return {
            "meeting_date": (self.meeting_date or null_field("meeting date not found")).model_dump(
                mode="json"
            ),
            "proposals": [p.event() for p in self.proposals],
        }


# -- the reader ---------------------------------------------------------------------------------------
@dataclass
class _Block:
    """A proposal heading (or numbered row) and the prose under it."""

    desc: tuple[int, int] | None  # span of the description in the text
    election: bool
    regions: list[tuple[int, int]] = field(default_factory=list)  # prose lines (for the outcome)
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # column -> (n, start, end)
    conflict: bool = False
    nominees: list[ProposalRead] = field(default_factory=list)
    numbers_seen: bool = False  # the block holds vote-count-like numbers


def _put(block: _Block, kind: str, n: int, s: int, e: int) -> None:
    old = block.counts.get(kind)
    if old is not None and old[0] != n:
        block.conflict = True
    block.counts.setdefault(kind, (n, s, e))


def _desc_span(text: str, s: int, e: int) -> tuple[int, int] | None:
    seg = text[s:e]
    m = _LEAD.match(seg)
    if m:
        s += m.end()
    while e > s and text[e - 1] in " :;.|":
        e -= 1
    while s < e and text[s] in " |-:":
        s += 1
    return (s, e) if e - s >= 3 else None


def _is_name(cell: str) -> bool:
    words = cell.replace(",", " ").split()
    return (
        1 <= len(words) <= 7
        and not any(ch.isdigit() for ch in cell)
        and sum(w[:1].isupper() for w in words) >= max(1, len(words) - 2)
        and column_of(cell) is None
    )


def read_votes(text: str, offset: int = 0) -> VoteRead:
    """Read an Item 5.07 text (see the module docstring). ``offset`` shifts every span."""
    blocks: list[_Block] = []
    current: _Block | None = None
    header: tuple[bool, list[str]] | None = None
    prev: Line | None = None

    def fld(s: int, e: int, value: Any, conf: float, reasons: list[str] | None = None) -> Field[Any]:
        return make_field(text, s, e, value, conf, reasons=reasons, offset=offset)

    def new_block(s: int, e: int, line: Line) -> _Block:
        desc = _desc_span(text, s, e)
        b = _Block(desc, bool(_ELECTION.search(text[line.start : line.end])))
        b.regions.append((line.start, line.end))
        blocks.append(b)
        return b

    for line in lines(text):
        cells = line.cells
        h = _header(line)
        if h is not None:
            header = h
            prev = line
            continue
        split = _split_header(line)
        if split is not None:
            k, header = split
            current = new_block(line.start, cells[k - 1][1], line)
            prev = line
            continue
        bullet = line.text.startswith(("• | ", "- | "))
        m = None if bullet or _int(cells[-1][2]) is not None else _HEADING.match(line.text)
        if m is not None and len(m.group("rest")) >= 3:
            current = new_block(line.start + m.start("rest"), line.end, line)
            prev = line
            continue
        if " | " not in line.text or bullet:
            counts = prose_counts(text, line.start, line.end)
            if current is not None:
                if counts:
                    current.numbers_seen = True
                    for kind, n, s, e in counts:
                        _put(current, kind, n, s, e)
                current.regions.append((line.start, line.end))
                if _ELECTION.search(line.text) and not current.counts and not current.nominees:
                    current.election = True
            if len(line.text) > 100 and not counts:
                header = None
            prev = line
            continue
        # a table row that is not a header
        label_cells = []
        values = list(cells)
        while values and _int(values[0][2]) is None and not _NIL.match(values[0][2].strip()):
            label_cells.append(values.pop(0))
        if len(label_cells) == 2 and re.fullmatch(
            r"\(?(?:\d{1,2}|[ivx]{1,5}|[a-h])[.)]", label_cells[0][2].strip()
        ):
            marker, label = label_cells
            label_cells = [(marker[0], label[1], text[marker[0] : label[1]])]
        # key-value rows: "Votes For | 931,126,456"
        if len(label_cells) == 1 and len(values) == 1:
            kv_kind = column_of(label_cells[0][2])
            kv_n = _int(values[0][2])
            if kv_kind in (*COUNTS, *FREQ) and kv_n is not None and current is not None:
                _put(current, kv_kind, kv_n, values[0][0], values[0][1])
                current.numbers_seen = True
                prev = line
                continue
        if header is None or not values:
            if current is not None and any((_int(c) or 0) >= 1000 for _s, _e, c in values):
                current.numbers_seen = True
            prev = line
            continue
        nominee_header, kinds = header
        if len(values) != len(kinds) or len(label_cells) > 1:
            if current is not None:
                current.numbers_seen = True
            prev = line
            continue
        parsed: dict[str, tuple[int, int, int]] = {}
        ok = True
        result: tuple[str, int, int] | None = None
        for kind, (s, e, c) in zip(kinds, values, strict=True):
            if kind == "pct":
                continue
            if kind == "result":
                o = _outcome(text, [(s, e)])
                result = o
                continue
            cnt = _int(c)
            if cnt is None and not _NIL.match(c.strip()):
                ok = False
                break
            if cnt is not None:
                parsed[kind] = (cnt, s, e)
        if not ok or not parsed:
            if current is not None:
                current.numbers_seen = True
            prev = line
            continue
        if label_cells:
            ls, le, lc = label_cells[0]
            heading = _HEADING.match(lc)
            election = current is not None and (current.election or nominee_header) and not heading
            if election and _is_name(lc):
                assert current is not None
                p = ProposalRead(fld(ls, le, re.sub(r"\s+", " ", lc.strip(" |")), 0.9), election=True)
                p.counts = _count_fields(parsed, fld)
                if result:
                    p.outcome = fld(result[1], result[2], result[0], 0.9)
                current.nominees.append(p)
                prev = line
                continue
            if election or (heading is None and _is_name(lc) and current is None):
                # a short name row outside a known election: not read
                prev = line
                continue
            s0 = ls + heading.start("rest") if heading else ls
            current = _Block(_desc_span(text, s0, le), False)
            current.regions.append((line.start, line.end))
            blocks.append(current)
            for kind, (n, s, e) in parsed.items():
                _put(current, kind, n, s, e)
            prev = line
            continue
        # numbers only
        if current is None:
            prev = line
            continue
        if current.election:
            if prev is not None and " | " not in prev.text and _is_name(prev.text):
                p = ProposalRead(fld(prev.start, prev.end, prev.text.strip(), 0.85), election=True)
                p.counts = _count_fields(parsed, fld)
                current.nominees.append(p)
            else:
                current.numbers_seen = True
            prev = line
            continue
        for kind, (n, s, e) in parsed.items():
            _put(current, kind, n, s, e)
        prev = line

    proposals: list[ProposalRead] = []
    complete = True
    for b in blocks:
        outcome = _outcome(text, b.regions)
        if b.nominees:
            for p in b.nominees:
                if p.outcome is None and outcome is not None:
                    p.outcome = fld(outcome[1], outcome[2], outcome[0], 0.85)
                proposals.append(p)
            continue
        block_counts = _block_counts(b)
        if block_counts is None or b.desc is None:
            if b.numbers_seen or b.counts:
                complete = False
            continue
        desc = re.sub(r"\s+", " ", text[b.desc[0] : b.desc[1]])
        p = ProposalRead(fld(b.desc[0], b.desc[1], desc, 0.85), election=False)
        p.counts = {k: fld(s, e, n, c, r) for k, (n, s, e, c, r) in block_counts.items()}
        if outcome is not None:
            p.outcome = fld(outcome[1], outcome[2], outcome[0], 0.85)
        proposals.append(p)
    return VoteRead(meeting_date(text, offset), proposals, complete and bool(proposals))


def _count_fields(parsed: dict[str, tuple[int, int, int]], fld: Any) -> dict[str, Field[Any]]:
    out = {}
    for kind, (n, s, e) in parsed.items():
        if kind in COUNTS:
            out[kind] = fld(s, e, n, 0.95)
    return out


def _block_counts(b: _Block) -> dict[str, tuple[int, int, int, float, list[str]]] | None:
    """The block's counts as (n, start, end, confidence, reasons), or None when they cannot be trusted."""
    if b.conflict:
        return None
    out: dict[str, tuple[int, int, int, float, list[str]]] = {}
    freq = {k: v for k, v in b.counts.items() if k in FREQ}
    if freq:
        if "votes_for" in b.counts or "votes_against" in b.counts or len(freq) < 2:
            return None
        kind, (n, s, e) = max(freq.items(), key=lambda kv: kv[1][0])
        out["votes_for"] = (
            n,
            s,
            e,
            0.8,
            [f"frequency vote: count of the option with the most votes ({kind[1]} year)"],
        )
    for kind in COUNTS:
        if kind in b.counts and kind not in out:
            n, s, e = b.counts[kind]
            out[kind] = (n, s, e, 0.92, [])
    if "votes_for" not in out or len(out) < 2:
        return None
    return out
