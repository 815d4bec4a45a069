"""Signing in and out, the admin's access-log page, and the two middlewares every request passes:
the gate (authentication once per request, CSRF on cookie-authenticated writes, the signed-in
user for the page header) and the security headers (CSP without inline scripts, no caching of
anything but the stylesheet, no framing, no referrer, no sniffing).

``install(app)`` adds all of it to ``create_app``'s app (issue 17)."""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass
from datetime import date
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import texts
from engine.access.crypto import csrf_for_session, random_token, same
from engine.report.web import _env as templates
from engine.web.deps import (API_PREFIX, SESSION_COOKIE, NotSignedIn, Principal, access_config, authenticate,
                             get_principal)

LOGIN_CSRF_COOKIE = "sagsrute_login_csrf"  # the login form's double-submit token (before any session)
# Routes anyone may call: the login form and its post, the stylesheet. Everything else needs a principal.
# /api/v1/health: the process supervisor asks without credentials, and learns nothing of the cases
PUBLIC = frozenset({("GET", "/login"), ("POST", "/login"), ("GET", "/static/sagsrute.css"), ("GET", "/api/v1/health")})
# The form posts that check their CSRF field themselves; any other cookie-authenticated write must
# send the session's CSRF token in X-CSRF-Token.
FORM_POSTS = frozenset({"/", "/logout", "/admin/access-log"})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM = 8192  # bytes: a login or filter form is small; a larger body is not read

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    csrf: Optional[str]  # the session's CSRF token (None: signed in by token or header)


_current: contextvars.ContextVar[Optional[SignedIn]] = contextvars.ContextVar("sagsrute_signed_in", default=None)


def signed_in() -> Optional[SignedIn]:
    """Who this page is shown to (for the header's name and "sign out" form); None outside a request."""
    return _current.get()


templates.globals["signed_in"] = signed_in


def _words(lang: str):
    return texts.words(texts.ACCESS, lang)


def _lang(value: Optional[str]) -> str:
    return value if value in texts.LANGS else "da"


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _secure(request: Request) -> bool:
    return access_config(request).cookie_secure


# -- the gate ----------------------------------------------------------------------------------------


def _same_origin(request: Request) -> bool:
    """A write whose Origin (where the browser sends one) is this service."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser, or one that sends none: the CSRF token still guards the forms
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")  # "null" (a sandboxed page) fails


def refuse(request: Request) -> Response:
    """No valid credentials: the API says 401; a page sends the browser to the login page (and a
    stale cookie is dropped)."""
    if request.url.path.startswith(API_PREFIX):
        return JSONResponse({"errors": ["(credentials): sign in, or send a valid token as 'Authorization: Bearer …'"]},
                            status_code=401, headers={"WWW-Authenticate": 'Bearer realm="sagsrute"'})
    response = RedirectResponse(f"/login?lang={_lang(request.query_params.get('lang'))}", status_code=303)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax")
    return response


class Gate:
    """Authenticates every request but the public ones before any route runs, so a route FastAPI
    adds itself (the OpenAPI document, its docs page) is guarded too; puts the principal where
    ``get_principal`` finds it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        if (method, scope["path"]) in PUBLIC:
            return await self.app(scope, receive, send)
        # FastAPI's dependency overrides (set by code, never by a request) stand for the
        # credentials here as they do in the routes: a test can act as any principal.
        override = getattr(scope.get("app"), "dependency_overrides", {}).get(get_principal)
        try:
            # inline, not in a worker thread: one indexed read, cheaper than the hand-off to a thread
            # (which cost a POST /check about 2 ms; the routes run inline for the same reason)
            principal = override() if override is not None else authenticate(request)
        except NotSignedIn:
            return await refuse(request)(scope, receive, send)
        cookie = request.cookies.get(SESSION_COOKIE) if "authorization" not in request.headers else None
        by_session = cookie is not None and principal.role != "token"
        csrf = csrf_for_session(cookie) if by_session else None
        if method in UNSAFE:
            if not _same_origin(request):
                return await _forbidden(request, "(request): a write from another site")(scope, receive, send)
            if by_session and scope["path"] not in FORM_POSTS and not same(request.headers.get("x-csrf-token"), csrf):
                return await _forbidden(request, "(request): the CSRF token is missing or wrong")(scope, receive, send)
        scope.setdefault("state", {})["principal"] = principal
        token = _current.set(SignedIn(principal, csrf))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def _forbidden(request: Request, problem: str) -> Response:
    if request.url.path.startswith(API_PREFIX):
        return JSONResponse({"errors": [problem]}, status_code=403)
    return HTMLResponse(_words(_lang(request.query_params.get("lang")))["forbidden"], status_code=403)


class SecurityHeaders:
    """The headers every response carries. Nothing is cached but the stylesheet: a case page must
    not come back from a cache after sign-out (the back button), nor stay in a shared one. The
    referrer stays within the service (a URL holds a case id); "no-referrer" would also make the
    browser send "Origin: null" on the service's own form posts."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")
        https = scope.get("scheme") == "https"

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if static or k.lower() not in (b"cache-control", b"expires", b"pragma")]
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                            (b"cross-origin-opener-policy", b"same-origin"),
                            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
                if not static:
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# -- forms -------------------------------------------------------------------------------------------


async def read_form(request: Request) -> dict[str, str]:
    """An url-encoded form (no multipart, no file: a login has none), at most MAX_FORM bytes."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise StarletteHTTPException(413, "the form is too large")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    return {k: v[0] for k, v in fields.items()}


def _page(request: Request, template: str, lang: str, code: int = 200, **context) -> HTMLResponse:
    from engine.web.pages import page

    return page(request, template, code, a=_words(lang), **context)


