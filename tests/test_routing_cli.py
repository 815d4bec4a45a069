"""The routing section and the coverage table through the command line."""

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent
WORKED = ROOT / "samples" / "worked"


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_check_json_has_the_routing_section():
    result = _run("check", WORKED / "A-JP-A.yaml", "--as-of", "2014-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    routing = json.loads(result.output)["routing"]
    assert routing["benefit_route"] == "kontanthjaelp" and routing["rate"] == "youth"
    assert routing["categories"] == ["jobparat", "aktivitetsparat"]
    assert {d["aspect"] for d in routing["decisions"]} >= {"benefit_route", "rate", "track", "categories"}
    assert all(d["source"].startswith("00") for d in routing["decisions"] if d.get("rule"))


def test_check_table_shows_routing_above_the_duties_and_flags_a_wrong_benefit(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text("case_id: RT-CLI\ncitizen: {birth_date: '1980-01-01', education: none}\n"
                    "benefits: [{type: uddannelseshjaelp, start: '2015-01-05'}]\n", encoding="utf-8")
    result = _run("check", case, "--as-of", "2015-02-01", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    routing_line = next(i for i, l in enumerate(lines) if l.startswith("Routing: kontanthjælp (adult rate)"))
    assert routing_line < next(i for i, l in enumerate(lines) if "Status" in l)
    assert "recorded benefit uddannelseshjælp differs from the route" in result.output


def test_rules_coverage_lists_the_catalogues_and_exits_0():
    result = _run("rules", "coverage")
    assert result.exit_code == 0, result.output
    assert "catalogue rules:" in result.output
    markdown = _run("rules", "coverage", "--markdown")
    assert markdown.exit_code == 0
    assert ("| rules-catalogue-001-003.md | `youth-max-4-weeks-between-offers` | encoded | "
            "`youth-max-4-weeks-between-offers` |") in markdown.output


def test_rules_coverage_fails_on_an_unknown_rule_id(tmp_path):
    table = tmp_path / "coverage.yaml"
    table.write_text("reasons: {financing: x}\ncatalogues:\n- file: none.md\n  entries:\n"
                     "  - {id: a, status: encoded, rules: [no-such-rule]}\n", encoding="utf-8")
    result = _run("rules", "coverage", "--table", table, "--catalogues", tmp_path)
    assert result.exit_code == 1
    assert "no rule 'no-such-rule'" in result.output
