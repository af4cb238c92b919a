"""Scorers: compare one predicted value with its gold value (pure functions, no I/O).

Every scorer returns a :class:`Match` (a score in [0, 1], whether it counts as correct, and a reason a
person can read). Lists are scored as sets with an optimal one-to-one assignment (Hungarian algorithm)
and give a :class:`SetMatch` with true/false positives, false negatives and the matched pairs.

Matching rules (the "stated tolerances"):

- **null**: gold null and prediction null is correct; a value where gold is null is a spurious value; no
  value where gold has one is a miss. (An *absent* gold key is never scored; callers skip it.)
- **date**: ISO dates compared exactly (strings in ISO or "Month D, YYYY" form are parsed first).
- **id**: commission file numbers compare with leading zeros of each dash-separated group dropped
  ("001-36743" == "1-36743"); IRS ids, zip codes and phones compare as digits only (phones drop a leading
  country code 1; a 5-digit zip matches a zip+4 with the same first five digits).
- **enum**: case-folded, with spaces and hyphens treated as underscores.
- **bool**, **int** (vote counts): exact.
- **amount** (money / share amounts printed as text): parsed to a number with its scale word
  ("$400 million" == "$400,000,000") and compared within a relative tolerance of 0.5%; when either side
  cannot be parsed it falls back to fuzzy text matching.
- **name / title / text / address**: case-folded, punctuation dropped, whitespace collapsed (names also
  drop legal-form words: Inc., Corp., Company, N.A., ...), then rapidfuzz ``token_sort_ratio`` against a
  per-kind threshold (:data:`THRESHOLDS`).
- **exemption** (3.02): the provisions cited (``readers.exemptions.citations``: "Section 4(2)" is
  "Section 4(a)(2)", renumbered in 2012) compared as sets, however much of the Act's name either side
  prints; fuzzy text when either side cites none.
- **security** (3.02 securities): the class of security, compared after dropping what does not name
  the class ("shares of", "the Company's" / "its", "par value $0.01 per share", "newly issued"); a
  side that only adds words naming no security (the issuer: "Nuance common stock") is the same class,
  one that adds a security ("common stock and warrants") is not.
- **summary** (free-text one-sentence summaries): ``token_set_ratio`` with a low threshold; a weak
  proxy for meaning, reported separately from the exact fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from ..readers.exemptions import citations
from ..sections.text import MONTHS

# Fuzzy thresholds on a 0-1 scale, per kind.
THRESHOLDS: dict[str, float] = {
    "name": 0.90,
    "title": 0.90,
    "text": 0.80,
    "address": 0.85,
    "description": 0.85,
    "summary": 0.50,
}
AMOUNT_REL_TOL = 0.005


@dataclass(frozen=True)
class Match:
    score: float  # 0..1 similarity
    correct: bool
    reason: str


@dataclass(frozen=True)
class SetMatch:
    tp: int
    fp: int
    fn: int
    pairs: tuple[tuple[int, int, Match], ...]  # (gold index, predicted index, match)
    unmatched_gold: tuple[int, ...]
    unmatched_pred: tuple[int, ...]
    reason: str

    @property
    def precision(self) -> float:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return prf(self.tp, self.fp, self.fn)[2]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1. Empty gold and empty prediction is a perfect score (1, 1, 1)."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# ---------------------------------------------------------------------------------------------- helpers


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def norm_text(value: Any) -> str:
    """Case-fold, drop '/s/' marks and punctuation, collapse whitespace."""
    text = str(value).replace("\u00a0", " ").replace("/s/", " ").casefold()
    text = text.replace("&", " and ")
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _nulls(gold: Any, pred: Any) -> Match | None:
    """The null rules shared by every scorer; None when both sides have a value."""
    if _empty(gold) and _empty(pred):
        return Match(1.0, True, "both null")
    if _empty(gold):
        return Match(0.0, False, f"spurious value {_short(pred)} (gold is null)")
    if _empty(pred):
        return Match(0.0, False, f"missing (gold {_short(gold)})")
    return None


# --------------------------------------------------------------------------------------------- scalars


def _day(y: str | int, m: str | int, d: str | int) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_date(value: Any) -> dt.date | None:
    """A whole value as a date (ISO, "Month D, YYYY", M/D/YYYY); DATE_RE finds dates in filing text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    if m:
        return _day(m[1], m[2], m[3])
    m = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if m and m[1].lower() in MONTHS:
        return _day(m[3], MONTHS[m[1].lower()], m[2])
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        return _day(m[3], m[1], m[2])
    return None


