"""Counterparties read from the parties clause of an agreement (items 1.01, 1.02, 2.03; pure).

The clause is the list of parties a sentence about an agreement prints:

- after "by and among" / "among" / "between": ``... dated as of May 1, 2020, by and among the
  Company, Bank A, as administrative agent, and the lenders party thereto``;
- after "with" once the sentence has entered into an agreement: ``entered into a lease with X LLC``;
- before "entered into" as the sentence's subject: ``On July 28, 2023, A ("A"), B, a Delaware
  corporation and a wholly-owned subsidiary of A, and C entered into ...``.

It ends at "pursuant to", "under which", a defined term naming an agreement (``(the "Credit
Agreement")``) or the sentence's end. The list is split on semicolons, commas and "and" outside
parentheses; legal-form pieces ("Inc.", "N.A.", "National Association") rejoin the name before them;
descriptions ("a Delaware corporation"), roles ("as administrative agent", "the lenders from time to
time party thereto") and parentheticals are dropped, the quoted names in parentheticals kept as aliases.
The registrant (its names on the cover and the aliases the text gives it: "Nuance", "the Company"), its
subsidiaries ("a wholly owned subsidiary of Disney") and repeated aliases ("Barclays" after "Barclays
Bank plc ("Barclays")") are not counterparties.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..sections.text import DATE_RE
from .text import ABBREVIATIONS, sentence_at, sentences
from .values import ReaderValue, Segment, value_at
from .vocabulary import alias_pattern

__all__ = ["counterparties", "name_key"]

_LEGAL = frozenset(
    "inc incorporated corp corporation co company llc lp llp plc ltd limited na sa ag nv bv the "
    "l l c p national association".split()
)


def name_key(name: str) -> str:
    """A name without case, punctuation and legal-form words (for comparing party names)."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


_START = re.compile(r"\b(?:by\s+and\s+(?:among|between)|among|between)\s+", re.I)
_WITH = re.compile(r"\bwith\s+(?=[A-Z0-9\"\u201c])")
_ENTERED = re.compile(r"\b(?:entered\s+into|executed|signed|entered\s+in)\b", re.I)
_END = re.compile(
    r",?\s+(?:pursuant\s+to|under\s+which|whereby|which|that\s+(?:provides|amends|governs)|providing|"
    r"relating\s+to|in\s+connection\s+with|for\s+the\s+(?:purpose|sale|purchase|lease)|entered\s+into|"
    r"to\s+(?:provide|continue|acquire|purchase|sell|lease|finance|govern|amend|replace|establish|"
    r"extend|make|permit)|dated)\b",
    re.I,
)
_SUFFIX = re.compile(
    r"^(?:inc|incorporated|corp|corporation|co|company|llc|l\.l\.c|lp|l\.p|llp|l\.l\.p|plc|ltd|limited|"
    r"n\.\s?a|s\.a|ag|n\.v|b\.v|national\s+association|jr|sr|ii|iii|iv)\.?$",
    re.I,
)
_ROLE_WORDS = frozenset(
    "lender lenders swingline swing line issuing bank banks administrative collateral syndication "
    "documentation co-documentation co-syndication agent agents arranger arrangers bookrunner "
    "bookrunners trustee trustees borrower borrowers guarantor guarantors issuer issuers purchaser "
    "purchasers underwriter underwriters representative representatives initial several other escrow "
    "paying managing sole joint lead co a an the each as and of its their party parties thereto from "
    "time to named therein departing l/c letter credit".split()
)
_DESCRIPTOR = re.compile(
    r"^(?:a|an|each|as|serving|acting|certain|collectively|together|its|their|individually|including|"
    r"from\s+time|the\s+(?:lenders|several|initial|other|financial|banks|guarantors|subsidiary|"
    r"purchasers|holders|investors|sellers|stockholders|shareholders|members|parties)|"
    r"the\s+company|the\s+registrant|the\s+borrower|the\s+issuer|we|us)\b",
    re.I,
)
_ROLE_TAIL = re.compile(
    r"\s+(?:each\s+)?(?:as|serving\s+as|acting\s+as|in\s+its\s+capacity\s+as)\s+.*$", re.I | re.S
)
_SUBSIDIARY = re.compile(r"\b(?:subsidiary|affiliate)\s+of\s+(.+)$", re.I | re.S)
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{1,60})[\"\u201d]")


