"""Compare one filing record with its gold label: a flat list of scored observations (pure).

An :class:`Obs` is either a scalar field (``kind="field"``: correct or not, with the predicted value's
confidence) or a set (``kind="set"``: true/false positives and false negatives, plus the confidence and
outcome of each predicted element for calibration). Each observation also records how its predicted value
was obtained (``method``: llm, parser, header, human) and, when the record's confidence was calibrated
(``extractor.calibration``), the raw score before calibration, so curves are always fitted on raw scores.
Keys name what was scored:

- ``form_type``, ``cover.<field>`` (``cover.registrants`` and ``cover.securities_12b`` are sets)
- ``items`` (set on (number, reported)), ``exhibits`` (set on number) and ``exhibits.description``,
  ``signatures`` (set on name) and ``signatures.title`` / ``signatures.date``
- ``event.<modern item>.<field>``, e.g. ``event.5.07.proposals`` (set) and
  ``event.5.07.proposals.votes_for`` (over matched proposals)

Only labeled gold keys are scored (absent key = unlabeled; explicit null = scored, see docs/labeling.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .. import catalog
from ..events import tree
from ..record import FilingRecord
from ..schemas import schema_for
from .gold import GoldFiling
from .observations import Obs, field_obs, field_value, obs_from_match, set_obs, tag, unwrap
from .score import (
    Match,
    match_sets,
    pair_exhibit_number,
    pair_item,
    pair_name,
    score_bool,
    score_enum,
    score_fuzzy,
    similarity,
)

MODERN_ERA_START = dt.date(2004, 8, 23)


# ------------------------------------------------------------------------------------------ filings


def sniff_format(head: bytes) -> str:
    """html | sgml | text from the first bytes of a file (independent of the parser, so a parser bug
    cannot move a filing between breakdown buckets). ``sgml`` is a full EDGAR submission with a header."""
    sample = head[:200_000].decode("latin-1", errors="replace").lower()
    if "<sec-header>" in sample or "<ims-header>" in sample or "<sec-document>" in sample:
        return "sgml"
    if any(tag in sample for tag in ("<html", "<body", "<p>", "<p ", "<div", "<table", "<font", "<br")):
        return "html"
    return "text"


def era_of(gold: GoldFiling) -> str:
    """pre-2004 (whole-number legacy items) or 2004+; from the gold label, not the parser."""
    if gold.items:
        if any(catalog.is_legacy(i.number) for i in gold.items):
            return "pre-2004"
        return "2004+"
    date = gold.cover.date_of_report
    if date is not None:
        return "pre-2004" if date < MODERN_ERA_START else "2004+"
    return "unknown"


# ------------------------------------------------------------------------------------- parser fields

COVER_KINDS: dict[str, str] = {
    "company_name": "name",
    "date_of_report": "date",
    "state_of_incorporation": "name",
    "commission_file_number": "file_number",
    "irs_employer_id": "irs",
    "address": "address",
    "zip_code": "zip",
    "phone": "phone",
}


def _pair_security(gold: Any, pred: Any) -> Match:
    g_sym, p_sym = gold.get("trading_symbol"), pred.get("trading_symbol")
    if g_sym and p_sym:
        if str(g_sym).strip().upper() == str(p_sym).strip().upper():
            return Match(1.0, True, f"symbol {p_sym} matches")
        return Match(0.0, False, f"symbol {p_sym} != {g_sym}")
    return score_fuzzy(gold.get("title"), pred.get("title"), kind="title")


def compare_cover(gold: GoldFiling, record: FilingRecord) -> list[Obs]:
    out: list[Obs] = []
    labeled = gold.cover.labeled()
    cover = record.cover
    if "form_type" in gold.model_fields_set:
        value, conf = field_value(record.form_type)
        m = score_enum(gold.form_type, value)
        out.append(tag(obs_from_match("form_type", m, gold.form_type, value, conf), record.form_type))
    for name, kind in COVER_KINDS.items():
        if name in labeled:
            node = getattr(cover, name)
            value, conf = field_value(node)
            out.append(field_obs(f"cover.{name}", kind, labeled[name], value, conf, node))
    if "registrants" in labeled:
        g_names = list(labeled["registrants"] or [])
        p_fields = [r.name for r in cover.registrants]
        p_names = [f.value for f in p_fields if f.value]
        p_conf = [f.confidence for f in p_fields if f.value]
        sm = match_sets(g_names, p_names, pair_name, label="registrants")
        nodes = [f for f in p_fields if f.value]
        out.append(set_obs("cover.registrants", sm, g_names, p_names, p_conf, nodes))
    if "checkboxes" in labeled:
        boxes = cover.checkboxes
        out.append(tag(_checkbox_obs(labeled["checkboxes"], boxes), boxes.rule_425 if boxes else None))
    if "emerging_growth_company" in labeled:
        value, conf = field_value(cover.emerging_growth_company)
        m = score_bool(labeled["emerging_growth_company"], value)
        out.append(
            tag(
                obs_from_match(
                    "cover.emerging_growth_company", m, labeled["emerging_growth_company"], value, conf
                ),
                cover.emerging_growth_company,
            )
        )
    if "securities_12b" in labeled:
        g_sec = [s.model_dump() for s in labeled["securities_12b"] or []]
        p_sec = [
            {"title": s.title.value, "trading_symbol": s.trading_symbol.value, "exchange": s.exchange.value}
            for s in cover.securities_12b or []
        ]
        p_conf = [min(s.title.confidence, s.trading_symbol.confidence) for s in cover.securities_12b or []]
        sm = match_sets(g_sec, p_sec, _pair_security, label="securities")
        out.append(
            set_obs(
                "cover.securities_12b",
                sm,
                [s.get("trading_symbol") or s.get("title") for s in g_sec],
                [s.get("trading_symbol") or s.get("title") for s in p_sec],
                p_conf,
                [s.title for s in cover.securities_12b or []],
            )
        )
    return out


def _checkbox_obs(gold: Any, pred: Any) -> Obs:
    names = ("rule_425", "rule_14a12", "rule_14d2b", "rule_13e4c")
    if gold is None and pred is None:
        return Obs("cover.checkboxes", "field", True, 1.0, "both null (form has no boxes)", "null", "null")
    if gold is None:
        return Obs(
            "cover.checkboxes", "field", False, 0.0, "boxes read where the form has none", "null", "boxes"
        )
    if pred is None:
        return Obs("cover.checkboxes", "field", False, 0.0, "missing (form has boxes)", "boxes", "null")
    wrong = [n for n in names if bool(getattr(gold, n)) != bool(getattr(pred, n).value)]
    conf = min(getattr(pred, n).confidence for n in names)
    g = ",".join(n for n in names if getattr(gold, n)) or "none checked"
    p = ",".join(n for n in names if getattr(pred, n).value) or "none checked"
    if wrong:
        return Obs(
            "cover.checkboxes", "field", False, 1 - len(wrong) / 4, f"wrong: {', '.join(wrong)}", g, p, conf
        )
    return Obs("cover.checkboxes", "field", True, 1.0, "all four boxes match", g, p, conf)


def compare_items(gold: GoldFiling, record: FilingRecord) -> list[Obs]:
    if gold.items is None:
        return []
    g = [(i.number, i.reported) for i in gold.items]
    p = [(i.number, i.reported) for i in record.items]
    sm = match_sets(g, p, pair_item, label="items")
    fmt = lambda t: t[0] if t[1] else f"{t[0]}(n/a)"  # noqa: E731
    return [set_obs("items", sm, [fmt(x) for x in g], [fmt(x) for x in p])]


def compare_exhibits(gold: GoldFiling, record: FilingRecord) -> list[Obs]:
    if gold.exhibits is None:
        return []
    g_num = [e.number for e in gold.exhibits]
    p_num = [e.number.value or "" for e in record.exhibits]
    sm = match_sets(g_num, p_num, pair_exhibit_number, label="exhibits")
    nodes = [e.number for e in record.exhibits]
    out = [set_obs("exhibits", sm, g_num, p_num, [e.number.confidence for e in record.exhibits], nodes)]
    for i, j, _ in sm.pairs:
        ge, pe = gold.exhibits[i], record.exhibits[j]
        if "description" in ge.model_fields_set:
            value, conf = field_value(pe.description)
            out.append(
                field_obs("exhibits.description", "description", ge.description, value, conf, pe.description)
            )
    return out


def compare_signatures(gold: GoldFiling, record: FilingRecord) -> list[Obs]:
    if gold.signatures is None:
        return []
    g_names = [s.name for s in gold.signatures]
    p_names = [s.name.value or "" for s in record.signatures]
    sm = match_sets(g_names, p_names, pair_name, label="signatures")
    confs = [s.name.confidence for s in record.signatures]
    out = [set_obs("signatures", sm, g_names, p_names, confs, [s.name for s in record.signatures])]
    for i, j, _ in sm.pairs:
        gs, ps = gold.signatures[i], record.signatures[j]
        if "title" in gs.model_fields_set:
            value, conf = field_value(ps.title)
            out.append(field_obs("signatures.title", "title", gs.title, value, conf, ps.title))
        if "date" in gs.model_fields_set:
            value, conf = field_value(ps.date)
            out.append(field_obs("signatures.date", "date", gs.date, value, conf, ps.date))
    return out


# ------------------------------------------------------------------------------------------- events

# Scalar kind of an event field by name (falls back on the annotation: date, bool, int, Literal -> enum).
EVENT_KINDS: dict[str, str] = {
    "summary": "summary",
    "counterparty": "name",
    "former_auditor": "name",
    "new_auditor": "name",
    "person": "name",
    "exchange": "name",
    "position": "title",
    "agreement_type": "text",
    "instrument": "text",
    "securities": "security",
    "exemption": "exemption",
    "rule": "text",
    "description": "summary",
    "principal_amount": "amount",
    "amount": "amount",
    "consideration": "amount",
    "name": "text",
    "value": "text",
}


def _kind_of(name: str, annotation: Any) -> str:
    if name in EVENT_KINDS:
        return EVENT_KINDS[name]
    try:
        kind = tree.leaf_kind(annotation)
    except TypeError:
        return "text"
    return "text" if kind in ("str", "float") else kind


def _unwrap_list(node: Any) -> tuple[list[Any], list[float | None]]:
    value, conf = unwrap(node)
    if value is None:
        return [], []
    if not isinstance(value, list):
        value = [value]
    values, confs = [], []
    for element in value:
        v, c = unwrap(element)
        values.append(v)
        confs.append(c if c is not None else conf)
    return values, confs


def _list_nodes(node: Any) -> list[Any]:
    """The predicted elements of a list value, parallel to :func:`_unwrap_list` (an element that is not a
    leaf itself inherits the list leaf)."""
    value, _ = unwrap(node)
    if value is None:
        return []
    if not isinstance(value, list):
        return [node]
    return [e if isinstance(e, dict) else node for e in value]


def _mean_conf(obj: Any) -> float | None:
    """Mean confidence of the Field leaves inside a predicted list element (a dict of leaves)."""
    if not isinstance(obj, dict):
        return unwrap(obj)[1]
    confs = [c for c in (unwrap(v)[1] for v in obj.values()) if c is not None]
    return sum(confs) / len(confs) if confs else None


def _pair_officer(gold: dict[str, Any], pred: dict[str, Any]) -> Match:
    name = score_fuzzy(gold.get("person"), unwrap(pred.get("person"))[0], kind="name")
    if not name.correct:
        return name
    g_change, p_change = gold.get("change"), unwrap(pred.get("change"))[0]
    if g_change and p_change and score_enum(g_change, p_change).correct:
        return Match(name.score, True, f"{name.reason}; change {p_change} matches")
    return Match(name.score * 0.5, True, f"{name.reason}; change {p_change} vs {g_change}")


def _pair_proposal(gold: dict[str, Any], pred: dict[str, Any]) -> Match:
    g, p = gold.get("description"), unwrap(pred.get("description"))[0]
    if g is None or p is None:
        return Match(0.0, False, "proposal without a description")
    s = max(similarity(g, p, kind="summary"), similarity(g, p, kind="name"))
    ok = s >= 0.6
    return Match(s, ok, f"proposal {'matches' if ok else 'differs'} ({s:.2f})")


def _pair_keyfact(gold: dict[str, Any], pred: dict[str, Any]) -> Match:
    return score_fuzzy(gold.get("name"), unwrap(pred.get("name"))[0], kind="text", threshold=0.6)


ELEMENT_PAIRS: dict[str, Callable[[Any, Any], Match]] = {
    "OfficerChange": _pair_officer,
    "Proposal": _pair_proposal,
    "KeyFact": _pair_keyfact,
}


def compare_event(number: str, gold_event: dict[str, Any], pred_event: dict[str, Any] | None) -> list[Obs]:
    modern = catalog.modern_equivalent(number) or number
    schema = schema_for(catalog.modern_equivalent(number))
    if schema is None:
        return []
    pred_event = pred_event or {}
    prefix = f"event.{modern}"
    out: list[Obs] = []
    for name, slot in tree.fields(schema).items():
        if name not in gold_event:
            continue
        key = f"{prefix}.{name}"
        element = slot.inner
        if slot.shape not in ("leaf_list", "model_list"):
            node = pred_event.get(name)
            value, conf = unwrap(node)
            out.append(field_obs(key, _kind_of(name, element), gold_event[name], value, conf, node))
            continue
        g_list = list(gold_event[name] or [])
        p_list, p_conf = _unwrap_list(pred_event.get(name))
        p_nodes = _list_nodes(pred_event.get(name))
        if element is str:
            sm = match_sets(g_list, p_list, pair_name, label=name)
            out.append(set_obs(key, sm, g_list, p_list, p_conf, p_nodes))
            continue
        pair = ELEMENT_PAIRS.get(element.__name__)
        if pair is None:
            continue
        p_dicts = [p if isinstance(p, dict) else {} for p in p_list]
        sm = match_sets(g_list, p_dicts, pair, label=name)
        ident = next(iter(element.model_fields))
        out.append(
            set_obs(
                key,
                sm,
                [g.get(ident) for g in g_list],
                [unwrap(p.get(ident))[0] for p in p_dicts],
                [_mean_conf(p) for p in p_dicts],
                p_dicts,
            )
        )
        for i, j, _ in sm.pairs:
            for sub, sub_slot in tree.fields(element).items():
                if sub not in g_list[i] or sub == ident:
                    continue
                node = p_dicts[j].get(sub)
                value, conf = unwrap(node)
                out.append(
                    field_obs(
                        f"{key}.{sub}", _kind_of(sub, sub_slot.inner), g_list[i][sub], value, conf, node
                    )
                )
    return out


def compare_events(gold: GoldFiling, record: FilingRecord) -> list[Obs]:
    out: list[Obs] = []
    for number, gold_event in (gold.events or {}).items():
        item = next((i for i in record.items if i.number == number), None)
        out.extend(compare_event(number, gold_event, item.event if item is not None else None))
    return out


def compare(gold: GoldFiling, record: FilingRecord, *, events: bool = True) -> list[Obs]:
    """Every labeled part of the filing, scored."""
    out = compare_cover(gold, record)
    out += compare_items(gold, record)
    out += compare_exhibits(gold, record)
    out += compare_signatures(gold, record)
    if events:
        out += compare_events(gold, record)
    return out


__all__ = ["Obs", "compare", "compare_event", "compare_events", "era_of", "sniff_format", "unwrap"]
