"""What ``check`` returns: actions (contract §3)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Optional

from pydantic import BaseModel


class Status(str, Enum):
    met = "met"
    met_late = "met_late"
    open = "open"
    overdue = "overdue"
    exempt = "exempt"


class Progress(BaseModel):
    done: int
    required: int


class Action(BaseModel):
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

    def sort_key(self) -> tuple:
        return (self.status is not Status.overdue, self.due, self.rule, self.anchor)


class CheckResult(BaseModel):
    case_id: str
    as_of: date
    rules_version: str
    actions: list[Action]

    def to_contract(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)
