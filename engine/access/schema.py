"""Migration 3 (issue 17): the access tables, and the triggers that keep the access log append-only.

The application has no path that changes or deletes a log entry except the retention prune; the
triggers make the database refuse it as well. A DELETE passes only for entries older than the
horizon the prune writes into ``access_log_prune`` in its own transaction (engine/access/log.py);
UPDATE (and on PostgreSQL TRUNCATE) never passes. The real guard on PostgreSQL is the database
role of the service (docs/access.md): the triggers stop the application and an honest mistake."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from models.access import ACCESS_TABLES

REFUSED = "the access log is append-only"

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
        WHEN NOT EXISTS (SELECT 1 FROM access_log_prune p WHERE OLD.at < p.horizon)
        BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
]

_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM access_log_prune p WHERE OLD.at < p.horizon) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{REFUSED}';
        END $$""",
    "DROP TRIGGER IF EXISTS access_log_append_only ON access_log",
    """CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
        FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""",
    "DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log",
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
]


def migrate_access(conn: Connection) -> None:
    """Create the access tables and the log's triggers (idempotent: also run on a new database)."""
    for table in ACCESS_TABLES:
        table.create(conn, checkfirst=True)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statements = _SQLITE
    elif dialect == "postgresql":
        statements = _POSTGRES
    else:
        raise NotImplementedError(f"the access log's triggers exist for SQLite and PostgreSQL, not {dialect}")
    for statement in statements:
        conn.exec_driver_sql(statement)


# A migration that makes tables of its own (not models/storage.py's TABLES) runs on a new
# database too, where migrate() otherwise only creates TABLES.
migrate_access.on_new_database = True  # type: ignore[attr-defined]