@dataclass
class _Party:
    start: int
    end: int
    aliases: list[str]
    subsidiary_of: str | None = None


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of text[start:end] split on ; , and ' and ' outside parentheses."""
    out: list[tuple[int, int]] = []
    depth = 0
    pos = start
    i = start
    while i < end:
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ",;":
            out.append((pos, i))
            pos = i + 1
        elif depth == 0 and text.startswith(" and ", i) and not re.match(r"\s*and\s+restated", text[i:]):
            out.append((pos, i))
            pos = i + 5
            i += 4
        i += 1
    out.append((pos, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n":
        s += 1
    while e > s and text[e - 1] in " \t\n":
        e -= 1
    last = re.search(r"([A-Za-z][A-Za-z.]*)\.$", text[max(s, e - 12) : e])
    if last and last[1].lower() not in ABBREVIATIONS and len(last[1]) > 1:
        e -= 1
    m = re.match(r"(?:and|with|or)\s+", text[s:e])
    if m:
        s += m.end()
    return s, e


def _is_role(words: str) -> bool:
    toks = re.findall(r"[\w/-]+", words.lower())
    return bool(toks) and all(t in _ROLE_WORDS for t in toks)


def _parse(text: str, start: int, end: int) -> list[_Party]:
    parties: list[_Party] = []
    for us, ue in _units(text, start, end):
        s, e = _strip(text, us, ue)
        piece = text[s:e]
        if not piece:
            continue
        aliases = _QUOTED.findall(piece)
        paren = piece.find("(")
        name_end = s + paren if paren >= 0 else e
        name = text[s:name_end].rstrip()
        sub = _SUBSIDIARY.search(piece)
        tail = _ROLE_TAIL.search(name)
        if tail:
            name = name[: tail.start()].rstrip(" ,")
        if _SUFFIX.match(name.strip()) and parties:
            parties[-1].end = s + len(name.rstrip())
            parties[-1].aliases += aliases
            continue
        if _DESCRIPTOR.match(piece) or _is_role(name) or piece[:1].islower():
            if sub and parties:
                parties[-1].subsidiary_of = sub[1]
            if aliases and parties:
                parties[-1].aliases += aliases
            continue
        name = name.rstrip(" ,")
        if not name or not (name[0].isupper() or name[0].isdigit()) or len(name.split()) > 10:
            continue
        parties.append(_Party(s, s + len(name), aliases, sub[1] if sub else None))
    return _rejoin_firm_names(text, parties)


_FIRM_END = re.compile(
    r"&\s*[A-Z][\w.'-]*(?:\s+(?:Incorporated|Inc\.?|LLC|L\.L\.C\.|LLP|L\.L\.P\.|LP|L\.P\.|Co\.|Company))?$"
)
_FIRM_WORD = re.compile(r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?")


def _rejoin_firm_names(text: str, parties: list[_Party]) -> list[_Party]:
    """A firm name with commas in it, "Merrill Lynch, Pierce, Fenner & Smith Incorporated" or "Skadden,
    Arps, Slate, Meagher & Flom LLP", comes out of the comma split as pieces: one- or two-word
    capitalized pieces with nothing but ", " between them, closed by an "X & Y" piece, are one name."""
    out: list[_Party] = []
    run: list[_Party] = []
    for p in parties:
        name = text[p.start : p.end]
        joined = bool(run) and text[run[-1].end : p.start] == ", "
        if run and not joined:
            out.extend(run)
            run = []
        if _FIRM_END.search(name) and run and "," not in name:
            out.append(_Party(run[0].start, p.end, [a for r in run for a in r.aliases] + p.aliases,
                              p.subsidiary_of))  # fmt: skip
            run = []
        elif _FIRM_WORD.fullmatch(name) and not p.aliases:
            run.append(p)
        else:
            out.extend(run)
            run = []
            out.append(p)
    out.extend(run)
    return out


def _subject_start(text: str, ss: int, verb: int) -> int:
    """Where the subject of the sentence's event verb starts: after its lead date ("On May 1, 2020,")."""
    head = text[ss:verb]
    s0 = ss + len(head) - len(head.lstrip())
    lead = re.match(r"(?:On|As\s+of|Effective)\s+", text[s0:verb])
    date = DATE_RE.match(text, s0 + lead.end()) if lead else None
    if date is not None:
        s0 = date.end()
        paren = re.match(r"\s*\([^)]*\)", text[s0:])
        s0 += (paren.end() if paren else 0) + 1
    return s0


