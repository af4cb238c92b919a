"""Review: a human checks the fields that need one, in the browser, and corrections become gold labels.

- :mod:`.fields`     find Fields in a record, their value types, validate edits (pure)
- :mod:`.queue`      which fields need review, lowest confidence first; filtering and paging
- :mod:`.decisions`  ``RUN_DIR/review.sqlite`` and :func:`apply_decisions` (reviewed values: method "human")
- :mod:`.documents`  the normalized text and the original document of a record
- :mod:`.export`     reviewed filings -> gold labels (``extractor review export``)
- :mod:`.server`     the web app (Starlette; ``extractor review RUN_DIR``)
"""

from .decisions import apply_decisions

__all__ = ["apply_decisions"]
