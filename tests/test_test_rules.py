"""``sagsrute test-rules``: pass/fail per scenario with the difference, a summary and exit codes."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).parent / "scenarios"

SCENARIO = """\
name: {name}
as_of: '2021-12-31'
case_file: {case}
expect:
  exhaustive: false   # other duties of the case may exist; these must
  actions:
  - {{rule: first-conversation-within-1-week, status: met}}
  - {{rule: contact-course-4-conversations, due: '2021-09-30', status: {status}, progress: {progress}}}
  - {{rule: ret-og-pligt-offer-by-6-months, status: met}}
"""


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["test-rules", *map(str, args), "--lang", "en"])
    return result.exit_code, " ".join(result.output.split())  # undo the terminal's line wrapping


def scenario(tmp_path: Path, name: str, status: str, progress: str) -> Path:
    case = Path(__file__).parent / "data" / "whatif" / "cases" / "wi-1-kontanthjaelp-4-conversations.yaml"
    path = tmp_path / f"{name}.yaml"
    path.write_text(SCENARIO.format(name=name, case=case, status=status, progress=progress), encoding="utf-8")
    return path


def test_the_project_scenarios_all_pass():
    code, out = run(SCENARIOS)
    assert code == 0, out
    assert " 0 failed" in out and "FAIL" not in out


def test_pass_and_fail_with_the_difference(tmp_path):
    scenario(tmp_path, "four-held", "met", "4/4")
    scenario(tmp_path, "wrongly-expects-open", "open", "4/4")
    code, out = run(tmp_path)
    assert code == 1
    assert "PASS four-held" in out
    assert "FAIL wrongly-expects-open" in out
    assert "contact-course-4-conversations: status: expected open, got met" in out
    assert out.endswith("1 passed, 1 failed")
    code, out = run(tmp_path / "wrongly-expects-open.yaml", "--explain", "--lang", "en")
    assert "got contact-course-4-conversations: met due 2021-09-30 4/4" in out
    assert "• 4 of 4 conversations: 2021-04-01, 2021-05-10, 2021-06-15, 2021-08-20" in out


def test_the_same_scenario_against_an_override(tmp_path):
    path = scenario(tmp_path, "four-held", "met", "4/4")
    code, out = run(path, "--rules", ROOT / "samples" / "overrides" / "six-conversations.yaml")
    assert code == 1
    assert "rules sagsrute-lab+six-conversations@" in out
    assert "status: expected met, got overdue progress: expected 4/4, got 4/6" in out
    assert out.endswith("0 passed, 1 failed")
    scenario(tmp_path, "four-held", "overdue", "4/6")
    code, out = run(path, "--rules", ROOT / "samples" / "overrides" / "six-conversations.yaml")
    assert code == 0 and out.endswith("1 passed, 0 failed")


def test_a_bad_file_fails_the_run_and_names_the_field(tmp_path):
    scenario(tmp_path, "four-held", "met", "4/4")
    (tmp_path / "broken.yaml").write_text("name: broken\nas_of: '2021-13-01'\ncase_file: x.yaml\nexpect: {}\n",
                                          encoding="utf-8")
    code, out = run(tmp_path)
    assert code == 1
    assert "broken.yaml: as_of: impossible date '2021-13-01'" in out
    assert out.endswith("1 passed, 0 failed, 1 problem in scenario files (see above)")


def test_bad_rules_and_missing_paths(tmp_path):
    code, out = run(tmp_path / "nothing-here")
    assert code == 1 and "nothing-here: no such file or directory" in out
    bad = tmp_path / "bad-rules.yaml"
    bad.write_text("name: bad\nchanges:\n  - rule: contact-course-4-conversations\n    set: {milestones: []}\n",
                   encoding="utf-8")
    code, out = run(SCENARIOS, "--rules", bad)
    assert code == 1
    assert f"{bad}:4: changes[0].set" in out and "milestones" in out


def test_the_documented_scenarios_pass_and_show_what_six_conversations_changes(tmp_path):
    # A copy under a long directory name: the path in a FAIL line must stay whole even when it is
    # wider than the terminal (CI checks out under a longer path than a developer's machine).
    deep = tmp_path / ("a-long-checkout-directory-name-" * 3)
    shutil.copytree(Path(__file__).parent / "data" / "whatif", deep / "whatif")
    documented = deep / "whatif" / "scenarios"
    code, out = run(documented)
    assert code == 0 and out.endswith("2 passed, 0 failed"), out
    code, out = run(documented, "--rules", ROOT / "samples" / "overrides" / "six-conversations.yaml")
    assert code == 1 and out.endswith("0 passed, 2 failed")
    assert ("FAIL four conversations by the due date meet the contact course in "
            f"{documented / 'contact-course-and-ret-og-pligt.yaml'} scenarios[0] contact-course-4-conversations: "
            "status: expected met, got overdue progress: expected 4/4, got 4/6 done_on: expected 2021-08-20, got None") in out
    assert "contact-course-4-conversations: progress: expected 3/4, got 3/6" in out
