"""The reviewer's verdicts beside the audit run, and pruning old audit runs.

A review sheet (engine/report/review.py ``write_review_xlsx``) names its audit run, seed and date
on its first sheet and holds one row per case and checklist item with a verdict column; ``import``
reads a filled sheet back (``read_verdicts``) and stores each verdict given (``store_verdicts``),
replacing an earlier import of the same sheet's rows. Notes are stored with any CPR-shaped number
masked: no CPR number is ever stored.

Migration 4 (engine/io/storage.py MIGRATIONS) creates the ``review_verdict`` table.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import (Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, delete,
                        func, insert, select)
from sqlalchemy.engine import Connection, Engine

from engine import texts
from engine.io.loading import InputError
from models.privacy import mask_cpr
from models.storage import AuditResult, AuditRun, utcnow

SHEET_MARK = "sagsrute-review-sheet-1"  # cell A1 of a review workbook's first sheet
INFO_KEYS = ("mark", "run_id", "as_of", "seed", "per", "rules_label")
ROW_KEYS = ("number", "case_id", "team", "caseworker", "item_key", "item", "behind", "verdict", "note")

METADATA = MetaData()
REVIEW_VERDICT = Table(
    "review_verdict", METADATA,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey(AuditRun.__table__.c.id, ondelete="CASCADE"), nullable=True),
    Column("as_of", Date, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("case_id", String(200), nullable=False),
    Column("item", String(40), nullable=False),
    Column("verdict", String(20), nullable=False),  # ok | missing | n/a
    Column("note", Text, nullable=False, default=""),
    Column("sheet", String(300), nullable=False, default=""),  # the file name it came from
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Index("ix_review_verdict_run", "run_id", "case_id"),
)


def create_review_table(conn: Connection) -> None:
    """Migration 4: the review verdicts. Also run before each use here: a new database is created
    from models/storage.py's tables alone (engine/io/storage.py ``migrate``), which do not hold it."""
    REVIEW_VERDICT.create(conn, checkfirst=True)


class NotAReviewSheet(ValueError):
    """A file given to ``import`` as a review sheet that is not one: ``file: (file): problem``."""


def _verdict_code(value: str) -> Optional[str]:
    """A verdict as written in either language (any case) -> its code; None if it is none of them."""
    wanted = value.strip().lower()
    for code, pair in texts.VERDICTS.items():
        if wanted == code or wanted in (word.lower() for word in pair):
            return code
    return None


