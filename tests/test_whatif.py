"""What-if on hand-made cases, each difference checked by hand against the rules and the calendar."""

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.rulebook.overrides import load_rules
from engine.report.whatif import CSV_COLUMNS, render_csv, render_html
from engine.rulebook.ruleset import load_ruleset
from engine.batch.whatif import WhatIf, pair_actions
from models.actions import Action, Progress, Status
from engine.io.loading import read_cases

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "samples" / "overrides"
DATA = Path(__file__).parent / "data" / "whatif" / "cases"
WI1 = DATA / "wi-1-kontanthjaelp-4-conversations.yaml"
WI2 = DATA / "wi-2-a-dagpenge-trial.yaml"
WI3 = DATA / "wi-3-kontanthjaelp-autumn-2019.yaml"
END_2021 = date(2021, 12, 31)


@pytest.fixture(scope="module")
def base():
    return load_ruleset()


def whatif(base, override: str, *paths: Path, as_of: date = END_2021):
    candidate = load_rules(OVERRIDES / f"{override}.yaml", base)
    return WhatIf(base, candidate).run(read_cases(list(paths)), as_of, "en")


def changes(report) -> list[tuple]:
    return [(c.case_id, d.rule, d.kind, d.status_from, d.status_to, d.days_moved,
             f"{d.baseline.progress.done}/{d.baseline.progress.required}" if d.baseline else None,
             f"{d.candidate.progress.done}/{d.candidate.progress.required}" if d.candidate else None)
            for c in report.changed for d in c.changes]


def test_six_conversations_four_held_becomes_overdue_with_the_due_date_unchanged(base):
    # WI-1: 4 jobcenter conversations by 2021-09-30 meet four; under six they are 4/6, overdue.
    report = whatif(base, "six-conversations", WI1)
    assert changes(report) == [("WI-1", "contact-course-4-conversations", "changed", "met", "overdue", None, "4/4", "4/6")]
    [change] = report.changed[0].changes
    assert change.baseline.due == change.candidate.due == date(2021, 9, 30)
    assert change.candidate.why[-2:] == ["4 of 6 conversations: 2021-04-01, 2021-05-10, 2021-06-15, 2021-08-20",
                                         "92 days overdue"]
    totals = report.totals()
    assert totals["overdue_cases"] == {"baseline": 0, "candidate": 1, "difference": 1}
    # two more conversations, due in September 2021
    assert totals["conversations"]["per_month"] == {"2021-09": 2}
    assert totals["conversations"]["difference"] == 2 and totals["conversations"]["average_per_month"] == 2


def test_six_conversations_before_the_due_date_is_open(base):
    report = whatif(base, "six-conversations", WI1, as_of=date(2021, 9, 1))
    assert changes(report) == [("WI-1", "contact-course-4-conversations", "changed", "met", "open", None, "4/4", "4/6")]


def test_ret_og_pligt_at_four_months_moves_the_due_date_61_days(base):
    # 2021-03-31 + 4 months = 2021-07-31 instead of + 6 months = 2021-09-30: −61 days; the offer on
    # 2021-08-02 is then two days late. WI-2: 2021-01-11 + 4 months = 2021-05-11 vs 2021-07-11: −61.
    report = whatif(base, "ret-og-pligt-4-months", WI1, WI2)
    assert changes(report) == [
        ("WI-1", "ret-og-pligt-offer-by-6-months", "changed", "met", "met_late", -61, "1/1", "1/1"),
        ("WI-2", "ret-og-pligt-offer-by-6-months", "changed", "overdue", "overdue", -61, "0/1", "0/1"),
    ]
    assert report.changed[0].changes[0].candidate.due == date(2021, 7, 31)
    summary = report.rules["ret-og-pligt-offer-by-6-months"]
    assert summary.moved_stats() == {"count": 2, "min": -61, "median": -61, "max": -61}
    assert dict(summary.transitions) == {("met", "met_late"): 1}  # overdue → overdue is no status change
    # an offer is not a conversation: no change in conversations
    assert report.totals()["conversations"]["per_month"] == {}


