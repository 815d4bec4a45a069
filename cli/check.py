"""``sagsrute check``: what does this case need next, and by when?"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli.common import (EXIT_BAD_INPUT, EXIT_ENGINE_FAULT, EXIT_OK, EXIT_USAGE, Lang, console, fail, parse_as_of,
                        print_error_lines, rules_or_exit)
from engine import texts
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
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
LABEL = {
    "da": {Status.overdue: "overskredet", Status.open: "åben", Status.met: "opfyldt",
           Status.met_late: "opfyldt for sent", Status.exempt: "fritaget"},
    "en": {Status.overdue: "overdue", Status.open: "open", Status.met: "met",
           Status.met_late: "met late", Status.exempt: "exempt"},
}
WORDS = {
    "da": {"case": "Sag", "as_of": "pr.", "next": "Næste skridt", "nothing": "Ingen åbne pligter.",
           "status": "Status", "due": "Frist", "days": "Dage", "duty": "Pligt", "progress": "Fremdrift",
           "source": "Kilde", "left": "{n} tilbage", "over": "{n} over", "today": "i dag", "none": "Ingen pligter gælder for sagen på denne dato.",
           "rules": "regler", "milestone": " — delmål {n} af {m}"},
    "en": {"case": "Case", "as_of": "as of", "next": "Next step", "nothing": "No open duties.",
           "status": "Status", "due": "Due", "days": "Days", "duty": "Duty", "progress": "Progress",
           "source": "Source", "left": "{n} left", "over": "{n} over", "today": "today", "none": "No duties apply to this case on this date.",
           "rules": "rules", "milestone": " — milestone {n} of {m}"},
}


def _days(status: Status, due: date, as_of: date, w: dict) -> str:
    if status in (Status.open, Status.overdue):
        delta = (due - as_of).days
        if delta == 0:
            return w["today"]
        return w["left"].format(n=delta) if delta > 0 else w["over"].format(n=-delta)
    return ""


ROUTING_WORDS = {
    "da": {"routing": "Visitation", "on": "på", "route": "ydelse", "rate": {"youth": "ungesats", "adult": "voksensats"},
           "track": {"education": "uddannelsesspor", "job": "jobspor"}, "categories": "kategorier",
           "current": "aktuel", "none": "ingen", "invalid": "passer ikke til gruppen", "not_assessed": "ikke visiteret",
           "distance": {"close": "tæt på arbejdsmarkedet", "far": "længere fra arbejdsmarkedet"},
           "trial": {"akasse": "kontaktforløb i a-kassen (forsøg)", "jobcenter": "kontaktforløb i jobcentret"},
           "mismatch": "registreret ydelse {benefit} svarer ikke til visitationen"},
    "en": {"routing": "Routing", "on": "on", "route": "benefit", "rate": {"youth": "youth rate", "adult": "adult rate"},
           "track": {"education": "education track", "job": "job track"}, "categories": "categories",
           "current": "current", "none": "none", "invalid": "not valid for the group", "not_assessed": "not assessed",
           "distance": {"close": "close to the labour market", "far": "far from the labour market"},
           "trial": {"akasse": "contact course in the a-kasse (trial)", "jobcenter": "contact course in the jobcenter"},
           "mismatch": "recorded benefit {benefit} differs from the route"},
}


def render_routing(routing: Routing, lang: str, explain: bool) -> None:
    """A short block above the duties: where the case belongs (engine/core/routing.py)."""
    w = ROUTING_WORDS[lang]
    benefit = lambda b: texts.name(texts.BENEFIT_NAMES, b, lang)  # noqa: E731
    parts = [benefit(routing.benefit_route) + (f" ({w['rate'][routing.rate]})" if routing.rate else "")]
    if routing.track:
        parts.append(w["track"][routing.track])
    if routing.categories:
        current = routing.current_category or w["not_assessed"]
        flag = "" if routing.category_valid in (True, None) else f" — {w['invalid']}"
        parts.append(f"{w['categories']}: {' / '.join(c.replace('_', ' ') for c in routing.categories)}; "
                     f"{w['current']}: {current.replace('_', ' ')}{flag}")
    if routing.labour_market_distance:
        parts.append(w["distance"][routing.labour_market_distance])
    if routing.akasse_trial:
        parts.append(w["trial"][routing.akasse_trial])
    console.print(Text.assemble((f"{w['routing']}: ", "bold"), " · ".join(parts),
                                (f"  ({benefit(routing.benefit)} {w['on']} {routing.decided_on})", "dim")))
    if not routing.benefit_matches_route:
        console.print(Text(f"  ! {w['mismatch'].format(benefit=benefit(routing.benefit))}", style="bold red"))
    if explain:
        for d in routing.decisions:
            value = " / ".join(d.value) if isinstance(d.value, list) else (d.value or w["none"])
            source = f" · {d.rule} · {d.source}" if d.rule else ""
            console.print(Text(f"  • {d.aspect} = {value}: {d.why}", style="")
                          + Text(source, style="dim"))


def render_table(result: CheckResult, lang: str, explain: bool) -> None:
    w = WORDS[lang]
    console.print(Text.assemble((f"{w['case']} {result.case_id}", "bold"), f"  {w['as_of']} {result.as_of}  ",
                                (f"({w['rules']} {result.rules_version})", "dim")))
    if result.routing is not None:
        render_routing(result.routing, lang, explain)
    pending = [a for a in result.actions if a.status in (Status.overdue, Status.open)]
    if not result.actions:
        console.print(w["none"])
        return
    if pending:
        nxt = pending[0]
        console.print(Text.assemble((f"{w['next']}: ", "bold"), (nxt.title, STYLE[nxt.status]),
                                    f" — {w['due'].lower()} {nxt.due} ({_days(nxt.status, nxt.due, result.as_of, w)})"))
    else:
        console.print(w["nothing"])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("status", "due", "days", "progress", "duty"):
        table.add_column(w[column], no_wrap=column != "duty")
    milestones = _milestone_labels(result, w)
    for a in result.actions:
        table.add_row(
            Text(LABEL[lang][a.status], style=STYLE[a.status]),
            str(a.due),
            _days(a.status, a.due, result.as_of, w),
            f"{a.progress.done}/{a.progress.required}",
            a.title + milestones.get(id(a), ""),
        )
    console.print(table)
    if explain:
        for a in result.actions:
            console.print(Text(a.title, style="bold"))
            console.print(Text(f"  {a.rule} · {a.source}", style="dim"))
            for line in a.why:
                console.print(Text(f"  • {line}"))
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
    case_files: List[Path] = typer.Argument(..., metavar="CASE_FILE...", help="Case files (YAML, JSON, JSON Lines) or directories."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate as of this date (YYYY-MM-DD); default today."),
    fmt: Format = typer.Option(Format.table, "--format", help="table for people, json for tools (contract §3)."),
    lang: Lang = typer.Option(Lang.da, "--lang", help="Language of titles and reasons."),
    explain: bool = typer.Option(False, "--explain", help="Show why each duty applies and how its status follows."),
    trace: bool = typer.Option(False, "--trace", help="With --format json: each action's trace, the steps that decided it."),
    rules_dir: Path = typer.Option(DEFAULT_RULES_DIR, "--rules", help="A rule directory, or an override file applied to the bundled rules."),
) -> None:
    """What does this case need next, and by when? Exit 0 evaluated, 1 bad input, 2 usage."""
    day = parse_as_of(as_of)
    if trace and fmt is not Format.json:
        fail("--trace needs --format json", EXIT_USAGE)
    engine = Engine(rules_or_exit(rules_dir))
    bad = 0
    results = []
    for loaded in read_cases(case_files, unique_ids=True):
        if isinstance(loaded, InputError):
            bad += 1
            print_error_lines(str(loaded))
            continue
        try:
            result = engine.check(loaded.case, day, lang.value, trace=trace)
        except DurableRulesFault as exc:  # never trust any answer after this: stop, loudly
            fail(f"durable_rules misbehaved on {loaded.source}; no result is given: {exc}", EXIT_ENGINE_FAULT)
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
