"""``sagsrute audit``: deadline compliance over a whole caseload, from files or the database, with a
terminal summary and CSV, Excel and HTML reports; ``audit-runs`` and ``audit-compare`` look back
at stored runs."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from cli.common import (DEFAULT_CSV_DIALECT, DEFAULT_LANG, DEFAULT_WORKERS, CsvDialectOption, EXIT_BAD_INPUT, EXIT_OK, AsOf, DbOption, LangOption, RulesOption, WorkersOption,
                        console, err_console, fail, parse_as_of, print_error_lines, rules_or_exit)
from cli.import_cmd import open_db_or_fail
from engine import texts
from engine.batch.runner import AuditOptions, run_audit
from engine.batch.totals import Tally
from engine.core.check import Engine
from engine.io.loading import case_files
from engine.io.sources import db_items, file_items
from engine.report import AuditMeta, titles_of
from engine.report.html import render_html
from engine.report.layout import is_narrow
from engine.report.listings import compare_table, compare_title, runs_table
from engine.report.safe import visible
from engine.report.tables import OverdueCsv, write_csv_dir, write_xlsx
from engine.report.terminal import render
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from engine.texts import number

PROGRESS_FROM = 2000  # cases: a progress bar below this only when stderr is a terminal


class Dimension(str, Enum):
    benefit = "benefit"
    category = "category"
    team = "team"
    caseworker = "caseworker"


def _count_items(paths: list[Path]) -> int:
    """How many cases the files hold (JSON Lines lines, other files one each), for the progress bar."""
    total = 0
    for path in paths:
        if not path.exists():
            continue
        for file in case_files(path):
            if file.suffix == ".jsonl":
                with file.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            else:
                total += 1
    return total


def audit(
    cases: Annotated[Optional[List[Path]], typer.Argument(
        metavar="[CASES...]", show_default=False,
        help="Case files or directories; without them the cases in the database are audited.")] = None,
    db: DbOption = None,
    as_of: AsOf = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    group_by: Annotated[List[Dimension], typer.Option(
        "--group-by", metavar="benefit|category|team|caseworker", show_default=False,
        help="Also print the figures per benefit, category, team or caseworker (repeatable).")] = [],  # noqa: B006
    csv_dir: Annotated[Optional[Path], typer.Option("--csv", metavar="DIR",
                                                    help="Write the tables as CSV files into this directory.")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", metavar="FILE",
                                                 help="Write the tables as an Excel workbook.")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", metavar="FILE",
                                                 help="Write a self-contained HTML report with charts.")] = None,
    overdue_csv: Annotated[Optional[Path], typer.Option("--overdue-csv", metavar="FILE",
                                                        help="Write every overdue duty with its reason as CSV.")] = None,
    csv_dialect: CsvDialectOption = DEFAULT_CSV_DIALECT,
    store: Annotated[Optional[bool], typer.Option(
        "--store/--no-store", show_default=False,
        help="Store the run and its per-case results in the database. Default: when auditing the database.")] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", min=1, max=100000,
                                     help="How many of the most overdue duties the reports list.")] = 100,
    lang: LangOption = DEFAULT_LANG,
    rules_dir: RulesOption = DEFAULT_RULES_DIR,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary (the reports are still written).")] = False,
) -> None:
    """Deadline compliance over a caseload as of a date.

    Per rule: the duties, met, met late, overdue, open and exempt, the on-time share and the median
    days late; STAR's early-effort measure, passivity and the most overdue duties. Without case
    files the database is audited and the run stored (see audit-runs, audit-compare).

    \b
    Examples:
      sagsrute audit samples/caseload/ --as-of 2021-12-31 --group-by team
      sagsrute audit --as-of 2021-12-31 --html out/report.html --xlsx out/audit.xlsx
    """
    # SQLAlchemy is loaded only by the commands that use the database (it costs most of a second).
    from engine.io.storage import (add_audit_results, count_cases, finish_audit_run, iter_stored_json, save_ruleset,
                                start_audit_run)

    day = parse_as_of(as_of)
    ruleset = rules_or_exit(rules_dir)
    from_db = not cases
    store = from_db if store is None else store
    db_engine = where = None
    if from_db or store:
        db_engine, where = open_db_or_fail(db, create=not from_db)  # a read never creates a database
    if from_db:
        total = count_cases(db_engine)
        if total == 0:
            fail(f"no cases in the database {where}: import some first (sagsrute import FILE...) or name case files")
        items = db_items(iter_stored_json(db_engine))
        source = f"db {where}"
    else:
        total = _count_items(cases)
        items = file_items(cases)
        source = " ".join(str(p) for p in cases)
    run_id = None
    if store:
        save_ruleset(db_engine, ruleset)
        run_id = start_audit_run(db_engine, day, ruleset.label, source,
                                 {"workers": workers, "lang": lang.value, "rules_dir": str(rules_dir)})
    overdue_writer = OverdueCsv(overdue_csv, lang.value, csv_dialect.value) if overdue_csv else None
    options = AuditOptions(
        as_of=day, lang=lang.value, workers=workers, top_limit=top,
        on_rows=(lambda rows: add_audit_results(db_engine, run_id, rows)) if store else None,
        on_overdue=overdue_writer.write if overdue_writer else None)
    show_progress = err_console.is_terminal or total > PROGRESS_FROM
    started = time.perf_counter()
    engine = Engine(ruleset) if workers == 1 else None
    try:
        if show_progress:
            with Progress(TextColumn(texts.words(texts.AUDIT, lang.value)["progress_bar"]), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn(), console=err_console, transient=err_console.is_terminal) as progress:
                task = progress.add_task("audit", total=total or None)
                options.on_progress = lambda n: progress.advance(task, n)
                totals = run_audit(ruleset, items, options, engine)
        else:
            totals = run_audit(ruleset, items, options, engine)
    finally:
        if overdue_writer:
            overdue_writer.close()
    seconds = time.perf_counter() - started
    if store:
        finish_audit_run(db_engine, run_id, totals.cases, totals.bad)
    shown_source = texts.words(texts.AUDIT, lang.value)["database"] if from_db else source  # no URL in a report
    meta = AuditMeta(as_of=day, rules_label=ruleset.label, source=shown_source, titles=titles_of(ruleset), run_id=run_id,
                     workers=workers, seconds=seconds, known_through=ruleset.known_through)
    if not quiet:
        render(console, totals, meta, lang.value, tuple(d.value for d in group_by))
    w = texts.words(texts.AUDIT, lang.value)
    n = lambda value: number(value, lang.value)  # noqa: E731
    if csv_dir:
        write_csv_dir(csv_dir, totals, meta, lang.value, csv_dialect.value)
        err_console.print(visible(w["csv_written"].format(path=f"{csv_dir}/")))
    if xlsx:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(xlsx, totals, meta, lang.value)
        err_console.print(visible(w["xlsx_written"].format(path=xlsx)))
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(totals, meta, lang.value), encoding="utf-8")
        err_console.print(visible(w["html_written"].format(path=html)))
    if overdue_writer:
        err_console.print(visible(w["overdue_written"].format(n=n(overdue_writer.count), path=overdue_csv)))
    if run_id is not None:
        err_console.print(visible(w["stored"].format(run=run_id, where=where)))
    if totals.bad:
        for message in totals.bad_messages:
            print_error_lines(message)
        shown = len(totals.bad_messages)
        err_console.print(Text(w["bad_skipped"].format(n=n(totals.bad))
                               + (w["first_shown"].format(n=shown) if totals.bad > shown else ""), style="red"))
    raise typer.Exit(EXIT_BAD_INPUT if totals.bad else EXIT_OK)


def audit_runs(db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """List the audit runs stored in the database.

    Each run: when it ran, as of which date, with which rules, how many cases and bad cases, and
    where the cases came from.

    \b
    Example:
      sagsrute audit-runs --db team.sqlite
    """
    from engine.io.storage import list_audit_runs

    db_engine, where = open_db_or_fail(db, create=False)
    runs = list_audit_runs(db_engine)
    if not runs:
        console.print(visible(texts.words(texts.RUNS, lang.value)["none"].format(where=where)))
        return
    console.print(runs_table(runs, where, lang.value, is_narrow(console)))


def _run_tallies(db_engine, run_id: int) -> dict[str, Tally]:
    from engine.io.storage import load_audit_results

    tallies: dict[str, Tally] = {}
    for row in load_audit_results(db_engine, run_id):
        tallies.setdefault(row["rule"], Tally()).add(row["status"], row["days_late"])
    return tallies


def audit_compare(
    run_a: Annotated[int, typer.Argument(metavar="RUN_A", help="The earlier run (its number in audit-runs).")],
    run_b: Annotated[int, typer.Argument(metavar="RUN_B", help="The later run.")],
    db: DbOption = None,
    lang: LangOption = DEFAULT_LANG,
) -> None:
    """Compare two stored audit runs, rule by rule.

    For each rule the counts of run B with their change from run A, and the on-time share of each.

    \b
    Example:
      sagsrute audit-compare 1 2
    """
    from engine.io.storage import get_audit_run, load_ruleset_snapshot

    db_engine, where = open_db_or_fail(db, create=False)
    runs = {}
    for run_id in (run_a, run_b):
        run = get_audit_run(db_engine, run_id)
        if run is None:
            fail(f"no audit run #{run_id} in {where} (see sagsrute audit-runs)")
        runs[run_id] = run
    console.print(compare_title(runs[run_a], runs[run_b], lang.value))
    titles: dict[str, str] = {}
    for run in (runs[run_b], runs[run_a]):  # the rules' titles as the runs stored them, B's first
        for rule in (load_ruleset_snapshot(db_engine, run["rules_label"]) or {}).get("rules", []):
            titles.setdefault(rule["rule"]["id"], rule["rule"]["title"][lang.value])
    console.print(compare_table(_run_tallies(db_engine, run_a), _run_tallies(db_engine, run_b), lang.value, titles,
                                is_narrow(console)))


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("audit-runs")(audit_runs)
    app.command("audit-compare")(audit_compare)
