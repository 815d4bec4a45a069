"""Access control below the web (issue 17): the access tables' migration, users and teams,
argon2 passwords, API tokens, sessions, CSRF tokens, login throttling across processes, the
trusted-header mode, the settings and the append-only access log, on SQLite and on a real
PostgreSQL (a throw-away cluster; with CI=1 a missing PostgreSQL fails instead of skipping)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pwd
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import engine.io.storage as storage
from engine.access import log
from engine.access.crypto import csrf_for_session, same, token_hash, verify_password
from engine.access.login import password_login
from engine.access.sessions import create_session, end_session, lookup_session, prune_sessions
from engine.access.settings import load_settings
from engine.access.throttle import prune_attempts
from engine.access.tokens import create_token, list_tokens, lookup_token, revoke_token
from engine.access.trusted import header_user, is_trusted_proxy
from engine.access.users import (AccessError, add_user, get_user, list_users, set_disabled, set_password,
                                 set_teams)
from engine.io.storage import db_url, open_db, schema_version
from models.access import AccessLogEntry, ApiToken, LoginAttempt, User, WebSession
from tests.test_storage import _postgres_binaries, postgres_url  # noqa: F401 (the cluster fixture)

CHEAP = dict(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)
PASSWORD = "correct horse battery staple"
ACCESS_TABLES = {"app_user", "user_team", "api_token", "web_session", "login_attempt", "access_log",
                 "access_log_prune"}


@pytest.fixture
def config():
    return load_settings(**CHEAP)


# -- the databases: SQLite, and PostgreSQL in a throw-away cluster ------------------------------------


def _unavailable(reason: str):
    if os.environ.get("CI"):  # in CI the PostgreSQL tests must run: a missing server is a failure
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres_server(request):
    """tests/test_storage.py's throw-away cluster for the module: yields a function that makes a
    fresh database on it and returns its URL. With CI set, a PostgreSQL that cannot run fails."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the PostgreSQL driver (psycopg) is not installed")
    if _postgres_binaries() is None:
        _unavailable("PostgreSQL (initdb) is not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run PostgreSQL as")
    server = make_url(request.getfixturevalue("postgres_url"))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")

    def fresh() -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        return server.set(database=name).render_as_string(hide_password=False)

    yield fresh
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url_any(request, tmp_path):
    if request.param == "sqlite":
        return db_url(str(tmp_path / "access.sqlite"))
    return request.getfixturevalue("postgres_server")()


@pytest.fixture
def db(db_url_any):
    engine = open_db(db_url_any)
    yield engine
    engine.dispose()


# -- the migration -----------------------------------------------------------------------------------


def test_a_new_database_has_the_access_tables_at_the_latest_version(db):
    assert ACCESS_TABLES <= set(inspect(db).get_table_names())
    with db.connect() as conn:
        assert schema_version(conn) == storage.latest_version() >= 3


def test_a_version_1_database_is_upgraded_by_migration_3(tmp_path, monkeypatch):
    url = db_url(str(tmp_path / "v1.sqlite"))
    monkeypatch.setattr(storage, "MIGRATIONS", [m for m in storage.MIGRATIONS if m[0] < 3])
    open_db(url).dispose()
    monkeypatch.undo()
    engine = create_engine(url)
    assert not ACCESS_TABLES & set(inspect(engine).get_table_names())
    db = open_db(url)
    assert ACCESS_TABLES <= set(inspect(db).get_table_names())
    with db.connect() as conn:
        assert schema_version(conn) == storage.latest_version()
    log.append(db, user="anna", action="login")
    with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:  # the triggers came too
        conn.execute(update(AccessLogEntry).values(user_name="mallory"))


# -- users -------------------------------------------------------------------------------------------


def test_users_are_added_listed_disabled_and_given_teams(db, config):
    anna = add_user(db, config, "anna", "caseworker", ["nord", " nord", "syd"], PASSWORD)
    add_user(db, config, "root", "admin", [], PASSWORD)
    add_user(db, config, "bo", "teamlead", ["nord"], None)
    assert anna.teams == ("nord", "syd")
    assert [(a.name, a.role, a.teams, a.has_password) for a in list_users(db)] == [
        ("anna", "caseworker", ("nord", "syd"), True), ("bo", "teamlead", ("nord",), False),
        ("root", "admin", (), True)]
    assert set_teams(db, "anna", ["vest"]) == ("vest",)
    set_disabled(db, "anna")
    assert get_user(db, "anna").disabled and get_user(db, "anna").teams == ("vest",)
    set_disabled(db, "anna", False)
    assert not get_user(db, "anna").disabled
    assert PASSWORD not in repr(get_user(db, "anna"))  # the hash is no part of a log line either


