"""``sagsrute whatif``: what would a rule change do to these cases?"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_OK, AsOf, LangOption, console, err_console, parse_as_of,
                        print_error_lines, rules_or_exit)
from engine.report.safe import visible
from engine.report.whatif import WORDS, CsvStream, render_html
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from cli.check import LABEL
from engine.batch.whatif import NONE, WhatIf, WhatIfReport
from models.actions import Status
from engine.io.loading import read_cases


HTML_CASES = 5000  # changed cases listed in the HTML page; CSV and JSON list every one


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


STYLE = {"overdue": "bold red", "open": "yellow", "met": "green", "met_late": "magenta", "exempt": "dim", "—": "dim"}


def _signed(n) -> str:
    return f"+{n}" if n > 0 else str(n)


def _status(value: str, lang: str) -> Text:
    return Text(value if value == NONE else LABEL[lang][Status(value)], style=STYLE[value])


def _side(action, lang: str) -> Text:
    if action is None:
        return Text(NONE, style="dim")
    return Text.assemble(_status(action.status.value, lang), f" {action.due} {action.progress.done}/{action.progress.required}")


# Short column headings for the terminal (the HTML report has room for the long ones).
SHORT = {
    "en": {"added": "New", "removed": "Gone", "moved": "Moved", "moved_days": "Days min/med/max",
           "required": "Req.", "counted": "Count"},
    "da": {"added": "Nye", "removed": "Bortf.", "moved": "Flyttet", "moved_days": "Dage min/med/maks",
           "required": "Krav", "counted": "Optalt"},
}


def _rule_tables(summaries, w: dict, lang: str) -> None:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["rules"], title_justify="left")
    for col in ("rule", "added", "removed", "moved", "moved_days", "required", "counted"):
        # 80 columns: a long rule id folds rather than squeezing the figures to "…"; headers wrap
        heading = SHORT[lang].get(col, w[col])
        if col == "rule":
            table.add_column(heading, overflow="fold", ratio=1, min_width=18)
        else:
            table.add_column(heading, justify="right", min_width=11 if col == "moved_days" else len(heading))
    for s in summaries:
        m = s.moved_stats()
        table.add_row(visible(s.rule), str(s.added), str(s.removed), str(m["count"] if m else 0),
                      f"{m['min']}/{m['median']}/{m['max']}" if m else "—", str(s.required_changed),
                      str(s.counted_changed))
    console.print(table)
    transitions = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["transitions"], title_justify="left")
    for col in ("rule", "from", "to", "count"):
        transitions.add_column(w[col], justify="right" if col == "count" else "left", no_wrap=col == "rule")
    for s in summaries:
        for (f, to), n in sorted(s.transitions.items()):
            transitions.add_row(visible(s.rule), _status(f, lang), _status(to, lang), str(n))
    if transitions.row_count:
        console.print(transitions)


def render_table(report: WhatIfReport, lang: str, show_cases: int, explain: bool) -> None:
    w = WORDS[lang]
    t = report.totals()
    conv = t["conversations"]
    console.print(Text(visible(f"{w['title']}: {report.candidate}"), style="bold"))
    console.print(Text(visible(f"{w['baseline']}: {report.baseline}  {w['as_of']} {report.as_of}"), style="dim"))
    console.print(f"{t['cases']} {w['cases']}, {t['changed_cases']} {w['changed']}, {t['changes']} {w['duties_changed']}"
                  + (f", {t['bad_cases']} {w['bad']}" if t["bad_cases"] else ""))
    over = t["overdue_cases"]
    console.print(f"{w['overdue_line']}: {over['baseline']} → {over['candidate']} ({_signed(over['difference'])})")
    console.print(f"{w['conv_line']}: {conv['baseline']} → {conv['candidate']} ({_signed(conv['difference'])})"
                  + (", " + w["conv_avg"].format(months=conv["months"], avg=_signed(conv["average_per_month"]))
                     if conv["months"] else ""))
    summaries = report.rule_summaries()
    if not summaries and not report.routing:
        console.print(w["none"])
        return
    if summaries:
        _rule_tables(summaries, w, lang)
    if report.routing:
        routing = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["routing"], title_justify="left")
        for col in ("aspect", "from", "to", "cases_word"):
            routing.add_column(w[col], justify="right" if col == "cases_word" else "left")
        for (aspect, before, after), n in sorted(report.routing.items()):
            routing.add_row(visible(aspect), visible(before), visible(after), str(n))
        console.print(routing)
    months = {m: v for m, v in conv["per_month"].items() if v}
    if months:
        console.print(Text(w["months"], style="bold"))
        for year in sorted({m[:4] for m in months}):  # one line a year keeps the months readable
            console.print(f"  {year}: " + "  ".join(f"{m[5:]}: {_signed(v)}" for m, v in months.items() if m[:4] == year))
    console.print(Text(f"{w['per_case']} ({report.changed_cases})", style="bold"))
    for case in report.changed[:show_cases]:
        console.print(Text(visible(case.case_id), style="bold"), Text(visible(f"  {case.source}"), style="dim"), soft_wrap=True)
        for change in case.changes:
            days = "" if change.days_moved is None else "  " + w["moved_by"].format(days=_signed(change.days_moved))
            anchor = str(change.anchor)
            if change.baseline is not None and change.baseline.anchor != change.anchor:
                anchor = f"{change.baseline.anchor} → {change.anchor}"
            console.print(Text(visible(f"  {w[change.kind + '_kind']} {change.rule} ({change.benefit} {anchor})")))
            console.print(Text.assemble("    ", _side(change.baseline, lang), " → ", _side(change.candidate, lang), days))
            for line in change.why if explain else change.why[-2:]:
                console.print(Text(visible(f"      • {line}"), style="dim"))
        for change in case.routing:
            console.print(Text(visible(f"  routing {change.aspect}: {change.before} → {change.after}")))
            for line in change.why:
                console.print(Text(visible(f"      • {line}"), style="dim"))
    shown = min(show_cases, len(report.changed))
    if report.changed_cases > shown:
        console.print(Text(f"… {report.changed_cases - shown} {w['more_cases']}: --cases N, "
                           "--format json/csv, --html", style="dim"))


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
    stream = CsvStream(sys.stdout) if fmt is Format.csv else None
    report = WhatIf(base, cand).run(read_cases(case_paths), day, lang.value, keep=keep, on_case=stream)
    for error in report.errors:
        print_error_lines(error)
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif fmt is Format.table:
        render_table(report, lang.value, cases, explain)
    if html is not None:
        try:
            html.write_text(render_html(report, lang.value), encoding="utf-8")
        except OSError as exc:
            print_error_lines(f"{html}: cannot be written ({exc.strerror})")
            raise typer.Exit(EXIT_BAD_INPUT)
        err_console.print(visible(f"wrote {html}"))
    raise typer.Exit(EXIT_BAD_INPUT if report.errors else EXIT_OK)
