"""The audit as CSV files (one per table) and as one Excel workbook (one sheet per table) that a team
lead can sort and filter; the CSV dialects shared with the what-if's CSV.

Two CSV dialects (``--csv-dialect``):
- ``plain`` (the default), for tools: UTF-8, comma-separated, field names as headers, numbers with
  a decimal point, shares as fractions (0.5), dates ISO, true/false, group values as stored;
- ``excel``, for a person opening the file in a spreadsheet: UTF-8 with a BOM (Excel reads æøå
  right), headers and values in the chosen language (benefit and category names, "(ingen)",
  ja/nej), shares as percentages ("73,4%"), dates ISO (Excel reads them as dates); in Danish
  separated by ";" with a decimal comma, as Danish Excel expects; text that would start a formula
  is quoted with a leading '.
The Excel workbook: headers and sheet names in the language, dates as dates, shares as
percentages, yes/no words, group values by name."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Iterable, Optional, TextIO

from engine import texts
from engine.batch.totals import DIMENSIONS, OVERDUE_COLUMNS, AuditTotals
from engine.report import RULE_COLUMNS, AuditMeta, group_label, group_rows, heading, passivity_rows, rule_rows, star_rows
from engine.report.safe import spreadsheet_text, visible

DIALECTS = ("plain", "excel")
# for spreadsheets and tools also the contract's overdue count (= overdue now + missed)
RULE_FIELDS = ["rule", "title", *(f for c in RULE_COLUMNS for f in (("overdue", c) if c == "overdue_now" else (c,)))]
STAR_FIELDS = ["team", "cohort", "four_conversations", "conversation_share", "conversation_flag", "offer_required",
               "with_offer", "offer_share", "offer_flag", "exempt"]
PASSIVITY_FIELDS = ["team", "months", "population", "passive", "share"]
SHARE_FIELDS = {"on_time_share", "conversation_share", "offer_share", "share", "first_offer_share"}
DATE_FIELDS = {"due", "anchor", "period_end", "baseline_due", "candidate_due"}
DECIMAL_FIELDS = {"median_days_late"}
GROUP_FIELDS = set(DIMENSIONS)
ALL_GROUPS = "(all)"  # the STAR and passivity rows over every team
LABEL_OF = {("passivity", "population"): "cohort"}  # a table where a field means something of its own


def tables(totals: AuditTotals, meta: AuditMeta, lang: str) -> list[tuple[str, list[str], list[dict]]]:
    """(name, columns, rows) for every table of the report, in reading order; raw values."""
    out = [("rules", RULE_FIELDS, rule_rows(totals, meta, lang))]
    for dim in DIMENSIONS:
        fields = ["rule", "title", dim] + RULE_FIELDS[2:]
        out.append((f"by_{dim}", fields, group_rows(totals, meta, dim, lang)))
    out.append(("star", STAR_FIELDS, [dict(r, team=r["team"] or ALL_GROUPS) for r in star_rows(totals)]))
    out.append(("passivity", PASSIVITY_FIELDS, [dict(r, team=r["team"] or ALL_GROUPS) for r in passivity_rows(totals)]))
    out.append(("overdue_top", list(OVERDUE_COLUMNS), [d.row() for d in totals.overdue_list()]))
    from engine.report.measures import measure_tables  # STAR's active effort, time to first offer
    return out + measure_tables(totals)


def column_label(field: str, lang: str, table: str = "") -> str:
    """A column's heading for a person: a status by its label, any other field by its name."""
    key = LABEL_OF.get((table, field), field)
    return heading(key, lang) if key in texts.STATUS_NAMES else texts.name(texts.COLUMNS, key, lang)


