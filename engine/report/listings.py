"""The small tables of the command line: an import's files, the stored audit runs, two runs
compared rule by rule, and the rule list."""

from __future__ import annotations

from typing import Iterable

from rich import box
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.totals import STATUSES, Tally
from engine.report import heading
from engine.report.safe import clip, visible
from engine.texts import number, percent, signed


def import_table(reports: Iterable, where: str, lang: str) -> Table:
    """One row per file of an import (engine/io/importer.py FileReport) and a total."""
    reports = list(reports)
    w = texts.words(texts.IMPORT, lang)
    table = Table(title=visible(w["title"].format(where=where)), box=box.SIMPLE_HEAD)
    table.add_column(w["file"], overflow="fold")
    for column, style in (("imported", "green"), ("updated", "cyan"), ("unchanged", "dim"), ("rejected", "red")):
        table.add_column(w[column], justify="right", style=style)
    totals = [0, 0, 0, 0]
    for r in reports:
        counts = [r.imported, r.updated, r.unchanged, len(r.rejected)]
        totals = [a + b for a, b in zip(totals, counts)]
        name = Text(clip(r.file))
        if r.failed:
            name.append(w["failed"], style="bold red")
        table.add_row(name, *(number(c, lang) for c in counts))
    if len(reports) > 1:
        table.add_section()
        table.add_row(w["total"], *(number(c, lang) for c in totals), style="bold")
    return table


def runs_table(runs: list[dict], where: str, lang: str) -> Table:
    """The stored audit runs (engine/io/storage.py list_audit_runs)."""
    w = texts.words(texts.RUNS, lang)
    table = Table(title=visible(w["title"].format(where=where)), box=box.SIMPLE_HEAD)
    for column in ("run", "started", "as_of", "rules", "cases", "bad", "source"):
        table.add_column(w[column], justify="right" if column in ("run", "cases", "bad") else "left", overflow="fold")
    for run in runs:
        started = run["started_at"].strftime("%Y-%m-%d %H:%M") if run["started_at"] else ""
        state = "" if run["finished_at"] else " " + w["unfinished"]
        table.add_row(str(run["id"]), started + state, str(run["as_of"]), visible(run["rules_label"]),
                      number(run["case_count"], lang), number(run["bad_count"], lang), clip(run["source"]))
    return table


def compare_title(a: dict, b: dict, lang: str) -> Text:
    w = texts.words(texts.RUNS, lang)
    return Text.assemble((w["compare"], "bold"), "  ", visible(w["compare_runs"].format(
        a=a["id"], a_as_of=a["as_of"], a_rules=a["rules_label"], b=b["id"], b_as_of=b["as_of"], b_rules=b["rules_label"])))


def compare_table(a: dict[str, Tally], b: dict[str, Tally], lang: str) -> Table:
    """Per rule: run B's counts with their change from run A, and both on-time shares."""
    w = texts.words(texts.RUNS, lang)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(w["rule"], no_wrap=True, overflow="ellipsis", min_width=14, max_width=30)
    for column in ("population",) + STATUSES:
        table.add_column(heading(column, lang), justify="right", no_wrap=True, min_width=6)
    table.add_column(w["on_time"], justify="right", no_wrap=True, min_width=15)
    for rule in sorted(set(a) | set(b)):
        ta, tb = a.get(rule, Tally()), b.get(rule, Tally())
        cells = [_delta(ta.population, tb.population, lang)]
        cells += [_delta(ta.counts[s], tb.counts[s], lang, bad=s == "overdue") for s in STATUSES]
        cells.append(f"{percent(ta.on_time_share, lang)} → {percent(tb.on_time_share, lang)}".replace(" %", "%"))
        table.add_row(visible(rule), *cells)
    return table


def _delta(old: int, new: int, lang: str, bad: bool = False) -> Text:
    change = new - old
    if not change:
        return Text(number(new, lang), style="dim")
    style = ("red" if change > 0 else "green") if bad else ""
    return Text(f"{number(new, lang)} {signed(change, lang)}", style=style)


def validity(rule) -> str:
    return f"{rule.valid.from_} – {rule.valid.to or ''}".rstrip()


def rules_table(ruleset, lang: str) -> Table:
    """Every rule: id, title, validity and source."""
    w = texts.words(texts.RULES_LIST, lang)
    # 80 columns: the id and the source are never cut (they are what one types and looks up next)
    table = Table(title=visible(w["title"].format(label=ruleset.label, n=len(ruleset.rules))), box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column(w["id"], overflow="fold", min_width=22)
    table.add_column(w["rule"], ratio=1)
    table.add_column(w["in_force"], min_width=10)
    table.add_column(w["source"], overflow="fold", min_width=12)
    for rule in ruleset.rules:
        table.add_row(visible(rule.key), visible(rule.title.get(lang)), validity(rule),
                      Text(visible(rule.source.cite()), style="dim"))
    return table
