"""The web app's domain errors; ``engine/web/app.py`` maps each to one status code in one place."""

from __future__ import annotations


class CaseNotFound(LookupError):
    """An unknown case id, a CPR-shaped one, or a case outside the principal's teams: one answer
    for all three, so the response never tells which."""


class RuleNotFound(LookupError):
    """No rule with that id in the rule set (the message names it: a rule id is not case data)."""


class FiguresForbidden(PermissionError):
    """The principal may not see the caseload's figures (the dashboard, /audit)."""


class BadRequest(ValueError):
    """Bad input: ``problems`` are ``field.path: problem`` lines, the CLI's messages."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)
