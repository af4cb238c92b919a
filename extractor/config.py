"""Settings: which model, which endpoint, limits, paths.

Precedence, highest first: explicit values (CLI flags) > environment > TOML file > defaults.

Environment: ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``EXTRACTOR_MODEL``, ``EXTRACTOR_MODEL_PATH``,
``EXTRACTOR_CACHE`` (cache/log folder and model cache), ``EXTRACTOR_CONFIG`` (path of the TOML file).

TOML file: ``$EXTRACTOR_CONFIG``, else ``./extractor.toml``, else ``~/.config/extractor/config.toml``;
keys are the Settings field names, at top level or under an ``[llm]`` table::

    model = "gpt-4o-mini"
    base_url = "https://api.openai.com/v1"
    max_reasks = 1

Secrets (the API key) are ``SecretStr``: they print as ``**********`` in repr, logs and errors.
With neither ``base_url`` nor an API key configured (or with ``model_path`` set), ``make_provider``
starts the embedded local model (see ``extractor.llm.local``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError
from pydantic import Field as PydField

from .errors import ConfigError

ModeName = Literal["auto", "tools", "json_schema", "json", "md_json"]

ENV_VARS: dict[str, str] = {
    "OPENAI_BASE_URL": "base_url",
    "OPENAI_API_KEY": "api_key",
    "EXTRACTOR_MODEL": "model",
    "EXTRACTOR_MODEL_PATH": "model_path",
    "EXTRACTOR_CACHE": "cache_dir",
}


def default_cache_dir() -> Path:
    env = os.environ.get("EXTRACTOR_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "extractor"


class Settings(BaseModel):
    """Everything the fill stage needs to know; immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # provider
    model: str | None = None  # model name sent to the endpoint; default "local" for the embedded model
    base_url: str | None = None  # any OpenAI-compatible endpoint; None = embedded local model
    api_key: SecretStr | None = None
    mode: ModeName = "auto"  # instructor mode; auto = TOOLS for api.openai.com, JSON_SCHEMA otherwise
    temperature: float = 0.0
    # per completion: quoted answers are long (a 5.02 with three changes needs ~800 tokens); tiny models
    # may still run to the limit, which ends as a "truncated" failure of that item
    max_tokens: int = PydField(1536, ge=16)
    logprobs: bool = True  # ask for token logprobs (used by confidence when returned)
    timeout_s: float = PydField(120.0, gt=0)  # per HTTP request
    transport_retries: int = PydField(4, ge=0)  # tenacity: 429 / 5xx / timeouts / resets
    backoff_max_s: float = PydField(30.0, gt=0)  # cap of one backoff sleep (Retry-After is capped too)
    max_reasks: int = PydField(1, ge=0)  # instructor re-asks on schema validation errors
    # re-ask once when an answer repeats the item's title, boilerplate or a sentence (fill.answers); off
    # by default until the dev answers cached without it are re-asked (docs/readers.md)
    answer_reask: bool = False
    # hard per-item budget
    item_max_calls: int = PydField(8, ge=1)  # HTTP requests per item, all chunks, retries and re-asks
    item_max_tokens: int = PydField(24_000, ge=1)  # tokens in+out per item
    item_max_seconds: float = PydField(600.0, gt=0)  # wall clock per item
    # input economy
    chunk_chars: int = PydField(6000, ge=500)  # an item longer than this is split
    chunk_overlap: int = PydField(400, ge=0)
    max_chunks: int = PydField(4, ge=1)
    # events of headline facts only (no list of records: 1.01 agreement, 2.01, 2.03, 4.01, 8.01 ...) state
    # them where the item opens; their long items are read this many chunks deep (0 = all chunks).
    # Events with lists of records (5.02 changes, 5.07 proposals, key facts) always read every chunk.
    lead_chunks: int = PydField(1, ge=0)
    # self-consistency (``extractor.fill.consistency``): a chunk whose answer has a value with confidence
    # below ``sample_below`` is asked once more (fields in reverse order), within ``sample_seconds`` of
    # model time per item; 0 = off (the default: the embedded model needs 30-60 s per call on 2 cores)
    sample_seconds: float = PydField(0.0, ge=0)
    sample_below: float = PydField(0.5, ge=0, le=1)
    # prompt files prompts/*.<version>.j2 (and few-shot examples *.examples.<version>.json); see
    # extractor.prompts. v2: constant system prompt first, few-shot examples, then the filing
    prompt_version: str = PydField("v1", pattern=r"^v[1-9][0-9]*$")
    # embedded model
    # the embedded default (README, "Model comparison"): the 0.5B model is faster on scalar fields but
    # finds no people in 5.02 lists; the 1.5B model is the smallest that fills list-valued events
    local_model: str = "qwen2.5-coder-1.5b"
    model_path: Path | None = None  # any GGUF; overrides local_model
    n_ctx: int = PydField(8192, ge=512)
    n_threads: int = PydField(0, ge=0)  # 0 = all cores
    cache_ram_mib: int = PydField(256, ge=0)
    # storage
    cache_dir: Path = PydField(default_factory=default_cache_dir)
    use_cache: bool = True

    @property
    def embedded(self) -> bool:
        """True when the embedded local model is used: a model_path, or no endpoint and no API key."""
        return self.model_path is not None or (self.base_url is None and self.api_key is None)

    def cache_db(self) -> Path:
        return self.cache_dir / "cache.sqlite"

    def calllog_db(self) -> Path:
        return self.cache_dir / "calls.sqlite"

    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    def public(self) -> dict[str, Any]:
        """A dict safe to print or log (secrets masked)."""
        data = self.model_dump(mode="json")
        if self.api_key is not None:
            data["api_key"] = "**********"
        return data


def config_path(env: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if env is None else env
    if env.get("EXTRACTOR_CONFIG"):
        return Path(env["EXTRACTOR_CONFIG"]).expanduser()
    for candidate in (Path("extractor.toml"), Path.home() / ".config" / "extractor" / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    table = data.get("llm", data)
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [llm] must be a table")
    return {k: v for k, v in table.items() if not isinstance(v, dict)}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    toml_path: Path | None = None,
) -> Settings:
    """Build Settings from overrides (flags; None values ignored) > env > TOML > defaults."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = toml_path or config_path(env)
    if path is not None:
        values.update(_read_toml(path))
    for var, key in ENV_VARS.items():
        if env.get(var):
            values[key] = env[var]
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        # pydantic echoes input values: never show the key
        fields = sorted({".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors()})
        raise ConfigError("bad settings: " + "; ".join(fields)) from None