def test_akasse_trial_counts_the_jobcenter_conversations_from_month_3(base):
    # WI-2, a-dagpenge from 2021-01-11: jobcenter 02-02, joint 04-06, 05-25 = 3 of 4 by 2021-07-11.
    # Counting only from month 3 (after 2021-04-11): 05-25 alone, 1 of 4, still overdue.
    report = whatif(base, "akasse-trial-first-3-months", WI1, WI2, as_of=date(2021, 7, 20))
    assert changes(report) == [("WI-2", "contact-course-4-conversations", "changed", "overdue", "overdue", None, "3/4", "1/4")]
    [change] = report.changed[0].changes
    assert (change.baseline.anchor, change.candidate.anchor) == (date(2021, 1, 11), date(2021, 4, 11))
    assert change.baseline.due == change.candidate.due == date(2021, 7, 11)
    assert change.candidate.why[-3:] == ["window 1: 4 jobcenter conversations after 2021-04-11 up to 2021-07-11",
                                         "1 of 4 jobcenter conversations: 2021-05-25", "9 days overdue"]
    summary = report.rules["contact-course-4-conversations"]
    assert (summary.counted_changed, summary.required_changed, dict(summary.transitions)) == (1, 0, {})
    totals = report.totals()
    assert totals["overdue_cases"]["difference"] == 0
    assert totals["conversations"]["per_month"] == {}  # still four, due in the same month


def test_july_2019_start_removes_the_2014_duties_falling_due_after_june_2019(base):
    # WI-3: kontanthjælp from 2019-09-02. The rules at the 2020 switch are judged on the due date
    # (issue 15.5): the baseline already gives WI-3 the contact course and ret og pligt (both due
    # 2020-03-02, under the new law). With the simplification from 1 July 2019 the 2014 deadlines
    # falling due after 2019-06-30 — among them the jobparat work-for-benefit duty (due 2019-12-02)
    # — and the 2014 cadence windows opening after it no longer arise.
    report = whatif(base, "july-2019-start", WI1, WI3)
    assert [c.case_id for c in report.changed] == ["WI-3"]
    found = {(d.rule, d.kind): d for d in report.changed[0].changes}
    removed = found[("jobparat-work-for-benefit-by-3-months", "removed")].baseline
    assert (removed.due, removed.status.value) == (date(2019, 12, 2), "overdue")
    assert ("contact-course-4-conversations", "added") not in found
    # Every removed duty comes from a rule that ended in 2019: nothing else moved.
    for change in report.changed[0].changes:
        variants = base.variants(change.rule)
        assert change.kind == "removed" and any(r.valid.to == date(2019, 12, 31) for r in variants), change


def test_an_unchanged_rule_set_reports_nothing(base):
    report = WhatIf(base, base).run(read_cases([DATA]), END_2021, "en")
    assert report.cases == 3 and report.changed == [] and report.totals()["conversations"]["per_month"] == {}


def _action(rule, due, required, anchor=date(2021, 1, 1), status=Status.open):
    return Action(rule=rule, title=rule, status=status, due=due, anchor=anchor, progress=Progress(done=0, required=required),
                  source="x", why=[], benefit="a_dagpenge")


def test_milestones_pair_by_position_and_a_moved_anchor_still_pairs():
    base = [_action("joint", date(2021, 4, 1), 1), _action("joint", date(2021, 7, 1), 2)]
    cand = [_action("joint", date(2021, 3, 1), 1), _action("joint", date(2021, 6, 1), 2), _action("joint", date(2021, 9, 1), 3)]
    pairs, removed, added = pair_actions(base, cand)
    assert [(b.due, c.due) for b, c in pairs] == [(date(2021, 4, 1), date(2021, 3, 1)), (date(2021, 7, 1), date(2021, 6, 1))]
    assert removed == [] and [a.progress.required for a in added] == [3]
    moved = [_action("joint", date(2021, 4, 8), 1, anchor=date(2021, 1, 8))]
    pairs, removed, added = pair_actions(base[:1], moved)
    assert len(pairs) == 1 and removed == added == []


def test_a_bad_case_is_reported_and_the_others_still_compared(base, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: BAD-1\ncitizen: {birth_date: '1990-01-01', education: none}\nbenefits: []\n", encoding="utf-8")
    report = whatif(base, "six-conversations", bad, WI1)
    assert report.cases == 1 and len(report.changed) == 1
    assert report.errors == [f"{bad}: benefits: List should have at least 1 item after validation, not 0"]


def test_csv_and_html(base):
    report = whatif(base, "ret-og-pligt-4-months", WI1, WI2)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["case_id"], r["baseline_due"], r["candidate_due"], r["days_moved"]) for r in rows] == [
        ("WI-1", "2021-09-30", "2021-07-31", "-61"), ("WI-2", "2021-07-11", "2021-05-11", "-61")]
    page = render_html(report, "da")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<link" not in page
    assert "ret-og-pligt-offer-by-6-months" in page and "Hvad nu hvis" in page and "met_late" in page


