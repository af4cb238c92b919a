"""Candidate person names in an item's text (pure): a hint for the model on 5.02 items.

A candidate is two to four capitalized words, optionally with a middle initial and a suffix ("Colette M.
Kress", "Thomas B. Pickens, III", "Jen-Hsun Huang"), none of them a word that names an office, an
organization, a month or an instruction. Candidates are only a hint: the model still reads who changed
what, and its answers are grounded in the text like any other value.
"""

from __future__ import annotations

import re

_WORD = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-'][A-Z]?[a-z]+)?"  # "Jen-Hsun", "McCormick", "O'Brien"
# words on one line only ([ ] not \s: a table row must not run into the next one)
_NAME = re.compile(
    rf"\b(?:[A-Z]\.[ ]+)?{_WORD}(?:[ ]+[A-Z]\.)?(?:[ ]+{_WORD}){{1,2}}(?:,?[ ]+(?:Jr\.|Sr\.|II|III|IV)\b)?"
)
_STOP = frozenset(
    """
    a an the and of for to in on at by with as or from item items section form company corporation inc
    incorporated llc ltd limited group holdings board directors director officer officers executive
    chief president vice chairman chair secretary treasurer counsel general senior financial operating
    accounting principal committee compensation plan plans agreement award awards fiscal year annual
    meeting stockholders shareholders securities exchange act commission united states new york street
    avenue road january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday north south east west worldwide operations
    human resources global independent registered public audit nominating governance information report
    current ignore instructions system previous prompt assistant model note important report exhibit
    employment letter base salary target bonus stock option options restricted units performance cash
    compensatory arrangements arrangement date code reason revenue internal closing extension good amended
    restated foods systems technologies communications industries partners capital bank trust fund
    """.split()
)


def person_candidates(text: str, limit: int = 12) -> list[str]:
    out: list[str] = []
    for m in _NAME.finditer(text):
        words = m.group(0).strip().rstrip(",").split()
        while words and words[-1].strip(",.").lower() in _STOP:  # "Colette M. Kress Executive"
            words.pop()
        if len(words) < 2 or any(w.strip(",.").lower() in _STOP or w.endswith("'s") for w in words):
            continue
        name = " ".join(words).rstrip(",")
        if name not in out:
            out.append(name)
        if len(out) >= limit:
            break
    return out