def subject_key(text: str) -> str | None:
    """The name key of the first party that enters into an agreement in ``text`` ("On October 2, 2007,
    Alcoa Inc. entered into ..."): a party to its own agreement, never its counterparty."""
    for ss, se in sentences(text):
        entered = _ENTERED.search(text, ss, se)
        if entered is None:
            continue
        s0 = _subject_start(text, ss, entered.start())
        name = re.match(r"\s*([A-Z][^,(\"\u201c]{1,60}?)\s*(?:[,(]|$)", text[s0 : entered.start()])
        return name_key(name[1]) if name and not _is_role(name[1]) else None
    return None


def _clause(text: str, bounds: list[tuple[int, int]]) -> tuple[int, int, bool] | None:
    """The first parties clause of ``text``: its start and end, and whether it is a sentence's subject
    (which must then name the registrant to be taken)."""
    agreement = re.compile(rf"(?i:\b(?:{alias_pattern('agreement')}|agreement)\b)")
    found: list[tuple[int, int, bool]] = []
    for ss, se in bounds:
        sentence = text[ss:se]
        if not agreement.search(sentence):
            continue
        entered = _ENTERED.search(sentence)
        m = _START.search(sentence)
        if m is None and entered is not None:
            w = _WITH.search(sentence, entered.end())
            if w is not None and w.start() - entered.end() < 160:
                m = w
        if m is not None:
            found.append((ss + m.end(), se, False))
        elif entered is not None:
            s0 = _subject_start(text, ss, ss + entered.start())
            if "," in text[s0 : ss + entered.start()] or " and " in text[s0 : ss + entered.start()]:
                found.append((s0, ss + entered.start(), True))
        if found:
            break
    if not found:
        return None
    s, e, subject = found[0]
    end = _END.search(text, s, e)
    stop = end.start() if end else e
    defined = re.search(r"\((?:[^()]*?)[\"\u201c][^\"\u201d]*(?:Agreement|Indenture|Lease|Facility|Notes?|Plan)[\"\u201d]\)",
                        text[s:stop])  # fmt: skip
    if defined:
        stop = s + defined.start()
    return s, stop, subject


def _registrant_keys(text: str, registrants: Sequence[str]) -> set[str]:
    keys = {name_key(r) for r in registrants if r} | {"company", "registrant", "we", "us"}
    for r in registrants:
        if not r:
            continue
        head = re.escape(r.split(",")[0].split()[0])
        for m in re.finditer(rf"\b{head}[^()\"]{{0,60}}\(([^()]{{0,80}})\)", text, re.I):
            if name_key(m[0].split("(")[0]) in keys or name_key(r).startswith(name_key(m[0].split("(")[0])):
                keys.update(name_key(a) for a in _QUOTED.findall(m[1]))
    return {k for k in keys if k}


def counterparties(segments: list[Segment], registrants: Sequence[str]) -> tuple[list[ReaderValue], bool]:
    """The counterparties of the first parties clause, and whether a whole clause was read."""
    for text, offset in segments:
        bounds = sentences(text)
        clause = _clause(text, bounds)
        if clause is None:
            continue
        own = _registrant_keys(text, registrants)
        subject = subject_key(text) if not clause[2] else None
        if subject:
            own.add(subject)
        parties = _parse(text, clause[0], clause[1])
        for p in parties:
            if name_key(text[p.start : p.end]) in own:
                own.update(name_key(a) for a in p.aliases)
        if clause[2] and not any(name_key(text[p.start : p.end]) in own for p in parties):
            continue  # a subject list that does not name the registrant is not this agreement's parties
        out: list[ReaderValue] = []
        seen: set[str] = set()
        for p in parties:
            name = text[p.start : p.end]
            key = name_key(name)
            if key in own or key in seen or any(key and s.startswith(key + " ") for s in seen):
                seen.update(name_key(a) for a in p.aliases)
                continue
            parent = name_key(p.subsidiary_of.split("(")[0]) if p.subsidiary_of is not None else ""
            if parent and any(o == parent or o.startswith(parent + " ") for o in own):
                continue  # the registrant's subsidiary ("a wholly owned subsidiary of Tyson")
            seen.add(key)
            seen.update(name_key(a) for a in p.aliases)
            out.append(value_at(text, p.start, p.end, offset, " ".join(name.split()), 0.8, "parties_clause"))
        if out:
            return out, True
    return [], False


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    return sentence_at(sentences(text), pos)
