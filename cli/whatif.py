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
from engine import texts
from engine.batch.whatif import NONE, WhatIf, WhatIfReport
from engine.io.loading import read_cases
from engine.report.whatif import CsvStream, render_html, routing_value
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from engine.texts import number, signed


HTML_CASES = 5000  # changed cases listed in the HTML page; CSV and JSON list every one


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


STYLE = {"overdue": "bold red", "open": "yellow", "met": "green", "met_late": "magenta", "exempt": "dim", "—": "dim"}


def _status(value: str, lang: str) -> Text:
    return Text(texts.status_label(value, lang), style=STYLE[value])


def _side(action, lang: str) -> Text:
    if action is None:
        return Text(NONE, style="dim")
    return Text.assemble(_status(action.status.value, lang), f" {action.due} {action.progress.done}/{action.progress.required}")


def _rule_tables(summaries, w, lang: str) -> None:
    n = lambda value: number(value, lang)  # noqa: E731
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["rules"], title_justify="left")
    for col in ("rule", "added", "removed", "moved", "moved_days", "required", "counted"):
        # 80 columns: a long rule id folds rather than squeezing the figures to "…"; headers wrap
        heading = w.get("short_" + col, w[col])
        if col == "rule":
            table.add_column(heading, overflow="fold", ratio=1, min_width=18)
        else:
            table.add_column(heading, justify="right", min_width=11 if col == "moved_days" else len(heading))
    for s in summaries:
        m = s.moved_stats()
        table.add_row(visible(s.rule), n(s.added), n(s.removed), n(m["count"] if m else 0),
                      f"{n(m['min'])}/{n(m['median'])}/{n(m['max'])}" if m else "—", n(s.required_changed),
                      n(s.counted_changed))
    console.print(table)
    transitions = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["transitions"], title_justify="left")
    for col in ("rule", "from", "to", "count"):
        transitions.add_column(w[col], justify="right" if col == "count" else "left", no_wrap=col == "rule")
    for s in summaries:
        for (f, to), count in sorted(s.transitions.items()):
            transitions.add_row(visible(s.rule), _status(f, lang), _status(to, lang), n(count))
    if transitions.row_count:
        console.print(transitions)


def render_table(report: WhatIfReport, lang: str, show_cases: int, explain: bool) -> None:
    w = texts.words(texts.WHATIF, lang)
    n = lambda value: number(value, lang)  # noqa: E731
    sign = lambda value: signed(value, lang)  # noqa: E731
    t = report.totals()
    conv = t["conversations"]
    console.print(Text(visible(f"{w['title']}: {report.candidate}"), style="bold"))
    console.print(Text(visible(f"{w['baseline']}: {report.baseline}  {w['as_of']} {report.as_of}"), style="dim"))
    console.print(f"{n(t['cases'])} {w['cases']}, {n(t['changed_cases'])} {w['changed']}, "
                  f"{n(t['changes'])} {w['duties_changed']}" + (f", {n(t['bad_cases'])} {w['bad']}" if t["bad_cases"] else ""))
    over = t["overdue_cases"]
    console.print(f"{w['overdue_line']}: {n(over['baseline'])} → {n(over['candidate'])} ({sign(over['difference'])})")
    console.print(f"{w['conv_line']}: {n(conv['baseline'])} → {n(conv['candidate'])} ({sign(conv['difference'])})"
                  + (", " + w["conv_avg"].format(months=n(conv["months"]), avg=sign(conv["average_per_month"]))
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
        for (aspect, before, after), count in sorted(report.routing.items()):
            routing.add_row(texts.name(texts.ASPECT_NAMES, aspect, lang), visible(routing_value(aspect, before, lang)),
                            visible(routing_value(aspect, after, lang)), n(count))
        console.print(routing)
    months = {m: v for m, v in conv["per_month"].items() if v}
    if months:
        console.print(Text(w["months"], style="bold"))
        for year in sorted({m[:4] for m in months}):  # one line a year keeps the months readable
            console.print(f"  {year}: " + "  ".join(f"{m[5:]}: {sign(v)}" for m, v in months.items() if m[:4] == year))
    console.print(Text(f"{w['per_case']} ({n(report.changed_cases)})", style="bold"))
    for case in report.changed[:show_cases]:
        console.print(Text(visible(case.case_id), style="bold"), Text(visible(f"  {case.source}"), style="dim"), soft_wrap=True)
        for change in case.changes:
            days = "" if change.days_moved is None else "  " + w["moved_by"].format(days=sign(change.days_moved))
            anchor = str(change.anchor)
            if change.baseline is not None and change.baseline.anchor != change.anchor:
                anchor = f"{change.baseline.anchor} → {change.anchor}"
            benefit = texts.name(texts.BENEFIT_NAMES, change.benefit, lang) if change.benefit else ""
            console.print(Text(visible(f"  {w[change.kind + '_kind']} {change.rule} ({benefit} {anchor})")))
            console.print(Text.assemble("    ", _side(change.baseline, lang), " → ", _side(change.candidate, lang), days))
            for line in change.why if explain else change.why[-2:]:
                console.print(Text(visible(f"      • {line}"), style="dim"))
        for change in case.routing:
            console.print(Text(visible(f"  {w['routing_kind']} {texts.name(texts.ASPECT_NAMES, change.aspect, lang)}: "
                                       f"{routing_value(change.aspect, change.before, lang)} → "
                                       f"{routing_value(change.aspect, change.after, lang)}")))
            for line in change.why:
                console.print(Text(visible(f"      • {line}"), style="dim"))
    shown = min(show_cases, len(report.changed))
    if report.changed_cases > shown:
        console.print(Text("… " + w["more_cases"].format(n=n(report.changed_cases - shown)), style="dim"))


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
        w_wrote = texts.words(texts.WHATIF, lang.value)["wrote"]
        try:
            html.write_text(render_html(report, lang.value), encoding="utf-8")
        except OSError as exc:
            print_error_lines(f"{html}: cannot be written ({exc.strerror})")
            raise typer.Exit(EXIT_BAD_INPUT)
        err_console.print(visible(w_wrote.format(path=html)))
    raise typer.Exit(EXIT_BAD_INPUT if report.errors else EXIT_OK)
