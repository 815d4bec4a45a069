"""What ``check`` returns: actions (contract §3)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Optional, Union

from pydantic import BaseModel


class Status(str, Enum):
    met = "met"
    met_late = "met_late"
    open = "open"
    overdue = "overdue"
    exempt = "exempt"


class Built(BaseModel):
    """A model the engine fills with values it computed itself, so they need no validation.
    ``build`` does what pydantic's ``model_construct`` does for a model whose every field is given
    (no defaults, aliases or extras to resolve) at a third of its cost: the audit builds millions.
    tests/test_models.py checks that a built model equals, dumps and copies like a validated one."""

    @classmethod
    def build(cls, **values):
        obj = cls.__new__(cls)
        object.__setattr__(obj, "__dict__", values)
        object.__setattr__(obj, "__pydantic_fields_set__", set(values))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


class Progress(Built):
    done: int
    required: int


class Action(Built):
    rule: str
    title: str
    status: Status
    due: date
    anchor: date
    progress: Progress
    source: str
    why: list[str]
    done_on: Optional[date] = None  # extension: the day the duty was met (met / met_late)
    benefit: Optional[str] = None  # extension: the benefit period the duty belongs to
    period_end: Optional[date] = None  # extension: that period's end, where it ended on or before the as-of date
    actionable: Optional[bool] = None  # extension: open/overdue only — can it still be done (its period runs)?
    trace: Optional[list[dict]] = None  # extension, on request: the steps that decided it (Engine.check(trace=True))
    legal: Optional[str] = None  # extension (issue 15.10): the act and paragraph, as a caseworker names them
    source_document: Optional[str] = None  # extension: the readable name of the seed document ``source`` cites

    def sort_key(self) -> tuple:
        return (self.status is not Status.overdue, self.due, self.rule, self.anchor)


class RoutingDecision(Built):
    """One routing decision: the aspect, its value, the routing rule that gave it, why and the source."""

    aspect: str
    value: Optional[Union[str, list[str]]] = None
    rule: Optional[str] = None  # the routing rule id; none where no rule decides and the default applies
    why: str
    source: Optional[str] = None


class Routing(Built):
    """extension: where the case belongs, for the benefit period in force on the as-of date (or the
    latest one before it). See docs/case-format-extensions.md."""

    benefit: str  # the period's recorded benefit
    period_start: date
    decided_on: date  # the as-of date, or the period's end where it ended before
    age: int  # on the decision date: the routing's age conditions use it (A22)
    benefit_route: str  # uddannelseshjaelp | kontanthjaelp for cash-benefit periods, else the period's own benefit
    benefit_matches_route: bool
    rate: Optional[str] = None  # youth | adult (cash benefits)
    track: Optional[str] = None  # education | job
    categories: list[str] = []  # the visitation categories valid for the period
    current_category: Optional[str] = None  # the latest assessment in the period on the decision date
    category_valid: Optional[bool] = None  # whether current_category is one of categories
    labour_market_distance: Optional[str] = None  # close | far (offer duration limits)
    akasse_trial: Optional[str] = None  # akasse | jobcenter (a-dagpenge 2020-2023)
    decisions: list[RoutingDecision] = []


class Note(Built):
    """extension (issue 15.5, 15.11): something a caseworker must know that is not a duty — a benefit
    period the regime change left without a duty (``uncovered_by_regime_change``), or an as-of date
    after the day through which the rule set knows the law (``beyond_known_law``). ``text`` says it
    in the check's language. docs/case-format-extensions.md."""

    code: str
    date: date  # the regime change, or the day through which the law is known
    text: str
    benefit: Optional[str] = None  # uncovered: the period's benefit and start
    period_start: Optional[date] = None


class CheckResult(Built):
    case_id: str
    as_of: date
    rules_version: str
    actions: list[Action]
    routing: Optional[Routing] = None  # extension
    notes: list[Note] = []  # extension: left out of the JSON where there is none

    def to_contract(self) -> dict:
        out = self.model_dump(mode="json", exclude_none=True)
        if not out.get("notes"):
            out.pop("notes", None)  # the contract's shape where there is nothing to note
        return out