def login_form(request: Request, lang: str, code: int = 200, message: Optional[str] = None,
               user: str = "", headers: Optional[dict] = None) -> HTMLResponse:
    """The login page with its double-submit CSRF token (cookie and hidden field). The browser's
    token is kept while it has one: a second load of the page (another tab, the favicon's redirect)
    must not invalidate the form already shown."""
    held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = held if re.fullmatch(r"[A-Za-z0-9_-]{43}", held) else random_token()
    w = _words(lang)
    response = _page(request, "login.html", lang, code, title=w["login_title"], page="login", csrf=token,
                     message=message, user=user,
                     signed_out=w["logged_out"] if request.query_params.get("signed_out") == "1" else None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", secure=_secure(request),
                        httponly=True, samesite="strict")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return login_form(request, _lang(request.query_params.get("lang")))


@router.post("/login")
async def login(request: Request) -> Response:
    from engine.access.login import password_login
    from engine.access.sessions import create_session

    form = await read_form(request)
    lang = _lang(form.get("lang"))
    w = _words(lang)
    if not same(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_form(request, lang, 403, w["login_csrf"])
    db, config = request.app.state.service.db, access_config(request)
    name = form.get("user", "")[:200]
    outcome = await run_in_threadpool(password_login, db, config, name, form.get("password", ""),
                                      _address(request), "POST /login")
    if outcome.status == "throttled":
        minutes = max(1, outcome.retry_after // 60)
        return login_form(request, lang, 429, w["login_throttled"].format(minutes=minutes), name,
                          {"Retry-After": str(outcome.retry_after)})
    if outcome.status != "ok":
        return login_form(request, lang, 401, w["login_bad"], name)
    cookie = await run_in_threadpool(create_session, db, config, outcome.account.id)
    response = RedirectResponse(f"/?lang={lang}", status_code=303)
    # A new session on every login (no fixation): the cookie lives as long as the session may.
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(config.session_hours * 3600), path="/",
                        secure=config.cookie_secure, httponly=True, samesite="lax")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login", secure=config.cookie_secure, httponly=True,
                           samesite="strict")
    return response


@router.post("/logout")
async def logout(request: Request, principal: Principal = Depends(get_principal)) -> Response:
    from engine.access import log
    from engine.access.sessions import end_session

    form = await read_form(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None or not same(form.get("csrf"), csrf_for_session(cookie)):
        return _forbidden(request, "(request): the CSRF token is missing or wrong")
    db = request.app.state.service.db
    await run_in_threadpool(end_session, db, cookie)
    await run_in_threadpool(lambda: log.append(db, user=principal.name, role=principal.role, action="logout",
                                               route="POST /logout", address=_address(request)))
    response = RedirectResponse(f"/login?lang={_lang(form.get('lang'))}&signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax")
    response.headers["Clear-Site-Data"] = '"cache"'  # the pages seen in this session leave the cache
    return response


# -- the admin's page: the access log -----------------------------------------------------------------

PAGE_ROWS = 200


def require_admin(principal: Principal = Depends(get_principal)) -> Principal:
    if principal.role != "admin":
        raise StarletteHTTPException(403, "only an administrator reads the access log")
    return principal


def _since(value: str) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from engine.web.errors import BadRequest

        raise BadRequest([f"since: {value!r} is not a date (YYYY-MM-DD)"]) from None


def _log_page(request: Request, principal: Principal, lang: str, user: str = "", case: str = "",
              since: str = "") -> HTMLResponse:
    from engine.access import log
    from engine.report.access import action_name, role_name

    db = request.app.state.service.db
    entries = log.query(db, user=user or None, case=case or None, since=_since(since), limit=PAGE_ROWS,
                        newest_first=True)
    # Reading the log is a look at who saw whose case: it is logged too (the case asked about, if any).
    log.append(db, user=principal.name, role=principal.role, action="view_log", what=case,
               route=f"{request.method} /admin/access-log", address=_address(request))
    w = _words(lang)
    return _page(request, "access_log.html", lang, title=w["admin_title"], page="admin", entries=entries,
                 chosen={"user": user, "case": case, "since": since}, action_name=action_name, role_name=role_name,
                 csrf=signed_in().csrf if signed_in() else None, shown=len(entries), limit=PAGE_ROWS)


@router.get("/admin/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, principal: Principal = Depends(require_admin)) -> HTMLResponse:
    return _log_page(request, principal, _lang(request.query_params.get("lang")))


def csrf_refused(request: Request, form: dict[str, str]) -> Optional[Response]:
    """The 403 of a form post (one of FORM_POSTS) by a session without its CSRF token; None: it may go on."""
    current = signed_in()
    if current is not None and current.csrf is not None and not same(form.get("csrf"), current.csrf):
        return _forbidden(request, "(request): the CSRF token is missing or wrong")
    return None


@router.post("/admin/access-log", response_class=HTMLResponse)
async def access_log_filtered(request: Request, principal: Principal = Depends(require_admin)) -> Response:
    """The filters come in a form post (with the CSRF token), never in the URL: a case id is case data."""
    form = await read_form(request)
    refused = csrf_refused(request, form)
    if refused is not None:
        return refused
    return await run_in_threadpool(_log_page, request, principal, _lang(form.get("lang")), form.get("user", "")[:200],
                                   form.get("case", "")[:200], form.get("since", "")[:10])


# -- installing it -------------------------------------------------------------------------------------


def install(app: FastAPI, config=None) -> None:
    """The login, logout and admin routes, the gate and the security headers on ``app``;
    ``config``: access settings other than the process's (tests)."""
    if config is not None:
        app.state.access_settings = config
    app.include_router(router)
    app.add_exception_handler(NotSignedIn, lambda request, exc: refuse(request))
    app.add_middleware(Gate)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so every answer carries them