def read_verdicts(path: Path) -> tuple[dict, list[dict], list[InputError]]:
    """(the sheet's info, one dict per row with a verdict, the bad rows) of a filled review sheet.
    Raises NotAReviewSheet where the file is not one."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — a broken or foreign file is bad input
        raise NotAReviewSheet(f"{path}: (file): not an Excel workbook sagsrute can read ({type(exc).__name__})") from None
    sheets = workbook.worksheets
    info_rows = list(sheets[0].iter_rows(values_only=True)) if sheets else []
    if not info_rows or info_rows[0][0] != SHEET_MARK or len(sheets) < 2:
        raise NotAReviewSheet(f"{path}: (file): not a sagsrute review sheet (made by audit --review-sample)")
    info = {key: row[1] for key, row in zip(INFO_KEYS[1:], info_rows[1:])}
    verdicts, bad = [], []
    for line, row in enumerate(sheets[1].iter_rows(min_row=2, values_only=True), start=2):
        values = dict(zip(ROW_KEYS, row))
        given = values.get("verdict")
        if given is None or not str(given).strip():
            continue
        code = _verdict_code(str(given))
        if code is None:
            choices = ", ".join(sorted({w for pair in texts.VERDICTS.values() for w in pair}))
            bad.append(InputError(f"{path}:{line}", (f"verdict: {str(given)[:40]!r} is not one of {choices}",)))
            continue
        verdicts.append({"case_id": str(values["case_id"]), "item": str(values["item_key"]), "verdict": code,
                         "note": mask_cpr(str(values.get("note") or ""))})
    workbook.close()
    return info, verdicts, bad


def store_verdicts(db_engine: Engine, info: dict, verdicts: list[dict], sheet: str) -> int:
    """Store a sheet's verdicts (one transaction), replacing the same run, seed, case and item's earlier ones."""
    run_id = int(info["run_id"]) if info.get("run_id") not in (None, "") else None
    as_of = info["as_of"]
    as_of = as_of.date() if isinstance(as_of, datetime) else date.fromisoformat(str(as_of))
    seed = int(info["seed"])
    now = utcnow()
    with db_engine.begin() as conn:
        create_review_table(conn)
        for v in verdicts:
            conn.execute(delete(REVIEW_VERDICT).where(
                (REVIEW_VERDICT.c.run_id == run_id) if run_id is not None else REVIEW_VERDICT.c.run_id.is_(None),
                REVIEW_VERDICT.c.seed == seed, REVIEW_VERDICT.c.as_of == as_of,
                REVIEW_VERDICT.c.case_id == v["case_id"], REVIEW_VERDICT.c.item == v["item"]))
        if verdicts:
            conn.execute(insert(REVIEW_VERDICT), [{**v, "run_id": run_id, "as_of": as_of, "seed": seed,
                                                   "sheet": sheet[:300], "imported_at": now} for v in verdicts])
    return len(verdicts)


def load_verdicts(db_engine: Engine, run_id: Optional[int] = None) -> list[dict]:
    """The stored verdicts (of one run where given), by case and item."""
    query = select(REVIEW_VERDICT).order_by(REVIEW_VERDICT.c.case_id, REVIEW_VERDICT.c.item)
    if run_id is not None:
        query = query.where(REVIEW_VERDICT.c.run_id == run_id)
    with db_engine.begin() as conn:
        create_review_table(conn)
        return [dict(r) for r in conn.execute(query).mappings()]


def prune_runs(db_engine: Engine, keep: Optional[int] = None, older_than_days: Optional[int] = None,
               now: Optional[datetime] = None) -> list[int]:
    """Delete audit runs with their per-case results and verdicts: all but the ``keep`` newest,
    and/or those started more than ``older_than_days`` ago (both given: a run goes if either says
    so). Returns the ids deleted, in one transaction."""
    if keep is None and older_than_days is None:
        raise ValueError("prune needs --keep N and/or --older-than DAYS")
    now = now or datetime.now(timezone.utc)
    with db_engine.begin() as conn:
        create_review_table(conn)
        runs = conn.execute(select(AuditRun.id, AuditRun.started_at).order_by(AuditRun.id.desc())).all()
        doomed = set()
        if keep is not None:
            doomed |= {run_id for run_id, _ in runs[keep:]}
        if older_than_days is not None:
            limit = now - timedelta(days=older_than_days)
            for run_id, started in runs:
                started = started if started.tzinfo else started.replace(tzinfo=timezone.utc)  # SQLite keeps no zone
                if started < limit:
                    doomed.add(run_id)
        ids = sorted(doomed)
        if ids:  # children first: SQLite enforces the cascade only with foreign keys on
            conn.execute(delete(REVIEW_VERDICT).where(REVIEW_VERDICT.c.run_id.in_(ids)))
            conn.execute(delete(AuditResult.__table__).where(AuditResult.__table__.c.run_id.in_(ids)))
            conn.execute(delete(AuditRun.__table__).where(AuditRun.__table__.c.id.in_(ids)))
    return ids


def count_results(db_engine: Engine) -> int:
    with db_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditResult.__table__)).scalar() or 0


def import_sheets(db_engine: Engine, sheets: list[Path], lang: str) -> bool:
    """``import``'s hook for filled review sheets: read, store and report each (a bad row or file is
    reported as ``file: field: problem`` and the good rows still land). True if all were good."""
    from cli.common import err_console, print_error_lines
    from engine.report.safe import visible

    ok = True
    for path in sheets:
        try:
            info, verdicts, bad = read_verdicts(path)
        except NotAReviewSheet as error:
            print_error_lines(str(error))
            ok = False
            continue
        except OSError as exc:
            print_error_lines(f"{path}: (file): cannot be read ({exc.strerror})")
            ok = False
            continue
        stored = store_verdicts(db_engine, info, verdicts, path.name)
        for error in bad:
            print_error_lines(str(error))
        ok = ok and not bad
        rows = _row_count(path)
        err_console.print(visible(texts.words(texts.REVIEW, lang)["imported"].format(
            file=path, n=stored, run=f"#{info['run_id']}" if info.get("run_id") else "–",
            skipped=rows - stored - len(bad))))
    return ok


def _row_count(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    rows = max(workbook.worksheets[1].max_row - 1, 0)
    workbook.close()
    return rows
