"""Pipeline configuration: a YAML file validated by pydantic, with VOC_* environment overrides."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from voc.config_app import AppConfig
from voc.config_dicts import deep_update, drop_deprecated, format_errors, read_yaml
from voc.errors import ConfigError
from voc.lenses.registry import DEFAULT_ENABLED, check_lens_names
from voc.schema import Preset, RatingScale


def language_codes(codes: list[str]) -> list[str]:
    """Lower-cased ISO 639-1 codes, checked (a ValueError names a code that is not two or three letters)."""
    out = []
    for code in codes:
        code = str(code).strip().lower()
        if not (2 <= len(code) <= 3 and code.isalpha()):
            raise ValueError(f"{code!r} is not an ISO 639-1 language code; write e.g. en, es, de")
        out.append(code)
    return list(dict.fromkeys(out))


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
    sheet: str | int | None = None  # XLSX: sheet name or 1-based number; default: text column, most rows
    records_path: str | None = None  # JSON/JSONL: dotted path of the records list, e.g. data.items
    explode: str | None = None  # JSON/JSONL: a list of objects (e.g. comments) to read as one row per element


class CleanConfig(_Section):
    """Text normalisation, language detection and PII redaction."""

    strip_html: bool = True
    detect_language: bool = True
    redact_pii: bool = True
    redact_names: bool = True
    pii_types: list[str] = Field(
        default_factory=lambda: ["EMAIL", "PHONE", "CARD", "IBAN", "IP", "URL", "PERSON"]
    )
    # Phone numbers (libphonenumber): the region assumed for numbers written without a country code, the
    # matcher's leniency (possible | valid | strict_grouping | exact_grouping) and the other regions whose
    # national formats (trunk prefix 0, 00 international prefix) are also recognised.
    phone_region: str = "US"
    phone_leniency: Literal["possible", "valid", "strict_grouping", "exact_grouping"] = "possible"
    phone_other_regions: list[str] = Field(
        default_factory=lambda: ["GB", "DE", "FR", "ES", "IT", "NL", "IE", "AU"]
    )
    # Brand and product words that are never redacted as a person's name ("Thanks Nimbus for ...").
    not_names: list[str] = Field(default_factory=list)


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
    # Bottom layers computed once for the encoder and the sentiment model (voc.encode.trunk); 0: two passes.
    # Default 2 with an fp32 trunk: the encoder's vectors are bit-identical to its whole graph's, and every
    # sentiment eval figure stays within 0.5 point of two passes (README, "Profiles").
    # At most 5: MiniLM-L6's top must keep a layer (the model's last layer output is the graph's output).
    shared_trunk: int = Field(default=2, ge=0, le=5)
    # The trunk's precision (unset: the encoder's `precision`, so the encoder's vectors never move). fp32 runs
    # the sentiment model's bottom layers unquantised; int8 under an fp32 encoder is exactly the sentiment
    # model's own int8 layers, but the encoder's fp32 top then reads int8 states (its vectors move).
    trunk_precision: Literal["fp32", "int8"] | None = None
    # ISO 639-1 codes the encoder was trained for: themes and root cause run only on documents in these.
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)

    @field_validator("languages")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        return language_codes(codes)

    @model_validator(mode="after")
    def _trunk_follows_precision(self) -> EncoderConfig:
        if self.trunk_precision is None:
            self.trunk_precision = self.precision
        return self


class SentimentConfig(_Section):
    """Sentiment lens: `default` is voc's trained model in models/; otherwise a hub id or local path."""

    model: str = "default"
    # ISO 639-1 codes the sentiment model covers; other documents get null sentiment and a reason.
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    # `voc run` caches the encoder's pooled states (voc.lenses.sentiment_pooled), so the first `voc rescore`
    # with an adapted head after a run skips the encoder
    cache_pooled: bool = True

    @field_validator("languages")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        return language_codes(codes)


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
    lexical_weight: float = Field(default=0.0, ge=0, lt=1)  # share of a content-word LSA in the clustering space (opt-in)
    # theme vector of a document: "pieces" = its sentence pieces' length-weighted mean; opt-in (the cache keeps a
    # vector per word): "idf" = its words' in-context vectors weighted by IDF in the fitted sample, "content" =
    # its content words' mean (loses on intent-like queries), "soft" = its words' mean with function words at 0.3
    # (voc.lenses.themes.word_pool)
    view_pooling: Literal["pieces", "idf", "content", "soft"] = "pieces"
    # clustering units: whole documents, or their theme-view spans (primary theme = the most salient span's)
    units: Literal["document", "span"] = "document"


