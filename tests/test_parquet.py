"""Parquet in and out: samples generate --format parquet writes a dataset partitioned by
municipality and team that audit and import read with the figures of the JSON Lines caseload;
a bad row is named file:row; nested columns (another tool's layout) are read too."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cli.app import app  # noqa: E402
from engine.batch.runner import AuditOptions, run_audit  # noqa: E402
from engine.io.generate import generate_cases  # noqa: E402
from engine.io.parquet import row_groups, write_cases  # noqa: E402
from engine.io.sources import file_items  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402

AS_OF = date(2021, 12, 31)
RULES = load_ruleset()
COUNT = 1200


def audit(paths):
    return run_audit(RULES, file_items(paths), AuditOptions(as_of=AS_OF)).comparable()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("parquet")
    runner = CliRunner()
    for fmt in ("jsonl", "parquet"):
        result = runner.invoke(app, ["samples", "generate", str(COUNT), "--seed", "9", "--format", fmt,
                                     "--municipalities", "2", "--out", str(root)])
        assert result.exit_code == 0, result.output
    return root / f"generated-{COUNT}.jsonl", root / f"generated-{COUNT}.parquet"


def test_the_dataset_is_partitioned_by_municipality_and_team(both):
    _, dataset = both
    municipalities = sorted(p.name for p in dataset.iterdir())
    assert municipalities == ["municipality=kommune-1", "municipality=kommune-2"]
    teams = {p.name for p in (dataset / municipalities[0]).iterdir()}
    assert "team=forsikrede" in teams and all(t.startswith("team=") for t in teams)
    table = pq.read_table(dataset)
    assert table.num_rows == COUNT and {"case_id", "case", "municipality", "team"} <= set(table.column_names)


def test_audit_of_parquet_equals_audit_of_json_lines(both):
    jsonl, dataset = both
    assert audit([dataset]) == audit([jsonl])


def test_two_municipalities_add_up_to_the_whole(both, tmp_path):
    _, dataset = both
    runner = CliRunner()
    for unit in ("kommune-1", "kommune-2"):
        result = runner.invoke(app, ["audit", str(dataset / f"municipality={unit}"), "--as-of", "2021-12-31", "-q",
                                     "--export-totals", str(tmp_path / f"{unit}.json"), "--unit", unit])
        assert result.exit_code == 0, result.output
    merged = runner.invoke(app, ["audit-merge", str(tmp_path / "kommune-1.json"), str(tmp_path / "kommune-2.json"),
                                 "--csv", str(tmp_path / "merged")])
    whole = runner.invoke(app, ["audit", str(dataset), "--as-of", "2021-12-31", "-q", "--csv", str(tmp_path / "whole")])
    assert merged.exit_code == whole.exit_code == 0
    for table in ("rules", "by_team", "star", "passivity"):
        assert (tmp_path / "merged" / f"{table}.csv").read_text() == (tmp_path / "whole" / f"{table}.csv").read_text()


def test_import_reads_parquet(both, tmp_path):
    _, dataset = both
    db = tmp_path / "cases.sqlite"
    result = CliRunner().invoke(app, ["import", str(dataset), "--db", str(db)])
    assert result.exit_code == 0, result.output
    from engine.io.storage import count_cases, open_db
    assert count_cases(open_db(f"sqlite:///{db}")) == COUNT


def test_a_bad_row_is_named_by_file_and_row_and_the_others_are_audited(tmp_path):
    cases = [json.dumps(c) for c in generate_cases(30, 2, AS_OF)]
    cases[4] = '{"case_id": "X-1", "citizen": {}}'
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"case_id": [str(i) for i in range(30)], "case": cases}), path, row_group_size=8)
    assert [g[1:] for g in row_groups(path)] == [(0, 1), (1, 9), (2, 17), (3, 25)]
    result = CliRunner().invoke(app, ["audit", str(path), "--as-of", "2021-12-31"])
    assert result.exit_code == 1
    assert f"{path}:5" in result.output and "Sager revideret: 29" in result.output


def test_nested_columns_are_read_as_the_case_fields(tmp_path):
    cases = list(generate_cases(200, 4, AS_OF))
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    # one struct type over every case (from_pylist would take the columns of the first row only)
    pq.write_table(pa.Table.from_struct_array(pa.array(cases)), tmp_path / "nested.parquet")
    assert audit([tmp_path / "nested.parquet"]) == audit([tmp_path / "cases.jsonl"])


def test_write_cases_streams_row_groups(tmp_path):
    written = write_cases(500, 1, AS_OF, tmp_path / "d.parquet", municipalities=1, row_group=50)
    groups = row_groups(tmp_path / "d.parquet")
    assert written == 500 and sum(1 for _ in groups) >= 10
    assert not (tmp_path / "d.parquet.partial").exists()
