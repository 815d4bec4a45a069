"""``sagsrute audit``: deadline compliance over a whole caseload, from files or the database, with a
terminal summary and CSV, Excel and HTML reports; ``audit-runs`` and ``audit-compare`` look back
at stored runs."""

from __future__ import annotations

import time
from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from cli.common import (DEFAULT_CSV_DIALECT, DEFAULT_LANG, DEFAULT_WORKERS, CsvDialectOption, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, AsOf, DbOption, LangOption, RulesOption, WorkersOption,
                        console, err_console, fail, parse_as_of, print_error_lines, rules_or_exit)
from cli.import_cmd import open_db_or_fail
from engine import texts
from engine.batch.runner import AuditOptions, run_audit
from engine.batch.series import run_series, series_span
from engine.batch.totals import Tally
from engine.core.check import Engine
from engine.io.loading import label
from engine.io.sources import count_items, db_items, file_items
from engine.report import AuditMeta, titles_of
from engine.report.html import render_html
from engine.report.layout import is_narrow
from engine.report.listings import compare_table, compare_title, runs_table
from engine.report.safe import visible
from engine.report.series import add_series_sheets, render_series, write_series_csv
from engine.report.tables import OverdueCsv, write_csv_dir, write_xlsx
from engine.report.terminal import render
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from engine.texts import number

PROGRESS_FROM = 2000  # cases: a progress bar below this only when stderr is a terminal
SeriesKind = Enum("SeriesKind", {"monthly": "monthly"}, type=str)  # the one series there is
ReviewPer = Enum("ReviewPer", {s: s for s in ("caseworker", "team", "all")}, type=str)


def write_review(engine, items, day, size: int, seed: int, per, out: Path, run_id, lang: str) -> None:
    """The review sample's printable page and Excel sheet (engine/batch/review.py)."""
    from engine.batch.review import draw
    from engine.report.review import write_review_files

    html, xlsx = write_review_files(out, draw(engine, items, day, size, seed, per.value, lang, run_id), lang)
    err_console.print(visible(texts.words(texts.REVIEW, lang)["written"].format(html=html, xlsx=xlsx)))


def series_months(series, first: Optional[str], last, store: Optional[bool]) -> list:
    """The month-ends of ``--series monthly`` (none without it); a series is never stored."""
    if series is None:
        if first is not None:
            raise typer.BadParameter("--from needs --series monthly", param_hint="--from")
        return []
    if store:
        raise typer.BadParameter("a series is not stored: leave out --store", param_hint="--store")
    start = parse_as_of(first) if first else None
    if start is not None and start > last:
        raise typer.BadParameter(f"--from {start} is after --to {last}", param_hint="--from")
    return series_span(start, last)


