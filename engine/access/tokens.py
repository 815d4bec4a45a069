"""API tokens for a case system: read-only bearer tokens limited to chosen teams, stored as sha256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import Engine, insert, select, update

from engine.access.crypto import TOKEN_PREFIX, new_api_token, token_hash
from engine.access.users import AccessError, as_utc, parse_teams
from models.access import ApiToken
from models.storage import utcnow


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    teams: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: Optional[datetime]
    revoked_at: Optional[datetime]

    def usable(self, now: Optional[datetime] = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def _info(row) -> TokenInfo:
    return TokenInfo(row.id, row.name, parse_teams(row.teams), row.created_by, as_utc(row.created_at),
                     as_utc(row.expires_at), as_utc(row.revoked_at))


def create_token(db: Engine, name: str, teams: Iterable[str], created_by: str = "",
                 days: Optional[int] = None) -> tuple[TokenInfo, str]:
    """A new token and its value: shown once, stored only as its hash."""
    name = name.strip()
    teams = parse_teams(teams)
    if not name:
        raise AccessError("token name: empty")
    if not teams:
        raise AccessError("a token needs at least one team (--teams)")
    if days is not None and days < 1:
        raise AccessError("--days: at least 1")
    value = new_api_token()
    now = utcnow()
    with db.begin() as conn:
        token_id = conn.execute(insert(ApiToken).values(
            name=name, token_hash=token_hash(value), teams=",".join(teams), created_by=created_by, created_at=now,
            expires_at=now + timedelta(days=days) if days else None)).inserted_primary_key[0]
        row = conn.execute(select(ApiToken).where(ApiToken.id == token_id)).one()
    return _info(row), value


def revoke_token(db: Engine, token_id: int) -> TokenInfo:
    with db.begin() as conn:
        row = conn.execute(select(ApiToken).where(ApiToken.id == token_id)).first()
        if row is None:
            raise AccessError(f"no token #{token_id}")
        if row.revoked_at is None:
            conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
        row = conn.execute(select(ApiToken).where(ApiToken.id == token_id)).one()
    return _info(row)


def list_tokens(db: Engine) -> list[TokenInfo]:
    with db.connect() as conn:
        return [_info(r) for r in conn.execute(select(ApiToken).order_by(ApiToken.id))]


def lookup_token(db: Engine, value: str) -> Optional[TokenInfo]:
    """The usable token with this value, or None (unknown, revoked or expired)."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 200:
        return None
    with db.connect() as conn:
        row = conn.execute(select(ApiToken).where(ApiToken.token_hash == token_hash(value))).first()
    info = _info(row) if row else None
    return info if info and info.usable() else None