def score_date(gold: Any, pred: Any) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    g, p = parse_date(gold), parse_date(pred)
    if g is None:
        return Match(0.0, False, f"gold {_short(gold)} is not a date")
    if p is None:
        return Match(0.0, False, f"predicted {_short(pred)} is not a date (gold {g})")
    if g == p:
        return Match(1.0, True, f"date {g} matches")
    return Match(0.0, False, f"date {p} != gold {g}")


def norm_file_number(value: Any) -> str:
    parts = re.split(r"\s*[-\u2010-\u2015]\s*", str(value).strip().upper())
    return "-".join(p.lstrip("0") or "0" for p in parts if p)


def norm_phone(value: Any) -> str:
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def norm_digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value))


def score_id(gold: Any, pred: Any, *, id_kind: str = "generic") -> Match:
    """Identifier match after normalization; ``id_kind`` is file_number, irs, zip, phone or generic."""
    if (m := _nulls(gold, pred)) is not None:
        return m
    if id_kind == "file_number":
        g, p = norm_file_number(gold), norm_file_number(pred)
    elif id_kind == "phone":
        g, p = norm_phone(gold), norm_phone(pred)
    elif id_kind in ("irs", "zip"):
        g, p = norm_digits(gold), norm_digits(pred)
    else:
        g, p = re.sub(r"\s+", "", str(gold)).upper(), re.sub(r"\s+", "", str(pred)).upper()
    if g == p and g:
        return Match(1.0, True, f"{id_kind} {p!r} matches")
    if id_kind == "zip" and len(g) >= 5 and len(p) >= 5 and g[:5] == p[:5] and 5 in (len(g), len(p)):
        return Match(1.0, True, f"zip {p!r} matches gold {g!r} on the first five digits")
    return Match(0.0, False, f"{id_kind} {_short(pred)} != gold {_short(gold)} (normalized {p!r} vs {g!r})")


def norm_enum(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(value).strip().casefold())


def score_enum(gold: Any, pred: Any) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    if norm_enum(gold) == norm_enum(pred):
        return Match(1.0, True, f"{norm_enum(pred)!r} matches")
    return Match(0.0, False, f"{_short(pred)} != gold {_short(gold)}")


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1", "checked", "x"):
        return True
    if text in ("false", "no", "0", "unchecked"):
        return False
    return None


def score_bool(gold: Any, pred: Any) -> Match:
    if gold is None and pred is None:
        return Match(1.0, True, "both null")
    if gold is None:
        return Match(0.0, False, f"spurious value {pred!r} (gold is null)")
    if pred is None:
        return Match(0.0, False, f"missing (gold {gold!r})")
    p = _as_bool(pred)
    if p is None:
        return Match(0.0, False, f"predicted {_short(pred)} is not a boolean")
    if p == bool(gold):
        return Match(1.0, True, f"{p} matches")
    return Match(0.0, False, f"{p} != gold {bool(gold)}")


_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "mil": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
_AMOUNT = re.compile(
    r"(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(thousand|million|billion|trillion|mil|mm|bn|k|m|b)?\b", re.I
)


