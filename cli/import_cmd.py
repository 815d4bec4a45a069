"""``sagsrute import``: load case files, directories, JSON Lines and CSV exports into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.text import Text
from typing import TYPE_CHECKING

from cli.common import (DEFAULT_LANG, DEFAULT_WORKERS, LangOption, EXIT_BAD_INPUT, EXIT_OK, DbOption, WorkersOption, console,
                        err_console, fail, print_error_lines)
from engine import texts
from engine.report.listings import import_table
from engine.report.safe import clip, visible
from engine.texts import number

# SQLAlchemy and the storage modules are imported where a command uses them: loading them costs
# most of a second, which every other command (check, rules, whatif) should not pay.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from engine.io.importer import FileReport

def open_db_or_fail(value: Optional[str], create: bool = True, lang: str = DEFAULT_LANG.value) -> tuple[Engine, str]:
    """The database of a ``--db`` option, or a clear error (exit 1) instead of a traceback. With
    ``create=False`` (a command that only reads) a SQLite file that does not exist is an error, not
    a new empty database. A write that has to wait for another import says so on stderr."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from engine.io import storage
    from engine.io.storage import SchemaTooNew, StorageBusy, db_url, describe_url, open_db

    waiting = texts.words(texts.STORAGE, lang)["waiting"]
    storage.on_wait = lambda seconds: err_console.print(visible(waiting.format(seconds=number(seconds, lang))))

    url = db_url(value)
    try:
        parsed = make_url(url)
    except ArgumentError:
        fail(f"--db {value!r}: not a database URL SQLAlchemy knows")
    if not create and parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).is_file():
            fail(f"no database at {parsed.database}: import cases first (sagsrute import FILE... --db PATH), "
                 "or give --db the database's path")
    try:
        return open_db(url), describe_url(url)
    except (SchemaTooNew, StorageBusy) as exc:
        fail(f"{describe_url(url)}: {exc}")
    except ArgumentError:
        fail(f"--db {describe_url(url)!r}: not a database URL SQLAlchemy knows")
    except ImportError as exc:
        fail(f"the database driver for {describe_url(url)} is not installed ({exc.name}); for PostgreSQL: "
             "pip install 'sagsrute[postgres]'")
    except (SQLAlchemyError, OSError) as exc:
        detail = getattr(exc, "orig", None) or exc
        fail(f"cannot open the database {describe_url(url)}: {detail}")


def import_cases(
    paths: Annotated[List[Path], typer.Argument(metavar="PATH...", show_default=False,
                                                help="Case files (YAML, JSON, JSON Lines, CSV) or directories.")],
    db: DbOption = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    lang: LangOption = DEFAULT_LANG,
) -> None:
    """Load cases into the database.

    New cases are imported, changed ones updated, identical ones left. Each file is one transaction. Bad cases are rejected with the file, line and field and the
    good cases still land; the exit code is 1 when anything was rejected.

    \b
    Examples:
      sagsrute import samples/caseload/
      sagsrute import out/generated-5000.jsonl --db team.sqlite
    """
    from engine.io.importer import import_paths

    if not any(p.exists() for p in paths):  # nothing to import: open (and create) no database
        print_error_lines("\n".join(f"{p}: (file): no such file or directory" for p in paths))
        raise typer.Exit(EXIT_BAD_INPUT)
    db_engine, where = open_db_or_fail(db, lang=lang.value)
    sheets = [p for p in paths if p.suffix.lower() == ".xlsx"]  # filled review sheets (audit --review-sample)
    if sheets:
        from engine.io.reviews import import_sheets

        paths = [p for p in paths if p not in sheets]
        if not import_sheets(db_engine, sheets, lang.value) and not paths:
            raise typer.Exit(EXIT_BAD_INPUT)
        if not paths:
            raise typer.Exit(EXIT_OK)
    w = texts.words(texts.IMPORT, lang.value)
    with console.status(Text(w["working"])) as status:
        def file_done(report: FileReport) -> None:
            status.update(Text(w["file_done"].format(file=clip(report.file))))

        def chunk_done(report: FileReport) -> None:
            status.update(Text(w["chunk"].format(file=clip(report.file), n=number(report.seen, lang.value))))

        reports = import_paths(db_engine, paths, on_file=file_done, on_chunk=chunk_done, workers=workers)
    console.print(import_table(reports, where, lang.value, console.width), crop=False)
    bad = False
    for report in reports:
        if report.failed:
            print_error_lines(f"{report.file}: {report.failed}")
            bad = True
        for error in report.rejected:
            print_error_lines(str(error))
            bad = True
    raise typer.Exit(EXIT_BAD_INPUT if bad else EXIT_OK)
