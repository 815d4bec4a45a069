"""Web sessions: a random cookie value, held in the database as its hash, with an absolute expiry
and an idle timeout. Logging out or disabling the user deletes the row: the cookie is dead at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Engine, delete, insert, or_, select, update

from engine.access.crypto import random_token, token_hash
from engine.access.settings import AccessSettings
from engine.access.users import Account, as_utc, get_user_by_id
from models.access import WebSession
from models.storage import utcnow

TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most once a minute per session


@dataclass(frozen=True)
class SessionInfo:
    id: int
    account: Account
    expires_at: datetime


def create_session(db: Engine, config: AccessSettings, user_id: int) -> str:
    """A new session for the user; returns the cookie value (known only to the browser)."""
    value = random_token()
    now = utcnow()
    with db.begin() as conn:
        conn.execute(insert(WebSession).values(token_hash=token_hash(value), user_id=user_id, created_at=now,
                                               expires_at=now + timedelta(hours=config.session_hours),
                                               last_seen_at=now))
    return value


def lookup_session(db: Engine, config: AccessSettings, value: Optional[str]) -> Optional[SessionInfo]:
    """The live session of this cookie value and its (enabled) user, or None. An expired or idle
    session is deleted on sight."""
    if not value or len(value) > 200:
        return None
    now = utcnow()
    with db.connect() as conn:
        row = conn.execute(select(WebSession).where(WebSession.token_hash == token_hash(value))).first()
    if row is None:
        return None
    idle_limit = as_utc(row.last_seen_at) + timedelta(minutes=config.session_idle_minutes)
    if now >= as_utc(row.expires_at) or now >= idle_limit:
        end_session(db, value)
        return None
    account = get_user_by_id(db, row.user_id)
    if account is None or account.disabled:
        return None
    if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        with db.begin() as conn:
            conn.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return SessionInfo(row.id, account, as_utc(row.expires_at))


def end_session(db: Engine, value: Optional[str]) -> None:
    if value:
        with db.begin() as conn:
            conn.execute(delete(WebSession).where(WebSession.token_hash == token_hash(value)))


def prune_sessions(db: Engine, config: AccessSettings) -> int:
    """Delete expired and idle sessions; returns how many."""
    now = utcnow()
    idle = now - timedelta(minutes=config.session_idle_minutes)
    with db.begin() as conn:
        return conn.execute(delete(WebSession).where(or_(WebSession.expires_at <= now,
                                                         WebSession.last_seen_at <= idle))).rowcount
