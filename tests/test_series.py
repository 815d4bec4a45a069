"""The monthly series (engine/batch/series.py): every month-end is the audit as of that day, and
STAR's six-in-a-row flag, hand-checked on a small caseload.

The caseload (written below), month-ends 2020-01-31 … 2020-12-31, kontanthjælp from 2020-01-01,
jobparat from 2020-01-02:
  team T, 12 citizens: T-1, T-2 with four conversations by 2020-05-15 (contact course met), T-3 …
     T-12 with none; no offers (ret og pligt due 2020-07-01, overdue for all twelve).
  team U, 10 citizens: four conversations each and an internship 2020-03-01 – 2020-03-20 (ret og
     pligt met).
  team V, 1 citizen: kontanthjælp 2020-01-01 – 2020-03-31, nothing held: settled from 2020-04-30.
Six months on benefit is reached on 2020-07-01, so the STAR cohort is empty up to 2020-06-30 and
from 2020-07-31 on: T 12 citizens, 2 with four conversations (16,7 %: flagged), 0 of 12 with an
offer (flagged); U 10, 10 (100 %), 10 of 10. The runs of T are 1 … 6 over 2020-07 … 2020-12, so
STAR's follow-up (six in a row) is first reached on 2020-12-31.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.batch.runner import AuditOptions, run_audit
from engine.batch.series import STAR_RUN, month_ends, run_series
from engine.io.sources import file_items

CONVERSATIONS = ["2020-01-02", "2020-02-15", "2020-04-01", "2020-05-15"]
MONTHS = month_ends(date(2020, 1, 1), date(2020, 12, 31))


def _case(case_id: str, team: str, conversations: bool, offer: bool = False, end: str | None = None) -> dict:
    events = [{"date": d, "type": "conversation", "kind": "individual", "by": "jobcenter"}
              for d in (CONVERSATIONS if conversations else [])]
    if offer:
        events.append({"date": "2020-03-01", "type": "offer", "offer": "virksomhedspraktik", "end": "2020-03-20"})
    benefit = {"type": "kontanthjaelp", "start": "2020-01-01", **({"end": end} if end else {})}
    return {"case_id": case_id, "citizen": {"birth_date": "1980-05-05", "education": "ungdomsuddannelse",
                                            "caseworker": f"{team.lower()}1", "team": team},
            "benefits": [benefit], "assessments": [{"date": "2020-01-02", "category": "jobparat"}], "events": events}


@pytest.fixture(scope="module")
def caseload(tmp_path_factory):
    cases = [_case(f"T-{i}", "T", i <= 2) for i in range(1, 13)]
    cases += [_case(f"U-{i}", "U", True, offer=True) for i in range(1, 11)]
    cases.append(_case("V-1", "V", False, end="2020-03-31"))
    path = tmp_path_factory.mktemp("series") / "teams.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def series(engine, caseload):
    return run_series(engine.ruleset, file_items([caseload]), MONTHS, engine=engine)


def test_month_ends():
    assert month_ends(date(2020, 1, 15), date(2020, 3, 1)) == [date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31)]
    assert month_ends(date(2021, 12, 1), date(2022, 1, 31)) == [date(2021, 12, 31), date(2022, 1, 31)]
    with pytest.raises(ValueError):
        month_ends(date(2021, 2, 1), date(2021, 1, 1))


def test_every_month_end_is_the_audit_of_that_day(engine, caseload, series):
    for month, totals in zip(series.months, series.totals):
        top = 100 if month == MONTHS[-1] else 1  # the overdue list is kept whole for the last month only
        audit = run_audit(engine.ruleset, file_items([caseload]), AuditOptions(as_of=month, top_limit=top), engine)
        assert totals.comparable() == audit.comparable(), month
    assert series.settled == [0, 0, 0, 1] + [0] * 8  # V-1: ended 2020-03-31, settled on 2020-04-30


def test_generated_caseload_month_by_month(engine, tmp_path):
    """A generated caseload (open and ended periods, benefit changes, exemptions): each month-end
    equals its audit, the overdue list compared on the last (earlier months list one duty)."""
    from engine.io.generate import write_jsonl

    path = tmp_path / "generated.jsonl"
    write_jsonl(400, 11, date(2021, 12, 31), path, workers=1)
    months = month_ends(date(2020, 7, 1), date(2021, 12, 31))
    series = run_series(engine.ruleset, file_items([path]), months, engine=engine)
    assert sum(series.settled) > 0
    for month, totals in zip(months, series.totals):
        top = 100 if month == months[-1] else 1
        audit = run_audit(engine.ruleset, file_items([path]), AuditOptions(as_of=month, top_limit=top), engine)
        assert totals.comparable() == audit.comparable(), month


def test_star_cohort_by_hand(series):
    before, after = series.totals[5], series.totals[6]  # 2020-06-30, 2020-07-31
    assert before.star.cohort == 0
    t, u = after.star_by_team["T"], after.star_by_team["U"]
    assert (t.cohort, t.four_conversations, t.offer_required, t.with_offer) == (12, 2, 12, 0)
    assert (u.cohort, u.four_conversations, u.offer_required, u.with_offer) == (10, 10, 10, 10)
    assert (after.star.cohort, after.star.four_conversations) == (22, 12)


def test_six_in_a_row(series):
    runs = series.star_runs()
    t = runs["T"]
    assert [r["conversation_run"] for r in t] == [0] * 6 + [1, 2, 3, 4, 5, 6]
    assert [r["offer_run"] for r in t] == [0] * 6 + [1, 2, 3, 4, 5, 6]
    assert [r["conversation_followup"] for r in t] == [False] * 11 + [True]
    assert STAR_RUN == 6
    assert all(r["conversation_run"] == 0 and not r["offer_followup"] for r in runs["U"])
    everyone = runs[None]  # 12 of 22 with four conversations: 54,5 %, flagged; offers 10 of 22
    assert [r["conversation_run"] for r in everyone][-1] == 6
    assert "V" not in runs  # ended before six months: never in any STAR cohort


def test_cli_series_outputs(caseload, tmp_path):
    from openpyxl import load_workbook

    result = CliRunner().invoke(app, ["audit", str(caseload), "--series", "monthly", "--from", "2020-01-01",
                                      "--to", "2020-12-31", "--csv", str(tmp_path / "csv"), "--xlsx",
                                      str(tmp_path / "a.xlsx"), "--html", str(tmp_path / "r.html"),
                                      "--csv-dialect", "excel"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "STAR-opfølgning: T: 4 samtaler, 6 måneder i træk under 80 % til 2020-12" in result.output
    assert "U:" not in result.output.split("STAR-opfølgning", 1)[1]
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "…" not in result.output.split("Månedsserie", 1)[1]  # the series' own tables cut nothing
    star = (tmp_path / "csv" / "series_star.csv").read_text(encoding="utf-8-sig").splitlines()
    assert star[0].split(";")[:2] == ["Månedsultimo", "Team"]
    december_t = [line for line in star if line.startswith("2020-12-31;T;")]
    assert december_t == ["2020-12-31;T;12;2;16,7%;ja;6;ja;12;0;0,0%;ja;6;ja"]
    sheets = load_workbook(tmp_path / "a.xlsx").sheetnames
    assert {"Serie", "Serie pr. regel", "Serie STAR", "Serie passivmåling"} <= set(sheets)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="series"' in html and 'id="chart-series-conversation"' in html
    assert html.count('class="threshold"') >= 3 + 2  # the audit's two bar charts and the three line charts


def test_from_needs_series(caseload):
    result = CliRunner().invoke(app, ["audit", str(caseload), "--from", "2020-01-01"])
    assert result.exit_code == 2


def _balanced(html: str) -> None:
    """The page parses with every element closed in order (the void ones aside)."""
    from html.parser import HTMLParser

    void = {"meta", "br", "line", "rect", "circle", "polyline", "input", "img", "hr", "link"}
    stack: list = []

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag):
            if tag in void:
                return
            assert stack and stack[-1] == tag, f"</{tag}> closes <{stack[-1] if stack else None}>"
            stack.pop()

        def handle_startendtag(self, tag, attrs):
            pass

    Check().feed(html)
    assert stack == []


def test_html_report_drills_down(caseload, tmp_path):
    """The report of the series' caseload: a per-caseworker section, every in-file link lands on an
    element, and a rule's overdue-now count links to a list of exactly that many duties."""
    import re

    path = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["audit", str(caseload), "--as-of", "2020-12-31", "-q", "--html", str(path),
                                      "--series", "monthly", "--from", "2020-07-01"])
    assert result.exit_code == 0, result.output
    html = path.read_text(encoding="utf-8")
    _balanced(html)
    ids = set(re.findall(r' id="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links - {"top"} <= ids
    assert 'id="per-caseworker"' in html and 'id="series"' in html
    from engine.report.drilldown import anchor
    block = html.split(f'id="{anchor("rule", "ret-og-pligt-offer-by-6-months")}"', 1)[1].split("</table>", 1)[0]
    assert block.count('<td class="id">') == 12  # team T's twelve overdue offers (U met theirs)
    assert f'href="#{anchor("caseworker", "t1")}"' in html


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")
def test_report_in_a_browser(caseload, tmp_path):
    """The report in a real browser: the trend's lines are drawn, and a rule's overdue-now count,
    clicked, brings its list of duties into view."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from engine.report.drilldown import anchor

    path = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["audit", str(caseload), "--as-of", "2020-12-31", "-q", "--html", str(path),
                                      "--series", "monthly", "--from", "2020-07-01"])
    assert result.exit_code == 0, result.output
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(path.as_uri())
        lines = page.locator("#chart-series-conversation polyline.series-line")
        assert lines.count() >= 3  # all, T and U
        box = lines.first.bounding_box()
        assert box is not None and box["width"] > 100
        target = anchor("rule", "ret-og-pligt-offer-by-6-months")
        page.locator(f'#rules-table a[href="#{target}"]').click()
        assert page.evaluate("location.hash") == f"#{target}"
        top = page.locator(f"#{target}").bounding_box()["y"]
        assert -2 < top < 800  # scrolled into view (to the pixel, give or take rounding)
        browser.close()
