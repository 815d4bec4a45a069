"""The caseworker's pages: worklist, case page, dashboard with drill-down, rules. Server-rendered
(engine/report/web), no script needed; Danish by default, ``?lang=en`` for English."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Optional
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from engine import texts
from engine.batch.forecast import KINDS, horizon
from engine.batch.totals import STATUSES
from engine.io.worklist import STATUS_RANKS
from engine.report import across_rules, group_label, overall, rule_rows
from engine.report.forecast import stacked_bars
from engine.report.web import STYLESHEET, render, render_case_page
from engine.web.api import day_of, service
from engine.web.deps import Principal, get_principal, record_access, require_cases, require_figures
from engine.web.errors import BadRequest
from engine.web.service import Service

router = APIRouter(dependencies=[Depends(get_principal)], include_in_schema=False)


DEFAULT_LANG = "da"


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang")
    return lang if lang in texts.LANGS else DEFAULT_LANG


def other_lang(lang: str) -> str:
    return next(other for other in texts.LANGS if other != lang)


def other_lang_url(request: Request) -> str:
    """This page in the other language (the same filters and date)."""
    url = request.url.include_query_params(lang=other_lang(lang_of(request)))
    return f"{url.path}?{url.query}"


def page(request: Request, template: str, code: int = 200, **context) -> HTMLResponse:
    lang = lang_of(request)
    context.setdefault("other_lang_url", other_lang_url(request))
    return HTMLResponse(render(template, lang, other_lang=other_lang(lang), **context), status_code=code)


def error_page(request: Request, status: int, problems: list[str]) -> Response:
    lang = lang_of(request)
    w = texts.words(texts.WEB, lang)
    # nothing of the request is repeated (the URL may hold a CPR-shaped "case id")
    return page(request, "error.html", status, other_lang_url=f"/?lang={other_lang(lang)}",
                title=w.get(f"error_{status}", w["error_other"]), status=status, problems=problems, page="error")


@router.get("/static/sagsrute.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


# -- query values: a bad one gets the API's 422 lines, on an HTML page ------------------------------

def _day(request: Request, name: str = "as_of") -> date:
    return day_of(request.query_params.get(name) or None, name)


def _text(request: Request, name: str) -> Optional[str]:
    value = (request.query_params.get(name) or "").strip()
    if len(value) > 200:
        raise BadRequest([f"{name}: longer than 200 characters"])
    return value or None


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name) or ""
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadRequest([f"{name}: a whole number from {low} to {high}"])
    return int(value)


# -- the worklist -----------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def worklist_page(request: Request, principal: Principal = Depends(require_cases),
                  svc: Service = Depends(service)) -> HTMLResponse:
    return _worklist(request, principal, svc, None)


@router.post("/", response_class=HTMLResponse)
async def worklist_search(request: Request, principal: Principal = Depends(require_cases),
                          svc: Service = Depends(service)) -> Response:
    """The worklist's case-id search: the text comes in a form post (with the CSRF token), never in
    the URL (a case id is case data, and proxies log URLs); the other filters stay in the query.
    An id the principal may see, typed in full, opens its case page."""
    from engine.web.auth_routes import csrf_refused, read_form

    form = await read_form(request)
    refused = csrf_refused(request, form)
    if refused is not None:
        return refused
    search = form.get("q", "").strip()
    if len(search) > 200:
        raise BadRequest(["q: longer than 200 characters"])
    if search and await run_in_threadpool(svc.visible, search, principal):
        query = {k: v for k in ("as_of", "lang") if (v := request.query_params.get(k))}
        return RedirectResponse(f"/cases/{quote(search, safe='')}" + (f"?{urlencode(query)}" if query else ""),
                                status_code=303)
    return await run_in_threadpool(_worklist, request, principal, svc, search or None)


def _worklist(request: Request, principal: Principal, svc: Service, search: Optional[str]) -> HTMLResponse:
    """The worklist page: its filters from the query, the case-id search (if any) from a form post."""
    from engine.web.auth_routes import signed_in

    lang = lang_of(request)
    day = _day(request)
    team, caseworker = _text(request, "team"), _text(request, "caseworker")
    status = _text(request, "status")
    if status is not None and status not in STATUS_RANKS:
        raise BadRequest([f"status: one of {', '.join(STATUS_RANKS)}"])
    within = _int(request, "within", 0, 0, 10000) if request.query_params.get("within") else None
    number = _int(request, "page", 1, 1, 100000)
    rows, total = svc.worklist(principal, day, team=team, caseworker=caseworker, status=status,
                               due_before=day + timedelta(days=within) if within is not None else None,
                               search=search, number=number)
    pages = max(1, -(-total // svc.settings.page_size))
    teams, caseworkers = svc.choices(principal)
    here = request.url
    w = texts.words(texts.WEB, lang)
    current = signed_in()
    return page(request, "worklist.html", title=w["worklist_title"], page="worklist", as_of=day, rows=rows,
                total=total, number=number, pages=pages, teams=teams, caseworkers=caseworkers,
                statuses=list(STATUS_RANKS),
                chosen={"team": team, "caseworker": caseworker, "status": status, "within": within, "q": search},
                # the search form posts to this URL (the filters, not the page): the search starts on page 1
                search_url=_page_url(here, None), csrf=current.csrf if current else None,
                previous_url=_page_url(here, number - 1) if number > 1 else None,
                next_url=_page_url(here, number + 1) if number < pages else None, rules_version=svc.label)


def _page_url(url, number: Optional[int]) -> str:
    """This URL on page ``number`` (None: without a page). Its query holds filters, never a case id."""
    moved = url.remove_query_params("page") if number is None else url.include_query_params(page=number)
    return f"{moved.path}?{moved.query}" if moved.query else moved.path


# -- the case page ----------------------------------------------------------------------------------

@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, principal: Principal = Depends(require_cases),
              svc: Service = Depends(service)) -> HTMLResponse:
    lang = lang_of(request)
    day = _day(request)
    case = svc.stored(case_id, principal)
    record_access(request, principal, "case page", case_id)
    result = svc.check(case, day, lang)
    return HTMLResponse(render_case_page(case, result, lang, svc.ruleset, other_lang_url=other_lang_url(request),
                                         other_lang=other_lang(lang)))


# -- the dashboard ----------------------------------------------------------------------------------

@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, principal: Principal = Depends(require_figures),
                   svc: Service = Depends(service)) -> HTMLResponse:
    lang = lang_of(request)
    day = _day(request)
    totals, meta = svc.audit(principal, day, lang)
    w = texts.words(texts.WEB, lang)
    return page(request, "dashboard.html", title=w["dashboard_title"], page="dashboard", as_of=day,
                totals=totals, all_rules=overall(totals), rules=rule_rows(totals, meta, lang),
                teams=across_rules(totals, "team"), caseworkers=across_rules(totals, "caseworker"),
                percent=texts.percent, number=texts.number, rules_version=svc.label, group_label=group_label)


@router.get("/dashboard/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, principal: Principal = Depends(require_figures),
                  svc: Service = Depends(service)) -> HTMLResponse:
    """``sagsrute forecast``'s 12 weeks for the principal's teams as of the dashboard's date: a table
    and the HTML report's stacked bars (engine/report/forecast.py draws them), overall and per team."""
    lang = lang_of(request)
    day = _day(request)
    totals = svc.forecast(principal, day)
    fw = texts.words(texts.FORECAST, lang)
    # the bars are built escaped by the report's renderer: Markup lets them through as they are
    charts = {None: Markup(stacked_bars(totals, lang))}
    charts.update({g: Markup(stacked_bars(totals, lang, g, f"chart-forecast-{i}", 900, 220))
                   for i, g in enumerate(totals.groups())})
    return page(request, "forecast.html", title=fw["title"], page="dashboard", as_of=day, totals=totals, fw=fw,
                rows=totals.rows(), charts=charts, kinds=KINDS, span=fw["span"].format(as_of=day, weeks=totals.weeks,
                                                                        end=horizon(day, totals.weeks)),
                number=texts.number, rules_version=svc.label, group_label=group_label)


