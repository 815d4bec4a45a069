"""``create_app(settings)``: the FastAPI app of ``sagsrute serve`` — the API, the pages, and the one
error boundary of the web app (domain errors → 404/403/422 with ``field.path: problem`` lines, the
rest → 500/503 with no detail that could carry case data).

Nothing here logs a request body; the access log masks anything CPR-shaped in a request line."""

from __future__ import annotations

import logging
import os
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.web.errors import BadRequest, CaseNotFound, FiguresForbidden, RuleNotFound
from engine.web.service import Service, Settings
from models.privacy import mask_cpr

log = logging.getLogger("sagsrute.web")

API_PREFIX = "/api/"
NOT_FOUND = "case_id: no such case"  # the one answer for unknown, CPR-shaped and out-of-scope ids


class MaskCpr(logging.Filter):
    """The access log's request line with every CPR-shaped number hidden (a mistyped URL may hold one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_cpr(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask_cpr(record.msg)
        return True


def _install_log_filter() -> None:
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskCpr) for f in logger.filters):
            logger.addFilter(MaskCpr())


def validation_problems(exc: RequestValidationError) -> list[str]:
    """FastAPI's validation errors as ``field: problem`` lines (the value is never repeated)."""
    lines = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "header")]
        lines.append(f"{'.'.join(loc) or '(request)'}: {error.get('msg', 'invalid')}")
    return lines


def settings_from_env() -> Settings:
    """The settings a uvicorn worker process reads (``sagsrute serve`` sets them for each worker)."""
    from pathlib import Path

    from engine.rulebook.ruleset import DEFAULT_RULES_DIR

    return Settings(db=os.environ.get("SAGSRUTE_SERVE_DB") or None,
                    rules=Path(os.environ.get("SAGSRUTE_SERVE_RULES") or DEFAULT_RULES_DIR))


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    from engine.web import api, auth_routes, pages

    settings = settings or settings_from_env()
    _install_log_filter()
    app = FastAPI(title="sagsrute", version="1",
                  summary="What a jobcenter case needs next, and by when: the rules of Danish casework over HTTP.",
                  # FastAPI's own document routes bypass the routers' dependencies (the principal) and
                  # its Swagger page loads scripts from a CDN: the API's routes serve both instead
                  docs_url=None, redoc_url=None, openapi_url=None,
                  # FastAPI's OpenTelemetry hooks off: they would record validation failures and
                  # exception messages (case data) and cost time on every request
                  telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    app.state.service = Service(settings)
    app.include_router(api.router)
    app.include_router(pages.router)
    auth_routes.install(app)  # issue 17: login/logout/admin, the authentication gate, the security headers

    def answer(request: Request, status: int, problems: list[str], headers: Optional[dict] = None) -> Response:
        if request.url.path.startswith(API_PREFIX):
            response: Response = JSONResponse({"errors": problems}, status_code=status)
        else:
            response = pages.error_page(request, status, problems)
        response.headers.update(headers or {})  # a 405's Allow
        return response

    @app.exception_handler(CaseNotFound)
    def _case_not_found(request: Request, exc: CaseNotFound) -> Response:
        return answer(request, 404, [NOT_FOUND])

    @app.exception_handler(RuleNotFound)
    def _rule_not_found(request: Request, exc: RuleNotFound) -> Response:
        return answer(request, 404, [str(exc)])

    @app.exception_handler(FiguresForbidden)
    def _forbidden(request: Request, exc: FiguresForbidden) -> Response:
        return answer(request, 403, ["(principal): not allowed to see the caseload's figures"])

    @app.exception_handler(BadRequest)
    def _bad_request(request: Request, exc: BadRequest) -> Response:
        return answer(request, 422, [mask_cpr(p) for p in exc.problems])

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, 422, [mask_cpr(p) for p in validation_problems(exc)])

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # a body that is not JSON is bad input like any other: 422, as POST /check answers it
            return answer(request, 422, ["(body): not valid JSON"])
        return answer(request, exc.status_code, [f"(request): {exc.detail}"], exc.headers)

    @app.exception_handler(Exception)
    def _internal(request: Request, exc: Exception) -> Response:
        from engine.core.durable_backend import DurableRulesFault
        from sqlalchemy.exc import SQLAlchemyError

        route = getattr(request.scope.get("route"), "path", "?")  # the template: no case id
        if isinstance(exc, DurableRulesFault):
            log.error("engine fault on %s", route)
            return answer(request, 500, ["(engine): durable_rules misbehaved; no result is given"])
        if isinstance(exc, SQLAlchemyError):
            log.error("database error on %s: %s", route, type(exc).__name__)
            return answer(request, 503, ["(database): the database cannot be used"])
        log.error("internal error on %s: %s", route, type(exc).__name__)
        return answer(request, 500, ["(server): internal error"])

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_openapi(app: FastAPI) -> dict:
    """FastAPI's document plus the case timeline's schema (POST /check reads its body itself, to give
    the CLI's messages)."""
    from models.case import Case

    doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    case_schema = Case.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in {**case_schema.pop("$defs", {}), "Case": case_schema}.items():
        if name in schemas and schemas[name] != schema:
            raise RuntimeError(f"two schemas named {name} in the OpenAPI document")
        schemas[name] = schema
    return doc
