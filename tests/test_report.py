"""``sagsrute audit`` end to end: the command, its CSV, Excel and HTML reports, stored runs, and the
HTML report rendered in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.app import app

DATA = Path(__file__).resolve().parent / "data" / "audit"
runner = CliRunner()


def audit(*args: str):
    return runner.invoke(app, ["audit", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = audit(str(DATA), "--as-of", "2021-12-31", "--lang", "en", "--html", str(out / "report.html"),
                   "--xlsx", str(out / "report.xlsx"), "--csv", str(out / "csv"),
                   "--overdue-csv", str(out / "overdue.csv"), "--group-by", "team")
    return out, result


def test_audit_over_files_reports_the_bad_case_and_exits_1(reports):
    _, result = reports
    assert result.exit_code == 1  # one bad case in the batch
    assert "bad.jsonl:1" in result.output and "1 bad case(s) skipped" in result.output
    assert "Cases audited: 7" in result.output
    assert "AUD-A5" in result.output  # the most overdue duty is listed


def test_csv_tables_and_full_overdue_list(reports):
    out, _ = reports
    with (out / "csv" / "rules.csv").open(encoding="utf-8-sig") as handle:
        rules = {row["rule"]: row for row in csv.DictReader(handle)}
    course = rules["contact-course-4-conversations"]
    assert (course["population"], course["met"], course["overdue"], course["on_time_share"]) == ("7", "2", "2", "0.4")
    assert {p.name for p in (out / "csv").iterdir()} >= {"rules.csv", "by_team.csv", "by_caseworker.csv",
                                                         "by_benefit.csv", "by_category.csv", "star.csv",
                                                         "passivity.csv", "overdue_top.csv"}
    with (out / "overdue.csv").open(encoding="utf-8-sig") as handle:
        overdue = list(csv.DictReader(handle))
    assert sorted((r["case_id"], r["days_overdue"]) for r in overdue) == [("AUD-A2", "152"), ("AUD-A3", "180"),
                                                                          ("AUD-A5", "180"), ("AUD-A5", "180"),
                                                                          ("AUD-A5", "180")]
    assert all(r["why"] for r in overdue)


def test_excel_workbook_has_a_styled_frozen_sheet_per_table(reports):
    out, _ = reports
    book = load_workbook(out / "report.xlsx")
    # sheet names and headers in the report's language (English here)
    assert {"Audit", "Rules", "By team", "By caseworker", "STAR", "Passivity", "Most overdue"} <= set(book.sheetnames)
    sheet = book["Rules"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Rule id" and sheet["A1"].font.bold
    header = [c.value for c in sheet[1]]
    share = header.index("On-time share") + 1
    course = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "contact-course-4-conversations")
    assert course[share - 1].value == 0.4 and course[share - 1].number_format == "0.0%"


def test_html_is_self_contained(reports):
    out, _ = reports
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    for marker in ('id="chart-rules"', 'id="chart-teams"', 'id="chart-days-late"', 'id="overdue-table"',
                   "2021-12-31", "sagsrute-lab@"):
        assert marker in html


def test_audit_over_the_database_stores_runs_that_can_be_compared(tmp_path):
    db = str(tmp_path / "cases.sqlite")
    imported = runner.invoke(app, ["import", str(DATA), "--db", db], catch_exceptions=False)
    assert imported.exit_code == 1  # the bad case is rejected, the seven good ones land
    first = audit("--db", db, "--as-of", "2021-12-31", "--lang", "en")
    assert first.exit_code == 0, first.output
    assert "Cases audited: 7" in first.output and "stored as audit run #1" in first.output
    second = audit("--db", db, "--as-of", "2022-06-30", "--lang", "en", "--quiet")
    assert second.exit_code == 0 and "audit run #2" in second.output
    runs = runner.invoke(app, ["audit-runs", "--db", db], catch_exceptions=False)
    assert runs.exit_code == 0 and "2021-12-31" in runs.output and "2022-06-30" in runs.output
    compared = runner.invoke(app, ["audit-compare", "1", "2", "--db", db, "--lang", "en"], catch_exceptions=False,
                             env={"COLUMNS": "160"})
    assert compared.exit_code == 0, compared.output
    assert "Four conversations in the first six months" in compared.output  # rules by title, as the runs stored them
    assert "Ret og pligt offer no later than after six months" in compared.output
    missing = runner.invoke(app, ["audit-compare", "1", "9", "--db", db])
    assert missing.exit_code == 1 and "no audit run #9" in missing.output


def test_audit_of_an_empty_database_says_so(tmp_path):
    from engine.io.storage import open_db

    open_db(f"sqlite:///{tmp_path / 'empty.sqlite'}").dispose()
    result = audit("--db", str(tmp_path / "empty.sqlite"), "--as-of", "2021-12-31")
    assert result.exit_code == 1 and "no cases in the database" in result.output


@pytest.mark.parametrize("command", [["audit"], ["audit-runs"], ["audit-compare", "1", "2"]])
def test_a_read_never_creates_a_database(tmp_path, command):
    """A mistyped --db is an error, not a new empty database (issue 14.12)."""
    typo = tmp_path / "typo.sqlite"
    result = CliRunner().invoke(app, [*command, "--db", str(typo)])
    assert result.exit_code == 1 and f"no database at {typo}" in result.output
    assert not typo.exists()


CHROMIUM = shutil.which("chromium")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_report_renders_in_a_headless_browser(reports, tmp_path):
    out, _ = reports
    page = (out / "report.html").resolve().as_uri()
    png = tmp_path / "report.png"
    _chromium(f"--screenshot={png}", "--window-size=1280,2000", page)
    assert png.exists() and png.stat().st_size > 20_000  # a blank page is a few kB
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = _chromium("--dump-dom", page).stdout
    for marker in ('id="chart-rules"', 'id="chart-teams"', 'id="chart-days-late"', 'class="bar"',
                   'class="threshold"', 'id="overdue-table"'):
        assert marker in dom, marker
    overdue = dom.split('id="overdue-table"', 1)[1].split("</table>", 1)[0]
    assert overdue.count("<tr>") == 6 and "AUD-A5" in overdue  # header + five overdue duties