class Dimension(str, Enum):
    benefit = "benefit"
    category = "category"
    team = "team"
    caseworker = "caseworker"


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
    series: Annotated[Optional[SeriesKind], typer.Option(
        "--series", metavar="monthly", help="Also the figures at every month-end from --from to --to (one pass).")] = None,
    series_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="The series' first month (default: 23 months before --to).")] = None,
    series_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="The series' last month (default: --as-of).")] = None,
    review_sample: Annotated[Optional[int], typer.Option("--review-sample", metavar="N", min=1, max=1000,
                                                         help="Draw N cases per --per for management review.")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="The review sample's seed (same seed, same cases).")] = 1,
    per: Annotated[ReviewPer, typer.Option("--per", metavar="caseworker|team|all", help="The review sample's strata.")] = ReviewPer.caseworker,
    review_out: Annotated[Path, typer.Option("--review-out", metavar="DIR",
                                             help="Where the review sample's review.html and review.xlsx go.")] = Path("out/review"),
    export_totals: Annotated[Optional[Path], typer.Option(
        "--export-totals", metavar="FILE", help="Write the figures, no case ids, as JSON for audit-merge.")] = None,
    unit: Annotated[Optional[str], typer.Option(
        "--unit", metavar="NAME", help="The unit (municipality) the exported totals are named by.")] = None,
    export_caseworkers: Annotated[bool, typer.Option(
        "--export-caseworkers", help="Keep the per-caseworker figures in the exported totals.")] = False,
    dask: Annotated[Optional[str], typer.Option(
        "--dask", metavar="ADDRESS|local[:N]", show_default=False,
        help="Run on a Dask cluster (a scheduler address, or local with N workers); pip install -e '.[scale]'.")] = None,
    results_dir: Annotated[Optional[Path], typer.Option(
        "--results-dir", metavar="DIR", show_default=False,
        help="With --dask --store: the Parquet directory for the per-duty results. Default: out/audit-results/run-N")] = None,
) -> None:
    """Deadline compliance over a caseload as of a date.

    Per rule: the duties, met, met late, overdue, open and exempt, the on-time share and the median
    days late; STAR's early-effort measure, passivity and the most overdue duties. Without case
    files the database is audited and the run stored (see audit-runs, audit-compare).

    \b
    Examples:
      sagsrute audit samples/caseload/ --as-of 2021-12-31 --group-by team
      sagsrute audit --as-of 2021-12-31 --html out/report.html --xlsx out/audit.xlsx
      sagsrute audit samples/caseload/ --series monthly --from 2020-01-01 --to 2021-12-31
      sagsrute audit --as-of 2021-12-31 --review-sample 1 --seed 7 --per caseworker
      sagsrute audit a.jsonl --as-of 2021-12-31 --export-totals out/a.json --unit A
      sagsrute audit big.jsonl --as-of 2021-12-31 --dask local:2
    """
    # SQLAlchemy is loaded only by the commands that use the database (it costs most of a second).
    from engine.io.storage import (add_audit_results, count_cases, finish_audit_run, iter_stored_json, save_ruleset,
                                   snapshot, start_audit_run)

    day = parse_as_of(series_to or as_of)
    months = series_months(series, series_from, day, store)
    ruleset = rules_or_exit(rules_dir)
    from_db = not cases
    if dask is not None and (from_db or overdue_csv):
        fail("--dask audits case files (JSON Lines, Parquet), without --overdue-csv", EXIT_USAGE)
    if dask is not None and dask.startswith("local") and not (dask == "local" or dask[6:].isdigit() and int(dask[6:]) > 0
                                                             and dask[5] == ":"):
        fail(f"--dask {dask}: expected local, local:N (N workers, 1 or more) or a scheduler address", EXIT_USAGE)
    if dask is not None and months:
        fail("--dask and --series: run the series locally (--workers N)", EXIT_USAGE)
    store = (from_db and not months) if store is None else store
    db_engine = where = None
    reading = ExitStack()  # the database's snapshot, held until every case is audited
    if from_db or store:
        db_engine, where = open_db_or_fail(db, create=not from_db, lang=lang.value)  # a read never creates one
    if from_db:
        # One read transaction: the cases counted are the cases audited, whatever an import
        # commits meanwhile (issue 13.3).
        reader = reading.enter_context(snapshot(db_engine))
        total = count_cases(reader)
        if total == 0:
            reading.close()
            fail(f"no cases in the database {where}: import some first (sagsrute import FILE...) or name case files")
        items = db_items(iter_stored_json(reader))
        source = f"db {where}"
    else:
        total = count_items(cases)
        items = file_items(cases)
        source = " ".join(label(p) for p in cases)
    run_id = None
    if store:
        save_ruleset(db_engine, ruleset)
        run_id = start_audit_run(db_engine, day, ruleset.label, source,
                                 {"workers": workers, "lang": lang.value, "rules_dir": str(rules_dir),
                                  **({"dask": dask, "results": "parquet"} if dask else {})})
    overdue_writer = OverdueCsv(overdue_csv, lang.value, csv_dialect.value) if overdue_csv else None
    options = AuditOptions(
        as_of=day, lang=lang.value, workers=workers, top_limit=top,
        on_rows=(lambda rows: add_audit_results(db_engine, run_id, rows)) if store else None,
        on_overdue=overdue_writer.write if overdue_writer else None)
    show_progress = err_console.is_terminal or total > PROGRESS_FROM
    started = time.perf_counter()
    engine = Engine(ruleset) if workers == 1 and dask is None else None
    try:
        if months:  # the audit as of the last month-end is the series' last month
            series_totals = run_series(ruleset, items, months, lang.value, top, engine)
            totals, day = series_totals.totals[-1], months[-1]
        elif dask is not None:
            totals, workers = _run_dask(dask, ruleset, cases, day, lang.value, top, workers,
                                        (results_dir or Path("out") / "audit-results" / f"run-{run_id}") if store else None,
                                        show_progress)
        elif show_progress:
            with Progress(TextColumn(texts.words(texts.AUDIT, lang.value)["progress_bar"]), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn(), console=err_console, transient=err_console.is_terminal) as progress:
                task = progress.add_task("audit", total=total or None)
                options.on_progress = lambda n: progress.advance(task, n)
                totals = run_audit(ruleset, items, options, engine)
        else:
            totals = run_audit(ruleset, items, options, engine)
    finally:
        reading.close()
        if overdue_writer:
            overdue_writer.close()
    seconds = time.perf_counter() - started
    if store:
        finish_audit_run(db_engine, run_id, totals.cases, totals.bad)
    shown_source = texts.words(texts.AUDIT, lang.value)["database"] if from_db else source  # no URL in a report
    meta = AuditMeta(as_of=day, rules_label=ruleset.label, source=shown_source, titles=titles_of(ruleset), run_id=run_id,
                     workers=workers, seconds=seconds, known_through=ruleset.known_through)
    if not quiet and (totals.cases or not totals.bad):  # nothing read at all: the errors say it, no empty tables
        render(console, totals, meta, lang.value, tuple(d.value for d in group_by))
        if months:
            render_series(console, series_totals, meta, lang.value)
    w = texts.words(texts.AUDIT, lang.value)
    n = lambda value: number(value, lang.value)  # noqa: E731
    if csv_dir:
        write_csv_dir(csv_dir, totals, meta, lang.value, csv_dialect.value)
        if months:
            write_series_csv(csv_dir, series_totals, meta, lang.value, csv_dialect.value)
        err_console.print(visible(w["csv_written"].format(path=f"{csv_dir}/")))
    if xlsx:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(xlsx, totals, meta, lang.value)
        if months:
            add_series_sheets(xlsx, series_totals, meta, lang.value)
        err_console.print(visible(w["xlsx_written"].format(path=xlsx)))
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(totals, meta, lang.value, series_totals if months else None), encoding="utf-8")
        err_console.print(visible(w["html_written"].format(path=html)))
    if export_totals:
        from engine.batch.export import document, write_document

        write_document(export_totals, document(totals, day, ruleset.label, ruleset.digest, unit, meta.titles,
                                               export_caseworkers))
        err_console.print(visible(texts.words(texts.SCALE, lang.value)["exported"].format(path=export_totals)))
    if overdue_writer:
        err_console.print(visible(w["overdue_written"].format(n=n(overdue_writer.count), path=overdue_csv)))
    if run_id is not None:
        err_console.print(visible(w["stored"].format(run=run_id, where=where)))
    if review_sample:  # a second pass over the same source: the draw needs every case's key
        write_review(engine or Engine(ruleset), db_items(iter_stored_json(db_engine)) if from_db else file_items(cases),
                     day, review_sample, seed, per, review_out, run_id, lang.value)
    if totals.bad:
        for message in totals.bad_messages:
            print_error_lines(message)
        shown = len(totals.bad_messages)
        err_console.print(Text(w["bad_skipped"].format(n=n(totals.bad))
                               + (w["first_shown"].format(n=shown) if totals.bad > shown else ""), style="red"))
    raise typer.Exit(EXIT_BAD_INPUT if totals.bad else EXIT_OK)


