"""The workload forecast (engine/batch/forecast.py) as a terminal summary (80 columns), a CSV file,
an Excel workbook and a self-contained HTML page with a stacked bar chart per week."""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.forecast import KINDS, ForecastTotals, horizon
from engine.report import group_label, words
from engine.report.html import _nice_step
from engine.report.safe import clip, html_text as escape
from engine.report.series import append_sheet
from engine.report.style import INK, MUTED, page_head
from engine.report.tables import ALL_GROUPS, CsvFormat, column_label, person_value
from engine.texts import number

KIND_COLOURS = {"conversation": "#1f77b4", "offer": "#ff7f0e", "other": "#9e9e9e"}


def _fw(lang: str):
    return texts.words(texts.FORECAST, lang)


def fields(totals: ForecastTotals) -> list[str]:
    return [totals.group_by, "week", "week_start", "week_end", *KINDS, "total"]


def rows(totals: ForecastTotals) -> list[dict]:
    """The rows of every output, the group under its dimension's name (team or caseworker)."""
    return [{**r, totals.group_by: ALL_GROUPS if r["group"] is None else r["group"]} for r in totals.rows()]


def _title(totals: ForecastTotals, lang: str) -> str:
    fw = _fw(lang)
    return fw["span"].format(as_of=totals.as_of, weeks=totals.weeks, end=horizon(totals.as_of, totals.weeks))


def render_forecast(console: Console, totals: ForecastTotals, lang: str) -> None:
    fw, w = _fw(lang), words(lang)
    console.print(Text.assemble((fw["title"], "bold"), "  ", _title(totals, lang), "  ",
                                (f"{fw['cases']}: {number(totals.cases, lang)}", "dim")))
    table = Table(title=fw["per_week"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)
    for label in (fw["week"], fw["starts"], *(fw[k] for k in KINDS), fw["total"]):
        table.add_column(label, justify="right", no_wrap=True)
    for week in range(totals.weeks + 1):
        counts = [totals.cell(week, kind) for kind in KINDS]
        style = "red" if week == 0 and sum(counts) else ""
        table.add_row(Text(fw["backlog"] if week == 0 else str(week), style=style),
                      "" if week == 0 else str(totals.week_start(week)),
                      *(number(n, lang) for n in counts), Text(number(sum(counts), lang), style=style or "bold"))
    console.print(table)
    dim = texts.name(texts.DIMENSION_NAMES, totals.group_by, lang)
    groups = Table(title=fw["per_group"].format(dim=dim), box=box.SIMPLE_HEAD, title_justify="left",
                   title_style="bold", pad_edge=False)
    groups.caption, groups.caption_justify = fw["week_0"], "left"
    groups.add_column(f"{w[totals.group_by]} / {fw['week'].lower()}", no_wrap=True)
    spans = [(str(k), (k,)) for k in range(0, min(totals.weeks, 4) + 1)]
    if totals.weeks > 4:
        spans.append((f"5–{min(totals.weeks, 8)}", tuple(range(5, min(totals.weeks, 8) + 1))))
    if totals.weeks > 8:
        spans.append((f"9–{totals.weeks}", tuple(range(9, totals.weeks + 1))))
    for label, _ in spans:
        groups.add_column(label, justify="right", no_wrap=True)
    groups.add_column(fw["total"], justify="right", no_wrap=True)
    for group in [None, *totals.groups()]:
        cells = [sum(totals.cell(k, kind, group) for k in weeks for kind in ("conversation", "offer"))
                 for _, weeks in spans]
        label = Text(w["all"], style="bold") if group is None else clip(group_label(totals.group_by, group, lang))
        groups.add_row(label, *(number(n, lang) for n in cells), Text(number(sum(cells), lang), style="bold"))
    console.print(groups)


def write_forecast_csv(path: Path, totals: ForecastTotals, lang: str, dialect: str = "plain") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = CsvFormat(dialect, lang)
    columns = fields(totals)
    with path.open("w", encoding=fmt.encoding, newline="") as handle:
        writer = fmt.writer(handle, columns, "forecast")
        for row in rows(totals):
            writer.writerow(fmt.cells(columns, row))


def write_forecast_xlsx(path: Path, totals: ForecastTotals, lang: str, titles: dict) -> None:
    """A sheet of weeks × groups × kinds, and one of the duties per week and rule."""
    from openpyxl import Workbook

    fw = _fw(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    columns = fields(totals)
    append_sheet(workbook, fw["title"][:31], [column_label(f, lang) for f in columns],
                 [[person_value(f, row.get(f), lang) for f in columns] for row in rows(totals)])
    per_rule = sorted(totals.by_rule.items())
    append_sheet(workbook, fw["by_rule"][:31], [fw["week"], fw["rule"], column_label("rule", lang), fw["total"]],
                 [[week, titles.get(rule, {}).get(lang, rule), rule, n] for (week, rule), n in per_rule])
    workbook.save(path)


def stacked_bars(totals: ForecastTotals, lang: str, group=None, chart_id: str = "chart-forecast",
                 width: int = 900, height: int = 300) -> str:
    """One bar per week (0: overdue now), stacked by what is to be booked."""
    fw = _fw(lang)
    left, bottom, top, right = 44, 38, 14, 130
    plot_w, plot_h = width - left - right, height - top - bottom
    weeks = list(range(totals.weeks + 1))
    stacks = [[totals.cell(week, kind, group) for kind in KINDS] for week in weeks]
    step = _nice_step(max([sum(s) for s in stacks] + [1]) / 4)
    peak = step * 4
    slot = plot_w / len(weeks)
    out = [f'<svg id="{chart_id}" class="chart stacked" role="img" xmlns="http://www.w3.org/2000/svg" width="100%" '
           f'style="max-width:{width}px" viewBox="0 0 {width} {height}">']
    for i in range(5):
        y = top + plot_h * (1 - i / 4)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e7ec"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
                   f'{number(step * i, lang)}</text>')
    for week, stack in zip(weeks, stacks):
        x = left + week * slot + slot * 0.15
        base = top + plot_h
        for kind, n in zip(KINDS, stack):
            if not n:
                continue
            h = plot_h * n / peak
            base -= h
            out.append(f'<rect class="bar" data-week="{week}" data-kind="{kind}" x="{x:.1f}" y="{base:.1f}" '
                       f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{KIND_COLOURS[kind]}"><title>'
                       f'{escape(fw["week"])} {week}: {escape(fw[kind])} {number(n, lang)}</title></rect>')
        if sum(stack):
            out.append(f'<text x="{x + slot * 0.35:.1f}" y="{base - 4:.1f}" font-size="10" text-anchor="middle" '
                       f'fill="{INK}">{number(sum(stack), lang)}</text>')
        label = fw["backlog"] if week == 0 else str(week)
        out.append(f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h + 15}" font-size="10" text-anchor="middle" '
                   f'fill="{INK}">{escape(label)}</text>')
    for i, kind in enumerate(KINDS):
        y = top + 14 + i * 18
        out.append(f'<rect x="{left + plot_w + 14}" y="{y - 10}" width="12" height="12" fill="{KIND_COLOURS[kind]}"/>'
                   f'<text x="{left + plot_w + 32}" y="{y}" font-size="11" fill="{INK}">{escape(fw[kind])}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" '
               f'fill="{MUTED}">{escape(fw["week"])}</text></svg>')
    return "".join(out)


