"""Every scenario file under tests/scenarios runs as one test: case + as-of date + expected duties."""

from pathlib import Path

import pytest

from engine.batch.scenarios import load_scenarios, run_scenario

SCENARIOS = Path(__file__).parent / "scenarios"
_scenarios, _errors = load_scenarios(SCENARIOS)


def test_every_scenario_file_loads():
    assert _errors == []
    assert len(_scenarios) >= 4


@pytest.mark.parametrize("scenario", _scenarios, ids=[s.spec.name for s in _scenarios])
def test_scenario(engine, scenario):
    outcome = run_scenario(engine, scenario)
    assert outcome.problems == [], "\n".join(outcome.problems)
