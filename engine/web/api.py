"""The JSON API, ``/api/v1/…`` (docs/web.md). Every route depends on the principal; the case routes
answer a case outside the principal's teams as they answer an unknown one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from engine.batch.totals import DIMENSIONS
from engine.io.worklist import STATUS_RANKS
from engine.report import group_rows, overall, passivity_rows, rule_rows, star_rows
from engine.web.deps import Principal, get_principal, record_access, require_cases, require_figures
from engine.web.errors import BadRequest, RuleNotFound
from engine.web.schemas import AuditOut, CaseSearch, Health, Problems, RuleOut, RuleSourceOut, RulesOut, WorklistPage, WorklistRow
from engine.web.service import Service
from models.actions import CheckResult
from models.types import EARLIEST, ISO_DATE, LATEST

# Every route needs credentials (docs/access.md): none that hold is a 401, on every route.
UNAUTHORISED = {401: {"model": Problems, "description": "no valid credentials: sign in, or send a valid token as "
                                                        "`Authorization: Bearer …`",
                      "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                       "description": 'Bearer realm="sagsrute"'}}}}
router = APIRouter(prefix="/api/v1", dependencies=[Depends(get_principal)], responses=UNAUTHORISED)

ERRORS = {404: {"model": Problems, "description": "unknown case (or outside your teams)"},
          422: {"model": Problems, "description": "bad input: `field.path: problem` lines"}}
# A write by a signed-in browser without the session's CSRF token (X-CSRF-Token), or from another site.
WRITE_FORBIDDEN = {403: {"model": Problems, "description": "a write from another site, or by a session without "
                                                          "its CSRF token (`X-CSRF-Token`)"}}


class Lang(str, Enum):
    da = "da"
    en = "en"


class WorklistStatus(str, Enum):
    overdue = "overdue"
    open = "open"
    none = "none"
    error = "error"


assert {s.value for s in WorklistStatus} == set(STATUS_RANKS)

Dimension = Enum("Dimension", {d: d for d in DIMENSIONS}, type=str)  # type: ignore[misc]

# Dates in a query are ISO text, parsed here: pydantic's lax date would take "0" as 1970-01-01.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
AsOfQuery = Annotated[Optional[str], Query(pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                                           description="The date to evaluate on (YYYY-MM-DD); default today. "
                                                       "What happens after it does not exist yet.")]
LangQuery = Annotated[Lang, Query(description="Language of titles and reasons: da (Danish) or en.")]
CaseIdPath = Annotated[str, Path(description="The case id, as imported. Never a CPR number: a CPR-shaped id "
                                             "is answered like an unknown one.")]


async def service(request: Request) -> Service:
    # async: FastAPI runs a plain function dependency in the thread pool, a hand-over per request
    return request.app.state.service


def day_of(value: Optional[str | date], name: str = "as_of") -> date:
    if value is None:
        return date.today()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if ISO_DATE.match(value) else None
        except ValueError:
            value = None
        if value is None:
            raise BadRequest([f"{name}: not a date in the form YYYY-MM-DD"])
    if not EARLIEST <= value <= LATEST:
        raise BadRequest([f"{name}: {value} is outside {EARLIEST.year}–{LATEST.year}"])
    return value


def json_response(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


@router.post("/check", summary="Check posted cases", responses={
    200: {"model": CheckResult | list[CheckResult],
          "description": "the contract's §3 result: one object for one case, a list for a list"},
    **WRITE_FORBIDDEN, **ERRORS},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [{"$ref": "#/components/schemas/Case"},
                  {"type": "array", "items": {"$ref": "#/components/schemas/Case"}, "minItems": 1}]}}}}})
async def check(request: Request, as_of: AsOfQuery = None, lang: LangQuery = Lang.da,
                principal: Principal = Depends(get_principal), svc: Service = Depends(service)) -> Response:
    """One case timeline (contract §1) or a list of them in the body; the result of each as of the
    date, exactly what `sagsrute check --format json` prints. Any bad case: 422 naming every problem
    (`[2]: citizen.birth_date: required field is missing`), and no result."""
    day = day_of(as_of)
    body = await request.body()
    return await svc.soon(_check_body, svc, body, day, lang.value)


def _check_body(svc: Service, body: bytes, day: date, lang: str) -> Response:
    cases, many = svc.parse_body(body)
    results = [svc.check(case, day, lang).to_contract() for case in cases]
    return json_response(results if many else results[0])


@router.get("/cases/{case_id}", summary="Check a stored case", responses={
    200: {"model": CheckResult, "description": "the contract's §3 result"}, **ERRORS})
async def stored_case(request: Request, case_id: CaseIdPath, as_of: AsOfQuery = None, lang: LangQuery = Lang.da,
                      explain: Annotated[bool, Query(description="With the reasons (why) of each duty and of the routing.")] = True,
                      principal: Principal = Depends(require_cases), svc: Service = Depends(service)) -> Response:
    """A case from the database evaluated as of the date: what `sagsrute check --case ID --format
    json` prints."""
    return await svc.soon(_stored_case, svc, request, principal, case_id, day_of(as_of), lang.value, explain)


def _stored_case(svc: Service, request: Request, principal: Principal, case_id: str, day: date, lang: str,
                 explain: bool) -> Response:
    case = svc.stored(case_id, principal)
    record_access(request, principal, "case", case_id)
    return json_response(svc.check(case, day, lang, explain).to_contract())


@dataclass(frozen=True)
class WorklistQuery:
    """The worklist's filters that may stand in a URL: none is case data (a case id is searched by
    POST /case-search, in the body)."""

    as_of: date
    lang: str
    team: Optional[str]
    caseworker: Optional[str]
    status: Optional[str]
    due_before: Optional[date]
    page: int


def worklist_query(as_of: AsOfQuery = None, lang: LangQuery = Lang.da,
                   team: Annotated[Optional[str], Query(max_length=200)] = None,
                   caseworker: Annotated[Optional[str], Query(max_length=200)] = None,
                   status: Annotated[Optional[WorklistStatus], Query(description="the next step's status")] = None,
                   due_before: Annotated[Optional[str], Query(pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                                                              description="next step due on or before this date")] = None,
                   page: Annotated[int, Query(ge=1, le=100000)] = 1) -> WorklistQuery:
    return WorklistQuery(day_of(as_of), lang.value, team, caseworker, status.value if status else None,
                         day_of(due_before, "due_before") if due_before else None, page)


def worklist_page(svc: Service, principal: Principal, query: WorklistQuery, search: Optional[str]) -> WorklistPage:
    rows, total = svc.worklist(principal, query.as_of, team=query.team, caseworker=query.caseworker,
                               status=query.status, due_before=query.due_before, search=search, number=query.page)
    return WorklistPage(as_of=query.as_of, rules_version=svc.label, page=query.page,
                        page_size=svc.settings.page_size, total=total,
                        cases=[worklist_row(r, query.lang) for r in rows])


@router.get("/cases", summary="The worklist", response_model=WorklistPage, responses=ERRORS)
def cases(query: Annotated[WorklistQuery, Depends(worklist_query)],
          principal: Principal = Depends(require_cases), svc: Service = Depends(service)) -> WorklistPage:
    """The cases with their next step, its due date and the days left: overdue first, then by due
    date. Paged in the database (page size 50). To find cases by their id: POST /case-search."""
    return worklist_page(svc, principal, query, None)


@router.post("/case-search", summary="The worklist's cases whose id holds a text", response_model=WorklistPage,
             responses={**WRITE_FORBIDDEN, **ERRORS})
def search_cases(body: CaseSearch, query: Annotated[WorklistQuery, Depends(worklist_query)],
                 principal: Principal = Depends(require_cases), svc: Service = Depends(service)) -> WorklistPage:
    """The worklist (the same filters, in the query) of the cases whose id holds `q`. The text is in
    the body, never the URL: a case id is case data, and proxies log URLs."""
    return worklist_page(svc, principal, query, body.q.strip() or None)


def worklist_row(row: dict, lang: str) -> WorklistRow:
    status = next(s for s, rank in STATUS_RANKS.items() if rank == row["rank"])
    return WorklistRow(case_id=row["case_id"], team=row["team"], caseworker=row["caseworker"], status=status,
                       next_rule=row["next_rule"], next_title=row[f"next_title_{lang}"], due=row["next_due"],
                       days_left=row["days_left"], overdue=row["overdue"] or 0, open=row["open"] or 0,
                       missed=row["missed"] or 0)


def rule_out(rule) -> RuleOut:
    return RuleOut(id=rule.id, key=rule.key, variant=rule.variant, title={"da": rule.title.da, "en": rule.title.en},
                   kind=rule.kind, valid_from=rule.valid.from_, valid_to=rule.valid.to, regime=rule.valid.regime,
                   benefits=[b.value for b in rule.applies_to.benefits],
                   source=RuleSourceOut(cite=rule.source.cite(), quote=rule.source.quote),
                   also=[RuleSourceOut(cite=s.cite(), quote=s.quote) for s in rule.also], reading=rule.reading)


@router.get("/rules", summary="The rule set", response_model=RulesOut)
def rules(svc: Service = Depends(service)) -> RulesOut:
    """Every rule (each variant) with its validity, citation and the seed's quote."""
    return RulesOut(rules_version=svc.label, rules=[rule_out(r) for r in svc.ruleset.rules])


