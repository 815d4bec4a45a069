"""The authorisation seam: who is asking (``get_principal``), what they may see (``require_cases``,
``require_figures``) and the record of what they looked at (``record_access``).

Every route depends on ``get_principal``; the case routes filter by ``Principal.teams`` and answer a
case outside it exactly like an unknown one. A request is authenticated once, by the gate in
engine/web/auth_routes.py (which also guards the routes FastAPI adds itself): a bearer token (the
JSON API only), the single sign-on proxy's header (trusted-header mode), or a session cookie.
Authorisation is by role and teams (docs/access.md): caseworker — cases of their teams; teamlead —
cases and figures of their teams; policy — figures of all teams, no single case; admin — the users
and the access log only; an API token — the cases of its teams through the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from fastapi import Depends, Request

from engine.web.errors import CaseNotFound, FiguresForbidden

SESSION_COOKIE = "sagsrute_session"
ALL_TEAMS = "*"
API_PREFIX = "/api/"


@dataclass(frozen=True)
class Principal:
    name: str
    role: str  # caseworker | teamlead | policy | admin | token
    teams: Optional[frozenset[str]]  # None = every team

    def sees_team(self, team: Optional[str]) -> bool:
        return self.teams is None or (team is not None and team in self.teams)


class NotSignedIn(Exception):
    """No credentials, or none that hold (a wrong or expired session, a revoked token): the API
    answers 401, a page sends the browser to the login page."""


CASE_ROLES = frozenset({"caseworker", "teamlead", "token"})
FIGURE_ROLES = frozenset({"teamlead", "policy"})


def principal_of(account) -> Principal:
    """A user's principal: the teams bound the cases (and a team lead's figures); policy staff see
    the figures of every team; an admin no team at all."""
    if account.role == "policy":
        return Principal(account.name, account.role, None)
    if account.role == "admin":
        return Principal(account.name, account.role, frozenset())
    return Principal(account.name, account.role, scope_of(account.teams))


def scope_of(teams) -> Optional[frozenset[str]]:
    """A user's or token's teams as a scope: ``*`` is every team, those with no team too (the
    visitation's unassigned cases)."""
    return None if ALL_TEAMS in teams else frozenset(teams)


def authenticate(request: Request) -> Principal:
    """The principal of a request's credentials, or NotSignedIn: one indexed database read, run
    inline by the gate (a hand-off to a thread costs more)."""
    from engine.access.sessions import lookup_session
    from engine.access.tokens import lookup_token
    from engine.access.trusted import header_user
    from engine.access.users import get_user

    db, config = request.app.state.service.db, access_config(request)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        # A token reads the JSON API only: a page is for a person, who signs in.
        if scheme.lower() != "bearer" or not request.url.path.startswith(API_PREFIX):
            raise NotSignedIn()
        token = lookup_token(db, value.strip())
        if token is None:
            raise NotSignedIn()
        return Principal(f"token:{token.name}#{token.id}", "token", scope_of(token.teams))
    client = request.client.host if request.client else None
    vouched = header_user(config, request.headers, client)
    if vouched is not None:
        account = get_user(db, vouched)
        if account is None or account.disabled:
            raise NotSignedIn()
        return principal_of(account)
    session = lookup_session(db, config, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    return principal_of(session.account)


def access_config(request: Request):
    """The access settings of this app (set by ``install``; the process's settings otherwise)."""
    config = getattr(request.app.state, "access_settings", None)
    if config is None:
        from engine.access.settings import settings

        config = settings()
    return config


ANONYMOUS = Principal("(anonymous)", "anonymous", frozenset())  # on a public route: no role, no team


async def get_principal(request: Request) -> Principal:
    """The principal of a request: found once by the gate, else here. A public route (the login
    page, the stylesheet) gets the anonymous principal, whom every requirement refuses. The
    requirements are async so that FastAPI calls them inline, not through its thread pool."""
    from engine.web.auth_routes import PUBLIC

    method = "GET" if request.method == "HEAD" else request.method
    if (method, request.url.path) in PUBLIC:
        return ANONYMOUS
    found = request.scope.get("state", {}).get("principal")
    if found is None:
        found = authenticate(request)
        request.scope.setdefault("state", {})["principal"] = found
    return found


async def require_cases(principal: Principal = Depends(get_principal)) -> Principal:
    """A principal who may look at cases; anyone else gets the answer an unknown case gets (404)."""
    if principal.role not in CASE_ROLES:
        raise CaseNotFound()
    return principal


async def require_figures(request: Request, principal: Principal = Depends(get_principal)) -> Principal:
    """A principal who may see the caseload's figures (dashboard, audit); anyone else gets 403, and
    so does a request for the figures of a team outside the principal's teams (``?team=``)."""
    if principal.role not in FIGURE_ROLES:
        raise FiguresForbidden()
    team = request.query_params.get("team")
    if team and not principal.sees_team(team):
        raise FiguresForbidden()
    return principal


def record_access(request: Request, principal: Principal, what: str, case_id: Optional[str]) -> None:
    """Append to the access log that ``principal`` looked at ``what``: ``"case"`` with its id (a
    case view, page or API), or an export's name (case rows leaving the service)."""
    from engine.access import log

    route = getattr(request.scope.get("route"), "path", request.url.path)  # the template: /cases/{case_id}
    if case_id is not None and what.startswith("case"):  # "case" (API), "case page": a view of one case
        action, subject = "view_case", case_id
    else:  # an export: case rows leave the service under this name
        action, subject = "export", what if case_id is None else f"{what} {case_id}"
    log.append(request.app.state.service.db, user=principal.name, role=principal.role, action=action,
               what=subject, route=f"{request.method} {route}",
               address=request.client.host if request.client else "")
