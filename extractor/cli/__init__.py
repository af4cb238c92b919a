"""Command-line interface: ``extractor COMMAND ...``.

Each command group lives in its own module under ``extractor.cli`` and exposes
``register(subparsers)``, which adds its sub-command(s) and sets ``func`` on the parser to a callable
``func(args) -> int`` (the exit code: see ``extractor.cli.common``). An ``ExtractorError`` that reaches
``main`` is a setup error: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that register commands, in the order their commands appear in --help.
COMMAND_MODULES = ("parse", "extract", "run", "eval", "review", "logs", "models", "doctor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extractor",
        description="Grounded structured data from SEC Form 8-K filings.",
        epilog="Exit codes (every command): 0 all records ok; 1 some records are error or partial (each "
        "failed part is named on stderr); 2 usage or setup error (no input, an empty folder, an endpoint "
        "that does not answer, missing weights or corpus): nothing was processed and the first line on "
        "stderr says what to do; 130 interrupted. `extractor doctor` checks the setup.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"extractor.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"extractor.cli.{name}":
                continue  # command group not installed in this build
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"extractor {version('extractor')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "extractor (source)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from ..errors import ExtractorError
    from .common import EXIT_SETUP, error

    try:
        return int(args.func(args) or 0)
    except ExtractorError as exc:
        error(str(exc))
        return EXIT_SETUP
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
