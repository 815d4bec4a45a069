"""STAR's active-effort passivity windows and Jobindsats' time to first offer, hand-checked on a
small caseload as of 2021-12-31 (kontanthjælp, team P unless said).

  P-1 from 2020-06-01, internship 2021-11-01 – 2021-11-20 (first offer after 17 months)
  P-2 from 2020-06-01, internship 2021-02-01 – 2021-02-20 (after 8 months)
  P-3 from 2020-06-01, no offer
  P-4 from 2021-03-01, internship 2021-03-05 – 2021-03-26 (after 4 days)
  P-5 from 2020-06-01, a mentor from 2021-12-01 (no end): mentor is not an active offer
  P-6 team Q, from 2021-12-30, internship 2021-12-30 (the first day)
  P-7 from 2019-06-01, no offer (begun more than 24 months ago: not a new spell)

Active effort — a year on benefit (start on or before 2020-12-31): P-1, P-2, P-3, P-5, P-7 = 5.
The windows start 2021-11-15 (1½: one month and 15 days), 2021-09-30, 2021-06-30, 2021-03-31 and
2020-12-31: P-1's offer runs to 2021-11-20 (active in all), P-2's to 2021-02-20 (active only in
the 12-month window); P-3, P-5, P-7 passive in all. Passive: 4, 4, 4, 4, 3.

Time to first offer — spells begun after 2019-12-31: P-1 … P-6 = 6. Followed (start + X on or
before 2021-12-31): 1 day 6; 1 week … 9 months 5 (not P-6); 12 months 4 (not P-4, P-6). Within:
1 day: P-6; 1 week … 6 months: P-4; 9 months: P-4, P-2; 12 months: P-2 (P-4 not followed so long).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.batch.runner import AuditOptions, run_audit
from engine.batch.totals import AuditTotals
from engine.io.sources import file_items

AS_OF = date(2021, 12, 31)


def _case(cid, start, offers=(), team="P"):
    return {"case_id": cid, "citizen": {"birth_date": "1980-05-05", "education": "ungdomsuddannelse",
                                        "caseworker": team.lower(), "team": team},
            "benefits": [{"type": "kontanthjaelp", "start": start}],
            "events": [{"date": d, "type": "offer", "offer": kind, **({"end": end} if end else {})}
                       for kind, d, end in offers]}


CASES = [_case("P-1", "2020-06-01", [("virksomhedspraktik", "2021-11-01", "2021-11-20")]),
         _case("P-2", "2020-06-01", [("virksomhedspraktik", "2021-02-01", "2021-02-20")]),
         _case("P-3", "2020-06-01"),
         _case("P-4", "2021-03-01", [("virksomhedspraktik", "2021-03-05", "2021-03-26")]),
         _case("P-5", "2020-06-01", [("mentor", "2021-12-01", None)]),
         _case("P-6", "2021-12-30", [("virksomhedspraktik", "2021-12-30", "2022-01-20")], team="Q"),
         _case("P-7", "2019-06-01")]


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    p = tmp_path_factory.mktemp("passivity") / "cases.jsonl"
    p.write_text("".join(json.dumps(c) + "\n" for c in CASES), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def totals(engine, path):
    return run_audit(engine.ruleset, file_items([path]), AuditOptions(as_of=AS_OF), engine)


def test_active_effort_windows(totals):
    effort = totals.active_effort
    assert effort.population == 5
    assert effort.passive == {"1.5": 4, "3": 4, "6": 4, "9": 4, "12": 3}
    assert totals.active_effort_by_team["P"].population == 5
    assert "Q" not in totals.active_effort_by_team  # P-6 is two days on benefit
    assert effort.row()["passive_share_12m"] == pytest.approx(3 / 5)


def test_time_to_first_offer(totals):
    first = totals.first_offer
    assert first.spells == 6
    assert first.followed == {"1d": 6, "1w": 5, "1m": 5, "2m": 5, "3m": 5, "6m": 5, "9m": 5, "12m": 4}
    assert first.within == {"1d": 1, "1w": 1, "1m": 1, "2m": 1, "3m": 1, "6m": 1, "9m": 2, "12m": 1}
    q = totals.first_offer_by[("team", "Q")]
    assert (q.spells, q.followed["1d"], q.within["1d"], q.followed["1w"]) == (1, 1, 1, 0)
    assert totals.first_offer_by[("benefit", "kontanthjaelp")].within == first.within


def test_merge_adds_the_new_tallies(engine, path):
    """Two halves of the caseload merged give the whole (as the audit's workers do)."""
    whole = run_audit(engine.ruleset, file_items([path]), AuditOptions(as_of=AS_OF), engine)
    merged = AuditTotals()
    for part in (CASES[:3], CASES[3:]):
        half = path.parent / f"half-{len(part)}.jsonl"
        half.write_text("".join(json.dumps(c) + "\n" for c in part), encoding="utf-8")
        merged.merge(run_audit(engine.ruleset, file_items([half]), AuditOptions(as_of=AS_OF), engine))
    assert merged.comparable()["active_effort"] == whole.comparable()["active_effort"]
    assert merged.comparable()["first_offer_by"] == whole.comparable()["first_offer_by"]


def test_reports_show_them_with_their_definitions(path, tmp_path):
    result = CliRunner().invoke(app, ["audit", str(path), "--as-of", "2021-12-31", "--csv", str(tmp_path / "csv"),
                                      "--html", str(tmp_path / "r.html")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "STAR aktiv indsats" in result.output and "star.dk, aktiv indsats" in result.output
    assert "Tid til første aktive tilbud (Jobindsats)" in result.output
    effort = (tmp_path / "csv" / "active_effort.csv").read_text(encoding="utf-8").splitlines()
    assert effort[0] == "team,window,population,passive,share"
    assert "(all),1.5,5,4,0.8" in effort and "(all),12,5,3,0.6" in effort
    first = (tmp_path / "csv" / "first_offer.csv").read_text(encoding="utf-8").splitlines()
    assert "(all),(all),9m,5,2,0.4" in first and "(all),Q,1d,1,1,1.0" in first
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="active-effort"' in html and 'id="first-offer"' in html
    assert html.count('class="dim definition"') >= 2
