"""The management-review sample (engine/batch/review.py), its sheet read back by ``import``
(engine/io/reviews.py), and pruning old audit runs — on the sample caseload in a real SQLite file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.batch.review import check_of, checklist, draw, draw_key
from engine.io.reviews import NotAReviewSheet, load_verdicts, prune_runs, read_verdicts
from engine.io.sources import file_items
from engine.io.storage import db_url, list_audit_runs, open_db
from models.case import Case

ROOT = Path(__file__).resolve().parent.parent
CASELOAD = ROOT / "samples" / "caseload" / "caseload.jsonl"
AS_OF = date(2021, 12, 31)


def test_draw_is_reproducible_and_stratified(engine, tmp_path):
    lines = CASELOAD.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    a = draw(engine, file_items([CASELOAD]), AS_OF, 1, seed=7)
    b = draw(engine, file_items([shuffled]), AS_OF, 1, seed=7)
    assert [s.case_id for s in a.sampled] == [s.case_id for s in b.sampled]  # the order of the input never matters
    cases = [Case.model_validate_json(line) for line in lines]
    caseworkers = {c.citizen.caseworker or "(none)" for c in cases}
    assert len(a.sampled) == len(caseworkers) == a.strata  # one per caseworker
    for s in a.sampled:  # each is the lowest key of its stratum
        peers = [c for c in cases if (c.citizen.caseworker or "(none)") == s.stratum]
        assert s.case_id == min(peers, key=lambda c: draw_key(7, c.case_id)).case_id
    other = draw(engine, file_items([CASELOAD]), AS_OF, 1, seed=8)
    assert [s.case_id for s in other.sampled] != [s.case_id for s in a.sampled]
    two_per_team = draw(engine, file_items([CASELOAD]), AS_OF, 2, seed=7, per="team")
    teams = {c.citizen.team or "(none)" for c in cases}
    assert len(two_per_team.sampled) == 2 * len(teams)


def test_checklist_follows_the_duties(engine):
    case = Case.model_validate({
        "case_id": "R-1", "citizen": {"birth_date": "2000-03-01", "education": "grundskole", "team": "unge"},
        "benefits": [{"type": "uddannelseshjaelp", "start": "2021-09-01"}],
        "assessments": [{"date": "2021-09-02", "category": "uddannelsesparat"}],
        "events": [{"date": "2021-09-02", "type": "conversation", "kind": "visitation"}]})
    result = engine.check(case, AS_OF)
    items = checklist(case, result)
    assert list(items)[0] == "routing"
    assert "education_order" in items and "literacy" in items  # STAR's 2022 review: the weak points
    assert all(check_of(rule) == item for item, rules in items.items() if item not in ("overdue_followup",)
               for rule in rules)
    overdue = {a.rule for a in result.actions if a.status.value == "overdue"}
    assert set(items.get("overdue_followup", [])) == overdue


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "team.sqlite"
    assert CliRunner().invoke(app, ["import", str(CASELOAD), "--db", str(path)]).exit_code == 0
    return path


def test_sheet_round_trip_beside_the_run(db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "review"
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--as-of", "2021-12-31", "-q", "--review-sample", "1",
                                      "--seed", "3", "--per", "team", "--review-out", str(out)])
    assert result.exit_code == 0, result.output
    run_id = list_audit_runs(open_db(db_url(str(db))))[-1]["id"]
    html = (out / "review.html").read_text(encoding="utf-8")
    assert html.count('class="review-case"') == 6  # six teams, (none) included
    assert "break-after:page" in html and "<script" not in html
    workbook = load_workbook(out / "review.xlsx")
    info = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert info[1][1] == run_id and info[3][1] == 3
    sheet = workbook.worksheets[1]
    assert [c.value for c in sheet[1]][7] == "Vurdering"
    sheet["H2"], sheet["H3"], sheet["I3"] = "OK", "mangler", "ikke i sagen (borger 010203-1234)"
    sheet["H4"] = "måske"
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    result = CliRunner().invoke(app, ["import", str(filled), "--db", str(db)])
    assert result.exit_code == 1  # the bad verdict is reported; the good ones land
    assert "filled.xlsx:4: verdict: 'måske' is not one of" in result.output
    stored = load_verdicts(open_db(db_url(str(db))), run_id)
    first_case = sheet["B2"].value
    assert sorted((v["case_id"], v["item"], v["verdict"], v["seed"]) for v in stored) == sorted(
        [(first_case, sheet["E2"].value, "ok", 3), (sheet["B3"].value, sheet["E3"].value, "missing", 3)])
    assert all("010203" not in v["note"] for v in stored)  # no CPR number is stored
    again = CliRunner().invoke(app, ["import", str(filled), "--db", str(db)])
    assert again.exit_code == 1 and len(load_verdicts(open_db(db_url(str(db))), run_id)) == 2  # replaced, not doubled


def test_not_a_review_sheet(db, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 1 and "not a sagsrute review sheet" in result.output
    with pytest.raises(NotAReviewSheet):
        read_verdicts(path)


def test_prune_by_count_and_age(db):
    runner = CliRunner()
    for day in ("2021-06-30", "2021-09-30", "2021-12-31"):
        assert runner.invoke(app, ["audit", "--db", str(db), "--as-of", day, "-q"]).exit_code == 0
    engine = open_db(db_url(str(db)))
    ids = [r["id"] for r in list_audit_runs(engine)]
    result = runner.invoke(app, ["audit-runs", "--db", str(db), "--prune", "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert f"#{ids[0]}" in result.output
    assert [r["id"] for r in list_audit_runs(engine)] == ids[1:]
    from sqlalchemy import func, select
    from models.storage import AuditResult
    with engine.connect() as conn:
        runs_with_rows = set(conn.execute(select(AuditResult.run_id).distinct()).scalars())
    assert runs_with_rows == set(ids[1:])  # the pruned run's rows went with it
    later = datetime.now(timezone.utc) + timedelta(days=100)
    assert prune_runs(engine, older_than_days=90, now=later) == ids[1:]
    assert list_audit_runs(engine) == []
    assert runner.invoke(app, ["audit-runs", "--db", str(db), "--keep", "1"]).exit_code == 2  # --keep needs --prune


def test_migration_4_upgrades_a_version_1_database(tmp_path):
    from sqlalchemy import inspect

    from engine.io import storage
    from models.storage import SchemaVersion

    url = db_url(str(tmp_path / "old.sqlite"))
    db = open_db(url)
    with db.begin() as conn:  # as a version-1 database was: no review table
        conn.execute(SchemaVersion.__table__.update().values(version=1))
        assert not inspect(conn).has_table("review_verdict")
    upgraded = open_db(url)
    with upgraded.connect() as conn:
        assert storage.schema_version(conn) == storage.latest_version() >= 4
        assert inspect(conn).has_table("review_verdict")
