"""The app's serving settings (the `app` config section) and Streamlit's `[auth]` secrets written from them."""

from __future__ import annotations

import argparse
import atexit
import ipaddress
import os
import shutil
import sys
import tempfile
from pathlib import Path

from voc.config_app import AppConfig, AuthConfig, load_app_config

LOCAL_HOSTS = ("localhost", "")


def app_settings(argv: list[str] | None = None) -> AppConfig:
    """The `app` section from `--config YAML` in argv (the script's arguments) and VOC_APP__* variables."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return load_app_config(args.config)


def is_loopback(host: str | None) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host is None or host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def auth_secrets_toml(auth: AuthConfig) -> str:
    """Streamlit's `[auth]` section (one default OIDC provider) for these settings."""
    fields = {
        "redirect_uri": auth.redirect_uri,
        "cookie_secret": auth.cookie_secret.get_secret_value(),
        "client_id": auth.client_id,
        "client_secret": auth.client_secret.get_secret_value(),
        "server_metadata_url": auth.server_metadata_url,
    }
    lines = ["[auth]", *(f"{key} = {_toml_string(value)}" for key, value in fields.items())]
    return "\n".join(lines) + "\n"


def write_auth_secrets(auth: AuthConfig) -> Path:
    """Write the `[auth]` secrets into a private temp folder (0700, file 0600), removed at exit; return the file."""
    folder = Path(tempfile.mkdtemp(prefix="voc-app-auth-"))  # mkdtemp makes it 0700
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "secrets.toml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(auth_secrets_toml(auth))
    return path
