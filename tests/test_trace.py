"""The structured trace (issue 15): ``Engine.check(trace=True)`` gives every action the steps that
decided it, JSON-ready — from the same tracer calls as the why-texts (engine.core.duty.Why: one
record of steps, two renderings). docs/case-format-extensions.md, "trace"."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine.core.duty import TRACE_VERSION
from engine.io.generate import generate_cases
from engine.io.loading import LoadedCase, read_cases
from models.case import Case

ROOT = Path(__file__).resolve().parent.parent
TRACE_ONLY = {"rule", "in_force", "windows"}  # steps without a why-text
STATUS_STEPS = {"met", "met_late", "exempt", "open", "open_today", "overdue", "overdue_ended", "offer_ended",
                "offer_runs_past"}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    samples = [x.case for x in read_cases([ROOT / "samples" / "cases", ROOT / "samples" / "worked"])
               if isinstance(x, LoadedCase)]
    return samples + [Case.model_validate(d) for d in generate_cases(400, 5, date(2021, 12, 31))]


def test_every_action_has_a_json_ready_trace_that_matches_its_why(engine, cases):
    kinds_seen, steps_seen = set(), set()
    for case in cases:
        for as_of in (date(2015, 6, 30), date(2021, 12, 31)):
            plain = engine.check(case, as_of, "en")
            traced = engine.check(case, as_of, "en", trace=True)
            assert [a.why for a in traced.actions] == [a.why for a in plain.actions]  # the texts unchanged
            assert json.loads(json.dumps(traced.to_contract()))  # JSON as it is
            assert all("trace" not in a for a in plain.to_contract()["actions"])
            for action in traced.actions:
                trace = action.trace
                first = trace[0]
                assert first["step"] == "rule" and first["rule"] == action.rule
                assert first["rules_version"] == traced.rules_version and first["trace_version"] == TRACE_VERSION
                kinds_seen.add(first["kind"])
                # one path: the steps with a text are the why, one to one
                assert len([s for s in trace if s["step"] not in TRACE_ONLY]) == len(action.why)
                # the reason for the status is the last step that names one, and it names this status
                named = [s for s in trace if "status" in s]
                assert named and named[-1]["status"] == action.status.value, (action.rule, trace)
                steps_seen.update(s["step"] for s in trace)
    assert kinds_seen == {"deadline", "cadence", "max_gap", "offer_limit"}
    assert {"postponed", "exempt", "progress", "window", "gap", "offer_limit", "in_force"} <= steps_seen
    assert STATUS_STEPS - {"offer_runs_past"} <= steps_seen


def read_cases_one(sample: str) -> Case:
    [case] = [x.case for x in read_cases([ROOT / "samples" / "cases" / f"{sample}.yaml"])]
    return case


def _traced(engine, sample: str, as_of: date, rule: str) -> list:
    return [a for a in engine.check(read_cases_one(sample), as_of, "en", trace=True).actions if a.rule == rule]


def test_a_postponed_deadline_is_traced_step_by_step(engine):
    [action] = _traced(engine, "kontanthjaelp-ret-og-pligt-postponed-2021", date(2021, 12, 31),
                       "ret-og-pligt-offer-by-6-months")
    steps = {s["step"]: s for s in action.trace}
    assert steps["rule"] == {"step": "rule", "rule": "ret-og-pligt-offer-by-6-months", "variant": "kontanthjaelp",
                             "rule_key": "ret-og-pligt-offer-by-6-months/kontanthjaelp", "kind": "deadline",
                             "rules_version": engine.ruleset.label, "trace_version": TRACE_VERSION}
    assert steps["regime_due"] == {"step": "regime_due", "start": "2020-01-01", "regime": "LAB2020", "to": None}
    assert steps["due"] == {"step": "due", "offset": {"months": 6, "weeks": 0, "days": 0}, "anchor": "start",
                            "anchor_date": "2021-01-04", "date": "2021-07-04"}
    assert steps["postponed"] == {"step": "postponed", "old": "2021-07-04", "new": "2021-09-01",
                                  "what": "ret_og_pligt_postponed", "start": "2021-06-01", "end": "2021-09-01"}
    assert steps["progress"] == {"step": "progress", "done": 1, "required": 1,
                                 "events": [{"date": "2021-08-16", "type": "offer", "kind": "virksomhedspraktik"}]}
    assert action.trace[-1] == {"step": "met", "date": "2021-08-16", "status": "met"}
    assert [s["step"] for s in action.trace] == ["rule", "benefit", "in_force", "regime_due", "due", "postponed",
                                                 "progress", "met"]


def test_exemptions_windows_and_missed_duties_are_traced(engine):
    exempt = [a for a in engine.check(read_cases_one("ledighedsydelse-standby-2021"), date(2021, 12, 31), "en",
                                      trace=True).actions if a.status.value == "exempt"]
    assert exempt
    step = exempt[0].trace[-1]
    assert step["step"] == "exempt" and step["what"] == "standby" and step["status"] == "exempt"
    case = Case.model_validate({"case_id": "T-1", "citizen": {"birth_date": "1980-05-05", "education": "none"},
                                "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04", "end": "2021-02-15"}]})
    [missed] = [a for a in engine.check(case, date(2021, 6, 30), "en", trace=True).actions
                if a.rule == "first-conversation-within-1-week"]
    assert missed.trace[-1] == {"step": "overdue_ended", "days": 35, "end": "2021-02-15", "status": "overdue",
                                "actionable": False}
    assert {"step": "benefit_ended", "end": "2021-02-15"} in missed.trace


def test_a_trace_without_the_texts(engine):
    case = read_cases_one("kontanthjaelp-jobparat-2021")
    result = engine.check(case, date(2021, 12, 31), "da", explain_why=False, trace=True)
    assert result.actions and all(a.why == [] and a.trace and a.trace[0]["step"] == "rule" for a in result.actions)
    # the same steps as with the texts: what is recorded does not depend on what is rendered
    assert [a.trace for a in result.actions] == \
        [a.trace for a in engine.check(case, date(2021, 12, 31), "en", trace=True).actions]


def test_check_trace_in_the_json_only():
    from typer.testing import CliRunner

    from cli.app import app

    sample = ROOT / "samples" / "cases" / "kontanthjaelp-ret-og-pligt-postponed-2021.yaml"
    run = CliRunner().invoke
    done = run(app, ["check", str(sample), "--as-of", "2021-12-31", "--format", "json", "--trace"])
    assert done.exit_code == 0, done.output
    actions = json.loads(done.stdout)["actions"]
    assert actions and all(a["trace"][0]["step"] == "rule" for a in actions)
    assert all("trace" not in a for a in json.loads(run(app, ["check", str(sample), "--as-of", "2021-12-31",
                                                              "--format", "json"]).stdout)["actions"])
    refused = run(app, ["check", str(sample), "--as-of", "2021-12-31", "--trace"])
    assert refused.exit_code == 2 and "--trace needs --format json" in refused.output
