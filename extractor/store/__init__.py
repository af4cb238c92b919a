"""Storage (SQLite): the run ledger (``ledger``, with the Batch API state in ``batch_state``), the
response cache, the call log, and the review decisions (``decisions``: ``RUN_DIR/review.sqlite``)."""
