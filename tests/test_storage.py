"""The database layer: locations, schema versions, streaming cases and audit-run round trips."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, insert, select, text

import engine.io.storage as storage
from engine.rulebook.ruleset import load_ruleset
from engine.io.storage import (SchemaTooNew, add_audit_results, case_hash, count_cases, db_url, default_db_path,
                            finish_audit_run, get_audit_run, iter_stored_cases, list_audit_runs,
                            load_audit_results, load_ruleset_snapshot, open_db, save_ruleset, schema_version,
                            start_audit_run)
from models.case import Case
from models.storage import CaseRecord, RuleSetRecord, SchemaVersion


def make_case(case_id: str) -> Case:
    return Case.model_validate({
        "case_id": case_id,
        "citizen": {"birth_date": "1990-01-01", "education": "grundskole", "team": "voksen"},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04"}],
        "events": [{"type": "conversation", "date": "2021-01-05"}],
    })


def insert_cases(db, ids):
    rows = []
    for case_id in ids:
        data = make_case(case_id).model_dump_json()
        rows.append({"case_id": case_id, "content_hash": case_hash(data), "data": data,
                     "benefit_types": "kontanthjaelp", "team": "voksen", "source": "test"})
    with db.begin() as conn:
        conn.execute(insert(CaseRecord), rows)


@pytest.fixture
def db(tmp_path):
    return open_db(db_url(str(tmp_path / "s.sqlite")))


def test_default_path_follows_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "sagsrute" / "sagsrute.sqlite"
    assert db_url(None) == f"sqlite:///{tmp_path / 'data' / 'sagsrute' / 'sagsrute.sqlite'}"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path().parts[-4:] == (".local", "share", "sagsrute", "sagsrute.sqlite")


def test_db_option_takes_a_path_or_a_url(tmp_path):
    assert db_url(str(tmp_path / "x.sqlite")) == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert db_url("postgresql://u:p@host/db") == "postgresql://u:p@host/db"


def test_a_mistyped_folder_makes_no_folders_and_no_database(tmp_path):
    path = tmp_path / "typo" / "dir" / "s.sqlite"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        open_db(db_url(str(path)))
    assert not (tmp_path / "typo").exists()


def test_the_default_database_folder_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = open_db(db_url(None))
    assert (tmp_path / "data" / "sagsrute" / "sagsrute.sqlite").exists()
    assert count_cases(db) == 0


def test_open_creates_the_schema_once_with_wal(tmp_path):
    path = tmp_path / "deep" / "dir" / "s.sqlite"
    path.parent.mkdir(parents=True)
    db = open_db(db_url(str(path)))
    assert path.exists()
    names = set(inspect(db).get_table_names())
    assert {"case_record", "rule_set", "audit_run", "audit_result", "schema_version"} <= names
    with db.connect() as conn:
        assert schema_version(conn) == storage.latest_version()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    insert_cases(db, ["A-1"])
    again = open_db(db_url(str(path)))  # reopening neither recreates nor loses anything
    assert count_cases(again) == 1
    with again.connect() as conn:
        assert conn.execute(select(SchemaVersion.version)).all() == [(storage.latest_version(),)]


def test_an_older_database_is_upgraded_by_the_later_migrations(tmp_path, monkeypatch):
    url = db_url(str(tmp_path / "old.sqlite"))
    insert_cases(open_db(url), ["A-1", "A-2"])  # a database at the latest version, with data
    later = storage.latest_version() + 1

    def add_note_column(conn):
        conn.execute(text("ALTER TABLE case_record ADD COLUMN note VARCHAR"))

    monkeypatch.setattr(storage, "MIGRATIONS", storage.MIGRATIONS + [(later, add_note_column)])
    db = open_db(url)
    with db.connect() as conn:
        assert schema_version(conn) == later
        assert "note" in {c["name"] for c in inspect(conn).get_columns("case_record")}
    assert count_cases(db) == 2
    open_db(url)  # already at the later version: the ALTER is not run twice


def test_a_version_1_database_gets_the_worklist_tables(tmp_path):
    """Migration 2 (sagsrute serve's worklist) on a database written before it existed."""
    url = db_url(str(tmp_path / "v1.sqlite"))
    db = open_db(url)
    insert_cases(db, ["A-1"])
    with db.begin() as conn:
        for table in ("worklist_entry", "worklist_fill"):
            conn.execute(text(f"DROP TABLE {table}"))
        for index in ("ix_case_record_updated_at", "ix_case_record_team_updated_at"):
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(SchemaVersion.__table__.update().values(version=1))
    db = open_db(url)
    with db.connect() as conn:
        assert schema_version(conn) == storage.latest_version()
        assert {"worklist_entry", "worklist_fill"} <= set(inspect(conn).get_table_names())
        assert {"ix_case_record_updated_at", "ix_case_record_team_updated_at"} <= {
            i["name"] for i in inspect(conn).get_indexes("case_record")}
    assert count_cases(db) == 1


def test_a_failed_migration_leaves_the_old_version(tmp_path, monkeypatch):
    url = db_url(str(tmp_path / "old.sqlite"))
    open_db(url)

    def half_done(conn):
        conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage, "MIGRATIONS", storage.MIGRATIONS + [(storage.latest_version() + 1, half_done)])
    with pytest.raises(RuntimeError):
        open_db(url)
    monkeypatch.undo()
    db = open_db(url)
    with db.connect() as conn:
        assert schema_version(conn) == storage.latest_version()
        assert not inspect(conn).has_table("scratch")  # the DDL was rolled back with the version


