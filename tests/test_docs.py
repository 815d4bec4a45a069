"""Docs checked like code (issue 14.6): every output quoted in the README and docs/ is what its
command prints today (tests/doc_outputs.py; ``python tests/doc_outputs.py`` regenerates them), the
rule-set labels in the prose are current, every command is documented, and the module map names
every module of engine/."""

import re
from pathlib import Path

import pytest

from engine.rulebook.ruleset import load_ruleset
from tests.doc_outputs import DOCS, LABEL, parse, regenerate
from tests.test_cli_help import ALL

ROOT = Path(__file__).resolve().parent.parent
QUOTING = [p for p in DOCS if parse(p.read_text(encoding="utf-8"))[0]]


def test_the_pages_that_quote_outputs_are_found():
    assert {p.name for p in QUOTING} >= {"README.md", "policy-what-if.md", "audit.md"}


@pytest.mark.parametrize("page", QUOTING, ids=[p.name for p in QUOTING])
def test_quoted_outputs_are_what_the_commands_print(page):
    text, drifted = regenerate(page)
    report = "\n\n".join(f"{block.command}\n--- quoted\n" + "\n".join(block.quoted) + "\n--- now\n" + "\n".join(now)
                         for block, now in drifted)
    assert not drifted, f"{page.name}: outputs drifted (python tests/doc_outputs.py rewrites them):\n{report}"
    assert text == page.read_text(encoding="utf-8"), f"{page.name}: a rule-set label in the prose is stale"


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_labels_in_the_prose_are_current(page):
    """A label in the prose is the bundled rules' or one a quoted command prints (a candidate's)."""
    text = page.read_text(encoding="utf-8")
    printed = {label for block in parse(text)[0] for label in LABEL.findall("\n".join(block.quoted))}
    for label in set(LABEL.findall(text)):
        assert label in printed | {load_ruleset().label}, f"{page.name}: stale label {label}"


@pytest.mark.parametrize("command", [" ".join(words) for words, _ in ALL])
def test_every_command_is_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`sagsrute {re.escape(command)}\b", readme), f"README's command table lacks {command}"


def test_the_module_map_names_every_engine_module():
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "engine").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if path.name == "__init__.py" and path.parent.name in ("core", "batch", "io", "rulebook"):
            continue  # said once: they only name their package
        assert f"`{name}`" in architecture, f"docs/architecture.md's module map lacks {name}"
