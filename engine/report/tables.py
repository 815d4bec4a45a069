"""The audit as CSV files (one per table) and as one Excel workbook (one sheet per table) that a team
lead can sort and filter: styled, frozen header row, percentages and counts formatted."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Optional

from engine.batch.totals import DIMENSIONS, OVERDUE_COLUMNS, AuditTotals
from engine.report import AuditMeta, group_rows, passivity_rows, rule_rows, star_rows
from engine.report.safe import visible

RULE_FIELDS = ["rule", "title", "population", "met", "met_late", "overdue", "open", "exempt", "on_time_share",
               "median_days_late"]
STAR_FIELDS = ["team", "cohort", "four_conversations", "conversation_share", "conversation_flag", "offer_required",
               "with_offer", "offer_share", "offer_flag", "exempt"]
PASSIVITY_FIELDS = ["team", "months", "population", "passive", "share"]
SHARE_FIELDS = {"on_time_share", "conversation_share", "offer_share", "share"}


def tables(totals: AuditTotals, meta: AuditMeta, lang: str) -> list[tuple[str, list[str], list[dict]]]:
    """(name, columns, rows) for every table of the report, in reading order."""
    out = [("rules", RULE_FIELDS, rule_rows(totals, meta, lang))]
    for dim in DIMENSIONS:
        fields = ["rule", "title", dim] + RULE_FIELDS[2:]
        out.append((f"by_{dim}", fields, group_rows(totals, meta, dim, lang)))
    out.append(("star", STAR_FIELDS, [dict(r, team=r["team"] or "(all)") for r in star_rows(totals)]))
    out.append(("passivity", PASSIVITY_FIELDS, [dict(r, team=r["team"] or "(all)") for r in passivity_rows(totals)]))
    out.append(("overdue_top", list(OVERDUE_COLUMNS), [d.row() for d in totals.overdue_list()]))
    return out


def _plain(value):
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def write_csv_dir(directory: Path, totals: AuditTotals, meta: AuditMeta, lang: str) -> list[Path]:
    """One CSV per table (UTF-8 with a BOM, so Excel reads æøå right); returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fields, rows in tables(totals, meta, lang):
        path = directory / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _plain(row.get(k)) for k in fields})
        written.append(path)
    return written


class OverdueCsv:
    """The full overdue list, written as the audit goes (never held in memory)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handle = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.DictWriter(self._handle, fieldnames=list(OVERDUE_COLUMNS))
        self._writer.writeheader()
        self.count = 0

    def write(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self._writer.writerow(row)
            self.count += 1

    def close(self) -> None:
        self._handle.close()


def write_xlsx(path: Path, totals: AuditTotals, meta: AuditMeta, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    workbook = Workbook()
    info = workbook.active
    info.title = "audit"
    for row in (("as_of", meta.as_of.isoformat()), ("rules", meta.rules_label), ("source", meta.source),
                ("run", meta.run_id if meta.run_id is not None else ""), ("cases", totals.cases),
                ("bad cases", totals.bad), ("overdue duties", totals.overdue_count)):
        info.append(tuple(_cell(v) for v in row))
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 48
    for name, fields, rows in tables(totals, meta, lang):
        sheet = workbook.create_sheet(name[:31])
        sheet.append(fields)
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center")
        for row in rows:
            sheet.append([_cell(row.get(f)) for f in fields])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # text that starts with "=" is text here, never a formula
                    cell.data_type = "s"
        for index, field in enumerate(fields, start=1):
            letter = get_column_letter(index)
            fmt: Optional[str] = None
            if field in SHARE_FIELDS:
                fmt = "0.0%"
            elif field in ("median_days_late",):
                fmt = "0.0"
            elif field not in ("rule", "title", "team", "caseworker", "benefit", "category", "case_id", "due",
                               "progress", "why", "conversation_flag", "offer_flag"):
                fmt = "#,##0"
            if fmt:
                for cell in sheet[letter][1:]:
                    cell.number_format = fmt
            width = max([len(str(field))] + [len(str(row.get(field) or "")) for row in rows[:200]])
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)


def _cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return visible(value) if isinstance(value, str) else value  # openpyxl refuses control characters
