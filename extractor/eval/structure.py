"""Evals of the record's structure: suggested items, header items, exhibit links, item boundaries and
amendments (``extractor eval structure``).

Gold sets are JSON files under ``evals/{reconcile,links,boundaries,amendments}/``, made by reading dev
filings and validated by the models below. Each scorer parses the named corpus files and returns counts;
``report`` turns them into the printed figures (precision / recall / accuracy with the counts behind
them).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..parse import ParsedFiling, parse_document


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldSuggestion(_Gold):
    number: str
    quote_contains: str


class SuggestCase(_Gold):
    file: str
    item: str  # the host item read
    suggested: list[GoldSuggestion]
    notes: str = ""


class HeaderCase(_Gold):
    file: str
    header: list[str]
    body: list[str]


class GoldExhibit(_Gold):
    number: str
    sequence: str | None = None
    type: str | None = None
    cited_by: list[str] | None = None
    headline: str | None = None
    date: dt.date | None = None


class LinkCase(_Gold):
    file: str
    exhibits: list[GoldExhibit]


class GoldEnd(_Gold):
    number: str
    end: str
    ends_before: str  # the first words of what follows the item


class BoundaryCase(_Gold):
    file: str
    items: list[GoldEnd]


class AmendmentCase(_Gold):
    file: str
    is_amendment: bool
    original_date: dt.date | None = None
    original_accession: str | None = None
    notes: str = ""


class GoldSet(_Gold):
    description: str
    labeler: str
    cases: list[dict[str, Any]]  # validated one by one by the set's case model


@dataclass
class Tally:
    """Counts of one metric: hits of n, or tp / fp / fn."""

    hit: int = 0
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def right(self, ok: bool, why: str) -> None:
        self.n += 1
        self.hit += ok
        if not ok:
            self.misses.append(why)

    def figure(self) -> str:
        if self.n:
            return f"{self.hit / self.n:.3f} ({self.hit}/{self.n})"
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return f"P {p:.3f} R {r:.3f} (tp {self.tp}, fp {self.fp}, fn {self.fn})"


def _load(path: Path, case: type[_Gold]) -> tuple[GoldSet, list]:  # type: ignore[type-arg]
    data = json.loads(path.read_text(encoding="utf-8"))
    gold = GoldSet.model_validate(data)
    return gold, [case.model_validate(c) for c in data["cases"]]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def score_suggestions(cases: list[SuggestCase], parse: Callable[[str], ParsedFiling]) -> Tally:
    t = Tally()
    for c in cases:
        rec = parse(c.file).record
        found = [
            s for s in (rec.reconciliation.suggested if rec.reconciliation else []) if s.found_in == c.item
        ]
        gold = {g.number: g for g in c.suggested}
        for s in found:
            g = gold.get(s.number)
            if g is not None and _norm(g.quote_contains) in _norm(s.quote):
                t.tp += 1
            else:
                t.fp += 1
                t.misses.append(f"{c.file} {c.item}: suggested {s.number} wrongly ({s.quote[:80]!r})")
        for number, g in gold.items():
            if not any(s.number == number and _norm(g.quote_contains) in _norm(s.quote) for s in found):
                t.fn += 1
                t.misses.append(f"{c.file} {c.item}: missed {number} ({g.quote_contains!r})")
    return t


def score_header(cases: list[HeaderCase], parse: Callable[[str], ParsedFiling]) -> tuple[Tally, Tally]:
    """(header items read right, filings whose header/body difference is found right)."""
    items, diffs = Tally(), Tally()
    for c in cases:
        rec = parse(c.file).record
        h = rec.reconciliation.header if rec.reconciliation else None
        got = sorted(h.numbers) if h else []
        items.right(got == sorted(c.header), f"{c.file}: header items {got} != {sorted(c.header)}")
        want = (sorted(set(c.header) - set(c.body)), sorted(set(c.body) - set(c.header)))
        have = (sorted(h.only_in_header), sorted(h.only_in_body)) if h else ([], [])
        diffs.right(have == want, f"{c.file}: differences {have} != {want}")
    return items, diffs


def score_links(cases: list[LinkCase], parse: Callable[[str], ParsedFiling]) -> dict[str, Tally]:
    out = {k: Tally() for k in ("document", "cited_by", "headline", "date")}
    for c in cases:
        rec = parse(c.file).record
        by_number = {str(e.number.value): e for e in rec.exhibits}
        for g in c.exhibits:
            e = by_number.get(g.number)
            where = f"{c.file} {g.number}"
            if g.sequence is not None:
                ok = (
                    e is not None
                    and e.link is not None
                    and (e.link.sequence, e.link.type) == (g.sequence, g.type)
                )
                out["document"].right(ok, f"{where}: document {e.link if e else None}")
            if g.cited_by is not None:
                got = sorted(x.item for x in e.cited_by) if e else []
                out["cited_by"].right(got == sorted(g.cited_by), f"{where}: cited by {got} != {g.cited_by}")
            a = e.attached if e else None
            if g.headline is not None:
                h = a.headline.value if a and a.headline else None
                out["headline"].right(_norm(str(h or "")) == _norm(g.headline), f"{where}: headline {h!r}")
            if g.date is not None:
                d = a.date.value if a and a.date else None
                out["date"].right(d == g.date, f"{where}: date {d} != {g.date}")
    return out


def score_boundaries(cases: list[BoundaryCase], parse: Callable[[str], ParsedFiling]) -> dict[str, Tally]:
    """End reason accuracy, end position accuracy, and flags (confidence < 0.5) as a detector of wrong ends."""
    out = {"reason": Tally(), "end": Tally(), "flag": Tally()}
    for c in cases:
        parsed = parse(c.file)
        text = parsed.text
        items = {it.number: it for it in parsed.record.items}
        for g in c.items:
            it = items.get(g.number)
            where = f"{c.file} {g.number}"
            if it is None or it.boundary is None:
                out["reason"].right(False, f"{where}: item not found")
                out["end"].right(False, f"{where}: item not found")
                continue
            out["reason"].right(
                it.boundary.end_reason == g.end, f"{where}: {it.boundary.end_reason} != {g.end}"
            )
            words = r"\s+".join(re.escape(w) for w in g.ends_before.split())
            m = re.compile(words, re.I).search(text, it.span[0] + 1)
            follow = m.start() if m else -1
            gap = text[it.span[1] : follow] if follow >= 0 else "?"
            gap = re.sub(r"(?i)table\s+of\s+contents", "", gap)  # a back-link left between parts
            ok = follow >= it.span[1] and not re.search(r"[A-Za-z]{3}", gap)
            out["end"].right(ok, f"{where}: ends at {it.span[1]}, gold end before {follow}")
            flagged = it.boundary.confidence < 0.5
            if flagged and not ok:
                out["flag"].tp += 1
            elif flagged:
                out["flag"].fp += 1
                out["flag"].misses.append(f"{where}: flagged {it.boundary.flags} but the end is right")
            elif not ok:
                out["flag"].fn += 1
                out["flag"].misses.append(f"{where}: wrong end not flagged")
    return out


def score_amendments(cases: list[AmendmentCase], parse: Callable[[str], ParsedFiling]) -> Tally:
    t = Tally()
    for c in cases:
        rec = parse(c.file).record
        got = rec.form_type.value == "8-K/A"
        t.right(got == c.is_amendment, f"{c.file}: read as {'an amendment' if got else 'an original'}")
    return t


SETS = {
    "suggested items": ("reconcile", ("dev_a.json", "dev_b.json")),
    "header items": ("reconcile", ("header.json",)),
    "exhibit links": ("links", ("dev.json",)),
    "boundaries": ("boundaries", ("dev.json",)),
    "amendments": ("amendments", ("dev.json",)),
}


def run(evals_dir: Path, corpus: Path) -> list[tuple[str, str, Tally]]:
    """Every structure metric as (set, metric, tally)."""
    cache: dict[str, ParsedFiling] = {}

    def parse(name: str) -> ParsedFiling:
        if name not in cache:
            cache[name] = parse_document(corpus / name)
        return cache[name]

    rows: list[tuple[str, str, Tally]] = []
    for name in SETS["suggested items"][1]:
        _g, cases = _load(evals_dir / "reconcile" / name, SuggestCase)
        rows.append((f"reconcile/{name}", "suggested items", score_suggestions(cases, parse)))
    _g, hcases = _load(evals_dir / "reconcile" / "header.json", HeaderCase)
    hi, hd = score_header(hcases, parse)
    rows += [
        ("reconcile/header.json", "header items read", hi),
        ("reconcile/header.json", "header vs body", hd),
    ]
    _g, lcases = _load(evals_dir / "links" / "dev.json", LinkCase)
    for metric, tally in score_links(lcases, parse).items():
        rows.append(("links/dev.json", f"exhibit {metric}", tally))
    _g, bcases = _load(evals_dir / "boundaries" / "dev.json", BoundaryCase)
    for metric, tally in score_boundaries(bcases, parse).items():
        rows.append(("boundaries/dev.json", f"boundary {metric}", tally))
    _g, acases = _load(evals_dir / "amendments" / "dev.json", AmendmentCase)
    rows.append(("amendments/dev.json", "amendment or not", score_amendments(acases, parse)))
    return rows
