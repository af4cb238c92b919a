"""The eval configuration file (``evals/config.toml``): gold set, corpus, models, prices, thresholds.

Example::

    gold = "evals/gold"
    corpus = "../shared/corpus/raw"      # relative to the config file's repository root
    default_models = ["parser"]          # used when --models is not given
    seed = 0
    replicates = 1000
    review_threshold = 0.7

    # --models also takes names not listed here: "parser", "local:NAME" (an embedded model),
    # "MODEL@BASE_URL" (an OpenAI-compatible endpoint), or a bare model name for the configured endpoint.
    [models.qwen-0_5b]
    kind = "llm"
    settings = { local_model = "qwen2.5-coder-0.5b" }   # extractor.config.Settings fields
    input_per_mtok = 0.0                 # USD per million tokens
    output_per_mtok = 0.0

    [subsets]
    dev_llm = ["seed__000", "coverparser__0000084581"]   # --subset dev_llm: gold files matching any

    [groups]
    fewshot = ["event.1.01.", "event.5.02."]   # metrics fewshot (scalar accuracy) and fewshot.sets (F1)

    [thresholds]
    max_drop = 0.02                      # a metric dropping more than this vs --baseline is a regression
    gate = ["items", "exhibits", "signatures", "cover", "events"]
    per_metric = { items = 0.01 }
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError


class _Cfg(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelConfig(_Cfg):
    kind: Literal["parser", "llm"] = "llm"
    settings: dict[str, Any] = Field(default_factory=dict)
    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0


class Thresholds(_Cfg):
    max_drop: float = 0.02
    gate: list[str] | None = None  # None: every metric present in both runs
    per_metric: dict[str, float] = Field(default_factory=dict)


class EvalConfig(_Cfg):
    gold: str = "evals/gold"
    corpus: str | None = None
    models: dict[str, ModelConfig] = Field(default_factory=dict)
    default_models: list[str] = Field(default_factory=lambda: ["parser"])
    seed: int = 0
    replicates: int = 1000
    review_threshold: float = 0.7  # the review app's default queue threshold
    thresholds: Thresholds = Field(default_factory=Thresholds)
    subsets: dict[str, list[str]] = Field(default_factory=dict)  # name -> gold file name substrings
    groups: dict[str, list[str]] = Field(default_factory=dict)  # metric name -> metric key prefixes

    def model(self, name: str) -> ModelConfig:
        if name in self.models:
            return self.models[name]
        if name == "parser":
            return ModelConfig(kind="parser")
        if name.startswith("local:"):  # local:qwen2.5-coder-0.5b = the embedded model of that name
            return ModelConfig(kind="llm", settings={"local_model": name.split(":", 1)[1]})
        if "@" in name:  # MODEL@BASE_URL = any OpenAI-compatible endpoint
            model, base_url = name.split("@", 1)
            return ModelConfig(kind="llm", settings={"model": model, "base_url": base_url})
        return ModelConfig(kind="llm", settings={"model": name})

    def prices(self) -> dict[str, dict[str, float]]:
        return {
            n: {"input_per_mtok": m.input_per_mtok, "output_per_mtok": m.output_per_mtok}
            for n, m in self.models.items()
        }


def load_config(path: Path | None, *, required: bool = False) -> EvalConfig:
    """Read the TOML file; a missing file gives the defaults unless ``required``."""
    if path is None or not Path(path).exists():
        if required:
            raise ConfigError(f"eval config {path} not found")
        return EvalConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read eval config {path}: {exc}") from exc
    try:
        return EvalConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid eval config {path}: {exc}") from exc