class RootCauseConfig(_Section):
    """Root-cause lens: taxonomy YAML and trained head; None means the shipped defaults."""

    enabled: bool = True
    taxonomy: Path | None = None
    model: Path | None = None
    thresholds: dict[str, float] = Field(default_factory=dict)  # per-label overrides of the calibrated ones


class JourneyConfig(_Section):
    """Journey-stage lens: taxonomy YAML and trained head (models/journey by default)."""

    enabled: bool = True
    taxonomy: Path | None = None
    model: Path | None = None


class ChurnConfig(_Section):
    """Churn and recovery signals: trained head (models/churn) and the churn decision.

    churn_score = p(churn) - staying_weight * p(staying); churn_intent is churn_score >= threshold
    (both chosen on out-of-fold scores of the churn dev set's train part under a ceiling on the demo corpus's
    ordinary complaints flagged: `python -m bench.churn_decision`; see models/churn/MODEL_CARD.md).
    """

    enabled: bool = True
    model: Path | None = None
    threshold: float = Field(default=0.375, ge=0, le=1)
    staying_weight: float = Field(default=0.75, ge=0)


class PriorityConfig(_Section):
    """Theme severity = weighted sum of volume share, negativity, driver impact and churn share (each 0..1)."""

    volume_weight: float = Field(default=0.3, ge=0)
    negativity_weight: float = Field(default=0.25, ge=0)
    impact_weight: float = Field(default=0.2, ge=0)
    churn_weight: float = Field(default=0.25, ge=0)


class SubCauseConfig(_Section):
    """Sub-cause lens (failure points, blamed vs likely cause); None means the shipped models/subcause."""

    enabled: bool = True
    model: Path | None = None


class StoreConfig(_Section):
    """The DuckDB store."""

    path: Path = Path("voc.duckdb")
    lock_timeout: float = Field(default=30.0, ge=0)  # seconds to wait while another voc process holds the file


class AlertsConfig(_Section):
    """Alert episodes (voc.insights.episodes) and the optional webhook that announces new ones."""

    webhook: str | None = None  # a Slack-compatible incoming webhook: JSON POST {"text": ...}
    freq: Literal["week", "month", "day"] = "week"
    alpha: float = Field(default=0.01, gt=0, lt=1)
    min_ratio: float = Field(default=1.5, gt=1)
    timeout: float = Field(default=10.0, gt=0)  # seconds per POST


class _PipelineEnv(EnvSettingsSource):
    """VOC_* overrides, where a plain VOC_STORE is the CLI's and the app's store path, not the `store` section."""

    def prepare_field_value(self, field_name: str, field: Any, value: Any, value_is_complex: bool) -> Any:
        """Skip a VOC_STORE that is a path; VOC_STORE__<FIELD> and a JSON VOC_STORE still set the section."""
        if field_name == "store" and isinstance(value, str) and not value.lstrip().startswith("{"):
            value = None
        return super().prepare_field_value(field_name, field, value, value_is_complex)


