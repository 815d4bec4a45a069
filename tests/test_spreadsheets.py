"""CSV and Excel as a Danish team lead opens them, and as tools read them (issue 14.11):
--csv-dialect plain (the default: comma, decimal point, field names) and excel (the language's
headers and words; in Danish ';' and a decimal comma; UTF-8 with a BOM); the workbook with
headers and sheet names in the language, dates as dates, ja/nej; nothing for developers."""

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def caseload(tmp_path_factory):
    base = tmp_path_factory.mktemp("sheets")
    cases = base / "cases.jsonl"
    assert CliRunner().invoke(app, ["samples", "generate", "300", "--out", str(cases)]).exit_code == 0
    return cases


def audit(cases, out: Path, *args):
    result = CliRunner().invoke(app, ["audit", str(cases), "--as-of", "2021-12-31", "-q", "--csv", str(out / "csv"),
                                      "--overdue-csv", str(out / "overdue.csv"), "--xlsx", str(out / "a.xlsx"),
                                      "--html", str(out / "a.html"), *args])
    assert result.exit_code == 0, result.output
    return out


def rows(path: Path, delimiter: str, encoding: str = "utf-8") -> list[dict]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_plain_is_for_tools(caseload, tmp_path):
    out = audit(caseload, tmp_path)
    raw = (out / "csv" / "rules.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.startswith(b"rule,title,population,met,")
    rules = rows(out / "csv" / "rules.csv", ",")
    assert all(re.fullmatch(r"|0(\.\d+)?|1\.0", r["on_time_share"]) for r in rules)
    star = rows(out / "csv" / "star.csv", ",")
    assert {r["conversation_flag"] for r in star} <= {"true", "false"}
    overdue = rows(out / "overdue.csv", ",")
    assert list(overdue[0]) == ["case_id", "rule", "due", "days_overdue", "actionable", "period_end", "benefit", "team",
                                "caseworker", "progress", "why"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["due"]) for r in overdue)


def test_excel_in_danish(caseload, tmp_path):
    out = audit(caseload, tmp_path, "--csv-dialect", "excel", "--lang", "da")
    raw = (out / "csv" / "rules.csv").read_bytes()
    assert raw.startswith("\ufeffRegel-id;Regel;Pligter;Opfyldt;Opfyldt for sent;".encode("utf-8"))
    rules = rows(out / "csv" / "rules.csv", ";", "utf-8-sig")
    shares = [r["Rettidighed"] for r in rules if r["Rettidighed"]]
    assert shares and all(re.fullmatch(r"\d{1,3},\d%", s) for s in shares)
    medians = [r["Median dage for sent"] for r in rules if r["Median dage for sent"]]
    assert all(re.fullmatch(r"\d+(,\d+)?", m) for m in medians) and any("," in m for m in medians)
    star = rows(out / "csv" / "star.csv", ";", "utf-8-sig")
    assert star[0]["Team"] == "alle" and {r["Samtaler under 80 %"] for r in star} <= {"ja", "nej"}
    by_benefit = rows(out / "csv" / "by_benefit.csv", ";", "utf-8-sig")
    assert "kontanthjælp" in {r["Ydelse"] for r in by_benefit}  # by name, not kontanthjaelp
    by_category = rows(out / "csv" / "by_category.csv", ";", "utf-8-sig")
    assert "(ingen)" in {r["Kategori"] for r in by_category}
    overdue = rows(out / "overdue.csv", ";", "utf-8-sig")
    assert list(overdue[0])[:4] == ["Sag", "Regel-id", "Frist", "Dage over fristen"]


def test_excel_in_english_keeps_commas(caseload, tmp_path):
    out = audit(caseload, tmp_path, "--csv-dialect", "excel", "--lang", "en")
    rules = rows(out / "csv" / "rules.csv", ",", "utf-8-sig")
    assert "On-time share" in rules[0] and all(re.fullmatch(r"|\d{1,3}\.\d%", r["On-time share"]) for r in rules)


def test_the_workbook_speaks_danish_with_dates_as_dates(caseload, tmp_path):
    out = audit(caseload, tmp_path, "--lang", "da")
    book = load_workbook(out / "a.xlsx")
    assert book.sheetnames[:3] == ["Revision", "Regler", "Pr. ydelse"]
    info = {row[0].value: row[1].value for row in book["Revision"].iter_rows()}
    assert isinstance(info["Pr."], datetime) and info["Sager fra"] == str(caseload)
    top = book["Mest overskredne"]
    header = [c.value for c in top[1]]
    due = header.index("Frist")
    assert all(isinstance(row[due].value, datetime) and row[due].number_format == "yyyy-mm-dd"
               for row in top.iter_rows(min_row=2))
    star = book["STAR"]
    assert {c.value for c in star["E"][1:]} <= {"ja", "nej"}


def test_reports_leave_out_what_is_for_developers(caseload, tmp_path):
    db = tmp_path / "d.sqlite"
    assert CliRunner().invoke(app, ["import", str(caseload), "--db", str(db)]).exit_code == 0
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--as-of", "2021-12-31", "-q",
                                      "--html", str(tmp_path / "a.html"), "--xlsx", str(tmp_path / "a.xlsx")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    info = " ".join(str(c.value) for row in load_workbook(tmp_path / "a.xlsx")["Revision"].iter_rows() for c in row)
    for text in (html, info):
        assert "sqlite" not in text and str(db) not in text  # the database URL
        assert "durable_rules" not in text and "anchors.md" not in text and "--overdue-csv" not in text
    assert "Sager fra: databasen" in re.sub("<[^>]+>", "", html)


def test_whatif_csv_dialects():
    args = ["whatif", str(ROOT / "samples" / "caseload"), "--candidate",
            str(ROOT / "samples" / "overrides" / "six-conversations.yaml"), "--as-of", "2021-12-31", "--format", "csv"]
    plain = CliRunner().invoke(app, args)
    assert plain.exit_code == 0
    lines = list(csv.DictReader(io.StringIO(plain.stdout)))
    assert lines and "—" not in plain.stdout  # a missing duty is an empty cell
    assert {r["candidate_status"] for r in lines} <= {"", "met", "met_late", "open", "overdue", "exempt"}
    excel = CliRunner().invoke(app, args + ["--csv-dialect", "excel", "--lang", "da"])
    assert excel.exit_code == 0
    danish = list(csv.DictReader(io.StringIO(excel.stdout.lstrip("\ufeff")), delimiter=";"))
    assert "Status efter ændringen" in danish[0]
    assert {r["Status efter ændringen"] for r in danish} <= {"", "opfyldt", "opfyldt for sent", "åben", "overskredet",
                                                               "fritaget"}
    assert {r["Ændring"] for r in danish} <= {"ny", "bortfalder", "ændret", "visitation"}