@router.get("/rules/{rule_id}", summary="One rule", response_model=RulesOut,
            responses={404: {"model": Problems, "description": "no such rule"}})
def rule(rule_id: Annotated[str, Path(max_length=200)], svc: Service = Depends(service)) -> RulesOut:
    """The variants of one rule id (or the one variant of an `id/variant` key)."""
    found = [r for r in svc.ruleset.rules if rule_id in (r.id, r.key)]
    if not found:
        raise RuleNotFound(f"rule_id: no rule {rule_id!r} in {svc.label}")
    return RulesOut(rules_version=svc.label, rules=[rule_out(r) for r in found])


@router.get("/audit", summary="The audit's figures", response_model=AuditOut,
            responses={403: {"model": Problems, "description": "not allowed to see figures (of that team)"},
                       **ERRORS})
def audit(as_of: AsOfQuery = None, lang: LangQuery = Lang.da,
          group_by: Annotated[list[Dimension], Query(description="also per benefit, category, team or caseworker")] = [],  # noqa: B006
          principal: Principal = Depends(require_figures), svc: Service = Depends(service)) -> AuditOut:
    """The figures `sagsrute audit --as-of DATE --group-by …` gives over the stored cases you may
    see: per rule, per group, STAR's early-effort measure and passivity."""
    totals, meta = svc.audit(principal, day_of(as_of), lang.value)
    return AuditOut(as_of=meta.as_of, rules_version=svc.label, cases=totals.cases, bad=totals.bad,
                    overdue_now=overall(totals).overdue_now, missed=overall(totals).missed,
                    rules=rule_rows(totals, meta, lang.value),
                    groups={d.value: group_rows(totals, meta, d.value, lang.value) for d in group_by},
                    star=star_rows(totals), passivity=passivity_rows(totals))


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request) -> dict:
    """The OpenAPI document (docs/openapi.json is a copy; the pages' /api/docs shows it)."""
    return request.app.openapi()


@router.get("/health", summary="For the process supervisor", response_model=Health)
def health(svc: Service = Depends(service)) -> Health:
    """200 while this worker can read the database and has its rules; open to the process
    supervisor without credentials, so it says nothing of the cases."""
    from engine.io.storage import count_cases

    count_cases(svc.db)  # the database answers (an error here is the boundary's 503)
    return Health(status="ok", rules_version=svc.label)

