"""``sagsrute audit-merge``: the totals that several audits exported (``audit --export-totals``),
added up into the audit's own reports with a per-unit breakdown (docs/scale.md)."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from cli.audit import audit as _audit_command
from cli.common import DEFAULT_CSV_DIALECT, DEFAULT_LANG, CsvDialectOption, LangOption, console, err_console, fail
from engine import texts
from engine.report.safe import visible

# the report options as audit's own: one help text each
_AUDIT = typing.get_type_hints(_audit_command, include_extras=True)


def audit_merge(
    files: Annotated[List[Path], typer.Argument(
        metavar="FILE...", show_default=False, help="Totals files written by audit --export-totals.")],
    csv_dir: _AUDIT["csv_dir"] = None,
    xlsx: _AUDIT["xlsx"] = None,
    html: _AUDIT["html"] = None,
    csv_dialect: CsvDialectOption = DEFAULT_CSV_DIALECT,
    group_by: _AUDIT["group_by"] = [],  # noqa: B006
    allow_mixed: Annotated[bool, typer.Option(
        "--allow-mixed", help="Merge totals of different as-of dates or rule sets (the report says so).")] = False,
    lang: LangOption = DEFAULT_LANG,
    quiet: _AUDIT["quiet"] = False,
) -> None:
    """Add up the totals of several audits into one report.

    The same reports as audit (terminal, CSV, Excel, HTML) over the sum of the units, with a table
    per unit. Totals as of different dates or under different rules are refused unless
    --allow-mixed. The files hold no case ids, so no list of overdue duties is shown.

    \b
    Example:
      sagsrute audit-merge out/lyngby.json out/gentofte.json --html out/region.html
    """
    from engine.batch.export import TotalsFileError, merge_files
    from engine.report import AuditMeta
    from engine.report.html import render_html
    from engine.report.tables import write_csv_dir, write_xlsx
    from engine.report.terminal import render
    from engine.report.units import add_units_sheet, render_units, with_units, write_units_csv

    group_by = [d.value for d in group_by]
    try:
        merged = merge_files(files, allow_mixed)
    except TotalsFileError as exc:
        fail(str(exc))
    if "caseworker" in group_by and not merged.caseworkers:
        fail("--group-by caseworker: not every file holds caseworkers (audit --export-caseworkers)", 2)
    s = texts.words(texts.SCALE, lang.value)
    w = texts.words(texts.AUDIT, lang.value)
    meta = AuditMeta(as_of=merged.as_of, rules_label=merged.rules_label,
                     source=s["merge_source"].format(n=len(merged.units)) + ": "
                     + ", ".join(u.unit for u in merged.units), titles=merged.titles)
    if not quiet:
        render(console, merged.totals, meta, lang.value, tuple(group_by))
        render_units(console, merged, lang.value)
    if csv_dir:
        write_csv_dir(csv_dir, merged.totals, meta, lang.value, csv_dialect.value)
        write_units_csv(csv_dir, merged, lang.value, csv_dialect.value)
        err_console.print(visible(w["csv_written"].format(path=f"{csv_dir}/")))
    if xlsx:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(xlsx, merged.totals, meta, lang.value)
        add_units_sheet(xlsx, merged, lang.value)
        err_console.print(visible(w["xlsx_written"].format(path=xlsx)))
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(with_units(render_html(merged.totals, meta, lang.value), merged, lang.value), encoding="utf-8")
        err_console.print(visible(w["html_written"].format(path=html)))
