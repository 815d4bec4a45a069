"""The database: where it lives, opening it (schema + migrations), streaming cases and recording
audit runs.

SQLite in the user's data directory by default; ``--db PATH`` or any SQLAlchemy URL (PostgreSQL)
overrides it. Everything here works on a plain SQLAlchemy ``Engine`` and Core statements, so bulk
reads and writes stay fast and streaming (no ORM identity map holding a caseload in memory).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from sqlalchemy import Engine, create_engine, event, func, insert, inspect, literal, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError

from engine.access.schema import migrate_access
from engine.io.worklist import create_worklist_tables
from engine.io.reviews import create_review_table
from models.case import Case
from models.privacy import mask_cpr
from models.storage import TABLES, AuditResult, AuditRun, CaseRecord, RuleSetRecord, SchemaVersion, utcnow

# ---------------------------------------------------------------------------------------------
# Where the database is


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/sagsrute/sagsrute.sqlite`` (``~/.local/share/...`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sagsrute" / "sagsrute.sqlite"


def db_url(value: Optional[str] = None) -> str:
    """The SQLAlchemy URL for ``--db``: a URL is taken as given, anything else is a SQLite file path."""
    if value and "://" in value:
        return value
    if value:
        path = Path(value).expanduser()
    else:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)  # only the default's folder is made for the user
    return f"sqlite:///{path.resolve()}"


def describe_url(url: str) -> str:
    """The URL without a password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------------------------------------
# Opening and migrating


# ---------------------------------------------------------------------------------------------
# Waiting for another writer
#
# One writer at a time: on SQLite the database file's write lock, on PostgreSQL an advisory lock
# taken by every import and rule-set snapshot (two imports would otherwise both find a case id
# new and the second fail on the unique index). A writer that finds the lock taken waits, says
# so once (``on_wait``), and gives up after ``wait_seconds()`` with StorageBusy. Readers never
# wait: an audit reads one snapshot (``snapshot``) whatever is being written meanwhile.

WAIT_ENV = "SAGSRUTE_DB_WAIT"
DEFAULT_WAIT = 300  # seconds: an import of a large file holds the lock for as long as the file takes
_POLL = 0.2  # seconds between tries
_PG_LOCK = 0x5A675275  # the advisory lock's key ("sagsrute"): one per database
# Called once per wait with the seconds it will wait at most; the CLI prints a line (cli/common.py).
on_wait: Optional[Callable[[float], None]] = None


class StorageBusy(Exception):
    """Another process kept the database's write lock longer than this one would wait."""


def wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return float(DEFAULT_WAIT)


def _busy(waited: float) -> StorageBusy:
    return StorageBusy(f"the database is busy: another import (or audit) has been writing to it for "
                       f"{waited:.0f} s; try again when it is done (the environment variable {WAIT_ENV} "
                       "sets how many seconds to wait)")


def _wait_for(take: Callable[[], bool]) -> None:
    """Call ``take`` until it returns True, saying once that it waits; StorageBusy at the bound."""
    limit = wait_seconds()
    started = time.monotonic()
    said = False
    while not take():
        waited = time.monotonic() - started
        if waited >= limit:
            raise _busy(waited)
        if not said and on_wait is not None:
            on_wait(limit)
            said = True
        time.sleep(_POLL)


def writer(db_engine: Engine, exclusive: bool = True) -> Engine:
    """The engine for a write transaction: ``with writer(db).begin() as conn`` takes the write lock
    first (waiting for another writer, bounded), so a write never fails half-way as "locked".
    ``exclusive=False`` for writes no other writer can conflict with (an audit's own results): on
    PostgreSQL they take no advisory lock (SQLite has only the one lock)."""
    return db_engine.execution_options(sagsrute_write="exclusive" if exclusive else "shared")