def parse_amount(value: Any) -> float | None:
    """The first number in ``value`` with its scale word applied; None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = _AMOUNT.search(str(value))
    if not m:
        return None
    number = float(m[1].replace(",", ""))
    if m[2]:
        number *= _SCALE[m[2].lower()]
    return number


def score_int(gold: Any, pred: Any) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    g, p = parse_amount(gold), parse_amount(pred)
    if g is None or p is None:
        return Match(0.0, False, f"not a number: {_short(pred)} vs gold {_short(gold)}")
    if abs(g - p) < 0.5:
        return Match(1.0, True, f"{int(p):,} matches")
    return Match(0.0, False, f"{p:,.0f} != gold {g:,.0f}")


def score_amount(gold: Any, pred: Any, *, rel_tol: float = AMOUNT_REL_TOL) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    g, p = parse_amount(gold), parse_amount(pred)
    if g is None or p is None:
        fuzzy = score_fuzzy(gold, pred, kind="text")
        return Match(fuzzy.score, fuzzy.correct, f"not both numeric; text: {fuzzy.reason}")
    if abs(g - p) <= rel_tol * max(abs(g), abs(p)):
        return Match(1.0, True, f"{p:,.6g} matches gold {g:,.6g} within {rel_tol:.1%}")
    ratio = min(abs(g), abs(p)) / max(abs(g), abs(p)) if max(abs(g), abs(p)) else 0.0
    return Match(ratio, False, f"{p:,.6g} != gold {g:,.6g} (tolerance {rel_tol:.1%})")


# Legal-form words dropped from names before comparing ("Apple Inc." == "Apple"; "The Southern Company" ==
# "Southern Co"): they say what kind of entity it is, not which one.
LEGAL_FORMS = frozenset(
    [
        *("the", "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "lp", "llp"),
        *("plc", "ltd", "limited", "na", "sa", "ag", "nv", "bv"),
    ]
)
_DOTTED_FORM = re.compile(r"(?:\b(?:n a|l l c|l l p|l p|s a)\b)+$")  # "N.A.", "L.L.C." after dropping dots


def norm_name(value: Any) -> str:
    text = _DOTTED_FORM.sub("", norm_text(value)).strip()
    tokens = text.split()
    kept = [t for t in tokens if t not in LEGAL_FORMS]
    return " ".join(kept or tokens)


def similarity(gold: Any, pred: Any, *, kind: str = "name") -> float:
    if kind == "name":
        g, p = norm_name(gold), norm_name(pred)
    else:
        g, p = norm_text(gold), norm_text(pred)
    if not g and not p:
        return 1.0
    if kind == "summary":
        return fuzz.token_set_ratio(g, p) / 100.0
    return fuzz.token_sort_ratio(g, p) / 100.0


def score_fuzzy(gold: Any, pred: Any, *, kind: str = "name", threshold: float | None = None) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    thr = THRESHOLDS.get(kind, 0.85) if threshold is None else threshold
    s = similarity(gold, pred, kind=kind)
    if s >= thr:
        if s == 1.0:
            return Match(1.0, True, f"{kind} matches")
        return Match(s, True, f"{kind} similar ({s:.2f} >= {thr:.2f})")
    return Match(s, False, f"{kind} {_short(pred)} differs from gold {_short(gold)} ({s:.2f} < {thr:.2f})")


def score_exemption(gold: Any, pred: Any) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    g, p = citations(gold), citations(pred)
    if not g or not p:
        return score_fuzzy(gold, pred, kind="text")
    if g == p:
        return Match(1.0, True, f"cites the same provisions ({', '.join(sorted(g))})")
    s = len(g & p) / len(g | p)
    return Match(s, False, f"cites {', '.join(sorted(p))}, gold {', '.join(sorted(g))}")


_NOT_CLASS = re.compile(
    r"^(?:approximately\s+)?(?:[\d\s]+\s+)?(?:newly\s+issued\s+|unregistered\s+|restricted\s+)?shares\s+of\s+"
    r"|\b(?:the\s+company\s+s|its|our|the)\b|\bpar\s+value\b.*?\bper\s+share\b|\bnewly\s+issued\b",
)
SECURITY_WORDS = frozenset(
    "stock shares share warrants warrant notes note debentures debenture preferred common units unit "
    "options option rights right convertible senior subordinated bonds bond series class".split()
)


def _security_class(value: Any) -> str:
    return _SPACE.sub(" ", _NOT_CLASS.sub(" ", norm_text(value))).strip()


def score_security(gold: Any, pred: Any) -> Match:
    if (m := _nulls(gold, pred)) is not None:
        return m
    g, p = _security_class(gold), _security_class(pred)
    s = fuzz.token_sort_ratio(g, p) / 100.0
    if s >= THRESHOLDS["text"]:
        return Match(s, True, "the same class of security" if s == 1.0 else f"class similar ({s:.2f})")
    gt, pt = set(g.split()), set(p.split())
    small, big = (gt, pt) if len(gt) <= len(pt) else (pt, gt)
    if small and small <= big and not (big - small) & SECURITY_WORDS:
        return Match(0.9, True, f"the same class; one side also names {' '.join(sorted(big - small))!r}")
    return Match(s, False, f"class {p!r} differs from gold {g!r} ({s:.2f})")


ScalarScorer = Callable[[Any, Any], Match]


def _fuzzy_scorer(kind: str) -> ScalarScorer:
    return lambda g, p: score_fuzzy(g, p, kind=kind)


SCORERS: dict[str, ScalarScorer] = {
    "date": score_date,
    "enum": score_enum,
    "bool": score_bool,
    "int": score_int,
    "amount": score_amount,
    "file_number": lambda g, p: score_id(g, p, id_kind="file_number"),
    "irs": lambda g, p: score_id(g, p, id_kind="irs"),
    "zip": lambda g, p: score_id(g, p, id_kind="zip"),
    "phone": lambda g, p: score_id(g, p, id_kind="phone"),
    "id": score_id,
    "exemption": score_exemption,
    "security": score_security,
    **{k: _fuzzy_scorer(k) for k in THRESHOLDS},
}


def score_value(kind: str, gold: Any, pred: Any) -> Match:
    """Score a scalar of the given kind (see :data:`SCORERS`)."""
    return SCORERS[kind](gold, pred)


# ------------------------------------------------------------------------------------------ assignment


def assign(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Maximum-weight one-to-one assignment on a rectangular matrix (Hungarian algorithm, O(n^3)).

    Returns (row, column) pairs; every row or column is used at most once. Pairs with weight <= 0
    are dropped, so a zero weight means "not allowed".
    """
    rows = len(weights)
    cols = len(weights[0]) if rows else 0
    if rows == 0 or cols == 0:
        return []
    n = max(rows, cols)
    big = max((w for r in weights for w in r), default=0.0)
    # Minimize cost = big - weight on a square matrix padded with zero-weight cells.
    cost = [[big - (weights[i][j] if i < rows and j < cols else 0.0) for j in range(n)] for i in range(n)]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    p = [0] * (n + 1)
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, n + 1):
        i = p[j] - 1
        if i < rows and j - 1 < cols and weights[i][j - 1] > 0:
            pairs.append((i, j - 1))
    return sorted(pairs)