def test_whatif_command_json_and_html(tmp_path):
    html = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["whatif", "--candidate", str(OVERRIDES / "six-conversations.yaml"), str(DATA),
                                      "--as-of", "2021-12-31", "--format", "json", "--lang", "en", "--html", str(html)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["candidate"].startswith("sagsrute-lab+six-conversations@")
    # WI-3 (kontanthjælp from 2019-09-02) has the contact course due 2020-03-02 under the new law
    # (issue 15.5: judged on the due date), so six conversations change it too
    assert payload["totals"]["changed_cases"] == 3
    assert [c["case_id"] for c in payload["cases"]] == ["WI-1", "WI-2", "WI-3"]
    assert payload["rules"][0]["rule"] == "contact-course-4-conversations"
    assert payload["rules"][0]["status_changes"] == [{"from": "met", "to": "overdue", "count": 1}]
    assert html.read_text(encoding="utf-8").count("<details>") == 3


def test_whatif_command_table_and_bad_candidate(tmp_path):
    result = CliRunner().invoke(app, ["whatif", "--candidate", str(OVERRIDES / "ret-og-pligt-4-months.yaml"),
                                      str(WI1), "--as-of", "2021-12-31", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Cases with an overdue duty: 0 → 0 (0)" in result.stdout
    assert "due -61 days" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nchanges:\n  - rule: nope\n    set: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["whatif", "--candidate", str(bad), str(WI1)])
    assert result.exit_code == 1
    assert f"{bad}:3: changes[0].rule: no rule 'nope'" in " ".join(result.output.split())


def test_a_whole_candidate_directory_gives_the_same_diff_as_the_override(base, tmp_path):
    folder = tmp_path / "rules-six"
    shutil.copytree(ROOT / "rules", folder)
    contact = folder / "contact-course.yaml"
    text = contact.read_text(encoding="utf-8")
    assert "- {count: 4, after: {months: 6}}" in text
    contact.write_text(text.replace("- {count: 4, after: {months: 6}}", "- {count: 6, after: {months: 6}}"), encoding="utf-8")
    from_folder = WhatIf(base, load_rules(folder)).run(read_cases([DATA]), END_2021, "en")
    from_override = whatif(base, "six-conversations", DATA)
    assert changes(from_folder) == changes(from_override) != []
    assert from_folder.candidate.startswith(f"{base.name}@{base.version}+")  # a folder keeps its own name
    assert from_folder.candidate != from_folder.baseline


def test_a_routing_change_is_compared_case_by_case(base):
    # WI-2 is a member of Min a-kasse, a-dagpenge from 2021-01-11: in the trial under the baseline,
    # with the jobcenter when only Dansk Metal and FOA take part.
    report = whatif(base, "akasse-trial-two-akasser", WI1, WI2)
    assert [(c.case_id, c.changes) for c in report.changed] == [("WI-2", [])]
    [change] = report.changed[0].routing
    assert (change.aspect, change.before, change.after) == ("akasse_trial", "akasse", "jobcenter")
    assert change.why == ["not in the a-kasse trial — the contact course is with the jobcenter"]
    assert dict(report.routing) == {("akasse_trial", "akasse", "jobcenter"): 1}
    assert report.totals()["routing_changed_cases"] == 1
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [(r["case_id"], r["rule"], r["change"], r["baseline_status"], r["candidate_status"]) for r in rows] == [
        ("WI-2", "routing:akasse_trial", "routing", "akasse", "jobcenter")]
    assert report.to_json()["routing"] == [{"aspect": "akasse_trial", "from": "akasse", "to": "jobcenter", "cases": 1}]


def test_routing_is_not_compared_when_the_tables_are_equal(base):
    report = whatif(base, "six-conversations", WI2)
    assert all(c.routing == [] for c in report.changed) and not report.routing


def test_kept_cases_are_bounded_and_streamed_cases_complete(base):
    seen = []
    candidate = load_rules(OVERRIDES / "ret-og-pligt-4-months.yaml", base)
    report = WhatIf(base, candidate).run(read_cases([WI1, WI2]), END_2021, "en", keep=1, on_case=seen.append)
    assert [c.case_id for c in report.changed] == ["WI-1"]
    assert [c.case_id for c in seen] == ["WI-1", "WI-2"]
    assert (report.totals()["changed_cases"], report.totals()["changes"]) == (2, 2)
    assert report.rules["ret-og-pligt-offer-by-6-months"].moved == [-61, -61]  # the totals cover every case
    page = render_html(report, "en")
    assert "The first 1 of 2 changed cases" in page


def test_whatif_command_streams_csv():
    result = CliRunner().invoke(app, ["whatif", "--candidate", str(OVERRIDES / "ret-og-pligt-4-months.yaml"),
                                      str(WI1), str(WI2), "--as-of", "2021-12-31", "--format", "csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["case_id"], r["days_moved"], r["baseline_status"], r["candidate_status"]) for r in rows] == [
        ("WI-1", "-61", "met", "met_late"), ("WI-2", "-61", "overdue", "overdue")]
