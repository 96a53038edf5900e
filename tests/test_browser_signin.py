"""A real sign-in: oidc-provider-mock as the identity provider, Streamlit's st.login, Playwright with Chromium.

Editors rename themes and the log records their e-mail; viewers see no edit controls, and a viewer replaying
the editor's rename request over its own websocket writes nothing. Signed out, the page holds no customer text.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import need_chromium, open_page

from bench.sample_store import build_sample_store
from voc.app.serve import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_group, stop_server
from voc.store import Store

pytestmark = pytest.mark.browser

EDITOR, VIEWER = "ana@example.com", "vic@example.com"
CAPTURE_SOCKETS = "window.__vocSockets = []; const WS = window.WebSocket; window.WebSocket = function (...a) {" \
    " const s = new WS(...a); window.__vocSockets.push(s); return s; }; window.WebSocket.prototype = WS.prototype;" \
    " Object.assign(window.WebSocket, {OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2});"  # fmt: skip


def _wait_ok(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up; log:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """oidc-provider-mock on a loopback port with an editor and a viewer; yields its metadata URL."""
    need_chromium()
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    users = [
        {"sub": EDITOR, "email": EDITOR, "email_verified": True},
        {"sub": VIEWER, "email": VIEWER, "email_verified": True},
    ]
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        cmd += ["--user-claims", json.dumps(user)]
    log = folder / "provider.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        metadata = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        _wait_ok(metadata, proc, log)
        yield metadata
    finally:
        stop_group(proc)


@pytest.fixture(scope="module")
def app_server(provider, tmp_path_factory):
    """The app with sign-in through the provider; yields (url, store)."""
    folder = tmp_path_factory.mktemp("signin")
    store = build_sample_store(folder / "sample.duckdb", n=200)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_APP__")}
    env.update({
        "VOC_APP__AUTH__SERVER_METADATA_URL": provider,
        "VOC_APP__AUTH__CLIENT_ID": "voc-browser-test",
        "VOC_APP__AUTH__CLIENT_SECRET": "not-a-real-secret",
        "VOC_APP__AUTH__COOKIE_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "VOC_APP__AUTH__REDIRECT_URI": f"http://127.0.0.1:{port}/oauth2callback",
        "VOC_APP__EDITORS": json.dumps([EDITOR]),
    })  # fmt: skip
    proc, url = start_server(store, folder / "streamlit.log", env=env, port=port)
    try:
        yield url, store
    finally:
        stop_server(proc)
    assert "not-a-real-secret" not in (folder / "streamlit.log").read_text()  # the secret is never logged


@pytest.fixture(scope="module")
def browser(app_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("VOC_SCREENSHOT_DIR") or tmp_path_factory.mktemp("signin_screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(CAPTURE_SOCKETS)
    page = context.new_page()
    page.set_default_timeout(60_000)  # the CI box is shared; sign-in makes several round trips
    return page


def _sign_in(page, url: str, who: str, shots: Path | None = None) -> None:
    """Open the app signed out, follow Sign in to the provider, pick `who`, land back on the app."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").wait_for()
    if shots:
        page.screenshot(path=str(shots / "sign-in.png"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    if shots:
        page.screenshot(path=str(shots / "provider.png"))
    page.get_by_role("button", name=who, exact=True).click()
    page.wait_for_url(url.rstrip("/") + "/**")
    page.get_by_role("heading", name="Overview", exact=True).first.wait_for()


def test_signed_out_page_has_no_customer_text(app_server, browser):
    url, store = app_server
    page = _page(browser)
    for query in ("", "?page=manage", "?page=search&q=refund"):
        page.goto(url + query)
        page.get_by_role("button", name="Sign in").wait_for()
        page.wait_for_timeout(500)
        body = page.locator("body").inner_text()
        labels = Store(store, read_only=True).themes()["label"].tolist()
        texts = Store(store, read_only=True).documents_with_predictions("true", columns=["text"])["text"]
        assert not any(label in body for label in labels)
        assert not any(text[:25] in body for text in texts)
        assert "documents" not in body and store.name not in body
    page.context.close()


def test_editor_and_viewer_sign_in(app_server, browser, shots):
    url, store = app_server
    editor = _page(browser)
    sent: list[bytes] = []
    editor.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    _sign_in(editor, url, EDITOR, shots)
    editor.wait_for_selector(".voc-done", state="attached")
    editor.locator(".voc-headline").first.wait_for()  # the Overview rendered for the editor
    open_page(editor, f"{url}/?page=manage", "Manage themes")
    editor.get_by_text(f"Signed in as {EDITOR} (editor)").wait_for()
    form = editor.locator('[data-testid="stForm"]').first
    form.get_by_label("New name").fill("Double charges")
    sent.clear()
    form.get_by_role("button", name="Rename").click()
    editor.get_by_text("Saved edit").first.wait_for()
    edits = Store(store, read_only=True).edits()
    assert edits["op"].tolist() == ["rename"] and edits["actor"].tolist() == [EDITOR]
    editor.wait_for_timeout(500)
    editor.screenshot(path=str(shots / "manage-editor.png"))
    editor.get_by_role("heading", name="Edit history").scroll_into_view_if_needed()
    editor.screenshot(path=str(shots / "manage-editor-history.png"))
    rename_frames = [f for f in sent if isinstance(f, bytes) and b"Double charges" in f]
    assert rename_frames, "the rename request was not seen on the websocket"

    viewer = _page(browser)
    _sign_in(viewer, url, VIEWER)
    open_page(viewer, f"{url}/?page=manage", "Manage themes")
    viewer.get_by_text(f"Signed in as {VIEWER} (viewer)").wait_for()
    viewer.get_by_text("Only editors can rename").wait_for()
    assert viewer.locator('[data-testid="stForm"]').count() == 0
    assert viewer.get_by_role("button", name="Rename").count() == 0
    assert viewer.get_by_label("New name").count() == 0
    viewer.wait_for_timeout(500)
    viewer.screenshot(path=str(shots / "manage-viewer.png"))
    # A direct write: replay the editor's rename request, with another name, over the viewer's own session.
    frame = rename_frames[0].replace(b"Double charges", b"Viewer hijack!")
    viewer.evaluate(
        "(b64) => { const s = window.__vocSockets.filter(w => w.readyState === 1).pop();"
        " s.send(Uint8Array.from(atob(b64), c => c.charCodeAt(0))); }",
        base64.b64encode(frame).decode(),
    )
    viewer.wait_for_timeout(3000)
    viewer.wait_for_selector(".voc-done", state="attached")
    edits = Store(store, read_only=True).edits()
    assert edits["actor"].tolist() == [EDITOR], "a viewer's replayed request wrote to the edit log"
    assert "Viewer hijack!" not in json.dumps(edits["payload"].tolist())
    # The same replay from the editor's session does write: the refusal is the role, not a broken frame.
    editor.evaluate(
        "(b64) => { const s = window.__vocSockets.filter(w => w.readyState === 1).pop();"
        " s.send(Uint8Array.from(atob(b64), c => c.charCodeAt(0))); }",
        base64.b64encode(rename_frames[0].replace(b"Double charges", b"Editor replay!")).decode(),
    )
    deadline = time.monotonic() + 20
    while len(Store(store, read_only=True).edits()) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    edits = Store(store, read_only=True).edits()
    assert (
        edits["actor"].tolist() == [EDITOR, EDITOR] and edits["payload"].iloc[1]["label"] == "Editor replay!"
    )
    print(f"screenshots in {shots}")
    for page in (editor, viewer):
        page.context.close()


def test_journey_at_risk_and_priority_render(app_server, browser):
    url, _ = app_server
    page = _page(browser)
    _sign_in(page, url, VIEWER)
    page.wait_for_selector(".voc-done", state="attached")
    page.get_by_role("heading", name="Priority matrix").first.wait_for()
    page.get_by_text("Quick wins").first.wait_for()
    open_page(page, f"{url}/?page=journey", "Journey")
    open_page(page, f"{url}/?page=atrisk", "At risk")
    assert not page.locator('[data-testid="stException"]').count()
    page.context.close()
