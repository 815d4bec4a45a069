"""Stored-case reads for ``sagsrute serve`` and ``check --case``, and the worklist: every case's
next step, due date and days left on an as-of date, paged, filtered and sorted in SQL.

The worklist is a table (``worklist_entry``, migration 2) filled on demand: the first request for a
rule set, as-of date and scope (a team, or every case) evaluates the cases that have no row yet, a
chunk at a time, and records the state of the cases it saw (``worklist_fill``). A later request
with the same state reads only the page it shows; after an import the changed cases are evaluated
again and the rest kept. Only ``KEEP_DATES`` as-of dates per rule set are kept.

This module must not import ``engine.io.storage`` at import time (storage imports the migration
from here)."""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable, Optional

from sqlalchemy import Engine, and_, delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection

from models.storage import WORKLIST_TABLES, CaseRecord, WorklistEntry, WorklistFill, utcnow

FILL_CHUNK = 2000  # cases evaluated and written per transaction while a worklist fills
KEEP_DATES = 8  # as-of dates kept per rule set; the least recently filled go first
ALL = "*"  # the scope of a worklist over every team

# The rank a case sorts by: its next step overdue, open, nothing left to do, or not evaluable.
RANK_OVERDUE, RANK_OPEN, RANK_NOTHING, RANK_ERROR = 0, 1, 2, 3
STATUS_RANKS = {"overdue": RANK_OVERDUE, "open": RANK_OPEN, "none": RANK_NOTHING, "error": RANK_ERROR}

Summary = dict  # WorklistEntry's columns other than the keys, from a case's JSON (see fill)


def create_worklist_tables(conn: Connection) -> None:
    """Migration 2: the worklist's tables, and the indexes on the cases' latest write."""
    for table in WORKLIST_TABLES:
        table.create(conn, checkfirst=True)
    for index in CaseRecord.__table__.indexes:
        if index.name in ("ix_case_record_updated_at", "ix_case_record_team_updated_at"):
            index.create(conn, checkfirst=True)


# ---------------------------------------------------------------------------------------------
# Stored cases


def stored_case(db_engine: Engine, case_id: str) -> Optional[tuple[str, Optional[str]]]:
    """``(case JSON, team)`` of a stored case, or None."""
    with db_engine.connect() as conn:
        row = conn.execute(select(CaseRecord.data, CaseRecord.team).where(CaseRecord.case_id == case_id)).first()
    return (row[0], row[1]) if row else None


def teams(db_engine: Engine) -> list[str]:
    with db_engine.connect() as conn:
        return [t for (t,) in conn.execute(select(CaseRecord.team).where(CaseRecord.team.is_not(None))
                                           .distinct().order_by(CaseRecord.team))]


def _scope_filter(scope: str) -> list:
    return [] if scope == ALL else [CaseRecord.team == scope]


def cases_token(conn: Connection, scope: str) -> str:
    """The state of a scope's cases: their latest write and highest row id (an import that adds or
    changes a case moves one of them; import never deletes). Each is one index lookup: SQLite
    answers a lone max() from an index, a count() only by a scan."""
    latest = conn.execute(select(func.max(CaseRecord.updated_at)).where(*_scope_filter(scope))).scalar()
    highest = conn.execute(select(func.max(CaseRecord.id)).where(*_scope_filter(scope))).scalar()
    return f"{highest}|{latest}"


# ---------------------------------------------------------------------------------------------
# Filling


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict]) -> None:
    # Two server workers may fill the same worklist at once: the second's rows are the same rows.
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover — sagsrute stores in SQLite or PostgreSQL
        conn.execute(insert(WorklistEntry), rows)
        return
    conn.execute(dialect_insert(WorklistEntry).on_conflict_do_nothing(), rows)


