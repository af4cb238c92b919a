"""Field confidence in [0, 1]: the rules (pure; no model, no I/O).

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

This module holds the rules and the parser-known facts; ``extractor.fill.confidence`` applies them to a
grounded model answer (logprobs, calibration). The deterministic side (``extractor.prefill``) uses only
this module, so it never imports the LLM layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..record import Alignment
from .names import is_registrant

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


def parser_agreement(name: str, kind: str, value: Any, facts: ParserFacts) -> str | None:
    """ "agree" | "disagree" | None: what the parser-known ``facts`` say of a field's value (the rules of
    the module docstring); ``kind`` is the leaf kind of the field (``extractor.events.tree.leaf_kind``)."""
    if value is None:
        return None
    if kind == "date" and facts.date_of_report:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if name in DATE_FIELDS_AGREEING_WITH_REPORT:
            return "agree" if day == facts.date_of_report else None
        if name == "period_end":
            # results are announced for a period that has ended: an end on or after the report's date is wrong
            return "disagree" if day >= facts.date_of_report else None
    if name in ("counterparties", "counterparty") and is_registrant(str(value), facts.registrants):
        return "disagree"
    return None
