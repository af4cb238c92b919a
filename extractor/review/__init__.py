"""Review: a human checks the fields that need one, in the browser, and corrections become gold labels.

- :mod:`.fields`     find Fields in a record, their value types, validate edits (pure)
- :mod:`.queue`      which fields need review, lowest confidence first; filtering and paging
- the decisions themselves live in :mod:`extractor.store.decisions` (``RUN_DIR/review.sqlite`` and
  ``apply_decisions``: reviewed values, method "human"), beside the run ledger
- :mod:`.documents`  the normalized text and the original document of a record
- :mod:`.export`     reviewed filings -> gold labels (``extractor review export``)
- :mod:`.server`     the web app (Starlette; ``extractor review RUN_DIR``)
"""
