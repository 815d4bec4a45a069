"""The per-unit breakdown of a merged audit (``audit-merge``): one row per exported unit beside the
merged report that engine/report's audit renderers draw, in every output (terminal, CSV, Excel,
HTML), with a note where the units were audited as of different dates or under different rules."""

from __future__ import annotations

import csv
from html import escape
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.export import Merged
from engine.report import overall
from engine.report.safe import clip, visible
from engine.report.tables import ALL_GROUPS, CsvFormat, _cell
from engine.texts import number, percent

UNIT_FIELDS = ["unit", "as_of", "rules", "cases", "bad", "population", "overdue_now", "missed", "on_time_share",
               "median_days_late", "conversation_share", "offer_share", "passive_share_6m"]
SHARES = {"on_time_share", "conversation_share", "offer_share", "passive_share_6m"}
TERMINAL_FIELDS = ("unit", "cases", "population", "overdue_now", "missed", "on_time_share", "median_days_late",
                   "conversation_share")


def unit_rows(merged: Merged) -> list[dict]:
    """One row per unit, in the order given, then the whole (unit ``None``)."""
    rows = []
    for name, as_of, label, totals in [(u.unit, u.as_of, u.rules_label, u.totals) for u in merged.units] + [
            (None, merged.as_of, merged.rules_label, merged.totals)]:
        everything = overall(totals)
        rows.append({"unit": name, "as_of": as_of, "rules": label, "cases": totals.cases, "bad": totals.bad,
                     "population": everything.population, "overdue_now": everything.overdue_now,
                     "missed": everything.missed, "on_time_share": everything.on_time_share,
                     "median_days_late": everything.median_days_late,
                     "conversation_share": totals.star.conversation_share, "offer_share": totals.star.offer_share,
                     "passive_share_6m": totals.passivity.row()["passive_share_6m"]})
    return rows


def notes(merged: Merged, lang: str) -> list[str]:
    """What a reader of the merged report must know: mixed dates or rules; no case list."""
    w = texts.words(texts.SCALE, lang)
    out = []
    if merged.mixed:
        what = f" {w['and']} ".join(w[f"mixed_{m}"] for m in merged.mixed)
        out.append(w["mixed"].format(what=what))
    out.append(w["no_case_list"])
    return out


def _label(field: str, lang: str) -> str:
    return texts.name(texts.UNIT_COLUMNS, field, lang)


def _unit_name(value, lang: str) -> str:
    return texts.words(texts.AUDIT, lang)["all"] if value is None else value


def _shown(field: str, value, lang: str) -> str:
    if field in SHARES:
        return percent(value, lang)
    if isinstance(value, (int, float)) or value is None:
        return number(value, lang)
    return str(value)


def render_units(console: Console, merged: Merged, lang: str) -> None:
    """The terminal's per-unit table and the notes, under the merged summary."""
    w = texts.words(texts.SCALE, lang)
    for line in notes(merged, lang):
        console.print(Text(line, style="bold red" if merged.mixed and line == notes(merged, lang)[0] else "dim"))
    table = Table(title=w["per_unit"], box=box.SIMPLE_HEAD, title_justify="left", title_style="bold", pad_edge=False)
    a = texts.words(texts.AUDIT, lang)
    table.add_column(_label("unit", lang), ratio=1)
    for field in TERMINAL_FIELDS[1:]:  # the audit's short headers: a header is never cut
        table.add_column(a.get("short_" + field) or w["short_" + field], justify="right", no_wrap=True)
    for row in unit_rows(merged):
        name = Text(clip(_unit_name(row["unit"], lang)), style="bold" if row["unit"] is None else "")
        table.add_row(name, *[_shown(f, row[f], lang) for f in TERMINAL_FIELDS[1:]])
    console.print(table)


def write_units_csv(directory: Path, merged: Merged, lang: str, dialect: str = "plain") -> Path:
    """units.csv beside the audit's CSV files: field names as headers in the plain dialect, words in
    the language in the excel one (as the audit's own CSV files)."""
    fmt = CsvFormat(dialect, lang)
    path = directory / "units.csv"
    with path.open("w", encoding=fmt.encoding, newline="") as handle:
        if fmt.excel:
            handle.write("\ufeff")
        writer = csv.writer(handle, delimiter=fmt.delimiter, lineterminator="\r\n" if fmt.excel else "\n")
        writer.writerow([_label(f, lang) for f in UNIT_FIELDS] if fmt.excel else UNIT_FIELDS)
        for row in unit_rows(merged):
            whole = _unit_name(None, lang) if fmt.excel else ALL_GROUPS
            writer.writerow(fmt.cells(UNIT_FIELDS, dict(row, unit=row["unit"] or whole, as_of=row["as_of"].isoformat())))
    return path


def add_units_sheet(path: Path, merged: Merged, lang: str) -> None:
    """The per-unit sheet (and the notes) added to the workbook the audit's renderer wrote."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    workbook = load_workbook(path)
    sheet = workbook.create_sheet(texts.words(texts.SCALE, lang)["per_unit"][:31], 1)
    sheet.append([_label(f, lang) for f in UNIT_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in unit_rows(merged):
        sheet.append([_cell(dict(row, unit=_unit_name(row["unit"], lang))[f]) for f in UNIT_FIELDS])
        for field, cell in zip(UNIT_FIELDS, sheet[sheet.max_row]):
            if field in SHARES:
                cell.number_format = "0.0%"
            elif field == "as_of":
                cell.number_format = "yyyy-mm-dd"
            if cell.data_type == "f":  # text that starts with "=" stays text
                cell.data_type = "s"
    sheet.append([])
    for line in notes(merged, lang):
        sheet.append([line])
    sheet.column_dimensions["A"].width = 28
    sheet.freeze_panes = "A2"
    workbook.save(path)


def _num(field: str) -> str:
    return "" if field == "unit" else ' class="n"'


def units_section(merged: Merged, lang: str) -> str:
    w = texts.words(texts.SCALE, lang)
    head = "".join(f'<th{_num(f)}>{escape(_label(f, lang))}</th>'
                   for f in TERMINAL_FIELDS)
    body = "".join(
        "<tr>" + "".join(f'<td{_num(f)}>'
                         f'{escape(visible(_unit_name(row[f], lang)) if f == "unit" else _shown(f, row[f], lang))}</td>'
                         for f in TERMINAL_FIELDS) + "</tr>" for row in unit_rows(merged))
    lines = "".join(f'<p class="{"flag" if merged.mixed and i == 0 else "dim"}">{escape(line)}</p>'
                    for i, line in enumerate(notes(merged, lang)))
    return (f'<section id="units"><h2>{escape(w["per_unit"])}</h2>{lines}<table id="units-table"><thead><tr>{head}'
            f'</tr></thead><tbody>{body}</tbody></table></section>')


def with_units(page: str, merged: Merged, lang: str) -> str:
    """The audit's HTML page with the per-unit section put before its first chart."""
    mark = '<section id="per-rule-chart">'
    return page.replace(mark, units_section(merged, lang) + mark, 1)