@pytest.mark.parametrize("name, role, teams, password, problem", [
    ("anna", "boss", ["a"], PASSWORD, "role 'boss'"),
    ("anna", "caseworker", [], PASSWORD, "needs at least one team"),
    ("anna", "caseworker", ["a"], "short", "at least 12 characters"),
    ("an na", "admin", [], PASSWORD, "without spaces"),
    ("0101901234", "admin", [], PASSWORD, "CPR"),
])
def test_a_bad_user_is_refused_with_the_reason(tmp_path, config, name, role, teams, password, problem):
    db = open_db(db_url(str(tmp_path / "u.sqlite")))
    with pytest.raises(AccessError, match=problem):
        add_user(db, config, name, role, teams, password)
    assert list_users(db) == []


def test_a_user_name_is_taken_once_and_unknown_users_are_named(db, config):
    add_user(db, config, "anna", "admin", [], PASSWORD)
    with pytest.raises(AccessError, match="exists already"):
        add_user(db, config, "anna", "admin", [], PASSWORD)
    with pytest.raises(AccessError, match="no user 'nobody'"):
        set_teams(db, "nobody", ["a"])


# -- passwords ---------------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_with_the_configured_cost(db, config):
    add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    with db.connect() as conn:
        stored = conn.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$") and PASSWORD not in stored
    assert verify_password(config, stored, PASSWORD) and not verify_password(config, stored, PASSWORD + "x")
    assert not verify_password(config, None, PASSWORD)  # an unknown user: hashed anyway, refused


def test_a_hash_is_upgraded_at_the_next_good_login_when_the_cost_is_raised(db, config):
    add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    stronger = load_settings(argon2_time_cost=2, argon2_memory_kib=16, argon2_parallelism=1)
    assert password_login(db, stronger, "anna", PASSWORD, "127.0.0.1").status == "ok"
    with db.connect() as conn:
        assert conn.execute(select(User.password_hash)).scalar_one().startswith("$argon2id$v=19$m=16,t=2,p=1$")
    set_password(db, config, "anna", "another long password")
    assert password_login(db, config, "anna", "another long password", "127.0.0.1").status == "ok"


# -- logins and throttling ---------------------------------------------------------------------------


def test_a_login_is_ok_bad_or_throttled_and_each_is_logged(db, config):
    add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    add_user(db, config, "sso-only", "caseworker", ["a"], None)
    assert password_login(db, config, "anna", PASSWORD, "10.1.1.1").account.name == "anna"
    assert password_login(db, config, "nobody", PASSWORD, "10.1.1.1").status == "bad"
    assert password_login(db, config, "sso-only", "", "10.1.1.1").status == "bad"
    set_disabled(db, "anna")
    assert password_login(db, config, "anna", PASSWORD, "10.1.1.1").status == "bad"  # same answer as wrong
    assert [(e.user_name, e.action, e.address) for e in log.query(db)] == [
        ("anna", "login", "10.1.1.1"), ("nobody", "login_failed", "10.1.1.1"),
        ("sso-only", "login_failed", "10.1.1.1"), ("anna", "login_failed", "10.1.1.1")]


def test_throttling_stops_checking_passwords_after_the_limit(db, config):
    add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    outcomes = [password_login(db, config, "anna", f"guess {n}", "10.0.0.9").status for n in range(8)]
    assert outcomes == ["bad"] * config.login_max_failures + ["throttled"] * 3
    right = password_login(db, config, "anna", PASSWORD, "10.0.0.9")
    assert right.status == "throttled" and right.retry_after == 15 * 60  # even the right password waits
    assert log.query(db, action="login_refused")[-1].user_name == "anna"
    with db.begin() as conn:  # the window passes
        conn.execute(update(LoginAttempt).values(at=datetime.now(timezone.utc) - timedelta(minutes=16)))
    assert prune_attempts(db, config) == config.login_max_failures
    assert password_login(db, config, "anna", PASSWORD, "10.0.0.9").status == "ok"


