"""The confidence formula and its inputs."""

from __future__ import annotations

import datetime as dt

from llm_helpers import ORACLE_502, item_of, parsed, q

from extractor.fill.confidence import score_tree, value_probs
from extractor.fill.ground import ground_event
from extractor.llm.base import TokenLogprob
from extractor.prefill.scoring import ParserFacts, Signals, field_confidence
from extractor.record import Alignment
from extractor.schemas import MaterialAgreement, OfficerChanges


def test_formula_orders_the_evidence():
    exact = field_confidence(Signals(Alignment.exact, check="ok"))
    lenient = field_confidence(Signals(Alignment.lenient, check="ok"))
    fuzzy = field_confidence(Signals(Alignment.fuzzy, align_score=90, check="ok"))
    none = field_confidence(Signals(Alignment.none, check="ok"))
    assert exact == 0.9 and lenient == 0.85 and none == 0.15
    assert exact > lenient > fuzzy > none
    assert field_confidence(Signals(Alignment.exact, check="fail")) == 0.36
    assert field_confidence(Signals(Alignment.exact, check="ok", reasks=2)) == round(0.9 * 0.85**2, 3)


def test_caps_for_ungrounded_and_injected_values():
    assert field_confidence(Signals(Alignment.none, check="ok", parser="agree")) == 0.2
    assert field_confidence(Signals(Alignment.exact, check="ok", parser="agree", injected=True)) == 0.1


def test_parser_agreement_and_logprobs():
    agree = field_confidence(Signals(Alignment.exact, check="ok", parser="agree"))
    assert agree == 0.95
    assert field_confidence(Signals(Alignment.exact, check="ok", parser="disagree")) == 0.45
    sure = field_confidence(Signals(Alignment.exact, check="ok", value_prob=1.0))
    unsure = field_confidence(Signals(Alignment.exact, check="ok", value_prob=0.1))
    assert sure == 0.9 and unsure == round(0.9 * 0.64, 3)
    assert field_confidence(Signals(Alignment.none, null=True)) == 0.6


def test_value_probs_by_text_offset_with_a_json_fence():
    tokens = ["```", "json", "\n", '{"a": {"value": ', '"Ro', 'na"', "}}"]
    lps = [-0.5, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0]
    logprobs, off = [], 0
    for t, lp in zip(tokens, lps, strict=True):
        logprobs.append(TokenLogprob(token=t, logprob=lp, offset=off))
        off += len(t)
    probs = value_probs('{"a": {"value": "Rona"}}', logprobs)
    assert abs(probs[("a", "value")] - 0.3679) < 1e-3  # mean of -2.0 and 0.0 -> exp(-1)


def test_scored_event_on_oracle_502():
    record, text = parsed(ORACLE_502)
    item = item_of(record, "5.02")
    output = {
        "changes": [
            {
                "person": q("Rona Fairhead", "unanimously elected Rona Fairhead to serve as a director"),
                "change": q("election", "unanimously elected Rona Fairhead"),
                "position": q("director", "to serve as a director"),
                "effective_date": q("2019-07-31", "accepted the appointment effective as of July 31, 2019"),
            }
        ]
    }
    tree = ground_event(OfficerChanges, output, item.text, item.span[0])
    event = score_tree(tree, facts=ParserFacts(date_of_report=dt.date(2019, 7, 3)))
    change = event["changes"][0]
    assert change["person"]["confidence"] == 0.9 and change["person"]["method"] == "llm"
    assert change["change"]["confidence"] == 0.9  # enum confirmed by its quote ("elected")
    assert change["effective_date"]["value"] == "2019-07-31"
    s, e = change["effective_date"]["span"]
    assert text[s:e] == "accepted the appointment effective as of July 31, 2019"


def test_counterparty_that_is_the_registrant_is_penalized():
    text = "Item 1.01 Entry into a Material Definitive Agreement\nAcme Corp entered into a credit agreement with Big Bank N.A."
    start = text.index("Item 1.01")
    tree = ground_event(
        MaterialAgreement,
        {
            "counterparties": [
                q("Acme Corp", "Acme Corp entered into"),
                q("Big Bank N.A.", "with Big Bank N.A."),
            ]
        },
        text[start:],
        start,
    )
    event = score_tree(tree, facts=ParserFacts(registrants=("Acme Corp",)))
    acme, bank = event["counterparties"]
    assert acme["confidence"] == 0.45 and "is the registrant itself" in acme["reasons"]
    assert bank["confidence"] == 0.9


def test_period_end_after_the_report_date_is_doubted():
    from extractor.schemas import ResultsOfOperations

    text = (
        "Item 2.02 Results of Operations\nOn October 25, 2007 the Company announced its results for the"
        " quarter ended September 30, 2007 and its backlog as of October 25, 2007."
    )
    for value, quote, expect in [("2007-10-25", "October 25, 2007", True), ("2007-09-30", None, False)]:
        tree = ground_event(ResultsOfOperations, {"period_end": q(value, quote or value)}, text, 0)
        event = score_tree(tree, facts=ParserFacts(date_of_report=dt.date(2007, 10, 25)))
        doubted = "ends on or after the date of report" in event["period_end"]["reasons"]
        assert doubted is expect
