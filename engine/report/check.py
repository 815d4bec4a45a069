"""``check`` for a person: one case's routing, its next step and its duties as a terminal table,
with the rule, source and reasons of each duty on request."""

from __future__ import annotations

from datetime import date
from typing import Optional

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.report.safe import visible
from engine.report.style import STATUS_STYLE
from models.actions import Action, CheckResult, Routing, Status

PENDING = (Status.overdue, Status.open)


def days_text(status: Status, due: date, as_of: date, w) -> str:
    """'45 left', '3 over' or 'today' for an open or overdue duty; nothing for the others."""
    if status in PENDING:
        delta = (due - as_of).days
        if delta == 0:
            return w["today"]
        return w["left"].format(n=delta) if delta > 0 else w["over"].format(n=-delta)
    return ""


def render_routing(console: Console, routing: Routing, lang: str, explain: bool) -> None:
    """A short block above the duties: where the case belongs (engine/core/routing.py)."""
    w = texts.words(texts.CHECK, lang)
    benefit = lambda b: texts.name(texts.BENEFIT_NAMES, b, lang)  # noqa: E731
    parts = [benefit(routing.benefit_route) + (f" ({texts.name(texts.RATE_NAMES, routing.rate, lang)})" if routing.rate else "")]
    if routing.track:
        parts.append(texts.routing_value("track", routing.track, lang))
    if routing.categories:
        current = (texts.name(texts.CATEGORY_NAMES, routing.current_category, lang) if routing.current_category
                   else w["not_assessed"])
        flag = "" if routing.category_valid in (True, None) else f" — {w['invalid']}"
        parts.append(f"{w['categories']}: {texts.routing_value('categories', routing.categories, lang)}; "
                     f"{w['current']}: {current}{flag}")
    if routing.labour_market_distance:
        parts.append(texts.routing_value("labour_market_distance", routing.labour_market_distance, lang))
    if routing.akasse_trial:
        parts.append(texts.routing_value("akasse_trial", routing.akasse_trial, lang))
    console.print(Text.assemble((f"{w['routing']}: ", "bold"), visible(" · ".join(parts)),
                                (f"  ({benefit(routing.benefit)} {w['on']} {routing.decided_on})", "dim")))
    if not routing.benefit_matches_route:
        console.print(Text(f"  ! {w['mismatch'].format(benefit=benefit(routing.benefit))}", style="bold red"))
    if explain:
        for d in routing.decisions:
            value = texts.routing_value(d.aspect, d.value, lang) or w["no_value"]
            source = f" · {d.rule} · {d.source}" if d.rule else ""
            console.print(Text(visible(f"  • {texts.name(texts.ASPECT_NAMES, d.aspect, lang)}: {value} — {d.why}"))
                          + Text(visible(source), style="dim"))


def can_act(action: Action) -> bool:
    """An open or overdue duty that can still be done: its benefit period runs (``Action.actionable``,
    plan §Interfaces 1; where the engine does not say, every open or overdue duty can)."""
    return action.status in PENDING and getattr(action, "actionable", None) is not False


def missed(action: Action) -> bool:
    """An overdue duty whose benefit period has ended: nothing can be done about it any more."""
    return action.status in PENDING and getattr(action, "actionable", None) is False


def next_step(actions: list[Action]) -> Optional[Action]:
    """The case's next step: the most urgent duty that can still be done (earliest due; overdue
    ones first among equals), or None. check, the worklist and the web case page all ask here."""
    todo = [a for a in actions if can_act(a)]
    return min(todo, key=lambda a: (a.due, a.sort_key())) if todo else None


def shown_actions(actions: list[Action], show_all: bool) -> tuple[list[Action], int]:
    """The duties in the order a caseworker acts on them — those that can still be done (overdue
    first, then by due date), then the missed ones, then (with ``show_all``) the met, met late and
    exempt ones — and how many were folded away."""
    todo = [a for a in actions if can_act(a)]
    gone = [a for a in actions if missed(a)]
    done = [a for a in actions if a.status not in PENDING]
    return (todo + gone + done, 0) if show_all else (todo + gone, len(done))


def render_check(console: Console, result: CheckResult, lang: str, explain: bool, show_all: bool = False) -> None:
    w = texts.words(texts.CHECK, lang)
    console.print(Text.assemble((f"{w['case']} {visible(result.case_id)}", "bold"), f"  {w['as_of']} {result.as_of}  ",
                                (f"({w['rules']} {visible(result.rules_version)})", "dim")))
    if result.routing is not None:
        render_routing(console, result.routing, lang, explain)
    if not result.actions:
        console.print(w["none"])
        return
    actions, folded = shown_actions(result.actions, show_all)
    nxt = next_step(actions)
    if nxt is not None:
        console.print(Text.assemble((f"{w['next']}: ", "bold"), (visible(nxt.title), STATUS_STYLE[nxt.status.value]),
                                    f" — {w['due'].lower()} {nxt.due} ({days_text(nxt.status, nxt.due, result.as_of, w)})"))
    else:
        console.print(w["nothing"])
    if actions:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for column in ("status", "due", "days", "progress"):
            table.add_column(w[column], no_wrap=True)
        table.add_column(w["duty"], ratio=1)
        milestones = milestone_labels(result.actions, w)
        for a in actions:
            days = Text(w["missed"], style="dim") if missed(a) else days_text(a.status, a.due, result.as_of, w)
            table.add_row(
                Text(texts.status_label(a.status.value, lang), style=STATUS_STYLE[a.status.value]),
                str(a.due), days, f"{a.progress.done}/{a.progress.required}",
                visible(a.title + milestones.get(id(a), "")),
            )
        console.print(table)
    if folded:
        console.print(Text(w["folded_one" if folded == 1 else "folded"].format(n=folded), style="dim"))
    if explain:
        for a in actions:
            console.print(Text(visible(a.title), style="bold"))
            console.print(Text(visible(f"  {a.rule} · {a.source}"), style="dim"))
            for line in a.why:
                console.print(Text(visible(f"  • {line}")))
        console.print()


def milestone_labels(actions: list[Action], w) -> dict[int, str]:
    """' — milestone 1 of 2' for rules that give one duty per milestone (same rule, same anchor)."""
    groups: dict[tuple, list] = {}
    for a in actions:
        groups.setdefault((a.rule, a.anchor, a.benefit), []).append(a)
    labels = {}
    for group in groups.values():
        if len({a.progress.required for a in group}) > 1:
            ordered = sorted(group, key=lambda a: (a.progress.required, a.due))
            for n, a in enumerate(ordered, start=1):
                labels[id(a)] = w["milestone"].format(n=n, m=len(ordered))
    return labels
