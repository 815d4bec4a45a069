"""The monthly series (engine/batch/series.py) as a terminal summary, CSV files, Excel sheets and
an HTML section with line charts (a line per team over the month-ends, the 80 % line)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.series import ALL, SeriesTotals
from engine.batch.totals import STAR_MIN_POPULATION, STAR_THRESHOLD
from engine.report import AuditMeta, across_rules, group_label, overall, rule_rows, words
from engine.report.safe import clip, html_text as escape, visible
from engine.report.style import INK, MUTED
from engine.report.tables import ALL_GROUPS as ALL_TEAMS, RULE_FIELDS, column_label, person_value, write_tables_csv
from engine.texts import number, percent

OVERALL_FIELDS = ["month", "cases", "population", "met", "met_late", "overdue_now", "missed", "open", "exempt",
                  "on_time_share", "median_days_late"]
STAR_SERIES_FIELDS = ["month", "team", "cohort", "four_conversations", "conversation_share", "conversation_flag",
                      "conversation_run", "conversation_followup", "offer_required", "with_offer", "offer_share",
                      "offer_flag", "offer_run", "offer_followup"]
PASSIVITY_SERIES_FIELDS = ["month", "team", "months", "population", "passive", "share"]
# one colour per team line (the overall line is drawn in ink, thicker)
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f")


def _sw(lang: str):
    return texts.words(texts.SERIES, lang)


def series_tables(series: SeriesTotals, meta: AuditMeta, lang: str) -> list[tuple[str, list[str], list[dict]]]:
    """(name, columns, rows) of every series table; raw values, months as dates."""
    overall_rows, rule_table, passivity = [], [], []
    for month, totals in zip(series.months, series.totals):
        overall_rows.append({"month": month, "cases": totals.cases, **overall(totals).row()})
        rule_table += [{"month": month, **row} for row in rule_rows(totals, meta, lang)]
        teams = [(ALL_TEAMS, totals.passivity), *sorted(totals.passivity_by_team.items())]
        for team, tally in teams:
            row = tally.row()
            for m in sorted(tally.population):
                passivity.append({"month": month, "team": team, "months": m, "population": row[f"population_{m}m"],
                                  "passive": row[f"passive_{m}m"], "share": row[f"passive_share_{m}m"]})
    star = [dict(r, team=ALL_TEAMS if r["team"] is ALL else r["team"])
            for rows in series.star_runs().values() for r in rows]
    return [("series_overall", OVERALL_FIELDS, overall_rows),
            ("series_rules", ["month", *RULE_FIELDS], rule_table),
            ("series_star", STAR_SERIES_FIELDS, star),
            ("series_passivity", PASSIVITY_SERIES_FIELDS, passivity)]


def write_series_csv(directory: Path, series: SeriesTotals, meta: AuditMeta, lang: str, dialect: str = "plain") -> list[Path]:
    """One CSV per series table (series_overall.csv, series_rules.csv, series_star.csv,
    series_passivity.csv) in the audit's CSV dialects."""
    return write_tables_csv(directory, series_tables(series, meta, lang), lang, dialect)


def add_series_sheets(path: Path, series: SeriesTotals, meta: AuditMeta, lang: str) -> None:
    """Append the series tables as sheets to the audit's workbook at ``path`` (written already)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for name, fields, rows in series_tables(series, meta, lang):
        append_sheet(workbook, texts.name(texts.TABLE_NAMES, name, lang)[:31],
                     [column_label(f, lang, name) for f in fields],
                     [[person_value(f, row.get(f), lang) for f in fields] for row in rows],
                     {i for i, f in enumerate(fields) if f.endswith("share")})
    workbook.save(path)


def append_sheet(workbook, title: str, header: list[str], rows: list[list], percent_columns: set[int] = frozenset()) -> None:
    """One sheet: a bold header, dates as dates, shares as percentages, text never a formula."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([visible(v) if isinstance(v, str) else v for v in values])
        for i, cell in enumerate(sheet[sheet.max_row]):
            if cell.data_type == "f":
                cell.data_type = "s"
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"
            elif i in percent_columns:
                cell.number_format = "0.0%"
    for i, label in enumerate(header):
        sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width = min(max(len(label) + 2, 11), 40)
    sheet.freeze_panes = "A2"


# -- terminal ---------------------------------------------------------------------------------------

def _mark(row: dict, measure: str) -> str:
    population = row["cohort"] if measure == "conversation" else row["offer_required"]
    if row[f"{measure}_flag"]:
        return "⚑"
    return "·" if population >= STAR_MIN_POPULATION and row[f"{measure}_share"] is not None else "–"