def person_value(field: str, value, lang: str):
    """A value as a person reads it: group values and benefits by name, yes/no in the language,
    dates as dates; numbers stay numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return texts.name(texts.YES_NO, "yes" if value else "no", lang)
    if field in GROUP_FIELDS and isinstance(value, str):
        return texts.words(texts.AUDIT, lang)["all"] if value == ALL_GROUPS else group_label(field, value, lang)
    if field in DATE_FIELDS and isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


class CsvFormat:
    """One CSV dialect for one language: the header and the cells of a row."""

    def __init__(self, dialect: str = "plain", lang: str = "da"):
        if dialect not in DIALECTS:
            raise ValueError(f"unknown CSV dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
        self.excel = dialect == "excel"
        self.lang = lang
        self.delimiter = texts.name(texts.SEPARATORS, "list", lang) if self.excel else ","
        self.encoding = "utf-8"

    def writer(self, handle: TextIO, fields: list[str], table: str = "") -> "csv._writer":
        if self.excel:  # the BOM tells Excel the file is UTF-8 (a file or stdout alike)
            handle.write("\ufeff")
        writer = csv.writer(handle, delimiter=self.delimiter, lineterminator="\r\n" if self.excel else "\n")
        writer.writerow([column_label(f, self.lang, table) for f in fields] if self.excel else fields)
        return writer

    def cells(self, fields: list[str], row: dict) -> list:
        return [self.cell(f, row.get(f)) for f in fields]

    def cell(self, field: str, value):
        if not self.excel:
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, float):
                return round(value, 4)
            return "" if value is None else value
        value = person_value(field, value, self.lang)
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if field in SHARE_FIELDS and isinstance(value, (int, float)):
            return self._decimal(f"{value * 100:.1f}") + "%"
        if isinstance(value, float):
            return self._decimal(f"{value:.4f}".rstrip("0").rstrip("."))
        return spreadsheet_text(value) if isinstance(value, str) else value

    def _decimal(self, text: str) -> str:
        return texts.localise(text, self.lang)


def write_csv_dir(directory: Path, totals: AuditTotals, meta: AuditMeta, lang: str, dialect: str = "plain") -> list[Path]:
    """One CSV per table (named by its key: rules.csv, by_team.csv…); returns the files written."""
    return write_tables_csv(directory, tables(totals, meta, lang), lang, dialect)


def write_tables_csv(directory: Path, named: list, lang: str, dialect: str = "plain") -> list[Path]:
    """One CSV per (name, fields, rows) table, named by its key."""
    directory.mkdir(parents=True, exist_ok=True)
    fmt = CsvFormat(dialect, lang)
    written = []
    for name, fields, rows in named:
        path = directory / f"{name}.csv"
        with path.open("w", encoding=fmt.encoding, newline="") as handle:
            writer = fmt.writer(handle, fields, name)
            for row in rows:
                writer.writerow(fmt.cells(fields, row))
        written.append(path)
    return written


class OverdueCsv:
    """The full overdue list, written as the audit goes (never held in memory)."""

    def __init__(self, path: Path, lang: str = "da", dialect: str = "plain"):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.format = CsvFormat(dialect, lang)
        self.fields = list(OVERDUE_COLUMNS)
        self._handle = path.open("w", encoding=self.format.encoding, newline="")
        self._writer = self.format.writer(self._handle, self.fields)
        self.count = 0

    def write(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self._writer.writerow(self.format.cells(self.fields, row))
            self.count += 1

    def close(self) -> None:
        self._handle.close()


def _sheet_name(key: str, lang: str) -> str:
    return texts.name(texts.TABLE_NAMES, key, lang)[:31]


def write_xlsx(path: Path, totals: AuditTotals, meta: AuditMeta, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    w = texts.words(texts.AUDIT, lang)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    workbook = Workbook()
    info = workbook.active
    info.title = _sheet_name("info", lang)
    for label, value in ((w["as_of"], meta.as_of), (w["rules"], meta.rules_label), (w["source"], meta.source),
                         (w["run"], meta.run_id), (w["cases"], totals.cases), (w["bad"], totals.bad),
                         (w["overdue_duties"], totals.overdue_count)):
        info.append([label, _cell(value)])
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info["B1"].number_format = "yyyy-mm-dd"
    info.column_dimensions["A"].width = 36
    info.column_dimensions["B"].width = 48
    for name, fields, rows in tables(totals, meta, lang):
        sheet = workbook.create_sheet(_sheet_name(name, lang))
        sheet.append([column_label(f, lang, name) for f in fields])
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in rows:
            sheet.append([_cell(person_value(f, row.get(f), lang)) for f in fields])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # text that starts with "=" is text here, never a formula
                    cell.data_type = "s"
        for index, field in enumerate(fields, start=1):
            letter = get_column_letter(index)
            fmt: Optional[str] = None
            if field in SHARE_FIELDS:
                fmt = "0.0%"
            elif field in DECIMAL_FIELDS:
                fmt = "0.0"
            elif field in DATE_FIELDS:
                fmt = "yyyy-mm-dd"
            elif rows and isinstance(rows[0].get(field), int) and not isinstance(rows[0].get(field), bool):
                fmt = "#,##0"
            if fmt:
                for cell in sheet[letter][1:]:
                    cell.number_format = fmt
            width = max([len(column_label(field, lang, name))] + [len(str(row.get(field) or "")) for row in rows[:200]])
            sheet.column_dimensions[letter].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)


def _cell(value):
    # openpyxl refuses most control characters: they are shown as escapes (\x1b)
    return visible(value) if isinstance(value, str) else value
