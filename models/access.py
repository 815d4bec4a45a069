"""The tables of access control (issue 17): users and their teams, API tokens, web sessions, login
attempts and the access log.

No secret is stored as it was given: a password as its argon2 hash, an API token and a session
cookie as the sha256 of the random value (256 bits of entropy: a fast hash is enough, and a lookup
by hash is one index probe). The access log is append-only: the application has no path that
updates or deletes a row except the retention prune, and the database refuses the rest with
triggers (engine/access/schema.py). Created by migration 3 (``engine.access.schema.migrate_access``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from models.storage import utcnow

ROLES = ("caseworker", "teamlead", "policy", "admin")


def _when(index: bool = False, nullable: bool = False):
    # timezone=True: PostgreSQL keeps TIMESTAMPTZ; SQLite keeps UTC as text in one format (so text
    # comparison is time order) and gives it back naive (engine.access.clock.as_utc reads it).
    column = Column(DateTime(timezone=True), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    role: str = Field(max_length=20)  # one of ROLES
    # None: the user signs in through the single sign-on proxy only (trusted-header mode).
    password_hash: Optional[str] = Field(default=None, max_length=200)
    disabled: bool = False
    created_at: datetime = _when()
    changed_at: datetime = _when()


class UserTeam(SQLModel, table=True):
    """A team whose cases (and, for a team lead, figures) a user may see."""

    __tablename__ = "user_team"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    team: str = Field(primary_key=True, max_length=200)


class ApiToken(SQLModel, table=True):
    """A read-only bearer token for a case system, limited to chosen teams."""

    __tablename__ = "api_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)  # who uses it: "momentum-prod"
    token_hash: str = Field(index=True, unique=True, max_length=64)  # sha256 hex of the token
    teams: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # comma list
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = _when()
    expires_at: Optional[datetime] = _when(nullable=True)
    revoked_at: Optional[datetime] = _when(nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie's value is known only to the browser, its hash here."""

    __tablename__ = "web_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    created_at: datetime = _when()
    expires_at: datetime = _when()  # absolute: a session never lives longer, however busy
    last_seen_at: datetime = _when()  # for the idle timeout


class LoginAttempt(SQLModel, table=True):
    """One password login tried. In the database, so throttling holds across worker processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_name_at", "user_name", "at"),
                      Index("ix_login_attempt_address_at", "address", "at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    user_name: str = Field(max_length=200)  # as typed, CPR-shaped numbers masked
    address: str = Field(default="", max_length=64)
    at: datetime = _when()
    succeeded: Optional[bool] = None  # None: still being checked (counted as a failure)


class AccessLogEntry(SQLModel, table=True):
    """Who looked at what, when, through which route and from where. Append-only."""

    __tablename__ = "access_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    user_name: str = Field(max_length=200, index=True)
    role: str = Field(default="", max_length=20)
    action: str = Field(max_length=40)  # view_case, export, login, login_failed, logout, ...
    what: str = Field(default="", max_length=200, index=True)  # a case id or an export's name
    route: str = Field(default="", max_length=200)  # "GET /cases/{case_id}"
    address: str = Field(default="", max_length=64)


class AccessLogPrune(SQLModel, table=True):
    """The horizon of a retention prune in progress: the delete trigger lets through only rows
    older than it, and the prune removes it in the same transaction."""

    __tablename__ = "access_log_prune"

    id: int = Field(default=1, primary_key=True)
    horizon: datetime = _when()


ACCESS_TABLES = [User.__table__, UserTeam.__table__, ApiToken.__table__, WebSession.__table__,
                 LoginAttempt.__table__, AccessLogEntry.__table__, AccessLogPrune.__table__]
