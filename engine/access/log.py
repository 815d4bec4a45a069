"""The access log: who looked at which case or took which export, when, through which route and
from which address; and every login, failed login and logout. Append, query and the retention
prune are the only operations: there is no update, and deleting is the prune's alone (the
database's triggers refuse the rest: engine/access/schema.py). Every text is CPR-masked before it
is written, so no CPR number reaches the log even when one is typed as a user name or a case id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional, Union

from sqlalchemy import Engine, delete, insert, select

from engine.access.users import as_utc
from models.access import AccessLogEntry, AccessLogPrune
from models.privacy import mask_cpr
from models.storage import utcnow

ACTIONS = ("view_case", "export", "login", "login_failed", "login_refused", "logout", "view_log")


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    user_name: str
    role: str
    action: str
    what: str
    route: str
    address: str


def _clean(value: Optional[str], limit: int) -> str:
    return mask_cpr(value or "")[:limit]


def append(db: Engine, *, user: str, action: str, role: str = "", what: str = "", route: str = "",
           address: str = "") -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    with db.begin() as conn:
        conn.execute(insert(AccessLogEntry).values(
            at=utcnow(), user_name=_clean(user, 200), role=_clean(role, 20), action=action,
            what=_clean(what, 200), route=_clean(route, 200), address=_clean(address, 64)))


def _start_of(since: Union[date, datetime]) -> datetime:
    if isinstance(since, datetime):
        return as_utc(since)
    return datetime.combine(since, time(0), tzinfo=timezone.utc)


def query(db: Engine, user: Optional[str] = None, case: Optional[str] = None,
          since: Union[date, datetime, None] = None, action: Optional[str] = None,
          limit: Optional[int] = None, newest_first: bool = False) -> list[Entry]:
    """Entries in time order (the oldest first unless ``newest_first``), filtered."""
    table = AccessLogEntry.__table__
    q = select(table)
    if user is not None:
        q = q.where(table.c.user_name == user)
    if case is not None:
        q = q.where(table.c.what == case)
    if since is not None:
        q = q.where(table.c.at >= _start_of(since))
    if action is not None:
        q = q.where(table.c.action == action)
    q = q.order_by(table.c.id.desc() if newest_first else table.c.id)
    if limit is not None:
        q = q.limit(limit)
    with db.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [Entry(**{**dict(r), "at": as_utc(r["at"])}) for r in rows]


def prune(db: Engine, retention_days: int, now: Optional[datetime] = None) -> int:
    """Remove entries older than the retention period; returns how many. The horizon is written
    for the delete trigger and removed again in the same transaction."""
    if retention_days < 1:
        raise ValueError("the retention period is at least one day")
    horizon = (now or utcnow()) - timedelta(days=retention_days)
    with db.begin() as conn:
        conn.execute(delete(AccessLogPrune))
        conn.execute(insert(AccessLogPrune).values(id=1, horizon=horizon))
        removed = conn.execute(delete(AccessLogEntry).where(AccessLogEntry.at < horizon)).rowcount
        conn.execute(delete(AccessLogPrune))
    return removed
