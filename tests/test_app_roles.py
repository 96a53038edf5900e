"""Sign-in and roles under AppTest: the signed-out page shows no data, viewers cannot edit, edits record who."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from voc.app.identity import is_editor
from bench.sample_store import build_sample_store
from voc.paths import PROJECT_ROOT
from voc.store import Store

APP = str(PROJECT_ROOT / "app.py")
AUTH_ENV = {
    "VOC_APP__AUTH__SERVER_METADATA_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
    "VOC_APP__AUTH__CLIENT_ID": "voc-test",
    "VOC_APP__AUTH__CLIENT_SECRET": "client-secret",
    "VOC_APP__AUTH__COOKIE_SECRET": "cookie-secret-0123456789abcdef",
    "VOC_APP__AUTH__REDIRECT_URI": "http://127.0.0.1:8501/oauth2callback",
    "VOC_APP__EDITORS": '["ana@example.com", "@cx.example.com"]',
}
EDITOR = {"is_logged_in": True, "email": "ana@example.com", "email_verified": True, "sub": "ana"}
VIEWER = {"is_logged_in": True, "email": "vic@example.com", "email_verified": True, "sub": "vic"}


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    return build_sample_store(tmp_path_factory.mktemp("roles") / "sample.duckdb", n=120)


@pytest.fixture
def store(sample_store, tmp_path, monkeypatch):
    """A private copy of the sample store, served with sign-in configured."""
    path = tmp_path / "roles.duckdb"
    shutil.copy(sample_store, path)
    monkeypatch.setenv("VOC_STORE", str(path))
    for key, value in AUTH_ENV.items():
        monkeypatch.setenv(key, value)
    return path


def _run(user: dict, page: str = "overview") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = dict(user)
    if page != "overview":
        at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "text")
        for e in getattr(at, kind)
    ]
    parts += [b.label for b in at.button] + [str(m.value) for m in at.metric]
    parts += [df.value.to_string() for df in at.dataframe]
    return " ".join(str(p) for p in parts)


def test_editor_entries_match_emails_and_domains():
    editors = ["Ana@Example.com", "@cx.example.com"]
    assert is_editor("ana@example.com", editors) and is_editor("bo@CX.example.com", editors)
    assert not is_editor("bo@example.com", editors) and not is_editor("x@sub.cx.example.com", editors)
    assert not is_editor("cx.example.com", editors) and not is_editor(None, editors)


@pytest.mark.parametrize("page", ["overview", "themes", "manage", "search"])
def test_signed_out_sees_a_sign_in_page_and_no_customer_data(store, page):
    at = _run({"is_logged_in": False}, page)
    assert [b.label for b in at.button] == ["Sign in"]
    text = _all_text(at)
    themes = Store(store, read_only=True).themes()["label"].tolist()
    docs = Store(store, read_only=True).documents_with_predictions("true", columns=["text"])["text"].tolist()
    assert not at.dataframe and not at.metric and not at.sidebar.radio
    assert not any(label in text for label in themes)
    assert not any(doc[:30] in text for doc in docs)
    assert store.name not in text and "documents" not in text


def test_editor_renames_and_the_log_records_the_email(store):
    at = _run(EDITOR, "manage")
    assert any("ana@example.com (editor)" in c.value for c in at.sidebar.caption)
    at.selectbox(key="rename_theme").set_value(1)
    at.text_input(key="rename_label").input("Double charges")
    next(b for b in at.button if b.label == "Rename").click().run()
    assert not at.exception
    edits = Store(store, read_only=True).edits()
    assert edits["actor"].tolist() == ["ana@example.com"]
    history = at.dataframe[-1].value
    assert history["actor"].tolist() == ["ana@example.com"] and history["op"].tolist() == ["rename"]


def test_viewer_sees_no_edit_controls(store):
    at = _run(VIEWER, "manage")
    assert any("vic@example.com (viewer)" in c.value for c in at.sidebar.caption)
    assert (
        not at.main.text_input
        and not at.main.multiselect
        and not at.main.number_input
        and not at.main.selectbox
    )
    assert {b.label for b in at.button} <= {"Sign out"}
    assert any("Only editors can" in i.value for i in at.info)


def test_unverified_email_is_a_viewer(store):
    at = _run({**EDITOR, "email_verified": False}, "manage")
    assert not at.text_input


def _write_as_session_user(path: str) -> None:
    import streamlit as st

    from voc.app.pages.manage import append_edit
    from voc.errors import VocError

    try:
        st.success(f"wrote edit {append_edit(path, 'rename', {'theme_id': 1, 'label': 'Hijacked'})}")
    except VocError as exc:
        st.error(str(exc))


def test_the_write_itself_checks_the_role(store):
    """A write that reaches the server from a viewer's session (e.g. a replayed request) is refused."""
    refusals = {}
    for name, user in (("viewer", VIEWER), ("signed out", {"is_logged_in": False}), ("editor", EDITOR)):
        at = AppTest.from_function(_write_as_session_user, args=(str(store),), default_timeout=30)
        at.user = dict(user)
        at.run()
        refusals[name] = " ".join(e.value for e in at.error)
    assert "vic@example.com may view but not edit" in refusals["viewer"]
    assert "Sign in first" in refusals["signed out"]
    assert refusals["editor"] == ""
    assert Store(store, read_only=True).edits()["actor"].tolist() == ["ana@example.com"]


def test_no_auth_on_an_open_address_is_read_only(sample_store, tmp_path, monkeypatch):
    """`voc app --host 0.0.0.0 --no-auth`: anyone can read, nobody can edit (no identity to record)."""
    from streamlit import config

    path = tmp_path / "open.duckdb"
    shutil.copy(sample_store, path)
    monkeypatch.setenv("VOC_STORE", str(path))
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = _run({}, "manage")
        assert not at.main.text_input and any("Only editors can" in i.value for i in at.info)
        assert any("Local session (viewer)" in c.value for c in at.sidebar.caption)
    finally:
        config.set_option("server.address", before)
    at = _run({}, "manage")  # the same on 127.0.0.1: the local user edits
    assert at.main.text_input and any("Local session (editor)" in c.value for c in at.sidebar.caption)
