"""Pipeline configuration: a YAML file validated by pydantic, with VOC_* environment overrides."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from voc.errors import ConfigError
from voc.schema import Preset, RatingScale


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnMap(_Section):
    """Which input columns carry which field; unset fields are auto-detected."""

    text: str | None = None
    date: str | None = None
    rating: str | None = None
    id: str | None = None
    channel: str | None = None
    segments: list[str] | None = None
    role: str | None = None
    status: str | None = None
    created: str | None = None
    resolved: str | None = None


class InputConfig(_Section):
    """One input file (or a DataFrame when path is None) and how to read it."""

    path: Path | None = None
    format: Literal["csv", "tsv", "json", "jsonl", "parquet", "xlsx"] | None = None
    encoding: str | None = None
    preset: Preset | None = None
    columns: ColumnMap = Field(default_factory=ColumnMap)
    rating_scale: RatingScale | None = None
    date_format: str | None = None
    chunk_size: int = Field(default=20_000, gt=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    customer_roles: list[str] = Field(default_factory=lambda: ["customer", "user", "client", "end-user"])


class CleanConfig(_Section):
    """Text normalisation, language detection and PII redaction."""

    strip_html: bool = True
    detect_language: bool = True
    redact_pii: bool = True
    redact_names: bool = True
    pii_types: list[str] = Field(
        default_factory=lambda: ["EMAIL", "PHONE", "CARD", "IBAN", "IP", "URL", "PERSON"]
    )


class EncoderConfig(_Section):
    """The shared sentence encoder."""

    backend: Literal["onnx", "torch"] = "onnx"
    precision: Literal["fp32", "int8"] = "fp32"
    model_path: str | None = None
    batch_size: int = Field(default=32, gt=0)
    max_length: int = Field(default=128, gt=0)
    threads: int | None = None
    cache: bool = True
    max_windows: int = Field(default=8, gt=0)  # long texts: at most this many max_length windows, then truncated


class SentimentConfig(_Section):
    """Sentiment lens: `default` is voc's trained model in models/; otherwise a hub id or local path."""

    model: str = "default"
    sentence_level: bool = True


class ThemesConfig(_Section):
    """Themes lens (BERTopic over the shared embeddings); blocks are configured BERTopic-style."""

    enabled: bool = True
    sample_size: int = Field(default=50_000, gt=0)
    seed: int = 42
    reduction: dict[str, Any] = Field(default_factory=dict)
    clustering: dict[str, Any] = Field(default_factory=dict)
    representation: dict[str, Any] = Field(default_factory=dict)
    match_threshold: float = 0.8
    seed_themes: list[dict[str, Any]] = Field(default_factory=list)
    # Added by the themes lens: outlier floor, guided-seed floor, hierarchy and cluster size.
    other_threshold: float = Field(default=0.3, ge=-1, le=1)  # cosine to the theme centroid; below -> "Other"
    seed_threshold: float = Field(default=0.55, ge=-1, le=1)  # cosine to a seed theme to join it (guided)
    parents: int | None = Field(default=None, gt=0)  # parent themes; None = about sqrt(children)
    min_theme_size: int = Field(default=5, gt=0)
    merge_threshold: float = Field(default=0.9, ge=0, le=1)  # merge child themes with centroid cosine >= this; 1 = off


class RootCauseConfig(_Section):
    """Root-cause lens: taxonomy YAML and trained head; None means the shipped defaults."""

    enabled: bool = True
    taxonomy: Path | None = None
    model: Path | None = None
    thresholds: dict[str, float] = Field(default_factory=dict)  # per-label overrides of the calibrated ones


class StoreConfig(_Section):
    """The DuckDB store."""

    path: Path = Path("voc.duckdb")
    lock_timeout: float = Field(default=30.0, ge=0)  # seconds to wait while another voc process holds the file


