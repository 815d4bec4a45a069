"""``sagsrute check``: what does this case need next, and by when?"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, List

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_OK, AsOf, LangOption, RulesOption, console, parse_as_of,
                        print_error_lines, rules_or_exit)
from engine import texts
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from models.actions import CheckResult, Routing, Status
from engine.io.loading import InputError, is_batch, read_cases


class Format(str, Enum):
    table = "table"
    json = "json"


STYLE = {
    Status.overdue: "bold red",
    Status.open: "yellow",
    Status.met: "green",
    Status.met_late: "magenta",
    Status.exempt: "dim",
}
def _days(status: Status, due: date, as_of: date, w: dict) -> str:
    if status in (Status.open, Status.overdue):
        delta = (due - as_of).days
        if delta == 0:
            return w["today"]
        return w["left"].format(n=delta) if delta > 0 else w["over"].format(n=-delta)
    return ""


def render_routing(routing: Routing, lang: str, explain: bool) -> None:
    """A short block above the duties: where the case belongs (engine/core/routing.py)."""
    w = texts.words(texts.CHECK, lang)
    benefit = lambda b: texts.name(texts.BENEFIT_NAMES, b, lang)  # noqa: E731
    category = lambda c: texts.name(texts.CATEGORY_NAMES, c, lang)  # noqa: E731
    parts = [benefit(routing.benefit_route) + (f" ({texts.name(texts.RATE_NAMES, routing.rate, lang)})" if routing.rate else "")]
    if routing.track:
        parts.append(texts.name(texts.TRACK_NAMES, routing.track, lang))
    if routing.categories:
        current = category(routing.current_category) if routing.current_category else w["not_assessed"]
        flag = "" if routing.category_valid in (True, None) else f" — {w['invalid']}"
        parts.append(f"{w['categories']}: {' / '.join(category(c) for c in routing.categories)}; "
                     f"{w['current']}: {current}{flag}")
    if routing.labour_market_distance:
        parts.append(texts.name(texts.DISTANCE_NAMES, routing.labour_market_distance, lang))
    if routing.akasse_trial:
        parts.append(texts.name(texts.TRIAL_NAMES, routing.akasse_trial, lang))
    console.print(Text.assemble((f"{w['routing']}: ", "bold"), visible(" · ".join(parts)),
                                (f"  ({benefit(routing.benefit)} {w['on']} {routing.decided_on})", "dim")))
    if not routing.benefit_matches_route:
        console.print(Text(f"  ! {w['mismatch'].format(benefit=benefit(routing.benefit))}", style="bold red"))
    if explain:
        for d in routing.decisions:
            value = _routing_value(d.aspect, d.value, lang) or w["no_value"]
            source = f" · {d.rule} · {d.source}" if d.rule else ""
            console.print(Text(visible(f"  • {texts.name(texts.ASPECT_NAMES, d.aspect, lang)}: {value} — {d.why}"))
                          + Text(visible(source), style="dim"))


def _routing_value(aspect: str, value, lang: str) -> str:
    """A decision's value in words (check --explain): benefit, rate, track, categories…"""
    if isinstance(value, list):
        return " / ".join(texts.name(texts.CATEGORY_NAMES, v, lang) for v in value)
    if isinstance(value, bool):
        return texts.name(texts.YES_NO, "yes" if value else "no", lang)
    tables = {"benefit_route": texts.BENEFIT_NAMES, "rate": texts.RATE_NAMES, "track": texts.TRACK_NAMES,
              "labour_market_distance": texts.DISTANCE_NAMES, "akasse_trial": texts.TRIAL_NAMES}
    return texts.name(tables[aspect], value, lang) if value and aspect in tables else (value or "")


