"""audit --dask: the same fold on a Dask cluster gives the local audit's figures — counts, medians,
STAR, passivity, the explained top list and the bad cases' messages — whatever the parts."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from distributed import Client, LocalCluster  # noqa: E402

from cli.app import app  # noqa: E402
from engine.batch.distributed import plan_parts, run_dask  # noqa: E402
from engine.batch.runner import AuditOptions, run_audit  # noqa: E402
from engine.io.generate import generate_cases  # noqa: E402
from engine.io.sources import file_items  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2021, 12, 31)
RULES = load_ruleset()


@pytest.fixture(scope="module")
def client():
    # in process: the workers are threads of this process; one thread, as durable_rules wants
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def caseload(tmp_path_factory) -> list[Path]:
    """Two JSON Lines files (one with bad lines and a blank one), the sample YAML cases, a missing path."""
    root = tmp_path_factory.mktemp("dask")
    lines = [json.dumps(c, ensure_ascii=False) for c in generate_cases(1500, 5, AS_OF)]
    first, second = root / "a.jsonl", root / "b.jsonl"
    first.write_text("\n".join(lines[:900]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[900:1200] + ["{broken", "", '{"citizen": 1}'] + lines[1200:]) + "\n",
                      encoding="utf-8")
    return [first, ROOT / "samples" / "caseload", second, root / "missing.jsonl"]


def local(paths, top=25, on_rows=None):
    return run_audit(RULES, file_items(paths), AuditOptions(as_of=AS_OF, top_limit=top, on_rows=on_rows))


def test_parts_cut_at_line_ends_and_count_lines(caseload):
    parts = [p for p in plan_parts(caseload, part_bytes=40_000) if p.kind == "jsonl"]
    assert len(parts) > 10
    for part in parts:
        with open(part.file, "rb") as handle:
            data = handle.read()
        assert part.start == 0 or data[part.start - 1:part.start] == b"\n"
        assert data[:part.start].count(b"\n") + 1 == part.first


def test_dask_gives_the_local_figures(client, caseload):
    whole = local(caseload)
    totals, parts, _ = run_dask(client, RULES, caseload, AS_OF, top_limit=25, part_bytes=40_000)
    assert parts > 10
    assert totals.comparable() == whole.comparable()  # the explained top list included
    assert totals.bad == whole.bad == 3 and totals.bad_messages == whole.bad_messages
    assert all(d.why for d in totals.overdue_list())


def test_stored_run_rows_go_to_parquet_by_team(client, caseload, tmp_path):
    import pyarrow.dataset as ds

    rows: list[dict] = []
    whole = local(caseload[:2], on_rows=rows.extend)
    totals, _, written = run_dask(client, RULES, caseload[:2], AS_OF, results_dir=tmp_path / "res", part_bytes=40_000)
    assert written == len(rows) == sum(t.population for t in whole.by_rule.values())
    assert {p.name.split("=")[0] for p in (tmp_path / "res").iterdir()} == {"team"}
    table = ds.dataset(tmp_path / "res", format="parquet", partitioning="hive").to_table()
    key = lambda r: (r["case_id"], r["rule"], str(r["due"]), str(r["anchor"]))  # noqa: E731
    stored = sorted(table.to_pylist(), key=key)
    assert [(r["case_id"], r["rule"], r["status"], r["days_late"]) for r in stored] == \
        [(r["case_id"], r["rule"], r["status"], r["days_late"]) for r in sorted(rows, key=key)]


def test_the_command_on_a_local_cluster_of_processes(caseload, tmp_path):
    files = [str(p) for p in caseload[:3]]
    runner = CliRunner()
    plain = runner.invoke(app, ["audit", *files, "--as-of", "2021-12-31", "--csv", str(tmp_path / "plain")])
    spread = runner.invoke(app, ["audit", *files, "--as-of", "2021-12-31", "--dask", "local:2", "--csv",
                                 str(tmp_path / "dask")])
    assert spread.exit_code == plain.exit_code == 1, spread.output  # the bad lines
    assert "Dask:" in spread.output and "2 arbejdere" in spread.output
    for table in ("rules", "by_team", "by_caseworker", "star", "passivity", "overdue_top"):
        assert (tmp_path / "dask" / f"{table}.csv").read_text() == (tmp_path / "plain" / f"{table}.csv").read_text()


def test_without_the_extra_the_command_says_how_to_install(monkeypatch, caseload):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    result = CliRunner().invoke(app, ["audit", str(caseload[0]), "--as-of", "2021-12-31", "--dask", "local"])
    assert result.exit_code == 1 and "pip install -e '.[scale]'" in result.output
    assert "Traceback" not in result.output


def test_dask_refuses_the_database_the_overdue_csv_and_a_bad_local(caseload, tmp_path):
    result = CliRunner().invoke(app, ["audit", str(caseload[0]), "--as-of", "2021-12-31", "--dask", "local",
                                      "--overdue-csv", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "--dask" in result.output
    for bad in ("local:0", "local:x", "locally"):
        result = CliRunner().invoke(app, ["audit", str(caseload[0]), "--as-of", "2021-12-31", "--dask", bad])
        assert result.exit_code == 2 and "local:N" in result.output, bad


def test_a_case_id_given_again_in_another_part_is_a_bad_case_as_locally(client, tmp_path):
    lines = [json.dumps(c, ensure_ascii=False) for c in generate_cases(400, 11, AS_OF)]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    # the second file repeats ten ids of the first (other parts, another file) and one of its own
    second.write_text("\n".join(lines[300:] + lines[:10] + [lines[350]]) + "\n", encoding="utf-8")
    whole = local([first, second])
    assert whole.bad == 11
    totals, parts, _ = run_dask(client, RULES, [first, second], AS_OF, top_limit=25, part_bytes=20_000)
    assert parts > 4
    assert totals.comparable() == whole.comparable()
    assert totals.bad == 11 and totals.bad_messages == whole.bad_messages
    assert "appears again (first in" in totals.bad_messages[0]
