"""``sagsrute rules validate`` checks every citation against the seeds: the file and line range
exist and the quote is there (whitespace-normalised); without the seeds it says so and goes on."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import engine.rulebook.citations
from cli.app import app
from engine.rulebook.citations import check_citations, find_seeds
from engine.rulebook.ruleset import DEFAULT_RULES_DIR

SEEDS = find_seeds()
needs_seeds = pytest.mark.skipif(SEEDS is None, reason="the seeds (shared/seeds) are not next to this checkout")


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def _replace(path: Path, old: str, new: str, occurrences: int = 1) -> int:
    """Replace the first of the ``occurrences`` of ``old``; the 1-based line it is on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == occurrences
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


@needs_seeds
def test_a_quote_that_is_not_in_its_lines_is_reported_with_file_and_line(rules_copy):
    path = rules_copy / "contact-course.yaml"
    # both variants of the contact course quote it; the first is rules[0] (a-dagpenge)
    line = _replace(path, "quote: Der stilles krav om fire samtaler i jobcentret",
                    "quote: Der stilles krav om seks samtaler i jobcentret", occurrences=2)
    assert check_citations(rules_copy, SEEDS) == [
        f"{path}:{line}: rules[0].source: quote not found in 001_f3dbe880e0f1df7c.txt:3120-3124"]


@needs_seeds
def test_line_ranges_and_files_must_exist_in_the_seeds(rules_copy):
    path = rules_copy / "dagpenge.yaml"
    line = _replace(path, "lines: 4087-4095", "lines: 9087-9095")
    routing = rules_copy / "routing.yaml"
    text = routing.read_text(encoding="utf-8")
    first_file = text.index("file: 00") + len("file: ")
    routing.write_text(text[:first_file] + "009" + text[first_file + 3:], encoding="utf-8")
    problems = check_citations(rules_copy, SEEDS)
    last = (SEEDS / "001_f3dbe880e0f1df7c.txt").read_text(encoding="utf-8").removesuffix("\n").count("\n") + 1
    assert problems[0] == (f"{path}:{line}: rules[0].also[0]: lines 9087-9095 are outside "
                           f"001_f3dbe880e0f1df7c.txt (lines 1-{last})")
    assert len(problems) == 2 and problems[1].startswith(f"{routing}:")
    assert ": routing[0].source: 009_" in problems[1] and f"is not in the seeds ({SEEDS})" in problems[1]


@needs_seeds
def test_validate_checks_the_citations(rules_copy):
    runner = CliRunner()
    ok = runner.invoke(app, ["rules", "validate", str(DEFAULT_RULES_DIR)])
    assert ok.exit_code == 0 and "citations checked against" in ok.output
    _replace(rules_copy / "contact-course.yaml", "quote: Der stilles krav om fire samtaler i jobcentret",
             "quote: Der stilles krav om seks samtaler i jobcentret", occurrences=2)
    bad = runner.invoke(app, ["rules", "validate", str(rules_copy), "--seeds", str(SEEDS)])
    assert bad.exit_code == 1
    assert "rules[0].source: quote not found in 001_f3dbe880e0f1df7c.txt:3120-3124" in bad.output


def test_without_the_seeds_validate_says_so_and_skips_the_check(monkeypatch, tmp_path):
    monkeypatch.setattr(engine.rulebook.citations, "SEEDS_BESIDE_REPO", tmp_path / "no-seeds")
    result = CliRunner().invoke(app, ["rules", "validate"])
    assert result.exit_code == 0, result.output
    assert f"no seeds at {tmp_path / 'no-seeds'}" in " ".join(result.output.split())
    assert "citations checked" not in result.output
    missing = CliRunner().invoke(app, ["rules", "validate", "--seeds", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
