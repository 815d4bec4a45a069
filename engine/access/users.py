"""Users, their role and their teams: adding, listing, disabling, setting teams, looking up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Optional

from sqlalchemy import Engine, delete, insert, select, update

from engine.access.crypto import hash_password
from engine.access.settings import AccessSettings
from models.access import ROLES, User, UserTeam
from models.privacy import looks_like_cpr
from models.storage import utcnow

# Roles that see single cases (of their teams), and roles that see figures (teamlead: of their
# teams; policy: of all teams, never a single case). admin: users and the access log only.
CASE_ROLES = frozenset({"caseworker", "teamlead"})
FIGURE_ROLES = frozenset({"teamlead", "policy"})


class AccessError(ValueError):
    """A user, token or setting that cannot be used as given (bad input: exit 1)."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    teams: tuple[str, ...]
    disabled: bool
    has_password: bool
    password_hash: Optional[str] = field(default=None, repr=False)  # never in a log line


def as_utc(value: Optional[datetime]) -> Optional[datetime]:
    """A stored time as an aware UTC datetime (SQLite gives the stored UTC back naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def parse_teams(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"A, B,A"`` → ``("A", "B")``: sorted, without blanks or repeats."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(sorted({item.strip() for item in items if item and item.strip()}))


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise AccessError(f"user name {name!r}: 1–200 visible characters without spaces")
    if looks_like_cpr(name):
        raise AccessError("user name: looks like a CPR number; a user name must not hold one")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccessError(f"role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_password(config: AccessSettings, password: str) -> str:
    if len(password) < config.password_min_length:
        raise AccessError(f"password: at least {config.password_min_length} characters")
    return password


def check_new_user(name: str, role: str, teams: Iterable[str]) -> tuple[str, str, tuple[str, ...]]:
    """The name, role and teams of a new user, checked (before a password is asked for)."""
    name, role, teams = check_name(name), check_role(role), parse_teams(teams)
    if role in CASE_ROLES and not teams:
        raise AccessError(f"a {role} needs at least one team (--teams)")
    return name, role, teams


def _account(row, teams: tuple[str, ...]) -> Account:
    return Account(id=row.id, name=row.name, role=row.role, teams=teams, disabled=bool(row.disabled),
                   has_password=bool(row.password_hash), password_hash=row.password_hash)


def _teams_of(conn, user_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if user_ids:
        for uid, team in conn.execute(select(UserTeam.user_id, UserTeam.team).where(UserTeam.user_id.in_(user_ids))):
            found[uid].append(team)
    return {uid: tuple(sorted(teams)) for uid, teams in found.items()}


def add_user(db: Engine, config: AccessSettings, name: str, role: str, teams: Iterable[str] = (),
             password: Optional[str] = None) -> Account:
    """A new user; ``password`` None: signs in through the single sign-on proxy only."""
    name, role, teams = check_new_user(name, role, teams)
    hashed = hash_password(config, check_password(config, password)) if password is not None else None
    with db.begin() as conn:
        if conn.execute(select(User.id).where(User.name == name)).first() is not None:
            raise AccessError(f"user {name!r} exists already")
        user_id = conn.execute(insert(User).values(name=name, role=role, password_hash=hashed, disabled=False,
                                                   created_at=utcnow(), changed_at=utcnow())).inserted_primary_key[0]
        if teams:
            conn.execute(insert(UserTeam), [{"user_id": user_id, "team": t} for t in teams])
    return Account(user_id, name, role, teams, False, hashed is not None, hashed)


def get_user(db: Engine, name: str) -> Optional[Account]:
    with db.connect() as conn:
        row = conn.execute(select(User).where(User.name == name)).first()
        return _account(row, _teams_of(conn, [row.id])[row.id]) if row else None


def get_user_by_id(db: Engine, user_id: int) -> Optional[Account]:
    with db.connect() as conn:
        row = conn.execute(select(User).where(User.id == user_id)).first()
        return _account(row, _teams_of(conn, [row.id])[row.id]) if row else None


def list_users(db: Engine) -> list[Account]:
    with db.connect() as conn:
        rows = conn.execute(select(User).order_by(User.name)).all()
        teams = _teams_of(conn, [r.id for r in rows])
    return [_account(r, teams[r.id]) for r in rows]


def count_enabled_users(db: Engine) -> int:
    with db.connect() as conn:
        return len(conn.execute(select(User.id).where(User.disabled.is_(False))).all())


def _require(conn, name: str) -> int:
    user_id = conn.execute(select(User.id).where(User.name == name)).scalar()
    if user_id is None:
        raise AccessError(f"no user {name!r}")
    return user_id


def set_disabled(db: Engine, name: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; a disabled user's sessions end at once."""
    from models.access import WebSession

    with db.begin() as conn:
        user_id = _require(conn, name)
        conn.execute(update(User).where(User.id == user_id).values(disabled=disabled, changed_at=utcnow()))
        if disabled:
            conn.execute(delete(WebSession).where(WebSession.user_id == user_id))


def set_teams(db: Engine, name: str, teams: Iterable[str]) -> tuple[str, ...]:
    teams = parse_teams(teams)
    with db.begin() as conn:
        user_id = _require(conn, name)
        role = conn.execute(select(User.role).where(User.id == user_id)).scalar()
        if role in CASE_ROLES and not teams:
            raise AccessError(f"a {role} needs at least one team")
        conn.execute(delete(UserTeam).where(UserTeam.user_id == user_id))
        if teams:
            conn.execute(insert(UserTeam), [{"user_id": user_id, "team": t} for t in teams])
        conn.execute(update(User).where(User.id == user_id).values(changed_at=utcnow()))
    return teams


def set_password(db: Engine, config: AccessSettings, name: str, password: str) -> None:
    hashed = hash_password(config, check_password(config, password))
    with db.begin() as conn:
        user_id = _require(conn, name)
        conn.execute(update(User).where(User.id == user_id).values(password_hash=hashed, changed_at=utcnow()))


def exposure_problem(db: Engine, config: AccessSettings) -> Optional[str]:
    """Why the service may not listen beyond loopback, or None: it may once someone must sign in
    (an enabled user in the database) or the single sign-on proxy is configured."""
    if config.trusted_mode or count_enabled_users(db) > 0:
        return None
    return ("no access control is configured: add a user (sagsrute users add NAME --role admin) or set "
            "SAGSRUTE_TRUSTED_HEADER and SAGSRUTE_TRUSTED_PROXIES")
