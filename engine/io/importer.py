"""``sagsrute import``: cases from files into the database, idempotently and one transaction per file.

Per file, every good case is written inside one transaction: a crash leaves the database as it
was before the file or with the whole file in it, never half. A bad case is rejected and reported
(with the file, line and field) and the good cases of the same file still land. A case whose id is
already stored is compared by content hash: the same content is "unchanged", other content
"updated" — a case id is never stored twice.
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from engine.io.loading import InputError, LoadedCase, has_suffix, label, parse_jsonl_line
from engine.io.sources import IMPORT_SUFFIXES, Repeats, decode, file_entries, files_of, walk
from engine.io.storage import case_hash, writer
from models.case import Case
from models.storage import CaseRecord, utcnow
CHUNK = 500  # cases per round trip (also keeps IN (...) lists under every database's limit)
LINES_PER_TASK = 1000  # JSON Lines per unit of parallel work
PARALLEL_FROM_BYTES = 1_000_000  # smaller files are read in-process (starting workers costs more)


@dataclass
class FileReport:
    """What one file did to the database."""

    file: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[InputError] = field(default_factory=list)
    failed: Optional[str] = None  # a database error: nothing of this file was stored

    @property
    def seen(self) -> int:
        return self.imported + self.updated + self.unchanged + len(self.rejected)


def import_files(path: Path) -> list[Path]:
    """The files ``import`` reads for one argument: the file itself, or every case file in a directory."""
    return files_of(path, IMPORT_SUFFIXES)


@dataclass(frozen=True)
class _Prepared:
    source: str
    case_id: str
    data: str
    content_hash: str
    benefit_types: str
    team: Optional[str]
    caseworker: Optional[str]


def _prepare(loaded: LoadedCase) -> _Prepared:
    case: Case = loaded.case
    data = case.model_dump_json()
    return _Prepared(loaded.source, case.case_id, data, case_hash(data),
                     ",".join(b.type.value for b in case.benefits), case.citizen.team, case.citizen.caseworker)


Item = Union[_Prepared, InputError]


def _items(entries: Iterable[tuple]) -> Iterator[Item]:
    """Every case of a file, ready to store, or its error; in-process."""
    for entry in entries:
        for loaded in decode(entry):
            yield loaded if isinstance(loaded, InputError) else _prepare(loaded)


def _prepare_lines(lines: list[tuple[str, str]]) -> list[Item]:
    """In a worker: parse, validate and serialise a slice of a JSON Lines file."""
    out: list[Item] = []
    for where, line in lines:
        loaded = parse_jsonl_line(line, where)
        out.append(loaded if isinstance(loaded, InputError) else _prepare(loaded))
    return out


def _parallel_jsonl_items(entries: Iterable[tuple], pool, workers: int) -> Iterator[Item]:
    """Like ``_items`` for a JSON Lines file, its lines validated by ``pool`` in slices, in file
    order, with only a few slices in flight (the file is never read whole into memory); the other
    entries (a repeated id, a file that cannot be read) keep their place."""
    pending: deque = deque()
    chunk: list[tuple[str, str]] = []

    def flush() -> None:
        nonlocal chunk
        if chunk:
            pending.append(pool.apply_async(_prepare_lines, (chunk,)))
            chunk = []

    for kind, where, payload in entries:
        if kind == "json":
            chunk.append((where, payload))
            if len(chunk) >= LINES_PER_TASK:
                flush()
        else:
            flush()
            pending.append([next(decode((kind, where, payload)))])
        while len(pending) > 2 * workers:
            yield from _result(pending.popleft())
    flush()
    while pending:
        yield from _result(pending.popleft())


def _result(entry) -> list[Item]:
    return entry if isinstance(entry, list) else entry.get()


_UPDATE = (update(CaseRecord).where(CaseRecord.case_id == bindparam("b_case_id"))
           .values(content_hash=bindparam("content_hash"), data=bindparam("data"),
                   benefit_types=bindparam("benefit_types"), team=bindparam("team"),
                   caseworker=bindparam("caseworker"), source=bindparam("source"),
                   import_batch=bindparam("import_batch"), updated_at=bindparam("updated_at")))


def _write_chunk(conn: Connection, chunk: list[_Prepared], batch: str, report: FileReport) -> None:
    """Insert the new cases of a chunk and update the changed ones (inside the file's transaction)."""
    ids = list({p.case_id for p in chunk})
    stored = {row.case_id: row for row in conn.execute(
        select(CaseRecord.case_id, CaseRecord.content_hash, CaseRecord.import_batch, CaseRecord.source)
        .where(CaseRecord.case_id.in_(ids)))}
    now = utcnow()
    inserts: dict[str, dict] = {}
    updates: dict[str, dict] = {}
    for p in chunk:
        row = {"content_hash": p.content_hash, "data": p.data, "benefit_types": p.benefit_types, "team": p.team,
               "caseworker": p.caseworker, "source": p.source, "import_batch": batch, "updated_at": now}
        earlier = inserts.get(p.case_id) or updates.get(p.case_id)
        if earlier is None and p.case_id in stored and stored[p.case_id].import_batch == batch:
            earlier = {"content_hash": stored[p.case_id].content_hash, "source": stored[p.case_id].source}
        if earlier is not None:  # given before in this same import
            if earlier["content_hash"] == p.content_hash:
                report.unchanged += 1
            else:
                report.rejected.append(InputError(p.source, (
                    f"case_id: the same case id was given earlier in this import ({earlier['source']}) "
                    "with different content; keep one of them (in a CSV file, a case's rows must be "
                    "consecutive)",), p.case_id))
            continue
        if p.case_id not in stored:
            inserts[p.case_id] = {"case_id": p.case_id, "imported_at": now, **row}
            report.imported += 1
        elif stored[p.case_id].content_hash == p.content_hash:
            report.unchanged += 1
        else:
            updates[p.case_id] = {"b_case_id": p.case_id, **row}
            report.updated += 1
    if inserts:
        conn.execute(insert(CaseRecord), list(inserts.values()))
    if updates:
        conn.execute(_UPDATE, list(updates.values()))


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during an import: the file being imported was rolled back, the files before it stay.
    A KeyboardInterrupt still (what catches one catches this), with what became of the files."""


class _FileBrokeOff(Exception):
    def __init__(self, error: InputError):
        super().__init__(str(error))
        self.error = error


def _unreadable(error: InputError) -> bool:
    """A problem with the file as a whole (encoding, syntax), as opposed to one bad case in it."""
    return any(p.startswith("(file):") for p in error.problems)


def import_file(db_engine: Engine, path: Path, batch: str, chunk_size: Optional[int] = None,
                on_chunk: Optional[Callable[[FileReport], None]] = None, pool=None, workers: int = 1,
                repeats: Optional[Repeats] = None) -> FileReport:
    """Import one file in one transaction; bad cases are reported in the returned FileReport.
    ``on_chunk`` sees the report's running counts after every chunk (for a progress display); with
    a ``pool`` of ``workers`` processes a large JSON Lines file is validated in parallel (the
    result is the same)."""
    chunk_size = chunk_size or CHUNK
    where = label(path)
    report = FileReport(where)
    entries = file_entries(path, where, repeats if repeats is not None else Repeats(), csv=True)
    parallel = pool is not None and has_suffix(path, (".jsonl",)) and path.stat().st_size >= PARALLEL_FROM_BYTES
    items = _parallel_jsonl_items(entries, pool, workers) if parallel else _items(entries)
    try:
        with writer(db_engine).begin() as conn:
            chunk: list[_Prepared] = []
            for loaded in items:
                if isinstance(loaded, InputError):
                    report.rejected.append(loaded)
                    if _unreadable(loaded) and (chunk or report.seen > 1):
                        # The file broke off half-way (not UTF-8, not CSV): take none of it, not
                        # the cases before the break.
                        raise _FileBrokeOff(loaded)
                    continue
                chunk.append(loaded)
                if len(chunk) >= chunk_size:
                    _write_chunk(conn, chunk, batch, report)
                    chunk = []
                    if on_chunk:
                        on_chunk(report)
            if chunk:
                _write_chunk(conn, chunk, batch, report)
    except _FileBrokeOff:
        report = FileReport(where, rejected=report.rejected)
        report.failed = "the file breaks off part-way (see the error below), so nothing from it was stored"
    except SQLAlchemyError as exc:
        rejected = report.rejected
        report = FileReport(where, rejected=rejected)
        # The driver's message only: SQLAlchemy's own text would repeat the statement's parameters.
        detail = str(exc.orig) if getattr(exc, "orig", None) is not None else type(exc).__name__
        report.failed = f"database error, nothing from this file was stored ({detail})"
    return report


def import_paths(db_engine: Engine, paths: Iterable[Path],
                 on_file: Optional[Callable[[FileReport], None]] = None,
                 on_chunk: Optional[Callable[[FileReport], None]] = None, workers: int = 1) -> list[FileReport]:
    """Import every file under ``paths`` (one import batch); ``on_file`` sees each report as it is
    done. ``workers`` > 1 validates large JSON Lines files in that many processes."""
    pool = None
    if workers > 1:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start, initargs=(db_engine,))
    done: list[FileReport] = []

    def file_done(report: FileReport) -> None:
        done.append(report)
        if on_file:
            on_file(report)

    try:
        return _import_paths(db_engine, list(paths), file_done, on_chunk, pool, workers)
    except KeyboardInterrupt:
        # The file being read was rolled back when the interruption left its transaction.
        raise ImportInterrupted(f"nothing of the file being imported was stored; the {len(done)} file(s) "
                                "before it were imported") from None
    finally:
        if pool is not None:
            pool.terminate()  # the workers ignore Ctrl-C, so they are stopped here, never half-way
            pool.join()


def _worker_start(db_engine: Engine) -> None:
    import signal

    # Ctrl-C reaches the whole process group: only the parent acts on it (no traceback from a
    # worker, and no worker killed holding the pool's queue lock, which hung the parent).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    db_engine.dispose(close=False)  # a forked worker must not touch the parent's pooled connections


def _import_paths(db_engine: Engine, paths: list[Path], on_file, on_chunk, pool, workers: int) -> list[FileReport]:
    batch = uuid.uuid4().hex
    reports: list[FileReport] = []
    repeats = Repeats()  # one rule for a repeated case id, across every file of this import
    for file, where, problem in walk(paths, IMPORT_SUFFIXES):
        if file is None:
            report = FileReport(where, rejected=[InputError(where, (problem,))])
        else:
            report = import_file(db_engine, file, batch, on_chunk=on_chunk, pool=pool, workers=workers,
                                 repeats=repeats)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports
