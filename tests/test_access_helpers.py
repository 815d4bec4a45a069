"""Signing in, for the web tests that are about something else (issue 17): a test client, a
Chromium context or an API call with a principal of a chosen role, through the real credentials
(a session cookie with its CSRF header, a bearer token), never around them. No tests here."""

from __future__ import annotations

from typing import Iterable

from engine.access.crypto import csrf_for_session
from engine.access.sessions import create_session
from engine.access.settings import settings
from engine.access.tokens import create_token
from engine.access.users import add_user, get_user
from engine.io.storage import db_url, open_db
from engine.web.deps import ALL_TEAMS, SESSION_COOKIE


def session_for(db, role: str = "teamlead", teams: Iterable[str] = (ALL_TEAMS,), name: str = "") -> str:
    """A session cookie value for a user of ``role`` (made once, without a password: an SSO-only
    user); the default sees every case and figure."""
    name = name or f"test-{role}"
    account = get_user(db, name) or add_user(db, settings(), name, role, list(teams), None)
    return create_session(db, settings(), account.id)


def signed_in(client, role: str = "teamlead", teams: Iterable[str] = (ALL_TEAMS,), name: str = ""):
    """``client`` (FastAPI's test client) signed in: the session cookie, and the CSRF header a
    page's script would send with a write."""
    cookie = session_for(client.app.state.service.db, role, teams, name)
    client.cookies.set(SESSION_COOKIE, cookie)
    client.headers["X-CSRF-Token"] = csrf_for_session(cookie)
    return client


def sign_in_context(context, base: str, db: str, role: str = "teamlead", teams: Iterable[str] = (ALL_TEAMS,)):
    """A Playwright browser context signed in to the server at ``base`` on database ``db``."""
    engine = open_db(db_url(db))
    try:
        cookie = session_for(engine, role, teams)
    finally:
        engine.dispose()
    context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": base, "httpOnly": True, "secure": True,
                          "sameSite": "Lax"}])
    return context


def bearer(db: str, teams: Iterable[str] = (ALL_TEAMS,)) -> dict[str, str]:
    """The Authorization header of a new API token for ``teams`` on database ``db``."""
    engine = open_db(db_url(db))
    try:
        _, value = create_token(engine, "tests", list(teams))
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {value}"}
