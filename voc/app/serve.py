"""Start `streamlit run app.py` for a store on 127.0.0.1 and wait until it is healthy (CLI, tests, benchmarks)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from voc.app.fact import prepare
from voc.errors import VocError
from voc.paths import APP_ENTRY

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def streamlit_command(
    store: str | Path, port: int, host: str = "127.0.0.1", config: str | Path | None = None
) -> list[str]:
    """The command line that serves the app for `store` on host:port, headless, without usage stats."""
    return [
        sys.executable, "-m", "voc.app.launch", str(APP_ENTRY),
        "--server.headless", "true", "--server.address", host, "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
        "--", "--store", str(store), *(["--config", str(config)] if config else []),
    ]  # fmt: skip


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_store(store: str | Path) -> float | None:
    """Build the app's fact table for `store` before serving (seconds taken; None if the store cannot be read)."""

    try:
        return prepare(store)[1]
    except VocError as exc:
        log.warning("not preparing %s for the app: %s", store, exc)
        return None


def start_server(
    store: str | Path, log_path: Path, timeout: float = 60, env: dict[str, str] | None = None, port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """Prepare the store, start the app in its own process group (output to log_path), return it and its URL once healthy."""
    prepare_store(store)
    port = port or free_port()
    log = open(log_path, "w")  # noqa: SIM115 (the child owns it; closed when we return or fail)
    proc = subprocess.Popen(
        streamlit_command(store, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=log_path.parent,
        env=env,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise VocError(f"streamlit did not start; its log ends with:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the app's process group (kill it if it does not stop in 10 s)."""
    stop_group(proc)


def stop_group(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM the process group `proc` leads (started with start_new_session), SIGKILL it after `timeout` s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
