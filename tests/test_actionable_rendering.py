"""Figures a caseworker and a team lead can act on (issue 13.5, the rendering): check names as next
step the most urgent duty that can still be done, lists open and overdue duties first and folds
the met ones (--all shows them); the audit reports overdue-now apart from missed."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from models.actions import Action

ROOT = Path(__file__).resolve().parent.parent

# Y-AP-B on 2015-03-15: nine duties met, one open
MANY_MET = ROOT / "samples" / "worked" / "Y-AP-B.yaml"

# A kontanthjælp period that ended in 2019 with nothing done (its duties are missed), then a new one
# running in 2021 (its duties can still be done).
ENDED_AND_RUNNING = {
    "case_id": "T-ACT-1",
    "citizen": {"birth_date": "1980-05-05", "education": "ungdomsuddannelse"},
    "benefits": [{"type": "kontanthjaelp", "start": "2019-01-07", "end": "2019-06-30", "first_contact": "2019-01-07"},
                 {"type": "kontanthjaelp", "start": "2021-06-01", "first_contact": "2021-06-01"}],
    "events": [{"date": "2021-06-03", "type": "conversation", "kind": "visitation"}],
}


def check(*args, width=80):
    result = CliRunner().invoke(app, ["check", *map(str, args)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_open_duties_first_met_ones_folded_within_80_by_24():
    out = check(MANY_MET, "--as-of", "2015-03-15", "--lang", "en")
    first_screen = "\n".join(out.splitlines()[:24])
    assert ("Next step: A conversation at least every second month (aktivitetsparate young people) — due 2015-03-26"  # rolling (issue 15.6)
            in re.sub(r"\s+", " ", first_screen))
    statuses = re.findall(r"^ (met late|met|open|overdue|exempt)\s", out, flags=re.M)
    assert statuses == ["open"], statuses
    assert "9 met or exempt duties not shown (--all shows them)" in first_screen


def test_all_shows_every_duty_open_first():
    out = check(MANY_MET, "--as-of", "2015-03-15", "--lang", "en", "--all")
    statuses = re.findall(r"^ (met late|met|open|overdue|exempt)\s", out, flags=re.M)
    assert len(statuses) == 10 and statuses[0] == "open" and "not shown" not in out


def test_the_json_is_the_contract_unchanged_by_the_folding():
    folded = json.loads(check(MANY_MET, "--as-of", "2015-03-15", "--format", "json"))
    everything = json.loads(check(MANY_MET, "--as-of", "2015-03-15", "--format", "json", "--all"))
    assert folded == everything and len(folded["actions"]) == 10


def test_next_step_is_a_duty_that_can_still_be_done(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(ENDED_AND_RUNNING))
    result = json.loads(check(case, "--as-of", "2021-08-16", "--format", "json", "--lang", "en"))
    missed = [a for a in result["actions"] if a.get("actionable") is False]
    running = [a for a in result["actions"] if a.get("actionable") is True]
    assert missed and running
    out = check(case, "--as-of", "2021-08-16", "--lang", "en")
    next_step = re.search(r"Next step: (.*?) — due (\S+)", re.sub(r"\s+", " ", out))
    assert next_step and next_step.group(2) == min(a["due"] for a in running)
    assert out.count("missed") == len(missed)
    # the duties that can still be done come before the missed ones
    rows = [line for line in out.splitlines() if re.match(r" (open|overdue)\s", line)]
    assert "missed" not in "".join(rows[:len(running)])


def test_audit_reports_overdue_now_apart_from_missed(tmp_path):
    cases = tmp_path / "cases.jsonl"
    assert CliRunner().invoke(app, ["samples", "generate", "300", "--out", str(cases)]).exit_code == 0
    result = CliRunner().invoke(app, ["audit", str(cases), "--as-of", "2021-12-31", "--lang", "en", "--csv",
                                      str(tmp_path / "csv"), "--html", str(tmp_path / "r.html")],
                                env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert re.search(r"Overdue now: [\d,]+  ·  Missed \(period ended\): [\d,]+", result.stdout)
    assert "Most overdue duties that can still be done" in result.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Missed (period ended)" in html and "Overdue now" in html


def _action(rule, status, due, actionable=None, title=None):
    from datetime import date

    from models.actions import Progress, Status

    values = dict(rule=rule, title=title or rule, status=Status(status), due=date.fromisoformat(due),
                  anchor=date.fromisoformat(due), progress=Progress.build(done=0, required=1), source="s.txt:1",
                  why=[], done_on=None, benefit="kontanthjaelp")
    if actionable is not None:
        values["actionable"] = actionable
    return Action.build(**values)


def test_the_renderer_orders_by_what_can_still_be_done():
    """The rendering against the interface's field, with actions built as the engine will build them."""
    import io
    from datetime import date

    from rich.console import Console

    from engine.report.check import render_check
    from models.actions import CheckResult

    actions = [_action("old-overdue", "overdue", "2019-03-01", actionable=False, title="Old duty"),
               _action("now-overdue", "overdue", "2021-07-01", actionable=True, title="Overdue duty"),
               _action("now-open", "open", "2021-09-30", actionable=True, title="Open duty"),
               _action("done", "met", "2021-06-08", title="Met duty")]
    result = CheckResult.build(case_id="T-1", as_of=date(2021, 8, 16), rules_version="r@1+0123456789",
                               actions=actions, routing=None)
    console = Console(file=io.StringIO(), width=80, color_system=None)
    render_check(console, result, "en", explain=False)
    out = console.file.getvalue()
    assert "Next step: Overdue duty — due 2021-07-01 (46 over)" in out
    order = [title for title in ("Overdue duty", "Open duty", "Old duty", "Met duty") if title in out]
    assert order == ["Overdue duty", "Open duty", "Old duty"]
    assert sorted(order, key=out.index) == order
    assert re.search(r"overdue\s+2019-03-01\s+missed", out)
    assert "1 met or exempt duty not shown (--all shows it)" in out
