"""Login throttling, in the database so that it holds across worker processes.

An attempt is written *before* the password is checked and then counted with the others in the
window: of any burst, each request sees every attempt written before its own, so at most the
limit of them get to the (expensive) password check, whatever the interleaving across processes.
A refused attempt is removed again, so a throttled name or address gets the limit's tries per
window (a rate, not a permanent lock an attacker could hold on someone else's account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from sqlalchemy import Engine, delete, func, insert, or_, select, update

from engine.access.settings import AccessSettings
from models.access import LoginAttempt
from models.privacy import mask_cpr
from models.storage import utcnow


@dataclass(frozen=True)
class Attempt:
    id: int
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def _failing(column, value, since):
    return select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.at >= since,
        or_(LoginAttempt.succeeded.is_(None), LoginAttempt.succeeded.is_(False)))


def begin_attempt(db: Engine, config: AccessSettings, user_name: str, address: Optional[str]) -> Attempt:
    name, address = mask_cpr(user_name)[:200], (address or "")[:64]
    now = utcnow()
    since = now - timedelta(minutes=config.login_window_minutes)
    with db.begin() as conn:
        attempt_id = conn.execute(insert(LoginAttempt).values(user_name=name, address=address, at=now,
                                                              succeeded=None)).inserted_primary_key[0]
    # Counted in a read of its own and removed in a write of its own: on SQLite a read that turns
    # into a write fails at once ("database is locked") when another process wrote in between.
    with db.connect() as conn:
        by_name = conn.execute(_failing(LoginAttempt.user_name, name, since)).scalar_one()
        by_address = conn.execute(_failing(LoginAttempt.address, address, since)).scalar_one()
    if by_name <= config.login_max_failures and by_address <= config.login_max_failures_per_address:
        return Attempt(attempt_id, True)
    with db.begin() as conn:
        conn.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    return Attempt(attempt_id, False, retry_after=int(config.login_window_minutes * 60))


def finish_attempt(db: Engine, attempt: Attempt, succeeded: bool) -> None:
    with db.begin() as conn:
        conn.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=succeeded))


def prune_attempts(db: Engine, config: AccessSettings) -> int:
    """Forget attempts older than the window (they no longer count)."""
    since = utcnow() - timedelta(minutes=config.login_window_minutes)
    with db.begin() as conn:
        return conn.execute(delete(LoginAttempt).where(LoginAttempt.at < since)).rowcount
