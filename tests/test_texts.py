"""One home for texts (issue 14.4): every da/en string lives in engine/texts.py in one shape, the
numbers follow each language's conventions, and a Danish run speaks Danish only (issue 14.11)."""

import ast
import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine import texts

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "cli", "models")
LANG_KEYS = {"da", "en"}


def _is_text(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _mentions_lang(node) -> bool:
    return any(isinstance(n, ast.Constant) and n.value in LANG_KEYS for n in ast.walk(node))


def string_tables(tree: ast.AST) -> list[int]:
    """Lines where a module keeps words per language: a dict keyed "da"/"en" (or by tuples holding
    them) with literal texts, or a literal text chosen by ``lang == "da"``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            lang_keys = [k for k in node.keys if k is not None and _mentions_lang(k)]
            if lang_keys and any(_is_text(v) or isinstance(v, (ast.Dict, ast.Tuple)) for v in node.values):
                found.append(node.lineno)
        elif isinstance(node, ast.IfExp) and _mentions_lang(node.test):
            if _is_text(node.body) or _is_text(node.orelse):
                found.append(node.lineno)
    return found


def test_no_other_module_holds_words_per_language():
    offenders = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "engine" / "texts.py":
                continue
            lines = string_tables(ast.parse(path.read_text(encoding="utf-8")))
            if lines:
                offenders[str(path.relative_to(ROOT))] = lines
    assert not offenders, f"da/en words outside engine/texts.py: {offenders}"


def test_the_finder_finds_the_three_shapes_it_replaced():
    """The check above would have caught the old homes (cli/check.py, report/__init__, offer_limit)."""
    assert string_tables(ast.parse('W = {"da": {"case": "Sag"}, "en": {"case": "Case"}}'))
    assert string_tables(ast.parse('D = {("close", "da"): "tæt på", ("close", "en"): "close"}'))
    assert string_tables(ast.parse('x = "ingen" if lang == "da" else "none"'))
    assert not string_tables(ast.parse('titles = {"da": rule.title.da, "en": rule.title.en}'))


def _tables():
    return {name: value for name, value in vars(texts).items()
            if isinstance(value, dict) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value.values())}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("table", sorted(_tables()))
def test_every_entry_has_both_languages_with_the_same_placeholders(table):
    for key, (en, da) in _tables()[table].items():
        assert en and da, (table, key)
        assert _fields(en) == _fields(da), (table, key, en, da)


def test_one_status_table():
    assert texts.status_label("met_late", "da") == "opfyldt for sent"
    assert texts.status_label("met_late", "en") == "met late"
    assert set(texts.STATUS_NAMES) == {"met", "met_late", "overdue", "open", "exempt"}


@pytest.mark.parametrize("value, lang, shown", [
    (1234, "da", "1.234"), (1234, "en", "1,234"), (200000, "da", "200.000"), (5060, "en", "5,060"),
    (0, "da", "0"), (12.5, "da", "12,5"), (12.5, "en", "12.5"), (13.0, "da", "13"), (1234.5, "da", "1.234,5"),
    (None, "da", "–"), (-7, "da", "-7"),
])
def test_number(value, lang, shown):
    assert texts.number(value, lang) == shown


@pytest.mark.parametrize("value, lang, shown", [
    (0.734, "da", "73,4 %"), (0.734, "en", "73.4 %"), (1.0, "da", "100,0 %"), (0.0, "en", "0.0 %"),
    (None, "en", "–"), (0.00049, "da", "0,0 %"),
])
def test_percent(value, lang, shown):
    assert texts.percent(value, lang) == shown


def test_signed_and_decimal():
    assert texts.signed(1234, "da") == "+1.234" and texts.signed(-3, "en") == "-3" and texts.signed(0, "da") == "0"
    assert texts.decimal(2.5, "da") == "2,5" and texts.decimal(2.5, "en") == "2.5" and texts.decimal(3.0, "da") == "3"
    assert texts.decimal(1234.567, "da") == "1.234,57"


def test_why_texts_name_categories_and_regimes():
    assert texts.text("assessed", "da", category="aabenlyst_uddannelsesparat", date="2015-01-02") == \
        "visiteret åbenlyst uddannelsesparat den 2015-01-02"
    assert texts.text("regime", "da", start="2014-01-01", regime="KHR2014, kept by LAB2020") == \
        "reglen gælder fra 2014-01-01 (KHR2014, videreført i LAB2020) på ankerdatoen"
    assert texts.text("regime", "en", start="2014-01-01", regime="LAB2020") == \
        "rule in force from 2014-01-01 (LAB2020) on the anchor date"


ENGLISH_IN_DANISH = re.compile(r"\(none\)|kept by|\bmet late\b|\boverdue\b|\brules\b|benefit_route|aabenlyst|"
                               r"durable_rules|anchors\.md|Total\b")
ENGLISH_NUMBER = re.compile(r"\d\.\d %|\d,\d{3}\b|\d \d{3}\b")


@pytest.mark.parametrize("args", [
    ["audit", "samples/caseload/", "--as-of", "2021-12-31", "--group-by", "team", "--group-by", "category"],
    ["check", "samples/worked/Y-AP-B.yaml", "--as-of", "2015-03-15", "--explain"],
    ["whatif", "samples/caseload/", "--candidate", "samples/overrides/six-conversations.yaml", "--as-of", "2021-12-31"],
    ["rules", "list"],
], ids=["audit", "check", "whatif", "rules-list"])
def test_a_danish_run_speaks_danish_with_danish_numbers(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    # rule ids (identifiers, not words), sources (file:lines) and dates left out
    prose = re.sub(r"\S+\.txt:\S+|\d{4}-\d{2}-\d{2}|[a-z0-9/]+(-[a-z0-9/]+)+", "", result.stdout)
    assert not ENGLISH_IN_DANISH.search(prose), ENGLISH_IN_DANISH.search(prose)
    assert not ENGLISH_NUMBER.search(prose), ENGLISH_NUMBER.search(prose)
