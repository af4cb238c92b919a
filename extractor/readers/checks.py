"""Answer checks: a value that is not an answer, and why (pure).

A small model often answers a short-phrase field with the item's SEC title ("Material Definitive
Agreement"), with the form's boilerplate ("incorporated herein by reference"), with the words of the
field's own description ("the principal or maximum amount as printed") or with a whole sentence.
``answer_problem`` returns the reason such a value is not an answer, or None for an acceptable value
(null is always acceptable). The fill stage can hand the reason to instructor as a validation error so
the model is re-asked once with it, and use null with the reason when the second answer fails too.

``type_problem`` adds the vocabulary rule for agreement / instrument kinds: the answer must be a short
noun phrase that ends with a kind of ``data/agreement_kinds.toml``.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from .. import catalog
from ..schemas import schema_for
from .vocabulary import recognize

__all__ = ["SHORT_FIELDS", "TYPE_FIELDS", "answer_problem", "type_problem"]

# Fields whose answer is a short phrase or a name, with the most words an answer may have.
SHORT_FIELDS: dict[str, int] = {
    "agreement_type": 8,
    "instrument": 8,
    "securities": 10,
    "counterparties": 10,
    "counterparty": 10,
    "former_auditor": 8,
    "new_auditor": 8,
    "person": 6,
    "position": 14,
    "exchange": 8,
    "exemption": 10,
    "rule": 12,
}
NAME_FIELDS = frozenset({"counterparties", "counterparty", "former_auditor", "new_auditor", "person"})
_ROLE = re.compile(
    r"(?:the\s+)?(?:company|registrant|borrower|issuer|buyer|seller|purchaser|lenders?|parties|"
    r"agent|administrative agent|trustee|merger sub)\b",
    re.I,
)
# The registrant's own bodies and units: a director compensation plan adopted by "the Board" has no
# counterparty, and "the Compensation Committee" or "its business unit" is never the other party.
_OWN_BODY = re.compile(
    r"^(?:the\s+|its\s+|our\s+)?(?:(?:[\w-]+\s+){0,3}(?:board|committee)(?:\s+(?:of\s+directors|member|chair\w*))?"
    r"|(?:lead\s+|independent\s+|non-employee\s+)?directors?|(?:[\w-]+\s+){0,3}business\s+unit|"
    r"board\s*/\s*committee|(?:[\w-]+\s+)?committee\s+chair\w*)$",
    re.I,
)
# Words of organization names: a 5.02 person is never one ("Nuance Communications", "the Compensation
# Committee", "Acme Holdings, Inc.").
_ORGANIZATION = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|company|co|llc|l\.l\.c|lp|llp|plc|ltd|limited|n\.a|holdings|"
    r"group|communications|technologies|systems|partners|bank|trust|fund|association|committee|board|"
    r"university|foundation)\b\.?",
    re.I,
)
# Fields whose answer names a kind of the vocabulary, and the family it must come from.
TYPE_FIELDS: dict[str, str] = {"agreement_type": "agreement", "instrument": "instrument"}

BOILERPLATE = (
    "incorporated herein by reference",
    "incorporated by reference",
    "information set forth",
    "information contained in",
    "current report on form 8-k",
    "this current report",
    "qualified in its entirety",
    "the foregoing description",
    "not applicable",
    "see item",
    "as printed",
    "as defined",
    "securities exchange act of 1934",
    "pursuant to the requirements",
    "off-balance sheet arrangement",
    "direct financial obligation",
    "material definitive agreement",
    "certifying accountant",
    "unregistered sales of equity securities",
    "compensatory arrangements",
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|shall|entered|agreed|announced|approved|provides?|"
    r"pursuant|incorporated|dated|effective)\b",
    re.I,
)


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").casefold()
    return " ".join(re.findall(r"[a-z0-9']+|-", text)).replace(" - ", "-")


@cache
def _titles() -> tuple[str, ...]:
    titles = [*catalog.MODERN.values(), *(t for t, _ in catalog.LEGACY.values())]
    parts = {_norm(p) for t in titles for p in re.split(r";|\bor\b", t)}
    return tuple(sorted({_norm(t) for t in titles} | {p for p in parts if len(p.split()) >= 2}))


@cache
def _descriptions(item: str) -> tuple[str, ...]:
    schema = schema_for(catalog.modern_equivalent(item) if catalog.is_known(item) else None)
    out: list[str] = []
    for model in (schema, *_element_models(schema)) if schema is not None else ():
        for info in model.model_fields.values():
            if info.description:
                out.extend(
                    _norm(p) for p in re.split(r"[,;(]|\be\.g\.", info.description) if len(p.split()) >= 3
                )
    return tuple(out)


def _element_models(schema: type[BaseModel]) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    for info in schema.model_fields.values():
        args = getattr(info.annotation, "__args__", ())
        out.extend(a for a in args if isinstance(a, type) and issubclass(a, BaseModel))
    return out


def answer_problem(value: object, *, item: str, field: str) -> str | None:
    """Why ``value`` (the model's answer for ``field`` of ``item``) is not an answer, or None."""
    if value is None or not isinstance(value, str):
        return None
    text = _norm(value)
    if not text:
        return None
    title = _norm(catalog.canonical_title(item)) if catalog.is_known(item) else ""
    if title and (text == title or (len(text.split()) >= 2 and text in title)):
        return f"repeats the SEC title of Item {item} ({catalog.canonical_title(item)!r}), not a value"
    if any(text == t or (len(text.split()) >= 3 and text in t) for t in _titles()):
        return "repeats an SEC item title, not a value"
    hit = next((b for b in BOILERPLATE if b in text), None)
    if hit is not None and field in SHORT_FIELDS:
        return f"repeats the form's boilerplate ({hit!r}), not a value"
    if any(d in text or (len(text.split()) >= 3 and text in d) for d in _descriptions(item)):
        return "repeats the field's description, not a value"
    if field in NAME_FIELDS and _ROLE.match(value.strip()):
        return "names the registrant or a party by its role, not by its name"
    if field == "counterparties" and _OWN_BODY.search(value):
        return f"names a body or unit of the registrant ({_OWN_BODY.search(value)[0]!r}), not another party"  # type: ignore[index]
    if field == "summary" and len(text.split()) < 4:
        return f"a label of {len(text.split())} word(s), not a summary"
    if field == "person" and _ORGANIZATION.search(value):
        return f"names an organization ({_ORGANIZATION.search(value)[0]!r}), not a person"  # type: ignore[index]
    limit = SHORT_FIELDS.get(field)
    if limit is not None:
        words = len(text.split())
        if words > limit:
            return f"a sentence or clause of {words} words, not a short {field.replace('_', ' ')}"
        if words >= 4 and _VERB.search(value) and field not in ("position", "rule", "exemption"):
            return f"a clause with a verb ({_VERB.search(value)[0]!r}), not a {field.replace('_', ' ')}"  # type: ignore[index]
    return None


def type_problem(value: object, *, item: str, field: str) -> str | None:
    """``answer_problem``, and for a kind field a value outside the vocabulary."""
    reason = answer_problem(value, item=item, field=field)
    if reason is not None or field not in TYPE_FIELDS or not isinstance(value, str):
        return reason
    if recognize(value) is None:
        return f"{value!r} does not name a kind of agreement or instrument of the vocabulary"
    return None
