"""One home for renderers (issue 14.4): every table and page is drawn in engine/report/, the
commands in cli/ stay thin, and both HTML pages share one stylesheet."""

import ast
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from engine.report.style import CSS

ROOT = Path(__file__).resolve().parent.parent
RENDERING = {"rich.table", "rich.box", "rich.panel", "rich.columns", "rich.tree"}


def test_no_command_draws_a_table():
    for path in sorted((ROOT / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not imported & RENDERING, (path.name, imported & RENDERING)
        assert "<html" not in path.read_text(encoding="utf-8").lower(), path.name


def test_both_html_pages_share_the_stylesheet(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    audit, whatif = tmp_path / "audit.html", tmp_path / "whatif.html"
    assert CliRunner().invoke(app, ["audit", "samples/caseload/", "--as-of", "2021-12-31", "-q",
                                    "--html", str(audit)]).exit_code == 0
    assert CliRunner().invoke(app, ["whatif", "samples/caseload/", "--candidate", "samples/overrides/six-conversations.yaml",
                                    "--as-of", "2021-12-31", "--format", "json", "--html", str(whatif)]).exit_code == 0
    for page in (audit, whatif):
        html = page.read_text(encoding="utf-8")
        assert html.count("<style>") == 1 and f"<style>{CSS}</style>" in html, page.name
