"""The audit's terminal summary: rich tables per rule, the STAR measure, passivity and the most
overdue duties (and per-group tables on request). It reads at 80 columns (engine/report/layout.py):
figures, dates, case ids and names are never cut; titles wrap between words."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.totals import STAR_MIN_POPULATION, AuditTotals
from engine.report import (OVERDUE_COUNTS, AuditMeta, group_label, group_rows, overall,
                           passivity_rows, rule_rows, star_rows, title_of, words)
from engine.report.layout import fits
from engine.report.safe import clip, visible
from engine.texts import number, percent

TERMINAL_OVERDUE = 15

# The terminal shows what a team lead scans for, under short headers; every count is in the CSV,
# Excel and HTML reports.
TERMINAL_COUNTS = ("population", *OVERDUE_COUNTS, "open", "on_time_share", "median_days_late")


def _share_text(value, lang: str, decided: int = 10) -> Text:
    style = "dim" if value is None else ("green" if value >= 0.8 else "bold red" if decided >= STAR_MIN_POPULATION else "red")
    return Text(percent(value, lang), style=style)


def _table(title: str) -> Table:
    return Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)


def _counts_table(title: str, rows: list[dict], w, lang: str, dim: str = "") -> Table:
    """One row per rule: the title wraps, the figures never do. Per group (``dim``), each group's
    value is a heading row over its rules."""
    table = _table(title)
    table.add_column(f"{w[dim]} / {w['rule']}" if dim else w["rule"], ratio=1, overflow="fold")  # a long word breaks, not cut
    for key in TERMINAL_COUNTS:
        table.add_column(w["short_" + key], justify="right", no_wrap=True)
    current = None
    for row in sorted(rows, key=lambda r: r[dim]) if dim else rows:  # stable: rule order within a group
        if dim and row[dim] != current:
            current = row[dim]
            table.add_row(Text(clip(group_label(dim, current, lang)), style="bold"), *[""] * len(TERMINAL_COUNTS))
        decided = row["met"] + row["met_late"] + row["overdue"]
        overdue = [Text(number(row[k], lang), style=("red" if k != "missed" else "dim") if row[k] else "")
                   for k in OVERDUE_COUNTS]
        table.add_row(Padding(Text(visible(row["title"])), (0, 0, 0, 2)) if dim else Text(visible(row["title"])),
                      number(row["population"], lang), *overdue, number(row["open"], lang),
                      _share_text(row["on_time_share"], lang, decided), number(row["median_days_late"], lang))
    return table


def render(console: Console, totals: AuditTotals, meta: AuditMeta, lang: str, group_by: tuple[str, ...] = ()) -> None:
    w = words(lang)
    console.print(Text.assemble((w["title"], "bold"), f"  {w['as_of'].lower()} {meta.as_of}  ",
                                (f"({w['rules'].lower()} {visible(meta.rules_label)})", "dim")))
    everything = overall(totals)
    figures = [(w["cases"], number(totals.cases, lang)), (w["bad"], number(totals.bad, lang)),
               (w["duties"], number(everything.population, lang)), (w["overdue_now"], number(everything.overdue_now, lang))]
    figures.append((w["missed"], number(everything.missed, lang)))
    figures.append((w["on_time"], percent(everything.on_time_share, lang)))
    if totals.uncovered:  # issue 15.5: periods left without a duty by the regime change (LEGAL)
        figures.append((w["uncovered"], number(totals.uncovered, lang)))
    if totals.offers_not_available:  # issue 15.8 (LEGAL)
        figures.append((w["offers_not_available"], number(totals.offers_not_available, lang)))
    if meta.run_id is not None:
        figures.append((w["run"], f"#{meta.run_id}"))
    console.print("  ·  ".join(f"{label}: {value}" for label, value in figures))
    if meta.known_through is not None and meta.as_of > meta.known_through:  # issue 15.11 (LEGAL)
        console.print(Text(texts.text("beyond_known_law", lang, known=meta.known_through, as_of=meta.as_of),
                           style="bold yellow"))
    console.print(_counts_table(w["per_rule"], rule_rows(totals, meta, lang), w, lang))
    for dim in group_by:
        title = w["by_group"].format(dim=texts.name(texts.DIMENSION_NAMES, dim, lang))
        console.print(_counts_table(title, group_rows(totals, meta, dim, lang), w, lang, dim))
    _star(console, totals, w, lang)
    _passivity(console, totals, w, lang)
    from engine.report.measures import render_measures  # STAR's active effort, time to first offer
    render_measures(console, totals, lang)
    _overdue(console, totals, meta, w, lang)


def _team_cell(team, w, lang: str):
    return clip(group_label("team", team, lang)) if team else Text(w["all"], style="bold")


def _star(console: Console, totals: AuditTotals, w, lang: str) -> None:
    table = _table(w["star"])
    table.caption = f"{w['short_star_conv']}: {w['star_conv'].lower()}  ·  {w['short_star_offer']}: {w['star_offer'].lower()}"
    table.caption_justify = "left"
    table.add_column(w["team"], no_wrap=True)
    for label in (w["cohort"], w["short_star_conv"], w["share"], w["short_star_offer"], w["share"]):
        table.add_column(label, justify="right", no_wrap=True)
    for row in star_rows(totals):
        table.add_row(_team_cell(row["team"], w, lang),
                      number(row["cohort"], lang), number(row["four_conversations"], lang),
                      _flagged(row["conversation_share"], row["conversation_flag"], row["cohort"], lang),
                      f"{number(row['with_offer'], lang)}/{number(row['offer_required'], lang)}",
                      _flagged(row["offer_share"], row["offer_flag"], row["offer_required"], lang))
    console.print(table)


def _flagged(value, flag: bool, population: int, lang: str) -> Text:
    if value is None:
        return Text(texts.NO_VALUE, style="dim")
    if flag:
        return Text(f"{percent(value, lang)} ⚑", style="bold red")
    if population < STAR_MIN_POPULATION:
        return Text(percent(value, lang), style="dim")
    return Text(percent(value, lang), style="green" if value >= 0.8 else "")


def _passivity(console: Console, totals: AuditTotals, w, lang: str) -> None:
    table = _table(w["passivity"])
    table.add_column(w["team"], no_wrap=True)
    for label in (w["on_benefit"], w["cohort"], w["passive"], w["share"]):
        table.add_column(label, justify="right")
    for row in passivity_rows(totals):
        table.add_row(_team_cell(row["team"], w, lang), f"{row['months']} {w['months']}", number(row["population"], lang),
                      number(row["passive"], lang), percent(row["share"], lang))
    console.print(table)


def _overdue(console: Console, totals: AuditTotals, meta: AuditMeta, w, lang: str) -> None:
    duties = totals.overdue_list()[:TERMINAL_OVERDUE]
    if not duties:
        return
    rows = [(clip(d.case_id), str(d.due), number(d.days_overdue, lang), visible(title_of(meta, d.rule, lang)),
             clip(group_label("team", d.team, lang)), clip(group_label("caseworker", d.caseworker, lang))) for d in duties]
    table = _table(w["top_overdue_now"])
    for label, justify in ((w["case"], "left"), (w["due"], "left"), (w["short_days_overdue"], "right")):
        table.add_column(label, justify=justify, no_wrap=True)
    table.add_column(w["rule"], ratio=1, overflow="fold")
    table.add_column(f"{w['team']}\n{w['caseworker']}", no_wrap=True)  # one above the other: room for the title
    for case, due, days, title, team, caseworker in rows:
        table.add_row(case, due, Text(days, style="red"), title, f"{team}\n{caseworker}")
    whole = [cell for row in rows for i, cell in enumerate(row) if i != 3]
    whole += [word for row in rows for word in row[3].split()]  # a title wraps between words only
    if fits(console.width, table, whole):
        console.print(table)
    else:  # names or words too long to stand side by side: one block per duty
        blocks = [Text(w["top_overdue_now"], style="bold")]
        for case, due, days, title, team, caseworker in rows:
            blocks.append(Text.assemble((case, "bold"), f"  {w['due']} {due}  ", (days, "red"), f" {w['days']}",
                                        f"  {team} / {caseworker}"))
            blocks.append(Padding(Text(title), (0, 0, 0, 2)))
        console.print(Group(*blocks))
    hidden = totals.overdue_count - len(duties)
    if hidden > 0:
        console.print(Text(w["more_overdue_hint"].format(n=number(hidden, lang)), style="dim"))
