"""``sagsrute whatif``: what would a rule change do to these cases?"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from cli.common import (DEFAULT_CSV_DIALECT, DEFAULT_LANG, CsvDialectOption, EXIT_BAD_INPUT, EXIT_OK, AsOf, LangOption, console, err_console, parse_as_of,
                        print_error_lines, rules_or_exit)
from engine import texts
from engine.batch.whatif import WhatIf
from engine.io.loading import read_cases
from engine.report.safe import visible
from engine.report.whatif import CsvStream, render_html, render_terminal
from engine.rulebook.ruleset import DEFAULT_RULES_DIR


HTML_CASES = 5000  # changed cases listed in the HTML page; CSV and JSON list every one


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def whatif(
    case_paths: Annotated[List[Path], typer.Argument(metavar="CASES...", show_default=False,
                                                     help="Case files (YAML, JSON, JSON Lines) or directories.")],
    candidate: Annotated[Path, typer.Option("--candidate", metavar="DIR_OR_FILE", show_default=False,
                                            help="The changed rules: a rule directory or an override file.")],
    baseline: Annotated[Path, typer.Option("--baseline", metavar="DIR", show_default="the bundled rules",
                                           help="The rules as they are: a rule directory.")] = DEFAULT_RULES_DIR,
    as_of: AsOf = None,
    fmt: Annotated[Format, typer.Option("--format", metavar="table|json|csv",
                                        help="table for people, json or csv for tools.")] = Format.table,
    html: Annotated[Optional[Path], typer.Option("--html", metavar="FILE",
                                                 help="Also write a self-contained HTML report to this file.")] = None,
    lang: LangOption = DEFAULT_LANG,
    csv_dialect: CsvDialectOption = DEFAULT_CSV_DIALECT,
    cases: Annotated[int, typer.Option("--cases", metavar="N", min=0,
                                       help="How many changed cases the table lists.")] = 20,
    explain: Annotated[bool, typer.Option("--explain", help="Show the full reason of every change in the table.")] = False,
) -> None:
    """What a rule change would do to a caseload.

    The cases are evaluated under the baseline and the candidate rules. Per rule the duties added, removed and moved, the status changes, and the totals (cases with
    an overdue duty, conversations per month); then the changed cases with the reasons.

    \b
    Example:
      sagsrute whatif samples/caseload/ --candidate samples/overrides/six-conversations.yaml --as-of 2021-12-31
    """
    day = parse_as_of(as_of)
    base = rules_or_exit(baseline)
    cand = rules_or_exit(candidate, base)
    # Keep only the changed cases something will show: all for JSON, up to HTML_CASES for the HTML
    # page, --cases for the table; CSV rows are written as the cases are found.
    keep = None if fmt is Format.json else max(HTML_CASES if html else 0, cases if fmt is Format.table else 0)
    stream = CsvStream(sys.stdout, lang.value, csv_dialect.value) if fmt is Format.csv else None
    report = WhatIf(base, cand).run(read_cases(case_paths), day, lang.value, keep=keep, on_case=stream)
    for error in report.errors:
        print_error_lines(error)
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif fmt is Format.table:
        render_terminal(console, report, lang.value, cases, explain)
        if base.beyond(day):  # issue 15.11: the rules do not know the law on this date (LEGAL)
            console.print(texts.text("beyond_known_law", lang.value, known=base.known_through, as_of=day))
    if html is not None:
        w_wrote = texts.words(texts.WHATIF, lang.value)["wrote"]
        try:
            html.write_text(render_html(report, lang.value), encoding="utf-8")
        except OSError as exc:
            print_error_lines(f"{html}: cannot be written ({exc.strerror})")
            raise typer.Exit(EXIT_BAD_INPUT)
        err_console.print(visible(w_wrote.format(path=html)))
    raise typer.Exit(EXIT_BAD_INPUT if report.errors else EXIT_OK)