@router.get("/dashboard/duties", response_class=HTMLResponse)
def duties_page(request: Request, principal: Principal = Depends(require_figures),
                svc: Service = Depends(service)) -> HTMLResponse:
    lang = lang_of(request)
    day = _day(request)
    rule, team, caseworker, status = (_text(request, n) for n in ("rule", "team", "caseworker", "status"))
    if status is not None and status not in STATUSES:
        raise BadRequest([f"status: one of {', '.join(STATUSES)}"])
    rows, count = svc.duties_behind(principal, day, lang, rule=rule, status=status, team=team, caseworker=caseworker)
    # the page lists case rows (ids, duties, teams): case data leaving the service, logged as an export
    record_access(request, principal, "dashboard duties", None)
    w = texts.words(texts.WEB, lang)
    titles = {r: title_of_rule(svc, r, lang) for r in {row["rule"] for row in rows}}
    return page(request, "duties.html", title=w["duties_title"], page="dashboard", as_of=day, rows=rows, count=count,
                titles=titles, chosen={"rule": title_of_rule(svc, rule, lang) if rule else None,
                                       "team": group_label("team", team, lang) if team else None,
                                       "caseworker": group_label("caseworker", caseworker, lang) if caseworker else None,
                                       "status": status},
                rules_version=svc.label)


def title_of_rule(svc: Service, rule: str, lang: str) -> str:
    titles = svc.titles.get(rule)
    return titles[lang] if titles else rule


# -- the rules --------------------------------------------------------------------------------------

@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, svc: Service = Depends(service)) -> HTMLResponse:
    lang = lang_of(request)
    w = texts.words(texts.WEB, lang)
    return page(request, "rules.html", title=w["rules_title"], page="rules", rules=svc.ruleset.rules,
                rules_version=svc.label)


# -- the API's documentation, rendered from its OpenAPI document (no script, no CDN) ----------------

@router.get("/api/docs", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    doc = request.app.openapi()
    operations = [{"method": method.upper(), "path": path, "body_words": _body_words(op), **op}
                  for path, item in doc["paths"].items() for method, op in item.items()]
    return page(request, "api.html", title=texts.words(texts.WEB, lang)["api_title"], page="api", operations=operations)


def _body_words(operation: dict) -> str:
    """The WEB text that says what an operation's body holds: the search's text, or case timelines."""
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return "body_search" if schema.get("$ref", "").endswith("/CaseSearch") else "body_text"