def render_forecast_html(totals: ForecastTotals, lang: str) -> str:
    fw, w = _fw(lang), words(lang)
    parts = [page_head(f'{fw["title"]} {totals.as_of}', lang),
             f'<header><h1>{escape(fw["title"])}</h1><div class="meta"><span>{escape(_title(totals, lang))}</span>'
             f'<span>{escape(fw["cases"])}: {number(totals.cases, lang)}</span></div></header><main>',
             f'<section id="forecast-chart"><h2>{escape(fw["chart"])}</h2>{stacked_bars(totals, lang)}</section>']
    for index, group in enumerate(totals.groups()):
        parts.append(f'<section class="forecast-group" id="forecast-group-{index}"><h2>'
                     f'{escape(group_label(totals.group_by, group, lang))}</h2>'
                     f'{stacked_bars(totals, lang, group, f"chart-forecast-{index}", 900, 220)}</section>')
    head = "".join(f'<th class="n">{escape(column_label(f, lang))}</th>' for f in ("week", "week_start", *KINDS, "total"))
    body = []
    for row in totals.rows():
        if row["group"] is not None:
            continue
        cells = "".join(f'<td class="n">{number(row[k], lang)}</td>' for k in (*KINDS, "total"))
        week = fw["backlog"] if row["week"] == 0 else row["week"]
        body.append(f'<tr><td class="n">{escape(str(week))}</td><td class="n">{row["week_start"] if row["week"] else ""}'
                    f'</td>{cells}</tr>')
    parts.append(f'<section id="forecast-table"><h2>{escape(fw["per_week"])} ({escape(w["all"])})</h2>'
                 f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
                 f'<p class="dim definition">{escape(fw["definition"])}</p></section>')
    parts.append(f'</main><footer>{escape(w["generated"])}</footer></body></html>')
    return "".join(parts)