def test_a_database_from_a_newer_sagsrute_is_refused(tmp_path):
    url = db_url(str(tmp_path / "new.sqlite"))
    db = open_db(url)
    with db.begin() as conn:
        conn.execute(SchemaVersion.__table__.update().values(version=99))
    with pytest.raises(SchemaTooNew, match="99"):
        open_db(url)


def test_stored_cases_stream_in_case_id_order_across_chunks(db):
    ids = [f"C-{n:03d}" for n in (7, 3, 11, 1, 5, 2, 9)]
    insert_cases(db, ids)
    streamed = storage.iter_stored_cases(db, chunk_size=3)
    first = next(streamed)  # a generator: nothing past the first chunk has been read yet
    assert first.case_id == "C-001"
    assert [first.case_id] + [c.case_id for c in streamed] == sorted(ids)
    assert count_cases(db) == 7
    assert [c for c in iter_stored_cases(db)][0] == make_case("C-001")


def test_stored_cases_can_be_limited_to_a_team_or_a_benefit_type(db):
    insert_cases(db, ["A-1", "A-2"])
    with db.begin() as conn:
        conn.execute(CaseRecord.__table__.update().where(CaseRecord.case_id == "A-2")
                     .values(team="unge", benefit_types="uddannelseshjaelp,kontanthjaelp"))
    assert [c.case_id for c in iter_stored_cases(db, team="voksen")] == ["A-1"]
    assert count_cases(db, team="unge") == 1 and count_cases(db, team="nobody") == 0
    assert count_cases(db, benefit="kontanthjaelp") == 2
    assert [i for i, _ in storage.iter_stored_json(db, benefit="uddannelseshjaelp")] == ["A-2"]
    assert count_cases(db, benefit="hjaelp") == 0  # whole items only


def test_save_ruleset_is_idempotent_and_keeps_a_snapshot(db):
    ruleset = load_ruleset()
    assert save_ruleset(db, ruleset) == ruleset.label
    assert save_ruleset(db, ruleset) == ruleset.label
    with db.connect() as conn:
        assert conn.execute(select(RuleSetRecord.label)).all() == [(ruleset.label,)]
    snapshot = load_ruleset_snapshot(db, ruleset.label)
    assert snapshot["digest"] == ruleset.digest
    assert {r["rule"]["id"] for r in snapshot["rules"]} == set(ruleset.ids)
    assert all(r["file"].endswith(".yaml") for r in snapshot["rules"])


