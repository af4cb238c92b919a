"""Field confidence in [0, 1] (pure).

For a non-null value::

    c = base(alignment)                 exact 0.90 · lenient 0.85 · fuzzy 0.55..0.85 (score 85..100)
                                        · none 0.15
      x check factor                    value vs its quote: ok 1.0 · n/a 0.95 (enums, booleans,
                                        paraphrased text: nothing to check) · partial 0.75 · fail 0.40
      x 0.85 ** reasks                  instructor re-asks the item needed
      x (0.6 + 0.4 * p)                 p = exp(mean token logprob of the value), when the server
                                        returned logprobs; factor 1 otherwise
    parser agrees (same fact known):    c = c + (1 - c) / 2
    parser disagrees:                   c = c * 0.5
    caps:                               ungrounded (alignment none) <= 0.20;
                                        read from text addressing the model (injection) <= 0.10

For a null value (the text does not say it): ``c = 0.60 x 0.85 ** reasks x (0.6 + 0.4 p)``.

Parser-known facts used for agreement: the cover's date of report (an event date equal to it agrees; a
2.02 ``period_end`` on or after it disagrees: results are for a period that has ended) and the
registrant names (a counterparty that *is* the registrant disagrees). The same agree/disagree
step moves the confidence of a parser pre-filled vote count (``extractor.prefill``) that the model also
read (the parser's value is kept).

The constants are a first, documented guess; that is the *raw* score. When the model in use has a curve
fitted on the dev gold set (``extractor.calibration``, fitted by ``extractor eval calibrate``; see
docs/llm-fill.md "Calibration"), the field's confidence is the curve's value at the raw score, and its
reasons keep the raw score (``confidence calibrated 0.720 -> 0.810 (MODEL/llm v1)``) so the eval refits
on raw scores. The injection cap still holds after calibration. Without a curve (or without a model
name) the confidence is the raw score and no such reason is added.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .calibration import ModelCurves, calibrate
from .ground import Leaf
from .jsonspans import value_spans
from .llm.base import TokenLogprob
from .types import Alignment, Field, Method

BASE = {Alignment.exact: 0.90, Alignment.lenient: 0.85, Alignment.none: 0.15}
CHECK = {"ok": 1.0, "n/a": 0.95, "partial": 0.75, "fail": 0.40}
REASK = 0.85
NULL_BASE = 0.60
UNGROUNDED_CAP = 0.20
INJECTION_CAP = 0.10
DATE_FIELDS_AGREEING_WITH_REPORT = frozenset(
    {"agreement_date", "termination_date", "completion_date", "effective_date", "meeting_date", "notice_date"}
)


@dataclass(frozen=True)
class ParserFacts:
    """Facts the deterministic parser already knows about the filing."""

    date_of_report: dt.date | None = None
    registrants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signals:
    alignment: Alignment
    align_score: float = 100.0
    check: str = "n/a"
    reasks: int = 0
    value_prob: float | None = None
    parser: str | None = None  # "agree" | "disagree" | None
    injected: bool = False
    null: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)


def field_confidence(s: Signals) -> float:
    """The documented formula (module docstring)."""
    lp = 1.0 if s.value_prob is None else 0.6 + 0.4 * s.value_prob
    if s.null:
        return round(NULL_BASE * REASK**s.reasks * lp, 3)
    if s.alignment is Alignment.fuzzy:
        base = 0.55 + 0.30 * max(0.0, min(1.0, (s.align_score - 85.0) / 15.0))
    else:
        base = BASE[s.alignment]
    c = base * CHECK.get(s.check, 0.95) * REASK**s.reasks * lp
    c = parser_adjusted(c, s.parser)
    if s.alignment is Alignment.none:
        c = min(c, UNGROUNDED_CAP)
    if s.injected:
        c = min(c, INJECTION_CAP)
    return round(max(0.0, min(1.0, c)), 3)


def parser_adjusted(c: float, agreement: str | None) -> float:
    """The parser-agreement step of the formula: agree -> c + (1 - c) / 2, disagree -> c * 0.5. Also used
    by ``extractor.prefill`` when the model and the parser's pre-fill read the same fact."""
    if agreement == "agree":
        return c + (1 - c) / 2
    if agreement == "disagree":
        return c * 0.5
    return c


_ENTITY_SUFFIX = frozenset(
    "the inc incorporated corp corporation co company companies ltd limited llc plc lp holdings group".split()
)


def _entity_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _ENTITY_SUFFIX}


