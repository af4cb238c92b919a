"""Deterministic readers of event values where 8-K text is regular, answer checks, and the merge with
the model's event (pure; no I/O beyond the package's own data files).

- ``checks``: a value that repeats the item's SEC title, the form's boilerplate, the field's own
  description or a whole sentence is not an answer (``answer_problem`` / ``type_problem`` give why).
- ``vocabulary``: the documented vocabulary of agreement and instrument kinds
  (``data/agreement_kinds.toml``); ``recognize`` normalizes a noun phrase to it.
- readers, each returning :class:`ReaderValue`\\ s (value, quote, span into the filing, confidence):
  ``agreements`` (1.01 / 1.02 agreement type, 2.03 instrument, 3.02 securities from defined-term
  patterns), ``parties`` (counterparties from the parties clause), ``dates`` (dates tied to their
  verb), ``auditors`` (4.01 firms from ``data/audit_firms.txt`` and their role), ``officers`` (5.02
  change kind, position and date from the sentence that names the person), ``category`` (7.01 / 8.01
  category from the cue phrases of the first sentences), ``amounts`` (2.03 principal amount),
  ``dates.maturity_date`` (2.03 maturity), ``exemptions`` (3.02 exemption citations and the amount
  sold; ``citations`` is the comparison form the merge and the eval share);
- ``read.read_item``: every reader that applies to one item;
- ``merge.merge``: the model's event and the readers' values merged by value (contract in its doc).

Imports stay within ``extractor.schemas``, ``extractor.sections``, ``extractor.catalog`` and the record
types, so the package can move under the fill stage unchanged. Documented in docs/readers.md.
"""

from .checks import answer_problem, type_problem
from .merge import merge
from .read import ITEMS, read_item
from .values import ChangeReading, ReaderValue, Readings, Segment
from .vocabulary import recognize

__all__ = [
    "ITEMS",
    "ChangeReading",
    "ReaderValue",
    "Readings",
    "Segment",
    "answer_problem",
    "merge",
    "read_item",
    "recognize",
    "type_problem",
]