def _sqlite_setup(db_engine: Engine) -> None:
    # pysqlite's own transaction handling does not BEGIN before DDL and commits on its own
    # schedule; take it over (the SQLAlchemy-documented recipe) so a migration or an import file
    # is one real transaction. WAL lets an audit read while an import writes.
    @event.listens_for(db_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # SQLite's own wait is kept short: the waiting is done in _wait_for, which can say so.
        cursor.execute("PRAGMA busy_timeout=1000")
        if db_engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(db_engine, "begin")
    def _on_begin(conn):
        if not conn.get_execution_options().get("sagsrute_write"):
            conn.exec_driver_sql("BEGIN")  # a reader: its snapshot starts at its first read
            return

        # A writer takes the lock at BEGIN: a deferred transaction that reads and then writes
        # fails at once ("database is locked") when another writer came in between.
        def take() -> bool:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return True
            except OperationalError as exc:
                if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                    return False
                raise

        _wait_for(take)


def _pg_setup(db_engine: Engine) -> None:
    @event.listens_for(db_engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sagsrute_write") == "exclusive":
            _wait_for(lambda: bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                                {"key": _PG_LOCK}).scalar()))


def _create_tables(conn: Connection) -> None:
    for table in TABLES:
        table.create(conn, checkfirst=True)


# Migrations, applied in order to a database whose recorded version is lower. A new database is
# created from the current models and stamped with the latest version (so migration 1 is only the
# table creation); a schema change adds a function here that upgrades an existing database, and a
# test that upgrades a database of the previous version.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _create_tables),
    (2, create_worklist_tables),  # sagsrute serve's worklist (engine/io/worklist.py)
    (3, migrate_access),  # issue 17 (ACCESS): users, sessions, tokens, login attempts, the access log
    (4, create_review_table),  # audit --review-sample: the reviewers' verdicts (engine/io/reviews.py)
]


def latest_version() -> int:
    return MIGRATIONS[-1][0]


def schema_version(conn: Connection) -> int:
    if not inspect(conn).has_table(SchemaVersion.__tablename__):
        return 0
    return conn.execute(select(SchemaVersion.version)).scalar() or 0


class SchemaTooNew(Exception):
    pass


def migrate(conn: Connection) -> int:
    """Bring the schema to the latest version inside the caller's transaction; returns the old version."""
    latest = latest_version()
    current = schema_version(conn)
    if current > latest:
        raise SchemaTooNew(f"the database has schema version {current}; this sagsrute knows up to "
                           f"{latest} (upgrade sagsrute)")
    if current == latest:
        return current
    if current == 0:
        _create_tables(conn)
        for _, step in MIGRATIONS:  # the migrations that create tables of their own (not in TABLES)
            if getattr(step, "on_new_database", False):
                step(conn)
    else:
        for number, step in MIGRATIONS:
            if number > current:
                step(conn)
    values = {"version": latest, "applied_at": utcnow()}
    if current == 0:
        conn.execute(insert(SchemaVersion).values(id=1, **values))
    else:
        conn.execute(update(SchemaVersion).where(SchemaVersion.id == 1).values(**values))
    return current


def open_db(url: str) -> Engine:
    """An Engine on ``url`` with the schema created or upgraded (one transaction)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.is_dir():  # a mistyped --db path makes no folders and no empty database
            raise FileNotFoundError(f"the folder {folder} does not exist")
    db_engine = create_engine(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(db_engine)
    elif parsed.get_backend_name() == "postgresql":
        _pg_setup(db_engine)
    with db_engine.connect() as conn:
        current = schema_version(conn)
    if current != latest_version():  # only a change takes the write lock: a reader never waits
        with writer(db_engine).begin() as conn:
            migrate(conn)
    return db_engine


@contextmanager
def snapshot(db_engine: Engine) -> Iterator[Connection]:
    """One read transaction: everything read through the connection is the database as of its
    first read, whatever is committed meanwhile (SQLite in WAL mode; PostgreSQL REPEATABLE READ).
    The audit counts and reads its cases through one, so it audits exactly what it counted."""
    with db_engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _reading(db: Union[Engine, Connection]):
    """A connection to read with: the caller's (a snapshot), or a new one."""
    return nullcontext(db) if isinstance(db, Connection) else db.connect()


