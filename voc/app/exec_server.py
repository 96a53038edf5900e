"""`voc app`: check the address, port and sign-in settings, then replace this process with the app server.

The server replaces the `voc app` process (os.execve), so SIGTERM or Ctrl+C reaches Streamlit itself and
no child is left holding the port.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path
from typing import NoReturn

from voc.app.serve import streamlit_command
from voc.app.settings import is_loopback
from voc.config_app import AppConfig
from voc.errors import ConfigError, VocError

NO_AUTH_WARNING = (
    "WARNING: serving on {host} WITHOUT SIGN-IN (--no-auth). Anyone who can reach port {port} can read all the "
    "customer feedback in this store. Edits are switched off. Configure app.auth to serve a team."
)


def check_host(host: str, settings: AppConfig, no_auth: bool) -> str | None:
    """Raise when a non-loopback host has no sign-in and no --no-auth; return a warning to print, if any."""
    if is_loopback(host):
        return None
    if no_auth:
        return NO_AUTH_WARNING
    if settings.auth is None:
        raise ConfigError(
            f"Refusing to serve on {host}: sign-in is not configured, so anyone on the network could read the "
            "customer feedback. Set app.auth in the YAML given with --config (or VOC_APP__AUTH__SERVER_METADATA_URL, "
            "__CLIENT_ID, __CLIENT_SECRET, __COOKIE_SECRET and __REDIRECT_URI), or pass --no-auth to serve it "
            "unprotected, or serve on 127.0.0.1."
        )
    return None


def check_port(host: str, port: int) -> None:
    """Raise a VocError naming the port when host:port cannot be bound (another server holds it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # as the server does; TIME_WAIT is no clash
        try:
            sock.bind((host or "0.0.0.0", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise VocError(
                    f"Port {port} on {host} is already in use (another `voc app` or server?). Stop that server, "
                    f"or pick another port with --port."
                ) from None
            raise VocError(
                f"Cannot serve on {host}:{port}: {exc.strerror}. Check --host and --port."
            ) from None


def exec_server(store: Path, host: str, port: int, config: Path | None) -> NoReturn:
    """Replace this process with the Streamlit server for `store` on host:port."""
    cmd = streamlit_command(store, port, host=host, config=config)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, cmd, {**os.environ, "VOC_STORE": str(store)})
