"""A password login: throttled, timed the same for an unknown user, logged either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Engine

from engine.access import log
from engine.access.crypto import hash_password, needs_rehash, verify_password
from engine.access.settings import AccessSettings
from engine.access.throttle import begin_attempt, finish_attempt
from engine.access.users import Account, get_user
from models.access import User


@dataclass(frozen=True)
class LoginOutcome:
    status: str  # "ok", "bad" (wrong name or password, disabled: one answer), "throttled"
    account: Optional[Account] = None
    retry_after: int = 0


def password_login(db: Engine, config: AccessSettings, name: str, password: str, address: Optional[str],
                   route: str = "") -> LoginOutcome:
    name = (name or "").strip()[:200]
    attempt = begin_attempt(db, config, name, address)
    if not attempt.allowed:
        log.append(db, user=name, action="login_refused", route=route, address=address or "")
        return LoginOutcome("throttled", retry_after=attempt.retry_after)
    account = get_user(db, name) if name else None
    stored = account.password_hash if account and not account.disabled else None
    good = verify_password(config, stored, password or "")
    finish_attempt(db, attempt, good)
    if not good:
        log.append(db, user=name, action="login_failed", route=route, address=address or "")
        return LoginOutcome("bad")
    if needs_rehash(config, stored):  # the cost settings were raised: upgrade the hash now
        from sqlalchemy import update

        with db.begin() as conn:
            conn.execute(update(User).where(User.id == account.id).values(password_hash=hash_password(config, password)))
    log.append(db, user=account.name, role=account.role, action="login", route=route, address=address or "")
    return LoginOutcome("ok", account=account)