class PipelineConfig(BaseSettings):
    """A whole pipeline; VOC_<SECTION>__<FIELD> environment variables override the YAML."""

    model_config = SettingsConfigDict(env_prefix="VOC_", env_nested_delimiter="__", extra="forbid")

    name: str = "pipeline"
    # `default` (quality) or `fast`: an int8 shared pass, sentiment from a head on its vectors (apply_profile)
    profile: Literal["default", "fast"] = "default"  # PROFILES
    lenses: list[str] = Field(default_factory=lambda: list(DEFAULT_ENABLED))  # registered lens names
    inputs: list[InputConfig] = Field(default_factory=list)
    clean: CleanConfig = Field(default_factory=CleanConfig)
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    themes: ThemesConfig = Field(default_factory=ThemesConfig)
    rootcause: RootCauseConfig = Field(default_factory=RootCauseConfig)
    journey: JourneyConfig = Field(default_factory=JourneyConfig)
    churn: ChurnConfig = Field(default_factory=ChurnConfig)
    priority: PriorityConfig = Field(default_factory=PriorityConfig)
    subcause: SubCauseConfig = Field(default_factory=SubCauseConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    app: AppConfig = Field(default_factory=AppConfig)

    @model_validator(mode="before")
    @classmethod
    def _ignore_dead_settings(cls, data: Any) -> Any:
        return drop_deprecated(data)

    @model_validator(mode="after")
    def _profile(self) -> PipelineConfig:
        return apply_profile(self)

    def with_profile(self, name: str) -> PipelineConfig:
        """This config under another profile (beats VOC_PROFILE: the environment is not read again)."""
        if name not in PROFILES:
            raise ConfigError(f"Unknown profile {name!r}; use one of {', '.join(PROFILES)}.")
        cfg = self.model_copy(deep=True)
        if cfg.profile == "fast" and name != "fast":  # undo what the fast profile set
            if cfg.encoder.precision == "int8" and cfg.encoder.shared_trunk == 0:
                cfg.encoder = cfg.encoder.model_copy(update={"precision": "fp32", "shared_trunk": EncoderConfig().shared_trunk})
            if cfg.sentiment.model == "fast":
                cfg.sentiment = cfg.sentiment.model_copy(update={"model": "default"})
        cfg.profile = name
        return apply_profile(cfg)

    @field_validator("lenses")
    @classmethod
    def _known_lenses(cls, names: list[str]) -> list[str]:
        try:
            return check_lens_names(names)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

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
        return _PipelineEnv(settings_cls), init_settings

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> PipelineConfig:
        """Load a pipeline YAML (relative input paths resolve against its folder) and apply overrides."""
        data: dict[str, Any] = {}
        if path is not None:
            path = Path(path)
            data = read_yaml(path, "Pipeline config")
            if not isinstance(data, dict):
                raise ConfigError(f"Pipeline config {path} must be a mapping of sections (input, store, ...).")
            for item in data.get("inputs") or []:
                if isinstance(item, dict) and item.get("path") and not Path(item["path"]).is_absolute():
                    item["path"] = str(path.parent / item["path"])
        deep_update(data, overrides)
        try:
            return cls(**data)
        except ValidationError as exc:
            where = f" in {path}" if path else ""
            raise ConfigError(f"Invalid pipeline config{where}:\n{format_errors(exc)}") from None

    def config_hash(self) -> str:
        """A short hash of everything that changes results (input paths, store, alerts and app settings excluded)."""
        skip = {"inputs": True, "store": True, "name": True, "alerts": True, "app": True}
        payload = self.model_dump(mode="json", exclude=skip)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


PROFILES = ("default", "fast")


def apply_profile(cfg: PipelineConfig) -> PipelineConfig:
    """Settings a profile changes: `fast` makes the shared pass int8 and sentiment a head on its vectors.

    Only settings left at their defaults change, so a pipeline can still pin e.g. its own sentiment model.
    """
    if cfg.profile == "fast":
        if cfg.encoder.precision == "fp32":
            cfg.encoder = cfg.encoder.model_copy(update={"precision": "int8", "shared_trunk": 0})
        if cfg.sentiment.model == "default":
            cfg.sentiment = cfg.sentiment.model_copy(update={"model": "fast"})
    return cfg


def encoder_settings() -> EncoderConfig:
    """The shared encoder's settings for code that runs without a pipeline YAML (voc eval, voc train).

    VOC_ENCODER__* variables apply, as they do to `voc run`, so e.g. VOC_ENCODER__PRECISION=int8 evaluates
    and trains on the same vectors an int8 run produces.
    """
    return PipelineConfig.load().encoder
