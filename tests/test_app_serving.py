"""`voc app` as a process: clean shutdown on SIGTERM, a busy port, refusing an open address without sign-in."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest

from bench.sample_store import build_sample_store
from voc.app.serve import free_port
from voc.app.settings import app_settings, auth_secrets_toml, write_auth_secrets

VOC = [sys.executable, "-c", "from voc.cli import main; main()"]
AUTH_ENV = {
    "VOC_APP__AUTH__SERVER_METADATA_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
    "VOC_APP__AUTH__CLIENT_ID": "voc-test",
    "VOC_APP__AUTH__CLIENT_SECRET": "client-secret-value-xyz",
    "VOC_APP__AUTH__COOKIE_SECRET": "cookie-secret-value-0123456789abcdef",
    "VOC_APP__AUTH__REDIRECT_URI": "http://127.0.0.1:8501/oauth2callback",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_sample_store(tmp_path_factory.mktemp("serving") / "sample.duckdb", n=60)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VOC_APP__")}


def _healthy(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_voc_app_leaves_no_server_on_the_port(store, tmp_path):
    """With sign-in configured: the secrets folder exists while serving, and SIGTERM removes it with the server."""
    port = free_port()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    log = open(tmp_path / "app.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [*VOC, "app", "--store", str(store), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**_clean_env(), **AUTH_ENV, "TMPDIR": str(private_tmp)},
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not _healthy(port):
            assert proc.poll() is None, (tmp_path / "app.log").read_text()
            assert time.monotonic() < deadline, "voc app did not become healthy"
            time.sleep(0.3)
        secrets = list(private_tmp.glob("voc-app-auth-*/secrets.toml"))
        assert len(secrets) == 1 and stat.S_IMODE(secrets[0].stat().st_mode) == 0o600
        proc.send_signal(signal.SIGTERM)  # to the `voc app` process only, as systemd or a user would
        assert proc.wait(20) is not None
        time.sleep(0.5)
        assert not _group_alive(proc.pid), "a process of `voc app` outlived SIGTERM"
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"something still serves port {port}"
        assert not list(private_tmp.iterdir()), "the sign-in secrets outlived the server"
        assert "client-secret-value-xyz" not in (tmp_path / "app.log").read_text()
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()


def test_busy_port_is_a_clear_error_naming_it(store):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [*VOC, "app", "--store", str(store), "--port", str(port)],
            check=False, capture_output=True, text=True, env=_clean_env(), timeout=60, start_new_session=True,
        )  # fmt: skip
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr + result.stdout


def test_open_host_without_auth_is_refused(store):
    result = subprocess.run(
        [*VOC, "app", "--store", str(store), "--host", "0.0.0.0", "--port", str(free_port())],
        check=False, capture_output=True, text=True, env=_clean_env(), timeout=60, start_new_session=True,
    )  # fmt: skip
    assert result.returncode != 0
    out = result.stderr + result.stdout
    assert "Refusing to serve on 0.0.0.0" in out and "--no-auth" in out
    assert "Serving the app" not in out


def test_auth_settings_from_env_become_private_streamlit_secrets(monkeypatch):
    for key, value in AUTH_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("VOC_APP__EDITORS", '["ana@example.com", "@cx.example.com"]')
    settings = app_settings([])
    assert settings.editors == ["ana@example.com", "@cx.example.com"]
    assert "client-secret-value-xyz" not in repr(settings)  # secrets never show in logs or tracebacks
    path = write_auth_secrets(settings.auth)
    try:
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        import tomllib

        auth = tomllib.loads(path.read_text())["auth"]
        assert auth == {k.removeprefix("VOC_APP__AUTH__").lower(): v for k, v in AUTH_ENV.items()}
    finally:
        path.unlink()
        path.parent.rmdir()


def test_secrets_toml_escapes_quotes():
    import tomllib

    from voc.config_app import AuthConfig

    auth = AuthConfig(
        server_metadata_url="http://x/",
        client_id='a"b\\c',
        client_secret="s\nt",
        cookie_secret="c",
        redirect_uri="r",
    )
    parsed = tomllib.loads(auth_secrets_toml(auth))["auth"]
    assert parsed["client_id"] == 'a"b\\c' and parsed["client_secret"] == "s\nt"


def test_launch_freezes_the_imported_heap_out_of_the_per_run_collections():
    """Streamlit collects garbage after every session's run: after the launcher's freeze, it walks only new objects."""
    code = (
        "import gc; from voc.app.launch import freeze_heap, warm_imports; warm_imports(); "
        "before = len(gc.get_objects()); freeze_heap(); print(before, len(gc.get_objects()), gc.get_freeze_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    before, after, frozen = map(int, out.stdout.split())
    assert before > 50_000 and frozen >= before // 2
    assert after < before // 20, (before, after)
