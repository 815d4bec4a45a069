"""The command line as a newcomer meets it (issues 14.7, 14.12): every command has help with an
example, the shared options are defined once, --version, and the traps a newcomer fell into."""

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("--as-of", "--lang", "--rules", "--db", "--workers")


def commands(group=None, prefix=()):
    """(name words, click command) for every command of the app, groups walked."""
    group = group or typer.main.get_command(app)
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


ALL = list(commands())


def help_of(words) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_list_is_what_the_docs_expect():
    names = {" ".join(w) for w, _ in ALL}
    assert {"check", "audit", "audit-runs", "audit-compare", "whatif", "test-rules", "import", "rules list",
            "rules show", "rules validate", "rules coverage", "samples generate"} <= names


@pytest.mark.parametrize("words", [w for w, _ in ALL], ids=[" ".join(w) for w, _ in ALL])
def test_every_command_has_help_with_an_example(words):
    text = help_of(words)
    example = re.search(r"Examples?:\n((?:    sagsrute .*\n)+)", text)
    assert example, text
    for line in example.group(1).splitlines():
        assert line.strip().startswith("sagsrute " + " ".join(words) + " ") or \
            line.strip().startswith("sagsrute " + " ".join(words) + "\n"), line
    # typer's type labels and usage braces mean nothing to a newcomer
    assert not re.search(r"<(bool|str|int|path|list\[|int range)", text), text
    assert "{" not in text.split("\n")[0], text.split("\n")[0]
    usage = text.splitlines()[0]
    assert usage.startswith(f"Usage: sagsrute {' '.join(words)} ")
    # the first paragraph is what the command list shows: short enough not to be cut there
    summary = text.split("\n\n")[1].strip()
    assert len(summary) <= 60 and summary.endswith("."), summary


def test_the_shared_options_have_one_help_text_each():
    seen: dict[str, set] = {}
    for words, command in ALL:
        for param in command.params:
            for opt in getattr(param, "opts", []):
                # samples generate's --as-of is the generated cases' horizon (default 2021-12-31)
                if opt in SHARED and (words, opt) != (("samples", "generate"), "--as-of"):
                    seen.setdefault(opt, set()).add((param.help, param.metavar, repr(param.default)))
    assert set(seen) == set(SHARED)
    for opt, variants in seen.items():
        assert len(variants) == 1, (opt, variants)


def test_version_names_package_rules_and_engine():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert re.match(r"sagsrute \d+\.\d+", lines[0])
    assert re.match(r"rules [a-z0-9._-]+@\S+\+[0-9a-f]{10}$", lines[1])
    assert lines[2].startswith("engine ") and ("compiled" in lines[2] or "Python sources" in lines[2])


def test_import_of_nothing_creates_no_database(tmp_path):
    db = tmp_path / "team.sqlite"
    result = CliRunner().invoke(app, ["import", str(tmp_path / "exports"), str(tmp_path / "cases.csv"), "--db", str(db)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'exports'}: (file): no such file or directory" in result.output
    assert not db.exists()


def test_generate_into_a_directory_writes_what_import_reads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["samples", "generate", "30", "--out", "cases", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cases" / "generated-30.jsonl").is_file()
    imported = CliRunner().invoke(app, ["import", "cases", "--db", "t.sqlite"])
    assert imported.exit_code == 0, imported.output
    wrong = CliRunner().invoke(app, ["samples", "generate", "30", "--out", "cases.txt"])
    assert wrong.exit_code == 2 and "must end in .jsonl" in wrong.output
    assert not (tmp_path / "cases.txt").exists()


def test_whatif_json_has_null_where_a_duty_is_missing():
    result = CliRunner().invoke(app, ["whatif", str(ROOT / "samples" / "caseload"), "--candidate",
                                      str(ROOT / "samples" / "overrides" / "july-2019-start.yaml"),
                                      "--as-of", "2021-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"—"' not in result.stdout  # a status or routing value of its own, once
    out = json.loads(result.stdout)
    changes = [t for r in out["rules"] for t in r["status_changes"]]
    assert any(t["from"] is None or t["to"] is None for t in changes), changes
