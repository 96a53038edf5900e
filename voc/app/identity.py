"""Who is using the app: the sign-in page, the signed-in user's role, and the check before every write."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

import streamlit as st

from voc.app.settings import app_settings, is_loopback
from voc.errors import VocError


class NotAllowed(VocError):
    """A viewer (or a signed-out session) tried to write."""


@dataclass(frozen=True)
class User:
    """The person behind this session: e-mail (or local login) and whether they may edit."""

    who: str
    editor: bool
    signed_in: bool


def is_editor(email: str | None, editors: list[str]) -> bool:
    """True when `email` is listed in `editors`, or its domain is (an `@domain` entry); case-insensitive."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = "@" + email.rsplit("@", 1)[1]
    wanted = {e.strip().lower() for e in editors}
    return email in wanted or domain in wanted


def current_user() -> User | None:
    """This session's user, read afresh from the server's session (None when sign-in is on and nobody signed in)."""
    settings = app_settings()
    if settings.auth is not None:
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email")
        verified = st.user.get("email_verified", True) is not False
        return User(
            who=str(email or st.user.get("sub")),
            editor=verified and is_editor(email, settings.editors),
            signed_in=True,
        )
    # No sign-in: the one local user edits; an open address served with --no-auth is read-only.
    local = is_loopback(st.get_option("server.address"))
    return User(who=f"local:{getpass.getuser()}", editor=local, signed_in=False)


def require_editor() -> str:
    """The editor's identity for the edit log; raise NotAllowed for anyone else. Call right before each write."""
    user = current_user()
    if user is None:
        raise NotAllowed("Sign in first: edits need a signed-in editor.")
    if not user.editor:
        raise NotAllowed(f"{user.who} may view but not edit; ask an admin to add you to app.editors.")
    return user.who


def sign_in_gate() -> User | None:
    """Show the sign-in page and return None when sign-in is required and missing; else return the user."""
    user = current_user()
    if user is None:
        st.title("voc: voice of the customer")
        st.write("Sign in with your organisation account to see your team's customer feedback.")
        if st.button("Sign in", type="primary", key="voc_sign_in"):
            st.login()
        return None
    return user


def user_badge(user: User) -> None:
    """Who is signed in and their role, with a sign-out button, in the sidebar."""
    role = "editor" if user.editor else "viewer"
    st.sidebar.caption(f"Signed in as {user.who} ({role})" if user.signed_in else f"Local session ({role})")
    if user.signed_in and st.sidebar.button("Sign out", key="voc_sign_out"):
        st.logout()
