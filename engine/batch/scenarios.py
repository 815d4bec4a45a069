"""Scenario files: a case, an as-of date and the expected duties — rule tests anyone can write.

Format (YAML; one scenario per file, or a list under ``scenarios:``)::

    name: jobparat kontanthjælp, 3 of 4 conversations
    as_of: 2021-08-16
    case: {case_id: ..., citizen: ..., benefits: ...}   # inline, or
    case_file: ../../samples/kontanthjaelp-jobparat-2021.yaml   # relative to this file
    expect:
      actions:                    # every action the case gets; order does not matter
        - {rule: contact-course-4-conversations, due: 2021-09-30, status: open, progress: 3/4}
      absent: [jobparat-work-for-benefit-by-3-months]   # optional: rules that must not appear
      routing: {benefit_route: kontanthjaelp, categories: [jobparat, aktivitetsparat]}   # optional

An expected action lists only the fields it cares about (rule, status, due, anchor, progress as
``done/required``, done_on). ``exhaustive: false`` under ``expect`` allows further actions.
Used by pytest (tests/test_scenarios.py) and by ``sagsrute test-rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from engine.core.check import Engine
from models.actions import Action, CheckResult
from engine.io.loading import InputError, RuleLoader, label, parse_case, read_file, read_text, validation_problems, yaml_problem
from models.types import IsoDate


class ExpectedAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    status: Optional[str] = None
    due: Optional[IsoDate] = None
    anchor: Optional[IsoDate] = None
    progress: Optional[str] = None  # "done/required"
    done_on: Optional[IsoDate] = None

    @field_validator("progress", mode="before")
    @classmethod
    def _progress(cls, value: Any) -> Any:
        if value is not None and (not isinstance(value, str) or "/" not in value):
            raise ValueError("progress is written done/required, e.g. 3/4")
        return value

    def differences(self, action: Action) -> list[str]:
        got = describe(action)
        return [f"{k}: expected {v}, got {got[k]}" for k, v in self.wanted().items() if got[k] != v]

    def wanted(self) -> dict:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}

    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.wanted().items())


class ExpectedRouting(BaseModel):
    """The routing fields a scenario cares about (models.actions.Routing); the others are not checked."""

    model_config = ConfigDict(extra="forbid")
    benefit_route: Optional[str] = None
    benefit_matches_route: Optional[bool] = None
    rate: Optional[str] = None
    track: Optional[str] = None
    categories: Optional[list[str]] = None
    current_category: Optional[str] = None
    category_valid: Optional[bool] = None
    labour_market_distance: Optional[str] = None
    akasse_trial: Optional[str] = None

    def differences(self, routing) -> list[str]:
        if routing is None:
            return ["routing: expected a routing section, got none"]
        wanted = self.model_dump(exclude_unset=True)
        return [f"routing.{k}: expected {v}, got {getattr(routing, k)}"
                for k, v in wanted.items() if getattr(routing, k) != v]


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actions: list[ExpectedAction] = []
    absent: list[str] = []
    exhaustive: bool = True
    routing: Optional[ExpectedRouting] = None  # optional: the routing decisions (engine/core/routing.py)


class ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: Optional[str] = None
    as_of: IsoDate
    case: Optional[dict] = None
    case_file: Optional[str] = None
    expect: Expectation


def describe(action: Action) -> dict:
    return {
        "rule": action.rule,
        "status": action.status.value,
        "due": str(action.due),
        "anchor": str(action.anchor),
        "progress": f"{action.progress.done}/{action.progress.required}",
        "done_on": str(action.done_on) if action.done_on else "None",
    }


@dataclass
class Scenario:
    source: str
    spec: ScenarioSpec
    case: Any  # models.case.Case


@dataclass
class Outcome:
    scenario: Scenario
    result: Optional[CheckResult]
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_scenarios(path: Path) -> tuple[list[Scenario], list[str]]:
    """Scenarios in a file or directory, and the errors of those that cannot be read."""
    from engine.io.sources import files_of

    files = files_of(path, (".yaml", ".yml"))
    scenarios, errors = [], []
    for file in files:
        try:
            data = yaml.load(read_text(file), Loader=RuleLoader)
        except yaml.YAMLError as exc:
            errors.append(yaml_problem(file, exc))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{label(file)}: cannot be read ({exc})")
            continue
        items = data.get("scenarios") if isinstance(data, dict) and "scenarios" in data else [data]
        for i, item in enumerate(items):
            where = label(file) + (f" scenarios[{i}]" if len(items) > 1 else "")
            try:
                spec = ScenarioSpec.model_validate(item)
            except ValidationError as exc:
                errors += [f"{where}: {p}" for p in validation_problems(exc)]
                continue
            if (spec.case is None) == (spec.case_file is None):
                errors.append(f"{where}: give exactly one of 'case' or 'case_file'")
                continue
            if spec.case_file is not None:
                loaded = next(read_file(file.parent / spec.case_file))
            else:
                loaded = parse_case(spec.case, f"{where} case")
            if isinstance(loaded, InputError):
                errors.append(str(loaded))
                continue
            scenarios.append(Scenario(where, spec, loaded.case))
    return scenarios, errors


def run_scenario(engine: Engine, scenario: Scenario, lang: str = "en") -> Outcome:
    result = engine.check(scenario.case, scenario.spec.as_of, lang)
    expect = scenario.spec.expect
    remaining = list(result.actions)
    problems = []
    for wanted in expect.actions:
        candidates = [a for a in remaining if a.rule == wanted.rule]
        exact = next((a for a in candidates if not wanted.differences(a)), None)
        if exact is not None:
            remaining.remove(exact)
        elif candidates:
            closest = min(candidates, key=lambda a: len(wanted.differences(a)))
            problems.append(f"{wanted.rule}: " + "; ".join(wanted.differences(closest)))
            remaining.remove(closest)
        else:
            problems.append(f"{wanted.rule}: expected ({wanted.label()}), but the rule gave no action")
    for rule in expect.absent:
        if any(a.rule == rule for a in result.actions):
            problems.append(f"{rule}: expected no action, got one")
    if expect.routing is not None:
        problems += expect.routing.differences(result.routing)
    if expect.exhaustive:
        for extra in remaining:
            d = describe(extra)
            problems.append(f"{extra.rule}: unexpected action (status={d['status']} due={d['due']} progress={d['progress']})")
    return Outcome(scenario, result, problems)
