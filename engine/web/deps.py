"""The authorisation seam: who is asking (``get_principal``), what they may see (``require_cases``,
``require_figures``) and the record of what they looked at (``record_access``).

Every route depends on ``get_principal``; the case routes filter by ``Principal.teams`` and answer a
case outside it exactly like an unknown one. Until access control exists (issue 17) the service
binds to loopback only and everyone is the local user, who sees every team. The signatures here
are the contract with that work: it replaces the bodies, not the shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from fastapi import Depends, Request

from engine.web.errors import CaseNotFound, FiguresForbidden


@dataclass(frozen=True)
class Principal:
    name: str
    role: str  # caseworker | teamlead | policy | admin | local
    teams: Optional[frozenset[str]]  # None = every team

    def sees_team(self, team: Optional[str]) -> bool:
        return self.teams is None or (team is not None and team in self.teams)


LOCAL = Principal("local", "local", None)


def get_principal(request: Request) -> Principal:
    """The principal of a request. Loopback only for now: the local user."""
    return LOCAL


def require_cases(principal: Principal = Depends(get_principal)) -> Principal:
    """A principal who may look at cases; anyone else gets the answer an unknown case gets (404)."""
    if principal.role not in ("caseworker", "teamlead", "admin", "local"):
        raise CaseNotFound()
    return principal


def require_figures(principal: Principal = Depends(get_principal)) -> Principal:
    """A principal who may see the caseload's figures (dashboard, audit); anyone else gets 403."""
    if principal.role not in ("teamlead", "policy", "admin", "local"):
        raise FiguresForbidden()
    return principal


def record_access(request: Request, principal: Principal, what: str, case_id: Optional[str]) -> None:
    """Record that ``principal`` looked at ``what`` (a case view, a case export). No record yet:
    access logging comes with access control (issue 17)."""
    return None
