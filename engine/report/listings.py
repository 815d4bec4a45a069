"""The small tables of the command line: an import's files, the stored audit runs, two runs
compared rule by rule, and the rule list."""

from __future__ import annotations

from typing import Iterable

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.totals import STATUSES, Tally
from engine.report import heading
from engine.report.layout import WIDE, fits
from engine.report.safe import clip, visible
from engine.texts import number, percent, signed


def import_table(reports: Iterable, where: str, lang: str, width: int = 80):
    """One row per file of an import (engine/io/importer.py FileReport) and a total; a path too long
    to stand beside the counts gets a line of its own."""
    reports = list(reports)
    w = texts.words(texts.IMPORT, lang)
    title = Text(visible(w["title"].format(where=where)), style="bold")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column(w["file"], no_wrap=True)
    styles = (("imported", "green"), ("updated", "cyan"), ("unchanged", "dim"), ("rejected", "red"))
    for column, style in styles:
        table.add_column(w[column], justify="right", style=style, no_wrap=True)
    totals = [0, 0, 0, 0]
    blocks: list = [title]
    names = []
    for r in reports:
        counts = [r.imported, r.updated, r.unchanged, len(r.rejected)]
        totals = [a + b for a, b in zip(totals, counts)]
        name = Text(clip(r.file), no_wrap=True, overflow="ignore")  # a path stays whole (print with crop=False)
        names.append(name.plain)
        if r.failed:
            name.append(w["failed"], style="bold red")
        table.add_row(name, *(number(c, lang) for c in counts))
        blocks += [name, Padding(_counts_line(counts, styles, w, lang), (0, 0, 0, 2))]
    if len(reports) > 1:
        table.add_section()
        table.add_row(w["total"], *(number(c, lang) for c in totals), style="bold")
        blocks += [Text(w["total"], style="bold"), Padding(_counts_line(totals, styles, w, lang), (0, 0, 0, 2))]
    return table if fits(width, table, names) else Group(*blocks)


def _counts_line(counts: list[int], styles, w, lang: str) -> Text:
    parts = []
    for count, (column, style) in zip(counts, styles):
        parts += [(number(count, lang), style), f" {w[column].lower()}", "  ·  "]
    return Text.assemble(*parts[:-1])


def runs_table(runs: list[dict], where: str, lang: str, narrow: bool = False):
    """The stored audit runs (engine/io/storage.py list_audit_runs); narrow, one block per run."""
    w = texts.words(texts.RUNS, lang)
    title = Text(visible(w["title"].format(where=where)), style="bold")
    rows = []
    for run in runs:
        started = run["started_at"].strftime("%Y-%m-%d %H:%M") if run["started_at"] else ""
        state = _state(run, w)
        rows.append((str(run["id"]), started + state, str(run["as_of"]), visible(run["rules_label"]),
                     number(run["case_count"], lang), number(run["bad_count"], lang), clip(run["source"])))
    if narrow:
        blocks: list = [title]
        for run_id, started, as_of, rules, cases, bad, source in rows:
            blocks.append(Text.assemble((f"#{run_id}", "bold"), f"  {started}  {w['as_of'].lower()} {as_of}  "
                                        f"{cases} {w['cases'].lower()}, {bad} {w['bad'].lower()}"))
            blocks.append(Padding(Text(f"{w['rules'].lower()} {rules}  ·  {w['source'].lower()} {source}", style="dim"),
                                  (0, 0, 0, 2)))
        return Group(*blocks)
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("run", "started", "as_of", "rules", "cases", "bad", "source"):
        table.add_column(w[column], justify="right" if column in ("run", "cases", "bad") else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    return table


def _state(run: dict, w) -> str:
    """'' for a finished run, else how it ended: the run's state where storage records one
    (running, interrupted, failed), or unfinished."""
    state = run.get("state")
    if state is None:
        return "" if run["finished_at"] else " " + w["unfinished"]
    return "" if state == "finished" else " " + w.get(state, f"({state})")


def compare_title(a: dict, b: dict, lang: str) -> Text:
    w = texts.words(texts.RUNS, lang)
    return Text.assemble((w["compare"], "bold"), "  ", visible(w["compare_runs"].format(
        a=a["id"], a_as_of=a["as_of"], a_rules=a["rules_label"], b=b["id"], b_as_of=b["as_of"], b_rules=b["rules_label"])))


COMPARE_NARROW = ("population", "overdue", "open")  # the columns audit-compare keeps at 80 columns


def compare_table(a: dict[str, Tally], b: dict[str, Tally], lang: str, titles: dict[str, str], narrow: bool = False):
    """Per rule (by its title): run B's counts with their change from run A, and both on-time
    shares. Narrow, the duties, overdue and open counts, and a line naming what is left out."""
    w = texts.words(texts.RUNS, lang)
    columns = COMPARE_NARROW if narrow else ("population",) + STATUSES
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(w["rule"], ratio=1, min_width=16)
    for column in columns:
        table.add_column(heading(column, lang), justify="right", no_wrap=True)
    table.add_column(w["on_time"], justify="right", no_wrap=True)
    for rule in sorted(set(a) | set(b), key=lambda r: (titles.get(r, r), r)):
        ta, tb = a.get(rule, Tally()), b.get(rule, Tally())
        cells = [_delta(ta.population if c == "population" else ta.counts[c], tb.population if c == "population" else tb.counts[c],
                        lang, bad=c == "overdue") for c in columns]
        cells.append(f"{percent(ta.on_time_share, lang)} → {percent(tb.on_time_share, lang)}".replace(" %", "%"))
        table.add_row(visible(titles.get(rule, rule)), *cells)
    if not narrow:
        return table
    left_out = ", ".join(heading(c, lang) for c in STATUSES if c not in columns)
    note = Text(w["left_out"].format(columns=left_out, width=WIDE), style="dim")
    return Group(table, note)


def _delta(old: int, new: int, lang: str, bad: bool = False) -> Text:
    change = new - old
    if not change:
        return Text(number(new, lang), style="dim")
    style = ("red" if change > 0 else "green") if bad else ""
    return Text(f"{number(new, lang)} {signed(change, lang)}", style=style)


def validity(rule) -> str:
    return f"{rule.valid.from_} – {rule.valid.to or ''}".rstrip()


def rules_table(ruleset, lang: str, narrow: bool = False):
    """Every rule: id, title, validity and source. Narrow, one block per rule: the id and its
    validity, then the title and the source beneath (an id is up to 51 characters, a source 34)."""
    w = texts.words(texts.RULES_LIST, lang)
    title = Text(visible(w["title"].format(label=ruleset.label, n=len(ruleset.rules))), style="bold")
    if narrow:
        blocks: list = [title]
        for rule in ruleset.rules:
            blocks.append(Text.assemble((visible(rule.key), "bold"), "  ", validity(rule)))
            blocks.append(Padding(Text(visible(rule.title.get(lang))), (0, 0, 0, 2)))
            blocks.append(Padding(Text(visible(rule.source.cite()), style="dim"), (0, 0, 0, 2)))
        return Group(*blocks)
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.add_column(w["id"], no_wrap=True)
    table.add_column(w["rule"], ratio=1)
    table.add_column(w["in_force"], no_wrap=True)
    table.add_column(w["source"], no_wrap=True)
    for rule in ruleset.rules:
        table.add_row(visible(rule.key), visible(rule.title.get(lang)), validity(rule),
                      Text(visible(rule.source.cite()), style="dim"))
    return table
