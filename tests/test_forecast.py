"""The workload forecast (engine/batch/forecast.py), hand-checked, and checked against what the
audit finds once the weeks have passed.

The caseload (below), forecast as of Monday 2021-05-03 for 12 weeks (to 2021-07-25):
  F-1 team A/a1, kontanthjælp jobparat from 2021-01-04, one conversation 2021-01-05: the contact
      course (4 conversations) and the ret og pligt offer, both due 2021-07-04 = day 62 → week 9.
  F-2 team A/a2, the same with no conversation: also the first conversation, due 2021-01-11,
      overdue on the as-of date → week 0.
  F-3 team B/b1, a-dagpenge from 2021-04-05: the 3-month joint conversation due 2021-07-05 = day
      63 → week 10 (the contact course falls due 2021-10-05, past the horizon).
  F-4 team B/b1, sygedagpenge from 2021-04-12: the week-8 conversation due 2021-06-06 = day 34 → week 5.
Week counts: week 0 one conversation; week 5 one conversation; week 9 two conversations and two
offers; week 10 one conversation. Team A: 1 + 4 = 5; team B: 2.

Then the events that happen after 2021-05-03 (``AFTER``): F-1 holds three conversations (its
contact course met on 2021-06-30), F-4 one on 2021-06-01, and F-5 (team B) starts kontanthjælp on
2021-06-01, unknown on the as-of date. The audit as of the last day of each week n finds due in week
n the duties the forecast put there (done or not), and F-5's, which only an event after the as-of
date could tell.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.batch.forecast import Forecaster, ForecastTotals, known_on, run_forecast, week_of
from engine.core.duty import EXEMPT, MET, MET_LATE
from engine.io.sources import file_items
from models.case import Case

AS_OF = date(2021, 5, 3)
WEEKS = 12


def conv(day: str) -> dict:
    return {"date": day, "type": "conversation", "kind": "individual", "by": "jobcenter"}


def case(cid, team, kw, benefit, start, events=(), jobparat=True) -> dict:
    return {"case_id": cid, "citizen": {"birth_date": "1980-05-05", "education": "ungdomsuddannelse",
                                        "caseworker": kw, "team": team},
            "benefits": [{"type": benefit, "start": start}],
            "assessments": [{"date": start, "category": "jobparat"}] if jobparat else [], "events": list(events)}


BEFORE = [case("F-1", "A", "a1", "kontanthjaelp", "2021-01-04", [conv("2021-01-05")]),
          case("F-2", "A", "a2", "kontanthjaelp", "2021-01-04"),
          case("F-3", "B", "b1", "a_dagpenge", "2021-04-05", [conv("2021-04-06")], jobparat=False),
          case("F-4", "B", "b1", "sygedagpenge", "2021-04-12", jobparat=False)]
AFTER = [case("F-1", "A", "a1", "kontanthjaelp", "2021-01-04",
              [conv(d) for d in ("2021-01-05", "2021-05-20", "2021-06-10", "2021-06-30")]),
         BEFORE[1], BEFORE[2],
         case("F-4", "B", "b1", "sygedagpenge", "2021-04-12", [conv("2021-06-01")], jobparat=False),
         case("F-5", "B", "b2", "kontanthjaelp", "2021-06-01")]


def _write(tmp_path, cases) -> list:
    import json

    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return [path]


def test_forecast_by_hand(engine, tmp_path):
    totals = run_forecast(engine.ruleset, file_items(_write(tmp_path, BEFORE)), AS_OF, WEEKS, engine=engine)
    expected = {(0, "conversation"): 1, (5, "conversation"): 1, (9, "conversation"): 2, (9, "offer"): 2,
                (10, "conversation"): 1}
    got = {(w, k): totals.cell(w, k) for w in range(WEEKS + 1) for k in ("conversation", "offer", "other")
           if totals.cell(w, k)}
    assert got == expected
    assert sum(totals.cell(w, group="A") for w in range(WEEKS + 1)) == 5
    assert sum(totals.cell(w, group="B") for w in range(WEEKS + 1)) == 2
    assert totals.by_rule[(9, "ret-og-pligt-offer-by-6-months")] == 2
    rows = totals.rows()
    assert rows[9] == {"group": None, "week": 9, "week_start": date(2021, 6, 28), "week_end": date(2021, 7, 4),
                       "conversation": 2, "offer": 2, "other": 0, "total": 4}


def test_week_of():
    assert week_of(date(2021, 5, 2), AS_OF, 12) == 0
    assert week_of(AS_OF, AS_OF, 12) == 1
    assert week_of(date(2021, 5, 9), AS_OF, 12) == 1 and week_of(date(2021, 5, 10), AS_OF, 12) == 2
    assert week_of(date(2021, 7, 25), AS_OF, 12) == 12 and week_of(date(2021, 7, 26), AS_OF, 12) is None


def test_known_on_forgets_the_future():
    later = Case.model_validate(AFTER[0])
    known = known_on(later, AS_OF)
    assert [e.date for e in known.events] == [date(2021, 1, 5)]
    assert known_on(Case.model_validate(AFTER[4]), AS_OF) is None  # F-5 had not begun


def forecast_keys(engine, cases: list[Case], as_of: date, weeks: int) -> Counter:
    """(case, rule, due, week) of every duty the forecast puts in weeks 1 … N."""
    forecaster = Forecaster(engine, as_of, weeks)
    return Counter((c.case_id, d.rule, d.due, w) for c in cases for w, _, d in forecaster.duties(c) if w)


def audit_keys(engine, cases: list[Case], as_of: date, weeks: int) -> Counter:
    """The same keys from the audits as of the last day of each week n: the duties due in week n
    not done by the as-of date, not exempt, whose benefit period had not ended before it."""
    out: Counter = Counter()
    for n in range(1, weeks + 1):
        day = as_of + timedelta(days=7 * n - 1)
        for c in cases:
            for d in engine.duties(c, day):
                if week_of(d.due, as_of, weeks) != n or d.status is EXEMPT:
                    continue
                if (d.status is MET or d.status is MET_LATE) and d.done_on <= as_of:  # done by then: known
                    continue
                if d.period_end is not None and d.period_end < as_of:
                    continue
                out[(c.case_id, d.rule, d.due, n)] += 1
    return out


def test_forecast_agrees_with_the_audits_that_follow(engine):
    after = [Case.model_validate(c) for c in AFTER]
    forecast = forecast_keys(engine, after, AS_OF, WEEKS)  # the forecast reads only what was known on AS_OF
    assert forecast == forecast_keys(engine, [Case.model_validate(c) for c in BEFORE], AS_OF, WEEKS)
    audited = audit_keys(engine, after, AS_OF, WEEKS)
    assert forecast - audited == Counter()  # every duty forecast was found due in its week
    assert {key[0] for key in audited - forecast} == {"F-5"}  # and only the unknown new case's more


def _changes_after(c: Case, start: date, end: date) -> bool:
    """Whether the case learned something after the as-of date that creates, moves or removes duties:
    a benefit begun or ended, an assessment, an offer begun or ended, an exemption."""
    inside = lambda d: d is not None and start < d <= end  # noqa: E731
    return (any(inside(b.first_day) or inside(b.end) for b in c.benefits)
            or any(inside(a.date) for a in c.assessments)
            or any(e.type == "offer" and (inside(e.date) or inside(e.end)) for e in c.events)
            or any(inside(x.start) or inside(x.end) for x in c.exemptions))


def test_forecast_on_a_generated_caseload(engine, tmp_path):
    """On a generated caseload, every difference between the forecast and the audits that follow is
    a case that learned something after the as-of date (tests/test_forecast.py prints the figures)."""
    from engine.io.generate import write_jsonl
    from engine.io.loading import read_cases

    path = tmp_path / "generated.jsonl"
    write_jsonl(600, 7, date(2021, 12, 31), path, workers=1)
    cases = [loaded.case for loaded in read_cases([path])]
    as_of = date(2021, 6, 30)
    forecast, audited = forecast_keys(engine, cases, as_of, WEEKS), audit_keys(engine, cases, as_of, WEEKS)
    differing = {key[0] for key in (forecast - audited) + (audited - forecast)}
    end = as_of + timedelta(days=7 * WEEKS - 1)
    assert sum((forecast & audited).values()) > 0
    assert [c.case_id for c in cases if c.case_id in differing and not _changes_after(c, as_of, end)] == []
    print(f"forecast {sum(forecast.values())}, audits {sum(audited.values())}, "
          f"agreeing {sum((forecast & audited).values())}; cases differing {len(differing)}, all explained")


def test_merge():
    a, b = ForecastTotals(AS_OF, 2), ForecastTotals(AS_OF, 2)
    a.counts[("A", 1, "offer")] += 2
    b.counts[("A", 1, "offer")] += 1
    b.cases = 3
    a.merge(b)
    assert a.cell(1, "offer", "A") == 3 and a.cases == 3


def test_cli_outputs(tmp_path):
    from openpyxl import load_workbook

    paths = _write(tmp_path, BEFORE)
    result = CliRunner().invoke(app, ["forecast", str(paths[0]), "--as-of", "2021-05-03", "--csv",
                                      str(tmp_path / "f.csv"), "--xlsx", str(tmp_path / "f.xlsx"), "--html",
                                      str(tmp_path / "f.html"), "--csv-dialect", "excel", "--group-by", "caseworker"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80 and "…" not in result.output
    assert "Arbejdsbyrde-prognose" in result.output
    lines = (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Sagsbehandler;Uge;Uge fra;Uge til;Samtaler;Tilbud;Andet;I alt"
    assert "alle;9;2021-06-28;2021-07-04;2;2;0;4" in lines and "a2;0;;;1;0;0;1" in lines
    assert load_workbook(tmp_path / "f.xlsx").sheetnames == ["Arbejdsbyrde-prognose", "Pr. regel"]
    html = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert html.count('data-week="9"') == 3 * 2  # two kinds in week 9: the overall chart, a1's and a2's
    assert 'id="forecast-chart"' in html and "<script" not in html
