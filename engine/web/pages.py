"""The caseworker's pages: worklist, case page, dashboard with drill-down, rules. Server-rendered
(engine/report/web), no script needed; Danish by default, ``?lang=en`` for English."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from engine import texts
from engine.report.web import STYLESHEET, render
from engine.web.deps import get_principal

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
    return HTMLResponse(render(template, lang, other_lang_url=other_lang_url(request), other_lang=other_lang(lang),
                               **context), status_code=code)


def error_page(request: Request, status: int, problems: list[str]) -> Response:
    lang = lang_of(request)
    w = texts.words(texts.WEB, lang)
    return page(request, "error.html", status, title=w.get(f"error_{status}", w["error_other"]), status=status,
                problems=problems, page="error")


@router.get("/static/sagsrute.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=3600"})