def render_series(console: Console, series: SeriesTotals, meta: AuditMeta, lang: str) -> None:
    sw, w = _sw(lang), words(lang)
    first, last = series.months[0], series.months[-1]
    console.print(Text.assemble((sw["title"], "bold"), "  ", sw["span"].format(first=first, last=last), "  ",
                                (f"({w['rules'].lower()} {visible(meta.rules_label)})", "dim")))
    table = Table(title=sw["per_month"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)
    for label in (sw["month"], w["short_population"], w["short_overdue_now"], w["short_on_time_share"], sw["short_conv"],
                  sw["short_offer"], sw["short_passive"]):
        table.add_column(label, justify="right", no_wrap=True)
    for month, totals in zip(series.months, series.totals):
        everything = overall(totals)
        star = totals.star.row()
        passivity = totals.passivity.row()
        table.add_row(f"{month:%Y-%m}", number(everything.population, lang), number(everything.overdue_now, lang),
                      percent(everything.on_time_share, lang),
                      _star_cell(star["conversation_share"], star["conversation_flag"], lang),
                      _star_cell(star["offer_share"], star["offer_flag"], lang),
                      percent(passivity.get("passive_share_12m"), lang))
    console.print(table)
    runs = series.star_runs()
    console.print(Text(sw["star_runs"], style="bold"))  # not the table's title: the table is narrower
    marks = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    marks.add_column(w["team"], no_wrap=True)
    marks.add_column(sw["conv"], no_wrap=True)
    marks.add_column(sw["offer"], no_wrap=True)
    for team, rows in runs.items():
        label = Text(w["all"], style="bold") if team is ALL else clip(group_label("team", team, lang))
        marks.add_row(label, "".join(_mark(r, "conversation") for r in rows), "".join(_mark(r, "offer") for r in rows))
    console.print(marks)
    console.print(Text(sw["key"], style="dim"))
    lines = followups(series, lang)
    for line in lines or [sw["no_followup"]]:
        console.print(Text(visible(line), style="bold red" if lines else "green"))


def followups(series: SeriesTotals, lang: str) -> list[str]:
    """One line per team and measure whose run under 80 % has reached six on the last month-end."""
    sw, w = _sw(lang), words(lang)
    out = []
    for team, rows in series.star_runs().items():
        last = rows[-1]
        for measure, label in (("conversation", sw["conv"]), ("offer", sw["offer"])):
            if last[f"{measure}_followup"]:
                out.append(sw["followup"].format(team=w["all"] if team is ALL else group_label("team", team, lang),
                                                 measure=label.lower(), n=last[f"{measure}_run"],
                                                 month=f"{last['month']:%Y-%m}"))
    return out


def _star_cell(value: Optional[float], flag: bool, lang: str) -> Text:
    if value is None:
        return Text(texts.NO_VALUE, style="dim")
    return Text(percent(value, lang) + (" ⚑" if flag else ""), style="bold red" if flag else "")


# -- HTML --------------------------------------------------------------------------------------------

def line_chart(months: list, lines: list[tuple[str, list[Optional[float]], list[bool]]], chart_id: str, lang: str,
               threshold_label: str, width: int = 900, height: int = 300) -> str:
    """Shares (0–1) over month-ends, one line per (label, values, flagged); a value of None leaves a
    gap; a flagged month is a filled dot; the dashed 80 % line across."""
    left, right, top, bottom = 44, 170, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(months) - 1, 1)
    x = lambda i: left + i * step  # noqa: E731
    y = lambda v: top + plot_h * (1 - v)  # noqa: E731
    out = [f'<svg id="{chart_id}" class="chart line-chart" role="img" xmlns="http://www.w3.org/2000/svg" width="100%" '
           f'style="max-width:{width}px" viewBox="0 0 {width} {height}">']
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        out.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" stroke="#e3e7ec"/>'
                   f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
                   f'{int(tick * 100)} %</text>')
    every = max(1, len(months) // 12)
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" font-size="10" text-anchor="middle" '
                       f'fill="{MUTED}">{month:%Y-%m}</text>')
    for n, (label, values, flags) in enumerate(lines):
        colour = INK if n == 0 else LINE_COLOURS[(n - 1) % len(LINE_COLOURS)]
        wide = 2.5 if n == 0 else 1.5
        segment: list[str] = []
        segments = []
        for i, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(i):.1f},{y(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            out.append(f'<polyline class="series-line" data-team="{escape(label)}" fill="none" stroke="{colour}" '
                       f'stroke-width="{wide}" points="{" ".join(points)}"/>')
        for i, (value, flag) in enumerate(zip(values, flags)):
            if value is not None:
                out.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{3.2 if flag else 2}" '
                           f'fill="{colour if flag else "#fff"}" stroke="{colour}"><title>{escape(label)} '
                           f'{months[i]:%Y-%m}: {percent(value, lang)}{" ⚑" if flag else ""}</title></circle>')
        legend_y = top + 12 + n * 16
        out.append(f'<line x1="{left + plot_w + 12}" y1="{legend_y - 4}" x2="{left + plot_w + 30}" y2="{legend_y - 4}" '
                   f'stroke="{colour}" stroke-width="{wide}"/><text x="{left + plot_w + 34}" y="{legend_y}" '
                   f'font-size="11" fill="{INK}">{escape(label[:22])}</text>')
    out.append(f'<line class="threshold" x1="{left}" y1="{y(STAR_THRESHOLD):.1f}" x2="{left + plot_w}" '
               f'y2="{y(STAR_THRESHOLD):.1f}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5,3"/>'
               f'<text x="{left + plot_w - 2}" y="{y(STAR_THRESHOLD) - 4:.1f}" font-size="10" text-anchor="end" '
               f'fill="{INK}">{escape(threshold_label)}</text></svg>')
    return "".join(out)


def series_section(series: SeriesTotals, lang: str) -> str:
    """The HTML report's monthly trend: STAR's two measures and the on-time share per team over the
    month-ends, the runs under 80 % per team, and the definition."""
    sw, w = _sw(lang), words(lang)
    runs = series.star_runs()
    charts = []
    for measure, title_key in (("conversation", "chart_conv"), ("offer", "chart_offer")):
        lines = [(w["all"] if team is ALL else group_label("team", team, lang),
                  [r[f"{measure}_share"] for r in rows], [r[f"{measure}_flag"] for r in rows])
                 for team, rows in runs.items()]
        lines = lines[:1] + [line for line in lines[1:] if any(v is not None for v in line[1])]  # no empty lines
        charts.append(f'<h3>{escape(sw[title_key])}</h3>'
                      f'{line_chart(series.months, lines, f"chart-series-{measure}", lang, w["threshold"])}')
    teams = sorted({team for totals in series.totals for (_, team) in totals.groups["team"]})
    on_time = [(w["all"], [overall(t).on_time_share for t in series.totals], [False] * len(series.months))]
    for team in teams:
        values = [across_rules(t, "team").get(team) for t in series.totals]
        on_time.append((group_label("team", team, lang), [v.on_time_share if v else None for v in values],
                        [False] * len(series.months)))
    charts.append(f'<h3>{escape(sw["chart_on_time"])}</h3>'
                  f'{line_chart(series.months, on_time, "chart-series-on-time", lang, w["threshold"])}')
    rows = []
    for team, team_rows in runs.items():
        last = team_rows[-1]
        label = f"<b>{escape(w['all'])}</b>" if team is ALL else escape(group_label("team", team, lang))
        cells = ""
        for measure in ("conversation", "offer"):
            marks = "".join(_mark(r, measure) for r in team_rows)
            follow = last[f"{measure}_followup"]
            cells += (f'<td class="n{" flag" if follow else ""}">{last[f"{measure}_run"]}{" ⚑" if follow else ""}</td>'
                      f'<td class="marks" style="font-family:ui-monospace,monospace">{marks}</td>')
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    table = (f'<table id="series-star-runs"><thead><tr><th>{escape(w["team"])}</th>'
             f'<th class="n">{escape(sw["conv"])}: {escape(sw["run"])}</th><th>{escape(sw["month"])}</th>'
             f'<th class="n">{escape(sw["offer"])}: {escape(sw["run"])}</th><th>{escape(sw["month"])}</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table><p class="legend">{escape(sw["key"])}</p>')
    lines = followups(series, lang)
    notes = "".join(f'<p class="flag">{escape(line)}</p>' for line in lines) or f'<p class="ok">{escape(sw["no_followup"])}</p>'
    return (f'<section id="series"><h2>{escape(sw["trend"])} — {escape(sw["span"].format(first=series.months[0], last=series.months[-1]))}</h2>'
            f'{"".join(charts)}<h3>{escape(sw["star_runs"])}</h3>{table}{notes}'
            f'<p class="dim definition">{escape(sw["def_series"])}</p></section>')
