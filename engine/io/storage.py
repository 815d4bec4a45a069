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
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from sqlalchemy import Engine, create_engine, event, func, insert, inspect, literal, select, update
from sqlalchemy.engine import Connection, make_url

from models.case import Case
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


def _sqlite_setup(db_engine: Engine) -> None:
    # pysqlite's own transaction handling does not BEGIN before DDL and commits on its own
    # schedule; take it over (the SQLAlchemy-documented recipe) so a migration or an import file
    # is one real transaction. WAL lets an audit read while an import writes.
    @event.listens_for(db_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if db_engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(db_engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def _create_tables(conn: Connection) -> None:
    for table in TABLES:
        table.create(conn, checkfirst=True)


# Migrations, applied in order to a database whose recorded version is lower. A new database is
# created from the current models and stamped with the latest version (so migration 1 is only the
# table creation); a schema change adds a function here that upgrades an existing database, and a
# test that upgrades a database of the previous version.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _create_tables),
    (4, lambda conn: __import__("engine.io.reviews", fromlist=["x"]).create_review_table(conn)),  # review verdicts
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
    with db_engine.begin() as conn:
        migrate(conn)
    return db_engine


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


def iter_stored_json(db_engine: Engine, chunk_size: int = 1000, team: Optional[str] = None,
                     benefit: Optional[str] = None) -> Iterator[tuple[str, str]]:
    """``(case_id, case JSON)`` ordered by case id, a chunk at a time (keyset pagination: memory
    stays flat whatever the caseload), optionally only one team's or one benefit type's cases.
    For workers that parse the JSON themselves."""
    filters = _case_filters(team, benefit)
    last: Optional[str] = None
    while True:
        query = select(CaseRecord.case_id, CaseRecord.data).where(*filters).order_by(CaseRecord.case_id).limit(chunk_size)
        if last is not None:
            query = query.where(CaseRecord.case_id > last)
        with db_engine.connect() as conn:
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


def count_cases(db_engine: Engine, team: Optional[str] = None, benefit: Optional[str] = None) -> int:
    with db_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(CaseRecord)
                            .where(*_case_filters(team, benefit))).scalar_one()


# ---------------------------------------------------------------------------------------------
# Rule sets


def ruleset_snapshot(ruleset) -> str:
    """Every rule as parsed (aliases as in the files) with the file it came from, as JSON."""
    rules = [{"file": ruleset.origin.get(rule.key), "rule": rule.model_dump(mode="json", by_alias=True)}
             for rule in ruleset.rules]
    return json.dumps({"name": ruleset.name, "version": ruleset.version, "digest": ruleset.digest,
                       "rules": rules}, ensure_ascii=False, sort_keys=True)


def save_ruleset(db_engine: Engine, ruleset) -> str:
    """Store a snapshot of ``ruleset`` unless one with its label is stored already; returns the label."""
    label = ruleset.label
    with db_engine.begin() as conn:
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
    with db_engine.begin() as conn:
        result = conn.execute(insert(AuditRun).values(
            started_at=utcnow(), as_of=as_of, rules_label=rules_label, source=source,
            options=json.dumps(options or {}, sort_keys=True, default=str)))
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
    with db_engine.begin() as conn:
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
    with db_engine.begin() as conn:
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
