"""The access commands (issue 17): users add|list|disable|set-teams|set-password, tokens
create|list|revoke, access-log with its filters and --prune; bad input is one line and exit 1;
the tables stand in 80 columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from cli.app import app
from engine.access import log
from engine.access.settings import settings
from engine.access.tokens import lookup_token
from engine.io.storage import db_url, open_db
from models.access import AccessLogEntry, ApiToken, User

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    for key, value in {"TIME_COST": "1", "MEMORY_KIB": "8", "PARALLELISM": "1"}.items():
        monkeypatch.setenv(f"SAGSRUTE_ARGON2_{key}", value)
    settings.cache_clear()
    yield
    settings.cache_clear()


def run(*args, stdin=None, width=80):
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin, env={"COLUMNS": str(width)})
    return result


def test_the_first_admin_and_a_caseworker_as_the_readme_shows(tmp_path):
    db = tmp_path / "s.sqlite"
    first = run("users", "add", "root", "--role", "admin", "--db", db, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert first.exit_code == 0, first.output
    assert "Password" in first.output and PASSWORD not in first.output  # asked twice, never echoed
    added = run("users", "add", "anna", "--role", "caseworker", "--teams", "nord", "--password-stdin", "--db", db,
                "--lang", "en", stdin=PASSWORD + "\n")
    assert added.exit_code == 0 and added.stdout.strip() == "User anna added: caseworker, teams nord."
    assert run("users", "add", "bo", "--role", "teamlead", "--teams", "nord,syd", "--sso", "--db", db).exit_code == 0
    listed = run("users", "list", "--db", db, "--lang", "en")
    assert listed.exit_code == 0
    rows = [line.split() for line in listed.stdout.splitlines() if line.strip().startswith(("anna", "bo", "root"))]
    assert rows == [["anna", "caseworker", "nord", "password", "enabled"],
                    ["bo", "team", "lead", "nord,", "syd", "single", "sign-on", "enabled"],
                    ["root", "administrator", "–", "password", "enabled"]]
    assert max(len(line) for line in listed.stdout.splitlines()) <= 80
    engine = open_db(db_url(str(db)))
    with engine.connect() as conn:
        assert all(h is None or h.startswith("$argon2id$") for h in conn.execute(select(User.password_hash)).scalars())


def test_disable_enable_set_teams_and_set_password(tmp_path):
    db = tmp_path / "s.sqlite"
    run("users", "add", "anna", "--role", "caseworker", "--teams", "nord", "--password-stdin", "--db", db, stdin=PASSWORD)
    assert "spærret" in run("users", "disable", "anna", "--db", db).stdout
    assert "disabled" in run("users", "list", "--db", db, "--lang", "en").stdout
    assert run("users", "disable", "anna", "--enable", "--db", db, "--lang", "en").stdout.strip() == "User anna is enabled."
    assert run("users", "set-teams", "anna", "vest, nord", "--db", db, "--lang", "en").stdout.strip() == \
        "User anna: teams nord, vest."
    assert run("users", "set-password", "anna", "--password-stdin", "--db", db, stdin="a new long password\n").exit_code == 0


@pytest.mark.parametrize("args, stdin, problem", [
    (["users", "add", "anna", "--role", "boss"], PASSWORD, "role 'boss'"),
    (["users", "add", "anna", "--role", "caseworker"], PASSWORD, "needs at least one team"),
    (["users", "add", "anna", "--role", "admin", "--password-stdin"], "short", "at least 12 characters"),
    (["users", "add", "anna", "--role", "admin"], f"{PASSWORD}\nother password here\n", "the two passwords differ"),
    (["users", "disable", "nobody"], None, "no user 'nobody'"),
    (["tokens", "revoke", "7"], None, "no token #7"),
    (["tokens", "create", "momentum", "--teams", " "], None, "at least one team"),
])
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, stdin, problem):
    db = tmp_path / "s.sqlite"
    open_db(db_url(str(db))).dispose()
    result = run(*args, "--db", db, stdin=stdin)
    assert result.exit_code == 1, result.output
    assert problem in result.output and "Traceback" not in result.output


def test_tokens_are_printed_once_listed_without_their_value_and_revoked(tmp_path):
    db = tmp_path / "s.sqlite"
    created = run("tokens", "create", "momentum-prod", "--teams", "nord", "--days", "30", "--db", db, "--lang", "en")
    assert created.exit_code == 0, created.output
    value = created.stdout.splitlines()[-1]
    engine = open_db(db_url(str(db)))
    assert lookup_token(engine, value).name == "momentum-prod"
    with engine.connect() as conn:
        assert value not in str(conn.execute(select(ApiToken.__table__)).all())
    listed = run("tokens", "list", "--db", db, "--lang", "en")
    assert "momentum-prod" in listed.stdout and "usable" in listed.stdout and value not in listed.stdout
    assert run("tokens", "revoke", "1", "--db", db, "--lang", "en").stdout.strip() == "Token #1 (momentum-prod) is revoked."
    assert lookup_token(engine, value) is None and "revoked" in run("tokens", "list", "--db", db, "--lang", "en").stdout


def test_the_access_log_command_filters_limits_and_prunes(tmp_path, monkeypatch):
    db = tmp_path / "s.sqlite"
    engine = open_db(db_url(str(db)))
    old = datetime.now(timezone.utc) - timedelta(days=400)
    with engine.begin() as conn:
        conn.execute(insert(AccessLogEntry).values(at=old, user_name="gone", action="view_case", what="C-0"))
    log.append(engine, user="anna", role="caseworker", action="view_case", what="C-1",
               route="GET /cases/{case_id}", address="127.0.0.1")
    log.append(engine, user="bo", role="teamlead", action="export", what="overdue.csv", route="GET /export")
    shown = run("access-log", "--db", db, "--lang", "en").stdout
    assert "anna (caseworker)  viewed case C-1" in shown and "GET /cases/{case_id}  ·  127.0.0.1" in shown
    assert "3 entries shown" in shown
    by_user = run("access-log", "--user", "bo", "--db", db, "--lang", "en").stdout
    assert "exported overdue.csv" in by_user and "anna" not in by_user
    assert "C-1" in run("access-log", "--case", "C-1", "--db", db).stdout
    today = datetime.now(timezone.utc).date().isoformat()
    assert "gone" not in run("access-log", "--since", today, "--db", db).stdout
    limited = run("access-log", "--limit", "1", "--db", db, "--lang", "en").stdout
    assert "bo (team lead)" in limited and "anna" not in limited and "--limit N shows more" in limited
    assert run("access-log", "--since", "2026-13-01", "--db", db).exit_code == 2
    monkeypatch.setenv("SAGSRUTE_ACCESS_LOG_RETENTION_DAYS", "365")
    settings.cache_clear()
    pruned = run("access-log", "--prune", "--db", db, "--lang", "en")
    assert pruned.stdout.strip() == "1 entries older than 365 days removed."
    assert [e.user_name for e in log.query(engine)] == ["anna", "bo"]
    for line in run("access-log", "--db", db).stdout.splitlines():
        assert len(line) <= 80


def test_reading_commands_make_no_database(tmp_path):
    missing = tmp_path / "none.sqlite"
    for args in (["users", "list"], ["tokens", "list"], ["access-log"]):
        assert run(*args, "--db", missing).exit_code == 1
    assert not missing.exists()


def test_serve_beyond_loopback_needs_users_or_single_sign_on(tmp_path, monkeypatch):
    import uvicorn

    for name in ("SAGSRUTE_SERVE_DB", "SAGSRUTE_SERVE_RULES"):  # serve sets them for its workers: restored after
        monkeypatch.setenv(name, "")
    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs["host"]))
    db = tmp_path / "s.sqlite"
    open_db(db_url(str(db))).dispose()
    refused = run("serve", "--db", db, "--host", "0.0.0.0")
    assert refused.exit_code == 2 and "no access control is configured" in refused.output
    assert run("serve", "--db", db, "--host", "127.0.0.1").exit_code == 0  # loopback: always
    monkeypatch.setenv("SAGSRUTE_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setenv("SAGSRUTE_TRUSTED_PROXIES", "10.0.0.2")
    settings.cache_clear()
    assert run("serve", "--db", db, "--host", "0.0.0.0").exit_code == 0
    monkeypatch.delenv("SAGSRUTE_TRUSTED_HEADER")
    settings.cache_clear()
    run("users", "add", "root", "--role", "admin", "--password-stdin", "--db", db, stdin=PASSWORD)
    assert run("serve", "--db", db, "--host", "0.0.0.0").exit_code == 0
    run("users", "disable", "root", "--db", db)
    assert run("serve", "--db", db, "--host", "0.0.0.0").exit_code == 2  # a disabled user signs no one in
    assert started == ["127.0.0.1", "0.0.0.0", "0.0.0.0"]
    monkeypatch.setenv("SAGSRUTE_TRUSTED_PROXIES", "10.0.0.300")
    settings.cache_clear()
    bad = run("serve", "--db", db, "--host", "0.0.0.0")
    assert bad.exit_code == 1 and "SAGSRUTE_TRUSTED_PROXIES" in bad.output