def render_table(result: CheckResult, lang: str, explain: bool) -> None:
    w = texts.words(texts.CHECK, lang)
    console.print(Text.assemble((f"{w['case']} {visible(result.case_id)}", "bold"), f"  {w['as_of']} {result.as_of}  ",
                                (f"({w['rules']} {visible(result.rules_version)})", "dim")))
    if result.routing is not None:
        render_routing(result.routing, lang, explain)
    pending = [a for a in result.actions if a.status in (Status.overdue, Status.open)]
    if not result.actions:
        console.print(w["none"])
        return
    if pending:
        nxt = pending[0]
        console.print(Text.assemble((f"{w['next']}: ", "bold"), (visible(nxt.title), STYLE[nxt.status]),
                                    f" — {w['due'].lower()} {nxt.due} ({_days(nxt.status, nxt.due, result.as_of, w)})"))
    else:
        console.print(w["nothing"])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("status", "due", "days", "progress", "duty"):
        table.add_column(w[column], no_wrap=column != "duty")
    milestones = _milestone_labels(result, w)
    for a in result.actions:
        table.add_row(
            Text(texts.status_label(a.status.value, lang), style=STYLE[a.status]),
            str(a.due),
            _days(a.status, a.due, result.as_of, w),
            f"{a.progress.done}/{a.progress.required}",
            visible(a.title + milestones.get(id(a), "")),
        )
    console.print(table)
    if explain:
        for a in result.actions:
            console.print(Text(visible(a.title), style="bold"))
            console.print(Text(visible(f"  {a.rule} · {a.source}"), style="dim"))
            for line in a.why:
                console.print(Text(visible(f"  • {line}")))
        console.print()


def _milestone_labels(result: CheckResult, w: dict) -> dict[int, str]:
    """' — milestone 1 of 2' for rules that give one duty per milestone (same rule, same anchor)."""
    groups: dict[tuple, list] = {}
    for a in result.actions:
        groups.setdefault((a.rule, a.anchor, a.benefit), []).append(a)
    labels = {}
    for group in groups.values():
        if len({a.progress.required for a in group}) > 1:
            ordered = sorted(group, key=lambda a: (a.progress.required, a.due))
            for n, a in enumerate(ordered, start=1):
                labels[id(a)] = w["milestone"].format(n=n, m=len(ordered))
    return labels


def check(
    case_files: Annotated[List[Path], typer.Argument(metavar="CASE_FILE...", show_default=False,
                                                     help="Case files (YAML, JSON, JSON Lines) or directories of them.")],
    as_of: AsOf = None,
    fmt: Annotated[Format, typer.Option("--format", metavar="table|json",
                                        help="table for people, json for tools (the contract's §3).")] = Format.table,
    lang: LangOption = DEFAULT_LANG,
    explain: Annotated[bool, typer.Option("--explain", help="Show why each duty applies and how its status follows.")] = False,
    rules_dir: RulesOption = DEFAULT_RULES_DIR,
) -> None:
    """What a case needs next, and by when.

    Prints the case's routing, its next step and every duty with its due date and status; with
    --explain also the rule, its legal source and the reasons. Bad cases are reported and the
    good ones still evaluated.

    \b
    Example:
      sagsrute check samples/cases/kontanthjaelp-jobparat-2021.yaml --as-of 2021-08-16
    """
    day = parse_as_of(as_of)
    engine = Engine(rules_or_exit(rules_dir))
    bad = 0
    results = []
    for loaded in read_cases(case_files, unique_ids=True):
        if isinstance(loaded, InputError):
            bad += 1
            print_error_lines(str(loaded))
            continue
        try:
            result = engine.check(loaded.case, day, lang.value)
        except DurableRulesFault as exc:  # to the boundary (exit 3: no answer trusted), naming the case
            raise DurableRulesFault(f"on {loaded.source}: {exc}") from exc
        except (ValueError, OverflowError) as exc:  # a case the engine cannot evaluate; the others go on
            bad += 1
            print_error_lines(f"{loaded.source}: (case): cannot be evaluated ({exc})")
            continue
        if fmt is Format.json:
            results.append(result.to_contract())
        else:
            if results:
                console.print()
            results.append(result)
            render_table(result, lang.value, explain)
    if fmt is Format.json:
        # One case file gives one object (contract §3); a batch (several files, a directory, JSON
        # Lines) gives a list in input order, whatever number of its cases were good.
        if is_batch(case_files):
            typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        elif results:
            typer.echo(json.dumps(results[0], ensure_ascii=False, indent=2))
    raise typer.Exit(EXIT_BAD_INPUT if bad else EXIT_OK)
