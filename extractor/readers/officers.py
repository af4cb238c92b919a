"""5.02 changes read from the sentence that names the person (pure).

A person is a run of two to four capitalized words (initials allowed: "V. James Vena") that is not an
organization, title or month. A sentence that names a person and carries a change verb gives one
change; the verb nearest the name decides its kind:

- departure: resigned, retired, stepped down, will not stand for re-election, terminated, departed;
- election: elected (by the board or the shareholders);
- appointment: appointed, named, became, promoted, hired, succeeded;
- compensation: an employment / compensation agreement or award *with* the person.

The position is the title printed after "as" / "became" / "to serve as" / "from" ("resigned as Chief
Executive Officer of ..." -> "Chief Executive Officer"; "as a director"; "as a member of the Board of
Directors"). The effective date is the sentence's "effective DATE", else null when it takes effect
"upon" an undated event, else its lead date ("On DATE, ..."), else the report's date when "effective
immediately" (``dates.sentence_date``); a lead date gives way to the "effective DATE" of a later
sentence on the same change of that person alone ("... entered into an Employment Agreement ...,
effective as of April 1, 2022"). Every segment is read: the item's text, the items it incorporates,
the filing's body for an item without text.
A person named again later ("Mr. Vena") is the same person: one change per person and kind.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..sections.text import DATE_RE, parse_date
from .dates import sentence_date
from .text import sentences
from .values import ChangeReading, ReaderValue, Segment, value_at

__all__ = ["KIND_VERBS", "SUFFIXES", "officer_changes", "surname"]

KIND_VERBS: dict[str, re.Pattern[str]] = {
    "departure": re.compile(
        r"\b(?:resign\w*|retir\w*|step(?:ped|s)?\s+down|stepping\s+down|depart\w*|(?:will|would)\s+not\s+stand|"
        r"not\s+to\s+stand|not\s+(?:to\s+)?seek\s+re-?election|terminat\w*|leav(?:e|ing)|ceased?)\b",
        re.I,
    ),
    "election": re.compile(r"\b(?:elected|re-elected|reelected)\b", re.I),
    "appointment": re.compile(
        r"\b(?:appoint\w*|named|became|become|promot\w*|hired|succeed\w*|will\s+serve\s+as)\b", re.I
    ),
    "compensation": re.compile(
        r"\b(?:employment\s+agreement|compensation|salary|bonus|award\w*|granted|severance)\b", re.I
    ),
}
_ANY_VERB = re.compile("|".join(f"(?:{rx.pattern})" for rx in KIND_VERBS.values()), re.I)

_CAP = r"[A-Z](?:[a-z'\u2019]+[A-Z])?[a-z\u2019]+(?:-[A-Z][a-z]+)?"
_WORD = rf"(?:{_CAP}|[A-Z]\.)"
# a surname after its particles ("van der Berg", "de la Cruz") or with one in front ("deSouza", "DeSouza")
_PARTICLE = r"(?:de|van|von|der|den|du|da|di|del|della|dos|das|la|le)"
_LAST = rf"(?:(?:{_PARTICLE}\s+){{0,2}}{_CAP}|{_PARTICLE}[A-Z][a-z\u2019]+)"
_NAME = re.compile(rf"(?<![\w.])(?:{_WORD}\s+){{1,3}}{_LAST}(?!['\u2019]s)(?:,?\s+(?:Jr|Sr)\.|\s+I{{2,3}})?")
_ORG_AFTER = re.compile(
    r"(?:,?\s*(?:Inc|Corporation|Corp|Company|Co|LLC|L\.L\.C|Ltd|L\.P|LP|plc|N\.A|Group|Holdings)\b"
    r"|\s*\((?:the\s+)?[\"\u201c])"
)
_LIST_GAP = re.compile(r"[\s,]*(?:(?:and|&)\s*)?")
_TELLS = re.compile(
    r"\s*,?\s*(?:notified|informed|advised|tendered|submitted|announced|agreed|accepted|delivered)\b"
)
_ADJACENT = re.compile(r"^[\s,]*(?:(?:has|have|was|will|would|had|is)\s+(?:been\s+)?)?(?:\w+\s+)?$")
_NOT_NAME = frozenset(
    "board company corporation inc committee officer chief president director directors stock plan agreement "
    "agreements executive vice senior financial operating secretary treasurer chairman chair counsel general "
    "annual meeting shareholders stockholders item exhibit section act securities exchange commission form "
    "report current fiscal year the this on in effective following during as of and mr mrs ms dr "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday new york delaware united states group bank trust capital "
    "partners holdings fund university compensation human resources audit nominating governance "
    "target award awards opportunity salary base bonus goals goal performance incentive equity cash shares "
    "units restricted reason cause date period term agreement plan program officers certain arrangements "
    "controller comptroller corporate accounting principal interim assistant".split()
)
_TITLE_START = re.compile(
    r"\b(?:as|became|become|to\s+serve\s+as|to\s+the\s+(?=position)|from\s+(?:the\s+)?(?:position\s+of\s+|(?:his|her|their)\s+(?:position|role)s?\s+as\s+)?|"
    r"to\s+(?:the\s+)?(?:position|role)\s+of)\s+(?:the\s+|a\s+|an\s+|its\s+|our\s+)?",
    re.I,
)
_HONORIFICS = frozenset({"Mr", "Mrs", "Ms", "Miss", "Dr"})
_TITLE_WORD = re.compile(r"(?:[A-Z][\w&'\u2019-]*|and|of|the|&)$")
_BOARD = re.compile(
    r"(?:(?:a\s+)?member\s+of\s+(?:the\s+)?(?:Company['\u2019]s\s+|its\s+|our\s+)?[Bb]oard(?:\s+of\s+[Dd]irectors)?"
    r"|(?:a\s+)?(?:Class\s+[IV]+\s+)?director\b|(?:the\s+)?[Bb]oard\s+of\s+[Dd]irectors)"
)
_OF_KEEP = frozenset("board directors sales operations finance marketing engineering the".split())


SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def surname(name: str) -> str:
    """The family name of a printed name, past a suffix ("Peter Karmanos, Jr." -> "Karmanos"); "" when
    it has no word."""
    words = [w for w in re.findall(r"[A-Za-z'\u2019-]+", name) if w.lower() not in SUFFIXES]
    return words[-1] if words else ""


def _is_person(name: str) -> bool:
    words = re.findall(r"[A-Za-z'\u2019]+", name)
    return len(words) >= 2 and not any(w.lower() in _NOT_NAME for w in words)


def _evidence(text: str, m: re.Match[str], verb: re.Match[str]) -> float:
    """How sure the words are a person: an honorific reference to the surname elsewhere ("Mr. Vena"),
    a middle initial, or the change verb right next to the name. 0 when none of these."""
    family = surname(m[0])
    score = 0.0
    if re.search(rf"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+{re.escape(family)}\b", text):
        score += 0.5
    if re.search(r"\b[A-Z]\.\s", m[0]):
        score += 0.3
    gap = text[m.end() : verb.start()] if verb.start() >= m.end() else text[verb.end() : m.start()]
    # the verb next to the name, or next to a list of names it is in ("elected A. Catz and F. deSouza")
    listed = _LIST_GAP.fullmatch(_NAME.sub("", gap)) is not None and gap.strip() != ""
    if _ADJACENT.match(gap) or _TELLS.match(text, m.end()) or listed:
        score += 0.4
    if re.search(rf"[\"\u201c]{re.escape(m[0])}[\"\u201d]", text):
        return 0.0  # a defined term ("Good Reason"), not a person
    return score


def _title_at(text: str, pos: int, end: int) -> tuple[int, int] | None:
    m = _BOARD.match(text, pos)
    if m is not None:
        return pos, m.end()
    words = list(re.finditer(r"[\w&'\u2019-]+|,", text[pos:end]))
    last = None
    prev_end = 0
    for k, w in enumerate(words):
        tok = w[0]
        if text[pos + prev_end : pos + w.start()].strip():
            break  # punctuation other than a comma ends the title
        prev_end = w.end()
        if tok == ",":
            nxt = words[k + 1][0] if k + 1 < len(words) else ""
            if not nxt[:1].isupper():
                break
            continue
        if not _TITLE_WORD.match(tok) or tok in _HONORIFICS:
            break  # ("... Chief Financial Officer and Mr. Chambers ...": the title ended at "Officer")
        if tok == "of":
            nxt = words[k + 1][0] if k + 1 < len(words) else ""
            if nxt.lower() not in _OF_KEEP or (
                nxt.lower() == "the" and k + 2 < len(words) and words[k + 2][0] not in ("Board",)
            ):
                break
        if tok[:1].isupper():
            last = pos + w.end()
    if last is None:
        return None
    return pos, last


def _position(text: str, verb_end: int, se: int) -> tuple[int, int] | None:
    for m in _TITLE_START.finditer(text, verb_end, min(se, verb_end + 120)):
        got = _title_at(text, m.end(), se)
        if got is not None:
            return got
    return None


def officer_changes(segments: list[Segment], report_date: dt.date | None = None) -> list[ChangeReading]:
    """One change per person and kind, read from every segment (the item's text, the items it
    incorporates, the filing's body for an item without text); ``report_date`` stands for "effective
    immediately" (``dates``)."""
    out: list[ChangeReading] = []
    seen: set[tuple[str, str]] = set()
    for text, offset in segments:
        out.extend(_segment_changes(text, offset, report_date, seen))
    return out


def _names_another(text: str, start: int, end: int, family: str) -> bool:
    """Does text[start:end] name a person of another surname than ``family``?"""
    names = (" ".join(n[0].split()) for n in _NAME.finditer(text, start, end))
    return bool({surname(n).lower() for n in names if _is_person(n)} - {family.lower()})


def _later_effective(
    text: str, spans: list[tuple[int, int]], se: int, offset: int, verb: str, family: str
) -> ReaderValue | None:
    """The "effective DATE" of a later sentence on the same change of the same person alone ("On April
    8, the Board approved employment agreements for A, B and C. ... the Company and Mr. A entered into
    an Employment Agreement ..., effective as of April 1"): the same change word (not another term of
    it: "Effective January 1, Mr. Iger's base salary will increase" after an amended employment
    agreement), and a sentence naming someone else is not his."""
    own = re.compile(rf"\b{re.escape(family)}\b", re.I)
    words = r"\s+".join(re.escape(w) for w in verb.lower().rstrip("s").split())
    same = re.compile(rf"\b{words}", re.I)
    for s2, e2 in spans:
        if s2 < se or not own.search(text, s2, e2):
            continue
        if _names_another(text, s2, e2, family):
            continue
        again = same.search(text, s2, e2)
        if again is None:
            continue
        got = sentence_date(text, again.start(), offset, same, reader="person_sentence")
        if got is not None and got.reasons == ("effective",):
            return replace(
                got, confidence=0.7, reasons=("effective, in a later sentence on the same change",)
            )
    return None


# the day a departure takes effect, stated after the notice: "Ms. Johnson's last day at the Company will
# be October 20, 2023", "His resignation will become effective on June 18, 2010", "Mr. Craighead has
# agreed to remain with the Company until January 31, 2006"
_LAST_DAY = re.compile(
    r"\b(?:last\s+day(?:\s+of\s+employment)?(?:\s+(?:at|with)\s+the\s+Company)?\s+(?:will\s+be|is|was)|"
    r"(?:resignation|retirement|departure|termination)\s+(?:will\s+(?:be(?:come)?)|became|is|was)\s+effective"
    r"(?:\s+(?:on|as\s+of))?|remain\s+(?:with|employed\s+(?:by|with))\s+the\s+Company\s+(?:through|until))\s+",
    re.I,
)
_PRONOUN = re.compile(r"\b(?:he|his|she|her|him)\b", re.I)
_NEXT_SENTENCES = 2


def _last_day(
    text: str, spans: list[tuple[int, int]], se: int, offset: int, family: str
) -> ReaderValue | None:
    """A departure's last day, from one of the two sentences after the notice that speak of the
    person alone (the surname or a pronoun, no one else named)."""
    own = re.compile(rf"\b{re.escape(family)}\b", re.I)
    later = [(s2, e2) for s2, e2 in spans if s2 >= se][:_NEXT_SENTENCES]
    for s2, e2 in later:
        if _names_another(text, s2, e2, family):
            return None  # the text has moved on to someone else
        if not (own.search(text, s2, e2) or _PRONOUN.search(text, s2, e2)):
            continue
        for m in _LAST_DAY.finditer(text, s2, e2):
            d = DATE_RE.match(text, m.end())
            day = parse_date(d) if d is not None else None
            if d is not None and day is not None:
                return value_at(text, d.start(), d.end(), offset, day.isoformat(), 0.75, "person_sentence",
                                reasons=("the departure's last day, stated after the notice",))  # fmt: skip
    return None


_RECALLS = re.compile(r"\s*As\s+(?:previously|earlier)\s+(?:reported|disclosed|announced)\b", re.I)


def _retold(
    text: str, spans: list[tuple[int, int]], se: int, offset: int, kind: str, family: str
) -> ReaderValue | None:
    """The date of a later sentence that tells the same kind of change of the same person ("As
    previously reported, on November 4, 2011, the Board appointed Ronald W. Allen to serve as interim
    ... . On February 21, 2012, the Board appointed Mr. Allen to serve as President ...")."""
    own = re.compile(rf"\b{re.escape(family)}\b", re.I)
    for s2, e2 in spans:
        if s2 < se or not own.search(text, s2, e2) or _RECALLS.match(text, s2):
            continue
        verb = KIND_VERBS[kind].search(text, s2, e2)
        if verb is not None:
            got = sentence_date(text, verb.start(), offset, KIND_VERBS[kind], reader="person_sentence")
            if got is not None:
                return got
    return None


def _segment_changes(
    text: str, offset: int, report_date: dt.date | None, seen: set[tuple[str, str]]
) -> list[ChangeReading]:
    out: list[ChangeReading] = []
    spans = sentences(text)
    body = 0
    if re.match(
        r"\s*item\b", text, re.I
    ):  # the heading repeats the SEC title ("Appointment of Certain Officers")
        nl = text.find("\n")
        body = nl if nl > 0 else len(text)
    # a sentence that recalls an earlier report ("As previously reported, on November 4, 2011, the Board
    # appointed X to serve as interim ...") is read last: the change this report tells comes first
    recalled = [sp for sp in spans if _RECALLS.match(text, sp[0])]
    for ss, se in [sp for sp in spans if sp not in recalled] + recalled:
        if se <= body:
            continue
        for m in _NAME.finditer(text, max(ss, body), se):
            name = " ".join(m[0].split())
            if not _is_person(name) or _ORG_AFTER.match(text, m.end()):
                continue
            near = None
            for v in _ANY_VERB.finditer(text, ss, se):
                d = abs(v.start() - m.end()) if v.start() >= m.end() else (m.start() - v.end()) * 1.5
                if near is None or d < near[0]:
                    near = (d, v)
            if near is None or near[0] > 150:
                continue
            verb = near[1]
            evidence = _evidence(text, m, verb)
            if evidence == 0:
                continue
            kind = next(k for k, rx in KIND_VERBS.items() if rx.fullmatch(verb[0]))
            key = (surname(name).lower(), kind)
            if key in seen:
                continue
            seen.add(key)
            conf = min(0.85, 0.45 + 0.3 * evidence)
            person = value_at(text, m.start(), m.end(), offset, name, conf, "person_sentence")
            change = value_at(text, verb.start(), verb.end(), offset, kind, conf - 0.05, "person_sentence")
            pos = _position(text, verb.end(), se)
            appositive = re.match(r",\s+(?:a|an|the|our|its)\s+", text[m.end() : m.end() + 12])
            if appositive is not None and (pos is None or len(text[pos[0] : pos[1]].split()) == 1):
                # "Patrick T. Hackett, a member of the Board of Directors (the "Board") ..., resigned from
                # the Board": the title the name's appositive prints, not a defined short form after the verb
                pos = _title_at(text, m.end() + appositive.end(), se) or pos
            position = None
            if pos is not None:
                title = " ".join(text[pos[0] : pos[1]].split())
                title = re.sub(r"^(?:a|an|the)\s+", "", title)
                owner = re.match(r"(?:[A-Z][\w.&-]*\s+){0,2}[A-Z][\w.&-]*['\u2019]s\s+", title)
                if owner and not title.lower().startswith(
                    "member"
                ):  # "Company's Interim ...": whose, not what
                    pos = (pos[0] + text[pos[0] : pos[1]].find(title[owner.end() :]), pos[1])
                    title = title[owner.end() :]
                board = re.search(r"\bBoard of Directors$", title)
                if board and not title.lower().startswith("member"):
                    pos = (pos[1] - len("Board of Directors"), pos[1])
                    title = "Board of Directors"
                position = value_at(text, pos[0], pos[1], offset, title, 0.65, "person_sentence")
            date = sentence_date(text, verb.start(), offset, _ANY_VERB, reader="person_sentence",
                                 after_verb=kind == "departure" and "stand" in verb[0].lower(),
                                 report_date=report_date, name=key[0])  # fmt: skip
            if (ss, se) in recalled:  # the report's own sentence on the change dates it
                date = _retold(text, spans, se, offset, kind, surname(name)) or date
            elif date is None or date.reasons in (("lead",), ("nearest the verb",)):
                later = _later_effective(text, spans, se, offset, verb[0], surname(name))
                if later is None and kind == "departure":
                    later = _last_day(text, spans, se, offset, surname(name))
                date = later or date
            out.append(ChangeReading(person, change, position, date))
    return sorted(out, key=lambda c: c.person.span[0])