class AuthConfig(_Section):
    """OpenID Connect sign-in for the app (Streamlit's st.login); secrets are never printed or logged."""

    server_metadata_url: str  # the IdP's /.well-known/openid-configuration URL
    client_id: str
    client_secret: SecretStr
    cookie_secret: SecretStr  # signs the app's session cookie; a long random string
    redirect_uri: str  # the app's own URL + /oauth2callback, as registered with the IdP


class AppConfig(_Section):
    """Serving the app: sign-in, and who may edit (e-mails or @domain entries; everyone else views)."""

    auth: AuthConfig | None = None
    editors: list[str] = Field(default_factory=list)


class PipelineConfig(BaseSettings):
    """A whole pipeline; VOC_<SECTION>__<FIELD> environment variables override the YAML."""

    model_config = SettingsConfigDict(env_prefix="VOC_", env_nested_delimiter="__", extra="forbid")

    name: str = "pipeline"
    seed: int = 42
    lenses: list[Literal["sentiment", "themes", "rootcause"]] = Field(
        default_factory=lambda: ["sentiment", "themes", "rootcause"]
    )
    inputs: list[InputConfig] = Field(default_factory=list)
    clean: CleanConfig = Field(default_factory=CleanConfig)
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    themes: ThemesConfig = Field(default_factory=ThemesConfig)
    rootcause: RootCauseConfig = Field(default_factory=RootCauseConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    app: AppConfig = Field(default_factory=AppConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment first, so VOC_* variables override values from the YAML."""
        return env_settings, init_settings

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> PipelineConfig:
        """Load a pipeline YAML (relative input paths resolve against its folder) and apply overrides."""
        data: dict[str, Any] = {}
        if path is not None:
            path = Path(path)
            if not path.is_file():
                raise ConfigError(f"Pipeline config {path} does not exist; pass an existing YAML file.")
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"Pipeline config {path} is not valid YAML: {exc}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"Pipeline config {path} must be a mapping of sections (input, store, ...).")
            for item in data.get("inputs") or []:
                if isinstance(item, dict) and item.get("path") and not Path(item["path"]).is_absolute():
                    item["path"] = str(path.parent / item["path"])
        _deep_update(data, overrides)
        try:
            return cls(**data)
        except ValidationError as exc:
            where = f" in {path}" if path else ""
            raise ConfigError(f"Invalid pipeline config{where}:\n{_format_errors(exc)}") from None

    def config_hash(self) -> str:
        """A short hash of everything that changes results (input paths, store and app settings excluded)."""
        payload = self.model_dump(mode="json", exclude={"inputs": True, "store": True, "name": True, "app": True})
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class _AppSettings(BaseSettings):
    """Just the `app` section, so VOC_STORE (the app's store path) is not read as the pipeline's store section."""

    model_config = SettingsConfigDict(env_prefix="VOC_", env_nested_delimiter="__", extra="ignore")

    app: AppConfig = Field(default_factory=AppConfig)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        """Environment first, so VOC_APP__* variables override the YAML."""
        return env_settings, init_settings


def load_app_config(path: str | Path | None = None) -> AppConfig:
    """The `app` section of a YAML (if given) with VOC_APP__* environment overrides."""
    section: Any = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"Config {path} does not exist; pass an existing YAML file.")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"Config {path} is not valid YAML: {exc}") from None
        section = (raw.get("app") if isinstance(raw, dict) else None) or {}
    try:
        return _AppSettings(app=section).app
    except ValidationError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"Invalid app settings{where}:\n{_format_errors(exc)}") from None


def encoder_settings() -> EncoderConfig:
    """The shared encoder's settings for code that runs without a pipeline YAML (voc eval, voc train).

    VOC_ENCODER__* variables apply, as they do to `voc run`, so e.g. VOC_ENCODER__PRECISION=int8 evaluates
    and trains on the same vectors an int8 run produces.
    """
    return PipelineConfig.load().encoder


def _deep_update(base: dict[str, Any], updates: dict[str, Any]) -> None:
    for key, value in updates.items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


def _format_errors(exc: ValidationError) -> str:
    return "\n".join(
        f"  - {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
