"""The API's response shapes beyond the contract's (the check result is models/actions.py's own):
for the OpenAPI document and the routes that build them."""

from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import BaseModel, Field


class Problems(BaseModel):
    """Every error answer: 404, 403 and 422 (``field.path: problem`` lines, as the CLI prints them)."""

    errors: list[str]


class CaseSearch(BaseModel):
    """POST /case-search's body: the case id (or part of it) searched, kept out of the URL."""

    model_config = {"extra": "forbid"}

    q: str = Field(min_length=1, max_length=200, description="part of a case id")


class WorklistRow(BaseModel):
    case_id: str
    team: Optional[str] = None
    caseworker: Optional[str] = None
    status: str = Field(description="the next step's status: overdue | open; none: nothing can still be done; "
                                    "error: the stored case cannot be evaluated")
    next_rule: Optional[str] = None
    next_title: Optional[str] = None
    due: Optional[date] = None
    days_left: Optional[int] = Field(None, description="due − as_of in days; negative: overdue")
    overdue: int = 0
    open: int = 0
    missed: int = 0


class WorklistPage(BaseModel):
    as_of: date
    rules_version: str
    page: int
    page_size: int
    total: int
    cases: list[WorklistRow]


class RuleSourceOut(BaseModel):
    cite: str = Field(description="seed file and line range")
    quote: str


class RuleOut(BaseModel):
    id: str
    key: str = Field(description="id, or id/variant")
    variant: Optional[str] = None
    title: dict[str, str]
    kind: str
    valid_from: date
    valid_to: Optional[date] = None
    regime: str
    benefits: list[str]
    source: RuleSourceOut
    also: list[RuleSourceOut] = []
    reading: Optional[str] = None


class RulesOut(BaseModel):
    rules_version: str
    rules: list[RuleOut]


class AuditOut(BaseModel):
    """The figures of ``sagsrute audit`` over the stored cases (docs/audit.md defines each)."""

    as_of: date
    rules_version: str
    cases: int
    bad: int
    overdue_now: int
    missed: int
    rules: list[dict]
    groups: dict[str, list[dict]] = {}
    star: list[dict]
    passivity: list[dict]


class Health(BaseModel):
    status: str
    rules_version: str
