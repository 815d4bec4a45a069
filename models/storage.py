"""The database tables: imported cases, rule-set snapshots, audit runs and their per-case results.

A case is stored whole, as the JSON of the validated ``Case`` (the timeline is one document, read
and written as one), with the few fields an audit filters or groups by copied into columns. Rule
sets are snapshotted by label so an audit run can be re-run against exactly the rules it used.
The schema is created and upgraded by ``engine.io.storage.open_db`` (versioned migrations).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CaseRecord(SQLModel, table=True):
    __tablename__ = "case_record"
    # the latest write overall and per team: the worklist's test of whether an import changed
    # anything (engine/io/worklist.py), one index lookup instead of a scan of the cases
    __table_args__ = (Index("ix_case_record_updated_at", "updated_at"),
                      Index("ix_case_record_team_updated_at", "team", "updated_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, unique=True, max_length=200)
    # sha256 of ``data``: a re-import with the same hash is "unchanged", with another "updated".
    content_hash: str = Field(max_length=64)
    data: str = Field(sa_column=Column(Text, nullable=False))  # Case.model_dump_json()
    benefit_types: str = ""  # comma list of the case's benefit types, in period order
    team: Optional[str] = Field(default=None, index=True)
    caseworker: Optional[str] = None
    source: str = ""  # the file (file:line for JSON Lines, file:lines for CSV) it was last imported from
    # The import that last wrote the row: a second, different case with the same id in one import
    # is a conflict to report, not an update to apply silently.
    import_batch: str = Field(default="", max_length=36)
    imported_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RuleSetRecord(SQLModel, table=True):
    __tablename__ = "rule_set"

    label: str = Field(primary_key=True, max_length=200)  # RuleSet.label: name@version+digest
    name: str
    version: str
    digest: str = Field(max_length=64)
    rules_json: str = Field(sa_column=Column(Text, nullable=False))  # every rule as parsed, with its file
    created_at: datetime = Field(default_factory=utcnow)


class AuditRun(SQLModel, table=True):
    __tablename__ = "audit_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None  # None: the run crashed or is still going
    as_of: date
    rules_label: str = Field(max_length=200)
    case_count: int = 0
    bad_count: int = 0
    source: str = ""  # "db" or the file paths audited
    options: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # JSON


class AuditResult(SQLModel, table=True):
    """One action of one case in one audit run (contract §3 flattened, plus the grouping keys)."""

    __tablename__ = "audit_result"
    __table_args__ = (Index("ix_audit_result_run_rule", "run_id", "rule"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="audit_run.id", ondelete="CASCADE")
    case_id: str = Field(max_length=200)
    rule: str = Field(max_length=100)
    status: str = Field(max_length=20)
    due: Optional[date] = None
    anchor: Optional[date] = None
    done_on: Optional[date] = None
    progress_done: Optional[int] = None
    progress_required: Optional[int] = None
    benefit: Optional[str] = None
    team: Optional[str] = None
    caseworker: Optional[str] = None
    category: Optional[str] = None  # the latest visitation category on the as-of date, if any
    days_late: Optional[int] = None


class SchemaVersion(SQLModel, table=True):
    """One row: the number of the last migration applied to this database."""

    __tablename__ = "schema_version"

    id: int = Field(default=1, primary_key=True)
    version: int
    applied_at: datetime = Field(default_factory=utcnow)


class WorklistEntry(SQLModel, table=True):
    """One stored case's next step on one as-of date under one rule set (engine/io/worklist.py):
    the worklist pages, filters and sorts these rows in SQL instead of evaluating every case."""

    __tablename__ = "worklist_entry"
    __table_args__ = (Index("ix_worklist_order", "rules_label", "as_of", "rank", "next_due", "case_id"),
                      Index("ix_worklist_team", "rules_label", "as_of", "team", "rank", "next_due", "case_id"))

    rules_label: str = Field(primary_key=True, max_length=200)
    as_of: date = Field(primary_key=True)
    case_id: str = Field(primary_key=True, max_length=200)
    content_hash: str = Field(max_length=64)  # the case as evaluated: a re-imported case is evaluated again
    team: Optional[str] = None
    caseworker: Optional[str] = None
    rank: int  # 0: the next step is overdue, 1: it is open, 2: nothing can still be done
    next_rule: Optional[str] = Field(default=None, max_length=100)
    next_title_da: Optional[str] = None
    next_title_en: Optional[str] = None
    next_due: Optional[date] = None
    overdue: int = 0  # overdue duties that can still be done
    open: int = 0
    missed: int = 0  # overdue duties whose benefit period has ended


class WorklistFill(SQLModel, table=True):
    """Which worklists are filled: per rule set, as-of date and scope (a team, or "*" for all),
    with the state of the cases then (a later import makes the worklist evaluate what changed)."""

    __tablename__ = "worklist_fill"

    rules_label: str = Field(primary_key=True, max_length=200)
    as_of: date = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=200)
    token: str = Field(max_length=200)
    used_at: datetime = Field(default_factory=utcnow)


WORKLIST_TABLES = [WorklistEntry.__table__, WorklistFill.__table__]

TABLES = [CaseRecord.__table__, RuleSetRecord.__table__, AuditRun.__table__, AuditResult.__table__,
          SchemaVersion.__table__, *WORKLIST_TABLES]
