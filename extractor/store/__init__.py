"""Storage: the run ledger, the response cache and the call log (SQLite)."""