# ---------------------------------------------------------------------------------------------
# Cases


def case_hash(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _case_filters(team: Optional[str], benefit: Optional[str]) -> list:
    """WHERE clauses selecting the cases of one team and/or with one benefit type."""
    clauses = []
    if team is not None:
        clauses.append(CaseRecord.team == team)
    if benefit is not None:  # benefit_types is a comma list: match a whole item
        clauses.append((literal(",") + CaseRecord.benefit_types + literal(",")).contains(f",{benefit},"))
    return clauses


def iter_stored_json(db_engine: Union[Engine, Connection], chunk_size: int = 1000, team: Optional[str] = None,
                     benefit: Optional[str] = None) -> Iterator[tuple[str, str]]:
    """``(case_id, case JSON)`` ordered by case id, a chunk at a time (keyset pagination: memory
    stays flat whatever the caseload), optionally only one team's or one benefit type's cases.
    For workers that parse the JSON themselves. Given a ``snapshot`` connection, every chunk is
    read from it (one consistent caseload); given an engine, each chunk from a new connection."""
    filters = _case_filters(team, benefit)
    last: Optional[str] = None
    while True:
        query = select(CaseRecord.case_id, CaseRecord.data).where(*filters).order_by(CaseRecord.case_id).limit(chunk_size)
        if last is not None:
            query = query.where(CaseRecord.case_id > last)
        with _reading(db_engine) as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        yield from ((r[0], r[1]) for r in rows)
        last = rows[-1][0]


def iter_stored_cases(db_engine: Engine, chunk_size: int = 1000, team: Optional[str] = None,
                      benefit: Optional[str] = None) -> Iterator[Case]:
    """Every stored case (or one team's, or those with one benefit type), validated, ordered by
    case id, streamed."""
    for _, data in iter_stored_json(db_engine, chunk_size, team, benefit):
        yield Case.model_validate_json(data)


def count_cases(db_engine: Union[Engine, Connection], team: Optional[str] = None, benefit: Optional[str] = None) -> int:
    with _reading(db_engine) as conn:
        return conn.execute(select(func.count()).select_from(CaseRecord)
                            .where(*_case_filters(team, benefit))).scalar_one()


# ---------------------------------------------------------------------------------------------
# Rule sets


def ruleset_snapshot(ruleset) -> str:
    """Every rule as parsed (aliases as in the files) with the file it came from, as JSON."""
    rules = [{"file": ruleset.origin.get(rule.key), "rule": rule.model_dump(mode="json", by_alias=True)}
             for rule in ruleset.rules]
    # The rules were masked as they were read; the file names they came from are masked here.
    return mask_cpr(json.dumps({"name": ruleset.name, "version": ruleset.version, "digest": ruleset.digest,
                                "rules": rules}, ensure_ascii=False, sort_keys=True))


def save_ruleset(db_engine: Engine, ruleset) -> str:
    """Store a snapshot of ``ruleset`` unless one with its label is stored already; returns the label."""
    label = ruleset.label
    with writer(db_engine).begin() as conn:
        exists = conn.execute(select(RuleSetRecord.label).where(RuleSetRecord.label == label)).first()
        if exists is None:
            conn.execute(insert(RuleSetRecord).values(
                label=label, name=ruleset.name, version=ruleset.version, digest=ruleset.digest,
                rules_json=ruleset_snapshot(ruleset), created_at=utcnow()))
    return label


def load_ruleset_snapshot(db_engine: Engine, label: str) -> Optional[dict]:
    with db_engine.connect() as conn:
        row = conn.execute(select(RuleSetRecord.rules_json).where(RuleSetRecord.label == label)).first()
    return json.loads(row[0]) if row else None


# ---------------------------------------------------------------------------------------------
# Audit runs

RESULT_CHUNK = 5000
_RESULT_COLUMNS = [c.name for c in AuditResult.__table__.columns if c.name != "id"]
_DATE_COLUMNS = ("due", "anchor", "done_on")


def start_audit_run(db_engine: Engine, as_of: date, rules_label: str, source: str,
                    options: Optional[dict[str, Any]] = None) -> int:
    with writer(db_engine, exclusive=False).begin() as conn:
        result = conn.execute(insert(AuditRun).values(
            started_at=utcnow(), as_of=as_of, rules_label=rules_label, source=mask_cpr(source),
            options=mask_cpr(json.dumps(options or {}, sort_keys=True, default=str))))
        return result.inserted_primary_key[0]


def _result_row(run_id: int, row: dict) -> dict:
    out = {name: row.get(name) for name in _RESULT_COLUMNS}
    out["run_id"] = run_id
    for name in _DATE_COLUMNS:  # SQLite's Date type takes date objects only; accept ISO text too
        value = out[name]
        if isinstance(value, str):
            out[name] = date.fromisoformat(value)
    return out


def _sqlite_result_tuple(run_id: int, row: dict) -> tuple:
    # SQLite stores a Date as its ISO text; building the tuple here skips SQLAlchemy's per-value
    # bind processing, which costs three times the insert itself on a large audit.
    values = []
    for name in _RESULT_COLUMNS:
        value = run_id if name == "run_id" else row.get(name)
        if isinstance(value, date):
            value = value.isoformat()
        values.append(value)
    return tuple(values)


def add_audit_results(db_engine: Engine, run_id: int, rows: Iterable[dict]) -> int:
    """Bulk-insert result rows (dicts with AuditResult's column names; dates as ``date`` or ISO
    text) in chunks, in one transaction; returns the count."""
    if db_engine.dialect.name == "sqlite":
        sql = (f"INSERT INTO {AuditResult.__tablename__} ({', '.join(_RESULT_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _RESULT_COLUMNS)})")
        convert = _sqlite_result_tuple

        def write(conn: Connection, chunk: list) -> None:
            conn.exec_driver_sql(sql, chunk)
    else:
        convert = _result_row

        def write(conn: Connection, chunk: list) -> None:
            conn.execute(insert(AuditResult), chunk)

    total = 0
    chunk: list = []
    with writer(db_engine, exclusive=False).begin() as conn:
        for row in rows:
            chunk.append(convert(run_id, row))
            if len(chunk) >= RESULT_CHUNK:
                write(conn, chunk)
                total += len(chunk)
                chunk = []
        if chunk:
            write(conn, chunk)
            total += len(chunk)
    return total


def finish_audit_run(db_engine: Engine, run_id: int, case_count: int, bad_count: int) -> None:
    with writer(db_engine, exclusive=False).begin() as conn:
        conn.execute(update(AuditRun).where(AuditRun.id == run_id).values(
            finished_at=utcnow(), case_count=case_count, bad_count=bad_count))


def load_audit_results(db_engine: Engine, run_id: int, chunk_size: int = 5000) -> Iterator[dict]:
    """The results of one run in insertion order, streamed (keyset pagination on the row id)."""
    table = AuditResult.__table__
    last = 0
    while True:
        query = (select(table).where(table.c.run_id == run_id, table.c.id > last)
                 .order_by(table.c.id).limit(chunk_size))
        with db_engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            out = dict(row)
            del out["id"]
            yield out
        last = rows[-1]["id"]


def _run_dict(row) -> dict:
    out = dict(row)
    out["options"] = json.loads(out["options"] or "{}")
    return out


def list_audit_runs(db_engine: Engine) -> list[dict]:
    """Every audit run, oldest first, as dicts (``options`` parsed)."""
    with db_engine.connect() as conn:
        rows = conn.execute(select(AuditRun.__table__).order_by(AuditRun.id)).mappings().all()
    return [_run_dict(r) for r in rows]


def get_audit_run(db_engine: Engine, run_id: int) -> Optional[dict]:
    with db_engine.connect() as conn:
        row = conn.execute(select(AuditRun.__table__).where(AuditRun.id == run_id)).mappings().first()
    return _run_dict(row) if row else None
