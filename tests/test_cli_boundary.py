"""The one error boundary (cli/common.py, issue 14.3 and 13.2): every command prints user text as
text — never as rich markup, never as raw terminal control — and maps every error to its exit code
without a traceback."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import engine.core.check
from cli.app import app
from cli.common import DOMAIN_ERRORS, EXIT_ENGINE_FAULT, EXIT_INTERNAL, EXIT_INTERRUPTED, classify
from engine.core.durable_backend import DurableRulesFault
from engine.report.safe import clip, spreadsheet_text, visible

ROOT = Path(__file__).resolve().parent.parent
ESC = "\x1b"
ANSI = "\x1b[31m"  # would turn the rest of the terminal red
# what rich would read as markup: a closing tag, a style tag, a link
MARKUP_TEAM = "[/]"
MARKUP_WORKER = "kw [vikar]"
MARKUP_CASE = "FZ-[bold]x[/bold]"
MARKUP_DIR = "[old]"


def hostile_case(case_id: str, team: str, caseworker: str) -> dict:
    return {
        "case_id": case_id,
        "citizen": {"birth_date": "1988-10-31", "education": "ungdomsuddannelse", "team": team,
                    "caseworker": caseworker},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31", "first_contact": "2021-03-29"}],
        "events": [{"date": "2021-04-01", "type": "conversation", "kind": "visitation"}],
    }


@pytest.fixture()
def hostile(tmp_path):
    """A case directory named like markup, holding a case with markup in every identifier, a case
    with a terminal escape in its team, and a broken file whose name holds an escape."""
    cases = tmp_path / MARKUP_DIR
    cases.mkdir()
    (cases / "a.json").write_text(json.dumps(hostile_case(MARKUP_CASE, MARKUP_TEAM, MARKUP_WORKER)))
    (cases / "b.json").write_text(json.dumps(hostile_case("FZ-2", f"t{ANSI}red", f"w{ESC}]8;;x")))
    (cases / f"bad{ANSI}.yaml").write_text("case_id: [unclosed\n")
    scenario = tmp_path / f"scenario{ANSI}[x].yaml"
    scenario.write_text(
        "scenarios:\n"
        "  - name: \"a [bold]scenario[/bold] \\e[31m\"\n"  # YAML's \e: an escape character

        "    as_of: 2021-08-16\n"
        f"    case: {json.dumps(hostile_case(MARKUP_CASE, MARKUP_TEAM, MARKUP_WORKER))}\n"
        "    expect:\n      actions:\n"
        "        - {rule: first-conversation-within-1-week, anchor: 2021-03-31, due: 2021-04-07, status: overdue}\n")
    override = tmp_path / "title[b].yaml"
    override.write_text(
        "name: markup\ndescription: a title with markup\nchanges:\n"
        "  - rule: contact-course-4-conversations\n    set:\n      title:\n"
        "        da: \"Fire [bold]samtaler[/] \\e[31m\"\n        en: \"Four [bold]conversations[/] \\e[31m\"\n")
    return tmp_path, cases, scenario, override


def invoke(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result, result.stdout + result.stderr


def assert_safe(result, text):
    assert "Traceback" not in text, text
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert ESC not in text, "a raw escape reached the terminal:\n" + text.replace(ESC, "<ESC>")
    assert "MarkupError" not in text


def test_every_command_prints_user_text_as_text(hostile, tmp_path):
    root, cases, scenario, override = hostile
    db = tmp_path / "t.sqlite"
    out = tmp_path / "out"
    runs = {
        "check": ("check", cases, "--as-of", "2021-08-16"),
        "check-explain": ("check", cases / "a.json", "--as-of", "2021-08-16", "--explain", "--rules", override),
        "check-bad-file": ("check", cases / f"bad{ANSI}.yaml", "--as-of", "2021-08-16"),
        "import": ("import", cases, "--db", db),
        "audit-db": ("audit", "--db", db, "--as-of", "2021-08-16", "--group-by", "team", "--group-by", "caseworker",
                     "--html", out / "r.html", "--xlsx", out / "r.xlsx", "--csv", out / "csv",
                     "--overdue-csv", out / "o.csv"),
        "audit-files": ("audit", cases, "--as-of", "2021-08-16", "--rules", override, "--db", db, "--store"),
        "audit-runs": ("audit-runs", "--db", db),
        "audit-compare": ("audit-compare", "1", "2", "--db", db),
        "whatif": ("whatif", cases, "--candidate", override, "--as-of", "2021-08-16", "--explain",
                   "--html", out / "w.html"),
        "whatif-csv": ("whatif", cases, "--candidate", override, "--as-of", "2021-08-16", "--format", "csv"),
        "test-rules": ("test-rules", scenario, "--explain", "--rules", override),
        "rules-list": ("rules", "list", "--rules", override),
        "rules-show": ("rules", "show", "contact-course-4-conversations", "--rules", override),
        "rules-show-unknown": ("rules", "show", f"no{ANSI}[/]such"),
    }
    for name, args in runs.items():
        result, text = invoke(*args)
        assert_safe(result, text)
        assert result.exit_code in (0, 1), (name, result.exit_code, text)
    # what the user wrote is shown as written (markup) or visibly escaped (control characters)
    _, text = invoke("check", cases, "--as-of", "2021-08-16")
    assert f"{cases}/bad\\x1b[31m.yaml" in text  # the directory "[old]" kept, the escape visible
    assert MARKUP_CASE in text
    _, text = invoke("audit", cases, "--as-of", "2021-08-16", "--group-by", "team", "--group-by", "caseworker")
    assert MARKUP_TEAM in text and MARKUP_WORKER in text
    # an identifier with a control character in it is refused at the input (issue 13.2), unechoed
    assert f"{cases}/b.json: citizen.team: holds a control character" in text
    assert f"{cases}/b.json: citizen.caseworker: holds a control character" in text
    _, text = invoke("rules", "show", "contact-course-4-conversations", "--rules", override)
    assert "Four [bold]conversations[/] \\x1b[31m" in text
    html = (out / "r.html").read_text()
    assert MARKUP_TEAM in html and ESC not in html


def test_spreadsheets_hold_text_not_formulas(tmp_path):
    from openpyxl import load_workbook

    cases = tmp_path / "cases"
    cases.mkdir()
    # (a control character in an identifier is refused at the input: tests/test_hostile_input.py)
    (cases / "a.json").write_text(json.dumps(hostile_case("FZ-1", "=HYPERLINK(\"http://x\")", "@vikar")))
    result, text = invoke("audit", cases, "--as-of", "2021-08-16", "--xlsx", tmp_path / "a.xlsx", "--lang", "en",
                          "--csv", tmp_path / "csv", "--csv-dialect", "excel")
    assert result.exit_code == 0, text
    book = load_workbook(tmp_path / "a.xlsx")
    teams = [c for c in book["By team"]["C"][1:]]
    assert teams and all(c.data_type == "s" and c.value == "=HYPERLINK(\"http://x\")" for c in teams)
    assert [(c.value, c.data_type) for c in book["By caseworker"]["C"][1:]][0] == ("@vikar", "s")
    assert spreadsheet_text("=1+1") == "'=1+1" and spreadsheet_text("-x") == "'-x" and spreadsheet_text(5) == 5
    # the CSV for a spreadsheet quotes it too; the plain one (for tools) keeps the value as it is
    assert "'=HYPERLINK" in (tmp_path / "csv" / "by_team.csv").read_text(encoding="utf-8-sig")


def test_visible_and_clip():
    assert visible("a\x1b[2Jb\rc\x07\u202ed\x9b") == "a\\x1b[2Jb\\x0dc\\x07\\u202ed\\x9b"
    assert visible("two\nlines\ttab", keep_newlines=True) == "two\nlines\\x09tab"
    assert visible("two\nlines") == "two\\x0alines"
    assert clip("x" * 500, 10) == "x" * 9 + "…" and clip("æøå") == "æøå"


def test_engine_fault_is_exit_3_from_every_command(monkeypatch, tmp_path):
    """A DurableRulesFault (durable_rules misbehaved) gives exit 3 and one line from check, audit
    and whatif alike (audit and whatif gave a traceback and exit 1)."""
    def broken(*args, **kwargs):
        raise DurableRulesFault("the sentinel did not fire")

    monkeypatch.setattr(engine.core.check.Engine, "quiet_duties", broken)
    monkeypatch.setattr(engine.core.check.Engine, "check", broken)
    sample = ROOT / "samples" / "cases"
    for args in (("check", sample, "--as-of", "2021-08-16"),
                 ("audit", sample, "--as-of", "2021-08-16"),
                 ("whatif", sample, "--candidate", ROOT / "samples" / "overrides" / "six-conversations.yaml",
                  "--as-of", "2021-08-16")):
        result, text = invoke(*args)
        assert result.exit_code == EXIT_ENGINE_FAULT, (args[0], text)
        assert "durable_rules misbehaved" in text and "the sentinel did not fire" in text
        assert "Traceback" not in text


def test_an_unexpected_exception_is_one_line_and_exit_4(monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(engine.core.check.Engine, "check", bug)
    result, text = invoke("check", ROOT / "samples" / "cases", "--as-of", "2021-08-16")
    assert result.exit_code == EXIT_INTERNAL
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["error: sagsrute check: internal error: ZeroDivisionError: division by zero"]


def test_ctrl_c_is_exit_130_without_a_traceback(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.core.check.Engine, "check", interrupted)
    result, text = invoke("check", ROOT / "samples" / "cases", "--as-of", "2021-08-16")
    assert result.exit_code == EXIT_INTERRUPTED
    assert "Traceback" not in text and "interrupted" in result.stderr


def test_classify_names_the_file_of_an_os_error():
    code, message = classify(PermissionError(13, "Permission denied", "/x/report.html"))
    assert code == 1 and message == "/x/report.html: Permission denied"


def test_every_domain_error_named_exists_or_is_awaited():
    """The boundary's table names real classes (INPUT adds the two of issue 13.3)."""
    awaited = {"StorageBusy", "ImportInterrupted"}
    import importlib

    for module_name, name, _, _ in DOMAIN_ERRORS:
        cls = getattr(importlib.import_module(module_name), name, None)
        assert isinstance(cls, type) and issubclass(cls, BaseException) or name in awaited, name


def test_a_real_process_prints_no_traceback_for_an_unwritable_report(tmp_path):
    """End to end in a real process: an HTML report into a directory that is a file."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = subprocess.run([sys.executable, "-m", "cli", "audit", str(ROOT / "samples" / "cases"), "--as-of",
                           "2021-08-16", "-q", "--html", str(blocker / "r.html")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"error: .*file", proc.stderr)