def _run_dask(address: str, ruleset, cases: list[Path], day, lang: str, top: int, workers: int,
              results: Optional[Path], show_progress: bool):
    """The audit on a Dask cluster (engine/batch/distributed.py): the totals and the workers used."""
    from engine.batch.distributed import connect, run_dask, workers_of

    s = texts.words(texts.SCALE, lang)
    with connect(address, workers) as client:
        used = workers_of(client)
        with Progress(TextColumn(texts.words(texts.AUDIT, lang)["progress_bar"]), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, transient=err_console.is_terminal,
                      disable=not show_progress) as progress:
            task = progress.add_task("audit", total=None)
            totals, parts, rows = run_dask(client, ruleset, cases, day, lang, top, results,
                                           lambda done, total: progress.update(task, completed=done, total=total))
    err_console.print(visible(s["dask_parts"].format(parts=number(parts, lang), workers=used,
                                                     where=address if address.startswith("local") else "cluster")))
    if results is not None and rows:
        err_console.print(visible(s["results_written"].format(path=results)))
    return totals, used


def audit_runs(db: DbOption = None, lang: LangOption = DEFAULT_LANG,
               prune: Annotated[bool, typer.Option("--prune", help="Delete old runs (--keep and/or --older-than).")] = False,
               keep: Annotated[Optional[int], typer.Option("--keep", metavar="N", min=0, help="With --prune: keep the N newest.")] = None,
               older_than: Annotated[Optional[int], typer.Option("--older-than", metavar="DAYS", min=0,
                                                                 help="With --prune: delete runs started over DAYS days ago.")] = None) -> None:
    """List the audit runs stored in the database.

    Each run: when it ran, as of which date, with which rules, how many cases and bad cases, and
    where the cases came from.

    \b
    Example:
      sagsrute audit-runs --db team.sqlite
      sagsrute audit-runs --prune --keep 5 --older-than 90
    """
    from engine.io.storage import list_audit_runs

    db_engine, where = open_db_or_fail(db, create=False, lang=lang.value)
    if prune or keep is not None or older_than is not None:
        if not prune or (keep is None and older_than is None):
            raise typer.BadParameter("use --prune with --keep N and/or --older-than DAYS", param_hint="--prune")
        from engine.io.reviews import prune_runs

        gone = prune_runs(db_engine, keep, older_than)
        err_console.print(visible(texts.words(texts.RUNS_PRUNE, lang.value)["pruned"].format(
            n=len(gone), runs=", ".join(f"#{i}" for i in gone) or "–", where=where)))
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
    allow_unfinished: Annotated[bool, typer.Option(
        "--allow-unfinished", help="Compare a run that did not finish (interrupted or still running), with a "
                                   "warning: its figures are incomplete.")] = False,
) -> None:
    """Compare two stored audit runs, rule by rule.

    For each rule the counts of run B with their change from run A, and the on-time share of each.
    A run that did not finish is refused (its figures are incomplete) unless --allow-unfinished.

    \b
    Example:
      sagsrute audit-compare 1 2
    """
    from engine.io.storage import get_audit_run, load_ruleset_snapshot

    db_engine, where = open_db_or_fail(db, create=False, lang=lang.value)
    runs = {}
    storage_words = texts.words(texts.STORAGE, lang.value)
    for run_id in (run_a, run_b):
        run = get_audit_run(db_engine, run_id)
        if run is None:
            fail(f"no audit run #{run_id} in {where} (see sagsrute audit-runs)")
        if run["finished_at"] is None:  # interrupted, killed or still running (issue 13.3)
            if not allow_unfinished:
                fail(storage_words["unfinished_refused"].format(run=run_id))
            err_console.print(Text(visible(storage_words["unfinished_warning"].format(run=run_id)), style="yellow"))
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
