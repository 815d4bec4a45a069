"""Every kind of bad input gives one clear line naming the file, the field and the problem, exit
code 1 and no traceback; one bad case never stops the others (contract §1, issue 2)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "case_id": "T-GOOD-1",
    "citizen": {"birth_date": "1988-10-31", "education": "ungdomsuddannelse"},
    "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31", "first_contact": "2021-03-29"}],
    "events": [{"date": "2021-04-01", "type": "conversation", "kind": "visitation"}],
}


def variant(**changes):
    case = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        target = case
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return case


BAD_CASES = {
    "unknown-benefit": (variant(benefits__0__type="kontant"), "benefits[0].type", "'kontant' is not allowed"),
    "end-before-start": (variant(benefits__0__end="2021-01-01"), "benefits[0]", "end 2021-01-01 is before start 2021-03-31"),
    "overlap": (variant(benefits=[{"type": "kontanthjaelp", "start": "2021-01-01", "end": "2021-06-30"},
                                  {"type": "ressourceforloeb", "start": "2021-06-01"}]),
                "benefits", "benefit periods overlap"),
    "impossible-date": (variant(citizen__birth_date="1988-02-30"), "citizen.birth_date", "impossible date '1988-02-30'"),
    "not-a-date": (variant(benefits__0__start="31/03/2021"), "benefits[0].start", "not a date in the form YYYY-MM-DD"),
    "missing-field": (variant(citizen__education=KeyError), "citizen.education", "required field is missing"),
    "missing-benefits": (variant(benefits=[]), "benefits", "at least 1"),
    "cpr-case-id": (variant(case_id="311088-1234"), "case_id", "looks like a CPR number"),
    "cpr-case-id-no-dash": (variant(case_id="LTK 3110881234"), "case_id", "looks like a CPR number"),
    "unknown-event": (variant(events=[{"date": "2021-04-01", "type": "phone_call"}]), "events[0]", "unknown event type 'phone_call'"),
    "bad-conversation-kind": (variant(events=[{"date": "2021-04-01", "type": "conversation", "kind": "chat"}]),
                              "events[0].kind", "'chat' is not allowed"),
    "misspelt-field": (variant(benefits__0__frist_contact="2021-03-29"), "benefits[0].frist_contact", "unknown field"),
    "cpr-case-id-slash": (variant(case_id="LTK-311088/1234"), "case_id", "looks like a CPR number"),
    "numeric-case-id": (variant(case_id=12345), "case_id", "must be text, got int"),
    "year-out-of-range": (variant(benefits__0__start="9999-09-01"), "benefits[0].start", "outside 1900–2199"),
    "born-after-benefit": (variant(citizen__birth_date="2029-01-01"), "(case)", "citizen.birth_date 2029-01-01 is not before the first benefit"),
}


def run(*args):
    return CliRunner().invoke(app, list(map(str, args)))


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_case_gives_its_message_and_exit_1(tmp_path, name):
    case, field, problem = BAD_CASES[name]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(case))
    result = run("check", path, "--as-of", "2021-08-16")
    assert result.exit_code == 1
    assert f"{path}: {field}" in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert "3110881234" not in result.output + result.stderr and "311088-1234" not in result.output + result.stderr


@pytest.mark.parametrize("suffix, text, problem", [
    (".yaml", "case_id: [unclosed\n", "not valid YAML"),
    (".json", "{\"case_id\": ", "not valid JSON"),
    (".yaml", "- just\n- a list\n", "expected a mapping of fields"),
])
def test_unreadable_files(tmp_path, suffix, text, problem):
    path = tmp_path / f"broken{suffix}"
    path.write_text(text)
    result = run("check", path, "--as-of", "2021-08-16")
    assert result.exit_code == 1
    assert str(path) in result.stderr and problem in result.stderr


def test_missing_file(tmp_path):
    result = run("check", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_yaml_dates_stay_field_errors(tmp_path):
    # PyYAML would raise on an impossible unquoted date; it must be a field error instead.
    path = tmp_path / "case.yaml"
    path.write_text("case_id: T-1\ncitizen: {birth_date: 1990-02-30, education: none}\n"
                    "benefits: [{type: kontanthjaelp, start: 2021-01-04}]\n")
    result = run("check", path, "--as-of", "2021-02-01")
    assert result.exit_code == 1
    assert f"{path}: citizen.birth_date: impossible date" in result.stderr


def test_one_bad_case_never_stops_the_others(tmp_path):
    lines = [json.dumps(GOOD), "{not json", json.dumps(variant(case_id="T-BAD", benefits__0__type="x")),
             json.dumps(variant(case_id="T-GOOD-2"))]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run("check", path, "--as-of", "2021-08-16", "--format", "json")
    assert result.exit_code == 1
    assert [r["case_id"] for r in json.loads(result.stdout)] == ["T-GOOD-1", "T-GOOD-2"]
    assert f"{path}:2: (line): not valid JSON" in result.stderr
    assert f"{path}:3: benefits[0].type" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    assert run("check", path, "--as-of", "16-08-2021").exit_code == 2
    assert run("check", path, "--format", "xml").exit_code == 2
    assert run("check").exit_code == 2


def test_real_entry_point_prints_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("case_id: T-1\ncitizen: {birth_date: 1990-01-01}\nbenefits: [{type: kontant, start: 2021-01-04}]\n")
    exe = Path(sys.executable).parent / "sagsrute"
    proc = subprocess.run([str(exe), "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{path}: citizen.education: required field is missing" in proc.stderr
    assert f"{path}: benefits[0].type: 'kontant' is not allowed" in proc.stderr


def test_broken_rule_file_is_reported_with_its_location(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text("name: broken\nversion: '1'\n")
    (rules / "family.yaml").write_text(
        "family: test\nrules:\n  - id: some-rule\n    title: {da: x, en: y}\n"
        "    valid: {from: 2020-01-01, regime: LAB2020}\n    applies_to:\n      benefits: [kontant]\n"
        "    anchor: {from: start}\n    milestones: [{count: 1, after: {months: 6}}]\n"
        "    counts: [{type: conversation}]\n    counts_label: {da: x, en: y}\n"
        "    source: {file: 001_f3dbe880e0f1df7c.txt, lines: 3120-3124, quote: abc}\n")
    result = run("rules", "validate", rules)
    assert result.exit_code == 1
    assert f"{rules / 'family.yaml'}:7: rules[0].applies_to.benefits[0]: 'kontant' is not allowed" in result.stderr


@pytest.mark.parametrize("field, value", [
    ("citizen__birth_date", "3110881234"),
    ("citizen__education", "311088-1234"),
    ("benefits__0__type", "311088 1234"),
])
def test_a_cpr_number_in_any_field_is_never_printed(tmp_path, field, value):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(variant(**{field: value})))
    result = run("check", path, "--as-of", "2021-08-16", "--format", "json")
    assert result.exit_code == 1
    assert "[CPR-shaped number hidden]" in result.stderr
    assert "1234" not in result.output + result.stderr


def test_a_repeated_yaml_key_is_an_error_not_a_silent_loss(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("case_id: T-1\nbenefits: [{type: kontanthjaelp, start: 2021-01-04}]\n"
                    "citizen: {birth_date: 1980-01-01, education: none}\nbenefits: [{type: sygedagpenge, start: 2021-06-01}]\n")
    result = run("check", path, "--as-of", "2021-08-16")
    assert result.exit_code == 1
    assert "the key 'benefits' appears twice (first at line 2)" in result.stderr


def test_a_repeated_case_id_is_reported_and_evaluated_once(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    result = run("check", path, "--as-of", "2021-08-16", "--format", "json")
    assert result.exit_code == 1
    assert [r["case_id"] for r in json.loads(result.stdout)] == ["T-GOOD-1"]
    assert f"{path}:2: case_id: 'T-GOOD-1' appears again (first in {path}:1)" in result.stderr


def test_a_batch_gives_a_list_even_when_only_one_case_is_good(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "b.json").write_text(json.dumps(variant(case_id="T-BAD", benefits__0__type="x")))
    result = run("check", tmp_path, "--as-of", "2021-08-16", "--format", "json")
    assert result.exit_code == 1
    assert [r["case_id"] for r in json.loads(result.stdout)] == ["T-GOOD-1"]
    single = run("check", tmp_path / "a.json", "--as-of", "2021-08-16", "--format", "json")
    assert json.loads(single.stdout)["case_id"] == "T-GOOD-1"


def test_a_csv_file_points_to_import(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("case_id,record\n")
    result = run("check", path)
    assert result.exit_code == 1
    assert "CSV exports are loaded with 'sagsrute import'" in result.stderr


@pytest.mark.parametrize("value, problem", [("2021-02-30", "impossible date"), ("20210216", "not a date in the form"),
                                            ("2021-W07-2", "not a date in the form")])
def test_as_of_must_be_a_real_iso_date(tmp_path, value, problem):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    result = run("check", path, "--as-of", value)
    assert result.exit_code == 2
    assert problem in result.output + result.stderr