PairScorer = Callable[[Any, Any], Match]


def match_sets(
    gold: Sequence[Any], pred: Sequence[Any], pair: PairScorer, *, label: str = "items"
) -> SetMatch:
    """Optimal one-to-one matching of two lists. A pair can match only when ``pair`` says correct;
    among those, the assignment maximizes the summed scores. Duplicates are kept: two equal gold entries
    need two predictions."""
    gold, pred = list(gold), list(pred)
    table = [[pair(g, p) for p in pred] for g in gold]
    weights = [[(m.score + 1e-6) if m.correct else 0.0 for m in row] for row in table]
    pairs = assign(weights)
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    ug = tuple(i for i in range(len(gold)) if i not in matched_g)
    up = tuple(j for j in range(len(pred)) if j not in matched_p)
    tp, fp, fn = len(pairs), len(up), len(ug)
    parts = [f"{label}: {tp} matched"]
    if ug:
        parts.append("missed " + ", ".join(_short(gold[i], 40) for i in ug))
    if up:
        parts.append("extra " + ", ".join(_short(pred[j], 40) for j in up))
    return SetMatch(
        tp=tp,
        fp=fp,
        fn=fn,
        pairs=tuple((i, j, table[i][j]) for i, j in pairs),
        unmatched_gold=ug,
        unmatched_pred=up,
        reason="; ".join(parts),
    )


# --------------------------------------------------------------------------------- element pair scorers


def pair_item(gold: tuple[str, bool], pred: tuple[str, bool]) -> Match:
    """Items match on (number, reported)."""
    if gold[0] != pred[0]:
        return Match(0.0, False, f"item {pred[0]} != {gold[0]}")
    if bool(gold[1]) != bool(pred[1]):
        return Match(0.0, False, f"item {gold[0]} reported={pred[1]} but gold reported={gold[1]}")
    return Match(1.0, True, f"item {gold[0]} matches")


def norm_exhibit_number(value: Any) -> str:
    text = str(value).strip().upper()
    text = re.sub(r"^(EX(HIBIT)?[-\s.]*)", "", text)
    text = re.sub(r"\s+", "", text)
    # "99.01" and "99.1" are the same exhibit; "3(i)" stays as printed.
    m = re.fullmatch(r"(\d+)\.0*(\d+)", text)
    if m:
        return f"{int(m[1])}.{int(m[2])}"
    m = re.fullmatch(r"0*(\d+)", text)
    if m:
        return str(int(m[1]))
    return text.lower()


def pair_exhibit_number(gold: Any, pred: Any) -> Match:
    g, p = norm_exhibit_number(gold), norm_exhibit_number(pred)
    if g == p:
        return Match(1.0, True, f"exhibit {p} matches")
    return Match(0.0, False, f"exhibit {p} != {g}")


def pair_name(gold: Any, pred: Any) -> Match:
    return score_fuzzy(gold, pred, kind="name")