def test_audit_run_round_trip(db):
    run = start_audit_run(db, date(2021, 12, 31), "rules@1+abc", "db", {"workers": 2})
    rows = [{"case_id": f"C-{n}", "rule": "contact-course-4-conversations", "status": "overdue",
             "due": date(2021, 7, 4), "anchor": "2021-01-04", "progress_done": 1, "progress_required": 4,
             "benefit": "kontanthjaelp", "team": "voksen", "caseworker": "kw-1", "category": None,
             "days_late": 180} for n in range(12)]
    storage.RESULT_CHUNK, old = 5, storage.RESULT_CHUNK
    try:
        assert add_audit_results(db, run, rows) == 12
    finally:
        storage.RESULT_CHUNK = old
    finish_audit_run(db, run, case_count=12, bad_count=1)
    loaded = list(load_audit_results(db, run, chunk_size=5))
    assert len(loaded) == 12
    assert loaded[0] == {**rows[0], "run_id": run, "anchor": date(2021, 1, 4), "done_on": None}
    [listed] = list_audit_runs(db)
    assert listed["id"] == run and listed["case_count"] == 12 and listed["bad_count"] == 1
    assert listed["options"] == {"workers": 2} and listed["finished_at"] is not None
    assert listed["as_of"] == date(2021, 12, 31)
    assert get_audit_run(db, run)["rules_label"] == "rules@1+abc"
    assert get_audit_run(db, run + 1) is None
    second = start_audit_run(db, date(2022, 1, 31), "rules@1+abc", "a.jsonl", None)
    assert [r["id"] for r in list_audit_runs(db)] == [run, second]
    assert list(load_audit_results(db, second)) == []



# -- PostgreSQL: the same storage and import over a real server (a throw-away cluster) ---------


def _postgres_binaries():
    found = shutil.which("initdb")
    if found is None:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        found = str(candidates[-1]) if candidates else None
    return (Path(found).resolve().parent) if found else None


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")
    bindir = _postgres_binaries()
    if bindir is None:
        pytest.skip("PostgreSQL (initdb) is not installed")
    # PostgreSQL refuses to run as root: run the cluster as the 'postgres' user where we are root.
    as_user = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="sagsrute-pg-"))
    if as_user:
        shutil.chown(base, "postgres")
    data = base / "data"
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                              "-o", f"-k {base} -c listen_addresses=''", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={base}"
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_import_stream_and_audit_runs(postgres_url):
    from engine.io.importer import import_paths

    db = open_db(postgres_url)
    open_db(postgres_url)  # the second open finds the schema in place
    data = Path(__file__).resolve().parent / "data" / "import"
    reports = import_paths(db, [data / "mixed.jsonl", data / "caseload.csv"])
    assert [(r.imported, len(r.rejected)) for r in reports] == [(3, 3), (3, 0)]
    [again] = import_paths(db, [data / "caseload.csv"])
    assert (again.imported, again.unchanged) == (0, 3)
    assert [c.case_id for c in iter_stored_cases(db, chunk_size=2)] == sorted(
        ["IMP-1", "IMP-2", "IMP-4", "CSV-1", "CSV-2", "CSV-3"])
    assert save_ruleset(db, load_ruleset()) == save_ruleset(db, load_ruleset())
    run = start_audit_run(db, date(2021, 12, 31), "r@1", "db", {"workers": 1})
    assert add_audit_results(db, run, [{"case_id": "CSV-1", "rule": "x", "status": "met", "due": "2021-02-08",
                                        "done_on": date(2021, 2, 3), "days_late": None}]) == 1
    finish_audit_run(db, run, 6, 3)
    [row] = load_audit_results(db, run)
    assert row["due"] == date(2021, 2, 8) and row["done_on"] == date(2021, 2, 3)
    assert list_audit_runs(db)[-1]["bad_count"] == 3
