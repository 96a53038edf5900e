"""The app's serving settings (sign-in and editors): a YAML's `app` section with VOC_APP__* overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from voc.config_dicts import format_errors, read_yaml
from voc.errors import ConfigError


class AuthConfig(BaseModel):
    """OpenID Connect sign-in for the app (Streamlit's st.login); secrets are never printed or logged."""

    model_config = ConfigDict(extra="forbid")

    server_metadata_url: str  # the IdP's /.well-known/openid-configuration URL
    client_id: str
    client_secret: SecretStr
    cookie_secret: SecretStr  # signs the app's session cookie; a long random string
    redirect_uri: str  # the app's own URL + /oauth2callback, as registered with the IdP


class AppConfig(BaseModel):
    """Serving the app: sign-in, and who may edit (e-mails or @domain entries; everyone else views)."""

    model_config = ConfigDict(extra="forbid")

    auth: AuthConfig | None = None
    editors: list[str] = Field(default_factory=list)


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
        raw = read_yaml(path, "Config")
        section = (raw.get("app") if isinstance(raw, dict) else None) or {}
    try:
        return _AppSettings(app=section).app
    except ValidationError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"Invalid app settings{where}:\n{format_errors(exc)}") from None
