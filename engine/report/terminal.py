"""The audit's terminal summary: rich tables per rule, the STAR measure, passivity and the most
overdue duties (and per-group tables on request)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.totals import STAR_MIN_POPULATION, AuditTotals
from engine.report import AuditMeta, group_label, group_rows, overall, passivity_rows, rule_rows, star_rows, words
from engine.report.safe import clip, visible
from engine.texts import number, percent

TERMINAL_OVERDUE = 15


def _share_text(value, lang: str, decided: int = 10) -> Text:
    style = "dim" if value is None else ("green" if value >= 0.8 else "bold red" if decided >= STAR_MIN_POPULATION else "red")
    return Text(percent(value, lang), style=style)


# The terminal shows what a team lead scans for, under short headers so that it fits 80 columns;
# every count is in the CSV, Excel and HTML reports.
TERMINAL_COUNTS = ("population", "overdue", "open", "on_time_share", "median_days_late")


def _counts_table(title: str, rows: list[dict], w, first: list[tuple[str, str]], lang: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)
    # Fits 80 columns: titles and headers wrap, figures never do (a cut "0.…" says nothing).
    for key, label in first:
        table.add_column(label, ratio=1, min_width=24 if key == "title" else 8)
    for key in TERMINAL_COUNTS:
        table.add_column(w["short_" + key], justify="right", min_width=7, max_width=9)
    for row in rows:
        decided = row["met"] + row["met_late"] + row["overdue"]
        table.add_row(*(clip(group_label(k, row[k], lang) if k != "title" else row[k]) for k, _ in first),
                      number(row["population"], lang),
                      Text(number(row["overdue"], lang), style="red" if row["overdue"] else ""),
                      number(row["open"], lang),
                      _share_text(row["on_time_share"], lang, decided), number(row["median_days_late"], lang))
    return table


def render(console: Console, totals: AuditTotals, meta: AuditMeta, lang: str, group_by: tuple[str, ...] = ()) -> None:
    w = words(lang)
    console.print(Text.assemble((w["title"], "bold"), f"  {w['as_of'].lower()} {meta.as_of}  ",
                                (f"({w['rules'].lower()} {visible(meta.rules_label)})", "dim")))
    everything = overall(totals)
    run = f"  ·  {w['run']} #{meta.run_id}" if meta.run_id is not None else ""
    console.print(f"{w['cases']}: {number(totals.cases, lang)}  ·  {w['bad']}: {number(totals.bad, lang)}  ·  "
                  f"{w['duties']}: {number(everything.population, lang)}  ·  "
                  f"{w['overdue_now']}: {number(everything.overdue, lang)}  ·  "
                  f"{w['on_time']}: {percent(everything.on_time_share, lang)}{run}")
    rows = rule_rows(totals, meta, lang)
    console.print(_counts_table(w["per_rule"], rows, w, [("title", w["rule"])], lang))
    for dim in group_by:
        title = w["by_group"].format(dim=texts.name(texts.DIMENSION_NAMES, dim, lang))
        console.print(_counts_table(title, group_rows(totals, meta, dim, lang), w, [("title", w["rule"]), (dim, w[dim])], lang))
    _star(console, totals, w, lang)
    _passivity(console, totals, w, lang)
    _overdue(console, totals, w, lang)


def _star(console: Console, totals: AuditTotals, w, lang: str) -> None:
    table = Table(title=w["star"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for label in (w["team"], w["cohort"], w["star_conv"], w["share"], w["star_offer"], w["share"]):
        table.add_column(label, justify="right" if label != w["team"] else "left")
    for row in star_rows(totals):
        table.add_row(clip(group_label("team", row["team"], lang)) if row["team"] else Text(w["all"], style="bold"),
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
    table = Table(title=w["passivity"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for label in (w["team"], w["on_benefit"], w["cohort"], w["passive"], w["share"]):
        table.add_column(label, justify="left" if label == w["team"] else "right")
    for row in passivity_rows(totals):
        table.add_row(clip(group_label("team", row["team"], lang)) if row["team"] else Text(w["all"], style="bold"),
                      f"{row['months']} {w['months']}", number(row["population"], lang), number(row["passive"], lang),
                      percent(row["share"], lang))
    console.print(table)


def _overdue(console: Console, totals: AuditTotals, w, lang: str) -> None:
    duties = totals.overdue_list()[:TERMINAL_OVERDUE]
    if not duties:
        return
    table = Table(title=w["top_overdue"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)
    for label, justify, least in ((w["case"], "left", 8), (w["due"], "left", 10), (w["short_days_overdue"], "right", 5),
                                  (w["id"], "left", 20), (w["team"], "left", 6), (w["caseworker"], "left", 6)):
        table.add_column(label, justify=justify, min_width=least, overflow="fold")
    for d in duties:
        table.add_row(clip(d.case_id), str(d.due), Text(number(d.days_overdue, lang), style="red"), visible(d.rule),
                      clip(group_label("team", d.team, lang)), clip(group_label("caseworker", d.caseworker, lang)))
    console.print(table)
    hidden = totals.overdue_count - len(duties)
    if hidden > 0:
        console.print(Text(w["more_overdue_hint"].format(n=number(hidden, lang)), style="dim"))