def test_throttling_per_address_covers_many_user_names(db):
    config = load_settings(**CHEAP, login_max_failures_per_address=3)
    statuses = [password_login(db, config, f"user{n}", "x", "10.0.0.7").status for n in range(5)]
    assert statuses == ["bad"] * 3 + ["throttled"] * 2
    assert password_login(db, config, "user9", "x", "10.0.0.8").status == "bad"  # another address is not held


def _burst_worker(args):
    url, n = args
    os.environ.update({k.upper(): str(v) for k, v in {"SAGSRUTE_ARGON2_TIME_COST": 1,
                                                      "SAGSRUTE_ARGON2_MEMORY_KIB": 8,
                                                      "SAGSRUTE_ARGON2_PARALLELISM": 1}.items()})
    engine = open_db(url)
    try:
        return password_login(engine, load_settings(), "anna", f"wrong {n}", "10.0.0.5").status
    finally:
        engine.dispose()


def test_throttling_holds_across_processes_under_a_burst(db_url_any, config):
    db = open_db(db_url_any)
    add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    with multiprocessing.get_context("fork").Pool(8) as pool:
        statuses = pool.map(_burst_worker, [(db_url_any, n) for n in range(40)])
    assert statuses.count("bad") <= config.login_max_failures, statuses
    assert statuses.count("bad") + statuses.count("throttled") == 40
    with db.connect() as conn:  # only the attempts that were checked stay on record
        assert conn.execute(select(LoginAttempt.succeeded)).scalars().all() == [False] * statuses.count("bad")


# -- API tokens --------------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_as_sha256_and_revocable(db):
    info, value = create_token(db, "momentum", ["nord", "syd"], created_by="cli")
    assert value.startswith("sgr_") and len(value) > 40
    with db.connect() as conn:
        stored = conn.execute(select(ApiToken.token_hash)).scalar_one()
    assert stored == hashlib.sha256(value.encode()).hexdigest() == token_hash(value)
    assert lookup_token(db, value).teams == ("nord", "syd")
    assert lookup_token(db, value + "x") is None and lookup_token(db, "Bearer " + value) is None
    revoke_token(db, info.id)
    assert lookup_token(db, value) is None
    assert list_tokens(db)[0].revoked_at is not None