def is_registrant(name: str, registrants: Sequence[str]) -> bool:
    """Is ``name`` the registrant? Its words, less "Inc.", "Corp.", "The" ..., are all words of one of the
    registrants' names on the cover page ("Disney" and "The Walt Disney Company")."""
    words = _entity_words(name)
    return bool(words) and any(words <= own for own in map(_entity_words, registrants) if own)


def parser_agreement(leaf: Leaf, facts: ParserFacts) -> str | None:
    if leaf.value is None:
        return None
    if leaf.kind == "date" and facts.date_of_report:
        day = leaf.value if isinstance(leaf.value, dt.date) else dt.date.fromisoformat(str(leaf.value))
        if leaf.name in DATE_FIELDS_AGREEING_WITH_REPORT:
            return "agree" if day == facts.date_of_report else None
        if leaf.name == "period_end":
            # results are announced for a period that has ended: an end on or after the report's date is wrong
            return "disagree" if day >= facts.date_of_report else None
    if leaf.name in ("counterparties", "counterparty") and is_registrant(str(leaf.value), facts.registrants):
        return "disagree"
    return None


def value_probs(raw: str | None, logprobs: list[TokenLogprob] | None) -> dict[tuple[str | int, ...], float]:
    """Path of each JSON scalar -> exp(mean logprob of the tokens overlapping it)."""
    if not logprobs:
        return {}
    # offsets are into the token text, which may differ from the message content (a ```json fence
    # the server strips, for one): scan the token text itself
    text = "".join(t.token for t in logprobs)
    probs: dict[tuple[str | int, ...], float] = {}
    for path, (start, end) in value_spans(text).items():
        toks = [
            t.logprob for t in logprobs if t.offset < max(end, start + 1) and t.offset + len(t.token) > start
        ]
        if toks:
            probs[path] = math.exp(sum(toks) / len(toks))
    return probs


# parametrize once: pydantic keeps parametrized generics weakly, so ``Field[Any]`` in a loop rebuilds
# the class (schema and validator) whenever the collector has dropped it (~1 ms each time)
_ANY_FIELD = Field[Any]


def leaf_field(
    leaf: Leaf,
    *,
    reasks: int,
    probs: dict[tuple[str | int, ...], float],
    facts: ParserFacts,
    model: str | None = None,
    curves: Mapping[str, ModelCurves] | None = None,
) -> dict[str, Any]:
    """One grounded leaf -> a Field dict (value, confidence, method llm, span, quote, alignment, reasons).
    ``model``: the model that read the value; its calibration curve (``curves``, default: the shipped
    ones) maps the raw score when there is one."""
    agreement = parser_agreement(leaf, facts)
    reasons = list(leaf.reasons)
    if agreement == "agree":
        reasons.append("agrees with the parser (date of report)")
    elif agreement == "disagree":
        reasons.append(
            "ends on or after the date of report" if leaf.name == "period_end" else "is the registrant itself"
        )
    if reasks:
        reasons.append(f"{reasks} re-ask(s)")
    signals = Signals(
        alignment=leaf.aligned.status,
        align_score=leaf.aligned.score,
        check=leaf.check.status,
        reasks=reasks,
        value_prob=probs.get((*leaf.path, "value")),
        parser=agreement,
        injected=leaf.injected,
        null=leaf.value is None,
    )
    value = leaf.value.isoformat() if isinstance(leaf.value, dt.date) else leaf.value
    confidence, note = calibrate(field_confidence(signals), model, "llm", curves)
    if note is not None:
        if leaf.injected:
            confidence = min(confidence, INJECTION_CAP)
        reasons.append(note)
    f = _ANY_FIELD(
        value=value,
        confidence=confidence,
        method=Method.llm,
        span=leaf.span,
        quote=leaf.quote,
        alignment=None if leaf.value is None else leaf.aligned.status,
        reasons=reasons,
    )
    return f.model_dump(mode="json")


def score_tree(
    tree: Any,
    *,
    reasks: int = 0,
    raw: str | None = None,
    logprobs: list[TokenLogprob] | None = None,
    facts: ParserFacts | None = None,
    model: str | None = None,
    curves: Mapping[str, ModelCurves] | None = None,
) -> Any:
    """Grounded tree (from ``ground.ground_event``) -> the event with a Field dict at each leaf.
    ``model`` (the provider's model name, ``CallRecord.model``) selects the calibration curve."""
    probs = value_probs(raw, logprobs)
    facts = facts or ParserFacts()

    def walk(node: Any) -> Any:
        if isinstance(node, Leaf):
            return leaf_field(node, reasks=reasks, probs=probs, facts=facts, model=model, curves=curves)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(tree)