def fill(db_engine: Engine, rules_label: str, as_of: date, scope: str,
         summarise: Callable[[str], Summary], chunk_size: int = FILL_CHUNK) -> int:
    """Bring the worklist of ``scope`` (a team or ``ALL``) up to date; returns the cases evaluated.
    ``summarise`` turns a case's JSON into its row (rank, next step, counts)."""
    entry, record = WorklistEntry, CaseRecord
    keys = and_(entry.rules_label == rules_label, entry.as_of == as_of)
    with db_engine.connect() as conn:
        token = cases_token(conn, scope)
        done = conn.execute(select(WorklistFill.token).where(
            WorklistFill.rules_label == rules_label, WorklistFill.as_of == as_of, WorklistFill.scope == scope)).scalar()
    if done == token:
        return 0
    with db_engine.begin() as conn:  # rows of cases re-imported since, or gone, are evaluated again
        same = exists().where(record.case_id == entry.case_id, record.content_hash == entry.content_hash)
        stale = delete(entry).where(keys, ~same)
        if scope != ALL:
            stale = stale.where(entry.team == scope)
        conn.execute(stale)
    evaluated = 0
    last: Optional[str] = None
    has_row = exists().where(keys, entry.case_id == record.case_id)
    while True:
        query = (select(record.case_id, record.data, record.content_hash, record.team, record.caseworker)
                 .where(*_scope_filter(scope), ~has_row).order_by(record.case_id).limit(chunk_size))
        if last is not None:
            query = query.where(record.case_id > last)
        with db_engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            break
        out = [{"rules_label": rules_label, "as_of": as_of, "case_id": case_id, "content_hash": content_hash,
                "team": team, "caseworker": caseworker, **summarise(data)}
               for case_id, data, content_hash, team, caseworker in rows]
        with db_engine.begin() as conn:
            _insert_ignoring_duplicates(conn, out)
        evaluated += len(rows)
        last = rows[-1][0]
    with db_engine.begin() as conn:
        marker = and_(WorklistFill.rules_label == rules_label, WorklistFill.as_of == as_of, WorklistFill.scope == scope)
        if conn.execute(update(WorklistFill).where(marker).values(token=token, used_at=utcnow())).rowcount == 0:
            conn.execute(insert(WorklistFill).values(rules_label=rules_label, as_of=as_of, scope=scope, token=token,
                                                     used_at=utcnow()))
        _prune(conn, rules_label)
    return evaluated


def _prune(conn: Connection, rules_label: str) -> None:
    """Keep the worklists of the ``KEEP_DATES`` most recently filled as-of dates of a rule set."""
    dates = conn.execute(select(WorklistFill.as_of, func.max(WorklistFill.used_at).label("used"))
                         .where(WorklistFill.rules_label == rules_label).group_by(WorklistFill.as_of)
                         .order_by(func.max(WorklistFill.used_at).desc())).all()
    old = [d for d, _ in dates[KEEP_DATES:]]
    if old:
        conn.execute(delete(WorklistEntry).where(WorklistEntry.rules_label == rules_label, WorklistEntry.as_of.in_(old)))
        conn.execute(delete(WorklistFill).where(WorklistFill.rules_label == rules_label, WorklistFill.as_of.in_(old)))


# ---------------------------------------------------------------------------------------------
# Reading a page


def page(db_engine: Engine, rules_label: str, as_of: date, teams_in: Optional[Iterable[str]] = None,
         team: Optional[str] = None, caseworker: Optional[str] = None, status: Optional[str] = None,
         due_before: Optional[date] = None, search: Optional[str] = None, number: int = 1,
         size: int = 50) -> tuple[list[dict], int]:
    """One page of a filled worklist (overdue first, then by due date, then case id) and how many
    rows match. ``teams_in`` limits it to those teams (a principal's scope); None is every team."""
    entry = WorklistEntry
    where = [entry.rules_label == rules_label, entry.as_of == as_of]
    if teams_in is not None:
        where.append(entry.team.in_(sorted(teams_in)))
    if team is not None:
        where.append(entry.team == team)
    if caseworker is not None:
        where.append(entry.caseworker == caseworker)
    if status is not None:
        where.append(entry.rank == STATUS_RANKS[status])
    if due_before is not None:
        where.append(entry.next_due <= due_before)
    if search:
        where.append(entry.case_id.contains(search, autoescape=True))
    columns = [entry.case_id, entry.team, entry.caseworker, entry.rank, entry.next_rule, entry.next_title_da,
               entry.next_title_en, entry.next_due, entry.overdue, entry.open, entry.missed]
    query = (select(*columns).where(*where).order_by(entry.rank, entry.next_due, entry.case_id)
             .limit(size).offset((number - 1) * size))
    with db_engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(entry).where(*where)).scalar_one()
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["days_left"] = (row["next_due"] - as_of).days if row["next_due"] is not None else None
    return rows, total


def caseworkers(db_engine: Engine, teams_in: Optional[Iterable[str]] = None) -> list[str]:
    where = [CaseRecord.caseworker.is_not(None)]
    if teams_in is not None:
        where.append(CaseRecord.team.in_(sorted(teams_in)))
    with db_engine.connect() as conn:
        return [c for (c,) in conn.execute(select(CaseRecord.caseworker).where(*where).distinct()
                                           .order_by(CaseRecord.caseworker))]
