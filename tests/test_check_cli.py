"""`sagsrute check` on every bundled sample: a readable table and contract-exact JSON (§3)."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "cases").glob("*.yaml"))
ACTION_KEYS = {"rule", "title", "status", "due", "anchor", "progress", "source", "why"}
EXTENSION_KEYS = {"done_on", "benefit", "period_end", "actionable", "legal", "source_document"}  # legal, source_document: issue 15.10
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SOURCE = re.compile(r"^\d{3}_[0-9a-f]+\.txt:\d+(-\d+)?$")


def as_of_of(path: Path) -> str:
    return re.search(r"--as-of (\d{4}-\d{2}-\d{2})", path.read_text()).group(1)


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_json_follows_the_contract(sample):
    result = run("check", sample, "--as-of", as_of_of(sample), "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"case_id", "as_of", "rules_version", "actions"} <= set(out)
    assert out["as_of"] == as_of_of(sample)
    assert re.match(r"^[a-z0-9._-]+@[^+]+\+[0-9a-f]{10}$", out["rules_version"])
    assert out["actions"], "every sample has duties on its as-of date"
    for a in out["actions"]:
        assert ACTION_KEYS <= set(a) <= ACTION_KEYS | EXTENSION_KEYS
        assert a["status"] in {"met", "met_late", "open", "overdue", "exempt"}
        assert ISO.match(a["due"]) and ISO.match(a["anchor"])
        assert set(a["progress"]) == {"done", "required"} and 0 <= a["progress"]["done"] <= a["progress"]["required"]
        assert SOURCE.match(a["source"]), a["source"]
        assert a["title"] and all(isinstance(w, str) and w for w in a["why"])
    # overdue first, then by due date (contract §3)
    keys = [(a["status"] != "overdue", a["due"]) for a in out["actions"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_table_is_readable(sample):
    result = run("check", sample, "--as-of", as_of_of(sample), "--lang", "en", "--explain", "--all")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    case_id = re.search(r"^case_id: (\S+)", sample.read_text(), re.M).group(1)
    assert f"Case {case_id}" in text and f"as of {as_of_of(sample)}" in text
    assert "Next step:" in text or "No open duties." in text
    assert "Traceback" not in text
    assert re.search(r"\d+/\d+", text)  # progress
    assert ".txt:" in text  # --explain names the source


def test_danish_is_the_default_and_english_is_available():
    sample = ROOT / "samples" / "cases" / "kontanthjaelp-jobparat-2021.yaml"
    da = run("check", sample, "--as-of", "2021-08-16")
    en = run("check", sample, "--as-of", "2021-08-16", "--lang", "en")
    assert "Fire samtaler i de første seks måneder" in da.stdout and "45 tilbage" in da.stdout
    assert "Four conversations in the first six months" in en.stdout and "45 left" in en.stdout
    assert "Næste skridt: Fire samtaler" in da.stdout


def test_several_cases_give_a_list_in_input_order(tmp_path):
    result = run("check", ROOT / "samples" / "cases", "--as-of", "2021-12-31", "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert isinstance(out, list) and len(out) == len(SAMPLES)