def test_an_expired_token_is_refused(db):
    info, value = create_token(db, "momentum", ["nord"], days=1)
    assert lookup_token(db, value) is not None
    with db.begin() as conn:
        conn.execute(update(ApiToken).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert lookup_token(db, value) is None
    with pytest.raises(AccessError, match="at least one team"):
        create_token(db, "x", [])


# -- sessions and CSRF -------------------------------------------------------------------------------


def test_a_session_lives_until_logout_expiry_or_idleness(db, config):
    anna = add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    cookie = create_session(db, config, anna.id)
    with db.connect() as conn:
        assert conn.execute(select(WebSession.token_hash)).scalar_one() == token_hash(cookie)  # not the value
    assert lookup_session(db, config, cookie).account.name == "anna"
    assert lookup_session(db, config, cookie + "x") is None and lookup_session(db, config, None) is None
    end_session(db, cookie)
    assert lookup_session(db, config, cookie) is None

    expired = create_session(db, config, anna.id)
    with db.begin() as conn:
        conn.execute(update(WebSession).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert lookup_session(db, config, expired) is None
    idle = create_session(db, config, anna.id)
    with db.begin() as conn:
        conn.execute(update(WebSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)))
    assert lookup_session(db, config, idle) is None
    with db.connect() as conn:  # both were deleted on sight
        assert conn.execute(select(WebSession.id)).all() == []


def test_disabling_a_user_ends_their_sessions(db, config):
    anna = add_user(db, config, "anna", "caseworker", ["a"], PASSWORD)
    cookie = create_session(db, config, anna.id)
    set_disabled(db, "anna")
    assert lookup_session(db, config, cookie) is None
    old = create_session(db, config, anna.id)
    with db.begin() as conn:
        conn.execute(update(WebSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    assert prune_sessions(db, config) == 1 and lookup_session(db, config, old) is None


def test_csrf_tokens_are_per_session_and_compared_in_constant_time():
    a, b = csrf_for_session("cookie-a"), csrf_for_session("cookie-b")
    assert a != b and a == csrf_for_session("cookie-a") and "cookie-a" not in a
    assert same(a, csrf_for_session("cookie-a")) and not same(a, b)
    assert not same(a, None) and not same("", "")


# -- the trusted-header mode and the settings --------------------------------------------------------


def test_the_trusted_header_is_believed_only_from_the_configured_proxies():
    config = load_settings(trusted_header="X-Remote-User", trusted_proxies="10.0.0.2, 192.168.5.0/24")
    headers = {"X-Remote-User": "anna"}
    assert header_user(config, headers, "10.0.0.2") == "anna"
    assert header_user(config, headers, "192.168.5.77") == "anna"
    assert header_user(config, headers, "10.0.0.3") is None
    assert header_user(config, headers, "not an address") is None
    assert header_user(config, {"X-Remote-User": "  "}, "10.0.0.2") is None
    assert header_user(load_settings(trusted_header="X-Remote-User"), headers, "10.0.0.2") is None  # no proxy set
    assert is_trusted_proxy(config, "192.168.5.1") and not is_trusted_proxy(config, None)


def test_settings_come_from_the_environment_or_a_settings_file(tmp_path, monkeypatch):
    with pytest.raises(ValueError):
        load_settings(trusted_proxies="10.0.0.300")  # a typo fails at start-up, not on a request
    settings_file = tmp_path / "sagsrute.env"
    settings_file.write_text("SAGSRUTE_SESSION_HOURS=4\nSAGSRUTE_TRUSTED_HEADER=X-User\n"
                             "SAGSRUTE_TRUSTED_PROXIES=10.0.0.2\n", encoding="utf-8")
    monkeypatch.setenv("SAGSRUTE_SETTINGS_FILE", str(settings_file))
    monkeypatch.setenv("SAGSRUTE_SESSION_HOURS", "2")  # the environment wins over the file
    loaded = load_settings()
    assert (loaded.session_hours, loaded.trusted_header, loaded.trusted_proxies, loaded.trusted_mode) == (
        2.0, "X-User", ["10.0.0.2"], True)


# -- the access log ----------------------------------------------------------------------------------


def test_the_log_records_and_filters_and_never_holds_a_cpr_number(db):
    log.append(db, user="anna", role="caseworker", action="view_case", what="C-1", route="GET /cases/{case_id}",
               address="127.0.0.1")
    log.append(db, user="bo", role="teamlead", action="export", what="overdue.csv", route="GET /worklist.csv")
    log.append(db, user="010190-1234", action="login_failed", what="case 0101901234")
    assert [e.what for e in log.query(db, user="anna")] == ["C-1"]
    assert [e.user_name for e in log.query(db, case="overdue.csv")] == ["bo"]
    assert [e.action for e in log.query(db, since=datetime.now(timezone.utc) - timedelta(minutes=1))] == [
        "view_case", "export", "login_failed"]
    assert log.query(db, since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []
    assert [e.id for e in log.query(db, limit=2, newest_first=True)] == [3, 2]
    last = log.query(db)[-1]
    assert "0101901234" not in last.what and "010190" not in last.user_name
    with pytest.raises(ValueError):
        log.append(db, user="anna", action="edit")


def test_the_log_cannot_be_changed_or_deleted_and_survives_a_restart(db_url_any):
    db = open_db(db_url_any)
    log.append(db, user="anna", action="view_case", what="C-1")
    for statement in (update(AccessLogEntry).values(user_name="mallory"),
                      AccessLogEntry.__table__.delete(), text("DELETE FROM access_log WHERE id = 1")):
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(statement)
    if db.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.exec_driver_sql("TRUNCATE access_log")
    db.dispose()
    again = open_db(db_url_any)  # a new engine, as after a restart
    assert [(e.user_name, e.what) for e in log.query(again)] == [("anna", "C-1")]


def test_the_retention_prune_removes_only_entries_past_the_period(db):
    now = datetime.now(timezone.utc)
    with db.begin() as conn:
        conn.execute(insert(AccessLogEntry), [
            {"at": now - timedelta(days=200), "user_name": "old", "action": "view_case", "what": "C-1"},
            {"at": now - timedelta(days=179), "user_name": "kept", "action": "view_case", "what": "C-2"}])
    log.append(db, user="new", action="login")
    assert log.prune(db, 180) == 1
    assert [e.user_name for e in log.query(db)] == ["kept", "new"]
    with db.connect() as conn:  # the prune's horizon is gone: the next delete is refused again
        assert conn.exec_driver_sql("SELECT count(*) FROM access_log_prune").scalar() == 0
    with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
        conn.execute(AccessLogEntry.__table__.delete())
