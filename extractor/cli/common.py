"""What every command shares: exit codes, the one-line error, input resolution.

Exit codes (documented in docs/cli.md and the README, tested in tests/test_first_run.py):

- ``0``: everything asked for was done and every record is ``ok``;
- ``1``: done, but some records are ``error`` or ``partial`` (their reasons are in the records and on
  stderr); ``eval``: a regression beyond the thresholds; ``models where``: not joined yet;
- ``2``: usage or setup error (bad flags, no input, unreachable endpoint, missing corpus or weights):
  nothing was processed, and the first line on stderr says what to do;
- ``130``: interrupted (a run resumes where it stopped).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import ConfigError

EXIT_OK = 0
EXIT_RECORDS = 1
EXIT_SETUP = 2
EXIT_INTERRUPTED = 130


def error(message: str) -> None:
    """The one line a command prints on stderr when it cannot go on."""
    print(f"error: {message}", file=sys.stderr, flush=True)


def filing_inputs(inputs: Sequence[str]) -> tuple[list[str], list[str]]:
    """(filing paths, inputs that matched nothing) for files, folders (recursive), globs and @lists,
    resolved as ``extractor run`` does. ConfigError when nothing at all was named or found (an empty
    folder, only hidden files): there is nothing to do, which is a usage error, not an empty success."""
    from ..batch.inputs import resolve_inputs

    resolved = resolve_inputs(list(inputs))
    if not resolved.paths and not resolved.missing:
        where = ", ".join(inputs) if inputs else "(no INPUTS)"
        raise ConfigError(f"no filings found in {where}: give filing files, folders or globs")
    return resolved.paths, resolved.missing
