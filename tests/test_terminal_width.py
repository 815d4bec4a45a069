"""Every command reads well in an 80-column terminal and a 160-column one (issue 14.9): no line is
wider than the terminal, no identifier, date or figure is cut ("…") or folded mid-word, and no
column disappears without a word (engine/report/layout.py)."""

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.rulebook.ruleset import load_ruleset
from engine.report import titles_of

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (80, 160)
RULES = load_ruleset()
TITLES = titles_of(RULES)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A generated caseload (teams and caseworkers, overdue duties), imported and audited twice."""
    base = tmp_path_factory.mktemp("width")
    runner = CliRunner()
    cases = base / "cases.jsonl"
    assert runner.invoke(app, ["samples", "generate", "400", "--out", str(cases)]).exit_code == 0
    db = base / "w.sqlite"
    assert runner.invoke(app, ["import", str(cases), "--db", str(db)]).exit_code == 0
    for day in ("2021-12-31", "2020-06-30"):
        assert runner.invoke(app, ["audit", "--db", str(db), "--as-of", day, "-q"]).exit_code == 0
    return {"cases": cases, "db": db}


def run(width: int, *args) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(width)})
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def lines_fit(text: str, width: int, unbreakable=()) -> None:
    """No line wider than the terminal, but for a value that cannot break (a long path), which
    stands whole on a line of its own for the terminal to wrap and a person to copy."""
    for line in text.splitlines():
        assert len(line.rstrip()) <= width or line.strip() in unbreakable, f"{len(line)} > {width}: {line!r}"
    assert "…" not in text, next(line for line in text.splitlines() if "…" in line)


def whole(text: str, values) -> None:
    """Each value stands on one line, uncut."""
    lines = text.splitlines()
    for value in values:
        assert any(value in line for line in lines), f"{value!r} is cut or folded"


def words_whole(text: str, titles) -> None:
    """Titles may wrap, but only between words: every word of every title is in the output whole."""
    tokens = set(text.split())
    for title in titles:
        for word in title.split():
            assert word in tokens, f"{word!r} of {title!r} folded mid-word"


@pytest.mark.parametrize("width", WIDTHS)
def test_audit(world, width, tmp_path):
    text = run(width, "audit", world["cases"], "--as-of", "2021-12-31", "--group-by", "team", "--group-by", "caseworker",
               "--lang", "en", "--csv", tmp_path)
    lines_fit(text, width)
    # every column of every counts table is there (the grouped table dropped the median at 80)
    for table in ("Compliance per rule", "Per team", "Per caseworker"):
        block = text.split(table, 1)[1].split("\n\n\n", 1)[0]
        for heading in ("Duties", "Overdue", "Open", "On time", "Median"):
            assert heading in block, (table, heading)
    overdue = text.split("Most overdue duties", 1)[1]
    rows = [line.split() for line in overdue.splitlines() if re.match(r"\s*SYN-", line)]
    assert len(rows) == 15
    for case, due, days in (r[:3] for r in rows):  # case id, due date and days side by side, uncut
        assert re.search(rf"{case}\s+{due}\s+{days}\b", overdue), (case, due, days)
    teams = [line.split()[-1] for line in overdue.splitlines()[1:] if line.strip() and not re.match(r"\s*SYN-", line)]
    whole(overdue, [r[-1] for r in rows])  # team whole, its caseworker beneath
    assert any(re.fullmatch(r"[a-z]+-\d\d", t) for t in teams), teams
    with (tmp_path / "rules.csv").open(encoding="utf-8-sig") as handle:  # the rules the tables show
        shown = [row["title"] for row in csv.DictReader(handle)]
    assert len(shown) > 10
    words_whole(text, shown)


@pytest.mark.parametrize("width", WIDTHS)
def test_check(width):
    case = ROOT / "samples" / "worked" / "Y-AP-B.yaml"
    text = run(width, "check", case, "--as-of", "2015-03-15", "--explain", "--lang", "en", "--all")
    lines_fit(text, width)
    whole(text, ["2014-11-10", "1/1", "met late"])
    result = json.loads(run(width, "check", case, "--as-of", "2015-03-15", "--format", "json", "--lang", "en"))
    words_whole(text, [a["title"] for a in result["actions"]] + [line for a in result["actions"] for line in a["why"]])


@pytest.mark.parametrize("width", WIDTHS)
def test_rules_list(width):
    text = run(width, "rules", "list", "--lang", "en")
    lines_fit(text, width)
    whole(text, [r.key for r in RULES.rules] + [r.source.cite() for r in RULES.rules])
    words_whole(text, [r.title.en for r in RULES.rules])


@pytest.mark.parametrize("width", WIDTHS)
def test_whatif(width):
    text = run(width, "whatif", ROOT / "samples" / "caseload", "--candidate",
               ROOT / "samples" / "overrides" / "six-conversations.yaml", "--as-of", "2021-12-31", "--lang", "en")
    lines_fit(text, width)
    block = text.split("Changes per rule", 1)[1].split("\n\n\n", 1)[0]
    for heading in ("New", "Gone", "Moved", "Days", "Req.", "Count"):
        assert heading in block, heading
    words_whole(text, ["Six conversations in the first six months"])


@pytest.mark.parametrize("width", WIDTHS)
def test_audit_runs_and_compare(world, width):
    runs = run(width, "audit-runs", "--db", world["db"], "--lang", "en")
    lines_fit(runs, width)
    whole(runs, ["2021-12-31", "2020-06-30", RULES.label])
    compare = run(width, "audit-compare", "1", "2", "--db", world["db"], "--lang", "en")
    lines_fit(compare, width)
    assert not re.search(r"\d…|…\d", compare)  # deltas were cut to "+4…"
    deltas = re.findall(r"(\d[\d,]*) ([+-]\d[\d,]*)", compare)
    assert deltas, compare
    if width < 120:  # a narrower column set, said so
        assert "Left out at this width: Met, Met late, Exempt" in compare
    else:
        for heading in ("Met", "Met late", "Overdue", "Open", "Exempt"):
            assert heading in compare


@pytest.mark.parametrize("width", WIDTHS)
def test_import(tmp_path, width):
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "cases"
    deep.mkdir(parents=True)
    (deep / "caseload.jsonl").write_text((ROOT / "samples" / "caseload" / "caseload.jsonl").read_text())
    text = run(width, "import", deep, "--db", tmp_path / "i.sqlite", "--lang", "en")
    lines_fit(text, width, unbreakable=[str(deep / "caseload.jsonl"), f"sqlite:///{tmp_path / 'i.sqlite'}"])
    whole(text, [str(deep / "caseload.jsonl")])
    assert "60" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_rules_coverage_and_show(width):
    text = run(width, "rules", "coverage")
    lines_fit(text, width)
    whole(text, ["route-adults-and-u30-with-education-to-kontanthjaelp", "define-erhvervskompetencegivende-uddannelse"])
    shown = run(width, "rules", "show", "contact-course-4-conversations")
    lines_fit(shown, width)
    whole(shown, ["contact-course-4-conversations"])
