"""``sagsrute import``: good cases land, bad ones are reported, re-imports are idempotent and a
crash mid-file leaves the database as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

import engine.io.importer as importer
from cli.app import app
from engine.io.csv_cases import read_csv_cases, write_csv
from engine.io.importer import import_paths
from engine.io.storage import count_cases, db_url, iter_stored_cases, open_db
from models.case import Case
from engine.io.loading import read_cases
from models.storage import CaseRecord

DATA = Path(__file__).resolve().parent / "data" / "import"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture
def db(tmp_path):
    return open_db(db_url(str(tmp_path / "cases.sqlite")))


def stored(db) -> dict[str, Case]:
    return {c.case_id: c for c in iter_stored_cases(db)}


def rows(db) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(select(CaseRecord.case_id, CaseRecord.content_hash, CaseRecord.data,
                                   CaseRecord.source).order_by(CaseRecord.case_id)).all()


def test_good_cases_land_and_bad_ones_are_reported_with_file_line_and_field(db):
    [report] = import_paths(db, [DATA / "mixed.jsonl"])
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 0)
    assert set(stored(db)) == {"IMP-1", "IMP-2", "IMP-4"}
    reasons = [str(e) for e in report.rejected]
    assert len(reasons) == 3
    assert reasons[0] == (f"{DATA / 'mixed.jsonl'}:3: benefits[0].type: 'kontant' is not allowed; expected "
                          "'a_dagpenge', 'kontanthjaelp', 'uddannelseshjaelp', 'sygedagpenge', "
                          "'jobafklaringsforloeb', 'ressourceforloeb', 'revalidering', 'ledighedsydelse' or "
                          "'integrationsydelse'")
    assert reasons[1].startswith(f"{DATA / 'mixed.jsonl'}:4: (line): not valid JSON")
    assert reasons[2].startswith(f"{DATA / 'mixed.jsonl'}:6: case_id: looks like a CPR number")
    assert "010190" not in "".join(reasons)
    record = {r[0]: r for r in rows(db)}["IMP-4"]
    assert record[3] == f"{DATA / 'mixed.jsonl'}:5"  # the line it came from
    with db.connect() as conn:
        columns = conn.execute(select(CaseRecord.benefit_types, CaseRecord.team, CaseRecord.caseworker)
                               .where(CaseRecord.case_id == "IMP-1")).one()
    assert tuple(columns) == ("kontanthjaelp", "voksen", "kw-1")


def test_reimport_is_idempotent_and_a_changed_case_is_updated(db, tmp_path):
    import_paths(db, [SAMPLES / "caseload"])
    before = rows(db)
    [again] = import_paths(db, [SAMPLES / "caseload"])
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, len(before), [])
    assert rows(db) == before

    lines = (SAMPLES / "caseload" / "caseload.jsonl").read_text().splitlines()
    changed = json.loads(lines[0])
    changed["citizen"]["team"] = "moved-team"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([json.dumps(changed)] + lines[1:]) + "\n")
    [report] = import_paths(db, [edited])
    assert (report.imported, report.updated, report.unchanged) == (0, 1, len(before) - 1)
    assert count_cases(db) == len(before)  # never a duplicate
    assert stored(db)[changed["case_id"]].citizen.team == "moved-team"


def test_one_case_id_twice_in_one_import_is_rejected_with_its_line(db, tmp_path):
    """Issue 13.4: a repeated case id is a bad case with its file:line, as in every command (the
    same content or other), and the first one is the one imported."""
    case = json.loads((DATA / "mixed.jsonl").read_text().splitlines()[0])
    other = json.loads(json.dumps(case))
    other["citizen"]["team"] = "unge"
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(case) + "\n" + json.dumps(case) + "\n")
    b.write_text(json.dumps(other) + "\n")
    first, second = import_paths(db, [a, b])
    assert (first.imported, first.unchanged, len(first.rejected)) == (1, 0, 1)
    assert str(first.rejected[0]) == f"{a}:2: case_id: 'IMP-1' appears again (first in {a}:1); this copy is left out"
    assert second.updated == 0 and len(second.rejected) == 1
    assert f"appears again (first in {a}:1)" in str(second.rejected[0])
    assert stored(db)["IMP-1"].citizen.team == "voksen"
    # In a later import the same change is an ordinary update.
    [later] = import_paths(db, [b])
    assert later.updated == 1 and stored(db)["IMP-1"].citizen.team == "unge"


def test_a_crash_mid_file_leaves_the_database_as_it_was(db, tmp_path, monkeypatch):
    import_paths(db, [DATA / "caseload.csv"])
    before = rows(db)
    calls = []
    real_write = importer._write_chunk

    def crash_on_second_chunk(conn, chunk, batch, report):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed half-way through the file
        real_write(conn, chunk, batch, report)

    monkeypatch.setattr(importer, "_write_chunk", crash_on_second_chunk)
    monkeypatch.setattr(importer, "CHUNK", 20)
    with pytest.raises(KeyboardInterrupt):
        import_paths(db, [SAMPLES / "caseload" / "caseload.jsonl"])
    assert calls == [20, 20]  # the first chunk had been written inside the transaction
    assert rows(db) == before


def test_a_database_error_mid_file_is_reported_and_nothing_of_the_file_stays(db, monkeypatch):
    real_write = importer._write_chunk
    calls = []

    def fail_on_second_chunk(conn, chunk, batch, report):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("INSERT …", {}, Exception("disk I/O error"))
        real_write(conn, chunk, batch, report)

    monkeypatch.setattr(importer, "_write_chunk", fail_on_second_chunk)
    monkeypatch.setattr(importer, "CHUNK", 20)
    [failed] = import_paths(db, [SAMPLES / "caseload" / "caseload.jsonl"])
    assert failed.failed == "database error, nothing from this file was stored (disk I/O error)"
    assert (failed.imported, failed.updated, failed.unchanged) == (0, 0, 0)
    assert count_cases(db) == 0


def test_a_file_that_breaks_off_half_way_is_not_half_imported(db, tmp_path):
    broken = tmp_path / "broken.jsonl"
    # More than one read buffer of good cases, then bytes that are not UTF-8.
    broken.write_bytes((SAMPLES / "caseload" / "caseload.jsonl").read_bytes() + b"\xff\xfe{}\n")
    assert broken.stat().st_size > 16_384
    [report] = import_paths(db, [broken])
    assert report.failed and "nothing from it was stored" in report.failed
    assert [str(e) for e in report.rejected] == [f"{broken}: (file): not UTF-8 text"]
    assert report.imported == 0 and count_cases(db) == 0


def test_parallel_validation_gives_the_same_import(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(importer, "LINES_PER_TASK", 7)
    files = [SAMPLES / "caseload" / "caseload.jsonl", DATA / "mixed.jsonl", DATA / "caseload.csv"]
    one, two = (open_db(db_url(str(tmp_path / f"{n}.sqlite"))) for n in ("one", "two"))
    sequential = import_paths(one, files, workers=1)
    parallel = import_paths(two, files, workers=2)
    assert parallel == sequential
    assert [r[:3] for r in rows(two)] == [r[:3] for r in rows(one)]
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes((SAMPLES / "caseload" / "caseload.jsonl").read_bytes() + b"\xff\xfe{}\n")
    [report] = import_paths(two, [broken], workers=2)
    assert report.failed and report.rejected[-1].problems == ("(file): not UTF-8 text",)


def test_csv_export_round_trip(db, tmp_path):
    originals = [loaded.case for loaded in read_cases([SAMPLES / "caseload"])]
    export = tmp_path / "export.csv"
    assert write_csv(iter(originals), export) == len(originals)
    [report] = import_paths(db, [export])
    assert (report.imported, report.rejected) == (len(originals), [])
    assert stored(db) == {c.case_id: c for c in originals}
    # The same cases from JSON Lines are the same content: nothing changes.
    [again] = import_paths(db, [SAMPLES / "caseload" / "caseload.jsonl"])
    assert again.unchanged == len(originals)


def test_csv_rows_become_cases(db):
    [report] = import_paths(db, [DATA / "caseload.csv"])
    assert report.imported == 3 and report.rejected == []
    cases = stored(db)
    one = cases["CSV-1"]
    assert one.citizen.forsoerger is True and one.citizen.team == "voksen"
    assert one.benefits[0].first_contact.isoformat() == "2021-01-28"
    assert [e.type for e in one.events] == ["conversation", "offer"]
    assert one.events[1].offer == "mentor" and one.exemptions[0].reason == "indlagt"
    assert cases["CSV-2"].events[0].step == 1
    assert [b.type.value for b in cases["CSV-3"].benefits] == ["sygedagpenge", "jobafklaringsforloeb"]


def test_bad_csv_names_line_and_column_and_keeps_the_good_case(db):
    [report] = import_paths(db, [DATA / "bad.csv"])
    assert report.imported == 1 and set(stored(db)) == {"GOOD-5"}
    where = str(DATA / "bad.csv")
    assert [str(e) for e in report.rejected] == [
        f"{where}: line 3: column date: events[0].date: impossible date '2021-02-31' (day is out of range for month)",
        f"{where}: line 5: column category: assessments[0].category: 'jobklar' is not allowed; expected "
        "'jobparat', 'aktivitetsparat', 'aabenlyst_uddannelsesparat' or 'uddannelsesparat'",
        f"{where}: line 7: column birth_date: differs from line 6 of the same case ('1981-01-01' vs '1980-01-01')",
        f"{where}: line 8: column record: 'visit' is not allowed; expected one of benefit, assessment, event, "
        "exemption, citizen",
        f"{where}: lines 11-12: record: benefits: benefit periods overlap: kontanthjaelp from 2021-02-01 has no "
        "end, but kontanthjaelp starts 2021-04-01",
    ]


def test_csv_header_and_cell_problems(tmp_path):
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("case_id,record,colour\nX-1,benefit,red\n")
    [error] = list(read_csv_cases(unknown))
    assert error.problems[0] == "line 1: column 'colour' is not a known column"
    unused = tmp_path / "unused.csv"
    unused.write_text("case_id,birth_date,education,record,type,date,offer\n"
                      "X-1,1990-01-01,none,benefit,kontanthjaelp,2021-01-01,mentor\n")
    [error] = list(read_csv_cases(unused))
    assert error.problems == ("line 2: column offer: not used on a benefit row (leave it empty)",)
    cpr = tmp_path / "cpr.csv"
    cpr.write_text("case_id,birth_date,education,record,type,date\n"
                   "0101901234,1990-01-01,none,benefit,kontanthjaelp,2021-01-01\n")
    [error] = list(read_csv_cases(cpr))
    assert error.case_id is None and "0101901234" not in str(error)
    assert "line 2: column case_id: case_id: looks like a CPR number" in str(error)
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text("case_id,birth_date,education,record,type,date,kind,reason\n"
                        "X-1,1990-01-01,none,benefit,kontanthjaelp,2021-01-01,,\n"
                        "X-1,,,exemption,,2021-02-01,standby,\"indlagt\n"
                        "X-2,1990-01-01,none,benefit,kontanthjaelp,2021-01-01,,\n")
    # The quote never closes: an error, not a reason that swallows case X-2.
    assert [str(e) for e in read_csv_cases(unclosed)] == [
        f"{unclosed}: (file): not valid CSV from line 3 (unexpected end of data)"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "the file is empty" in str(next(read_csv_cases(empty)))


def test_import_command_reports_per_file_and_exits_1_on_rejections(tmp_path):
    runner = CliRunner()
    url = str(tmp_path / "cli.sqlite")
    good = tmp_path / "good"
    shutil.copytree(SAMPLES / "caseload", good)
    result = runner.invoke(app, ["import", str(good), str(DATA / "caseload.csv"), "--db", url, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "caseload.jsonl" in result.output and "Total" in result.output
    result = runner.invoke(app, ["import", str(DATA / "mixed.jsonl"), str(DATA / "caseload.csv"), "--db", url])
    assert result.exit_code == 1
    assert "mixed.jsonl:3: benefits[0].type" in result.output
    assert "010190" not in result.output
    db = open_db(db_url(url))
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CaseRecord)).scalar() == count_cases(db)
    assert {"IMP-1", "CSV-1"} <= set(stored(db))
    result = runner.invoke(app, ["import", str(tmp_path / "missing.jsonl"), "--db", url])
    assert result.exit_code == 1 and "no such file or directory" in result.output
