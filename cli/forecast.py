"""``sagsrute forecast``: the conversations and offers that fall due per week in the coming weeks,
per team or caseworker, with the overdue backlog as week 0."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from cli.common import (DEFAULT_CSV_DIALECT, DEFAULT_LANG, CsvDialectOption, EXIT_BAD_INPUT, EXIT_OK, AsOf, DbOption,
                        LangOption, RulesOption, console, err_console, fail, parse_as_of, print_error_lines,
                        rules_or_exit)
from engine import texts
from engine.batch.forecast import run_forecast
from engine.io.sources import db_items, file_items
from engine.report import titles_of
from engine.report.forecast import render_forecast, render_forecast_html, write_forecast_csv, write_forecast_xlsx
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR


class Grouping(str, Enum):
    team = "team"
    caseworker = "caseworker"


def forecast(
    cases: Annotated[Optional[List[Path]], typer.Argument(
        metavar="[CASES...]", show_default=False,
        help="Case files or directories; without them the cases in the database.")] = None,
    db: DbOption = None,
    as_of: AsOf = None,
    weeks: Annotated[int, typer.Option("--weeks", metavar="N", min=1, max=104, help="Weeks ahead.")] = 12,
    group_by: Annotated[Grouping, typer.Option("--group-by", metavar="team|caseworker",
                                               help="Count per team or per caseworker.")] = Grouping.team,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", metavar="FILE", help="Write the weeks as CSV.")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", metavar="FILE", help="Write an Excel workbook.")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", metavar="FILE",
                                                 help="Write an HTML page with a stacked bar chart per week.")] = None,
    csv_dialect: CsvDialectOption = DEFAULT_CSV_DIALECT,
    lang: LangOption = DEFAULT_LANG,
    rules_dir: RulesOption = DEFAULT_RULES_DIR,
) -> None:
    """Conversations and offers to book per week, per group.

    Every open duty by the week it falls due and the recurring ones the rules will create (the next
    conversation window, the next milestone), from each case as known on the as-of date; week 0 is
    the overdue backlog.

    \b
    Example:
      sagsrute forecast samples/caseload/ --as-of 2021-06-30 --weeks 12 --group-by caseworker
    """
    day = parse_as_of(as_of)
    ruleset = rules_or_exit(rules_dir)
    if cases:
        items = file_items(cases)
    else:
        from cli.import_cmd import open_db_or_fail
        from engine.io.storage import count_cases, iter_stored_json

        db_engine, where = open_db_or_fail(db, create=False)
        if count_cases(db_engine) == 0:
            fail(f"no cases in the database {where}: import some first (sagsrute import FILE...) or name case files")
        items = db_items(iter_stored_json(db_engine))
    totals = run_forecast(ruleset, items, day, weeks, group_by.value)
    render_forecast(console, totals, lang.value)
    fw = texts.words(texts.FORECAST, lang.value)
    if csv_file:
        write_forecast_csv(csv_file, totals, lang.value, csv_dialect.value)
        err_console.print(visible(fw["written"].format(what="CSV", path=csv_file)))
    if xlsx:
        write_forecast_xlsx(xlsx, totals, lang.value, titles_of(ruleset))
        err_console.print(visible(fw["written"].format(what="Excel", path=xlsx)))
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_forecast_html(totals, lang.value), encoding="utf-8")
        err_console.print(visible(fw["written"].format(what="HTML", path=html)))
    for _, message in totals.bad_first:
        print_error_lines(message)
    raise typer.Exit(EXIT_BAD_INPUT if totals.bad else EXIT_OK)
