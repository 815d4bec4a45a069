"""What the commands share: option types, error printing and the exit codes of the contract."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import NoReturn, Optional

import typer
from rich.console import Console

from models.types import EARLIEST, ISO_DATE, LATEST

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_ENGINE_FAULT = 3  # durable_rules misbehaved: no answer can be trusted

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class Lang(str, Enum):
    da = "da"
    en = "en"


def parse_as_of(value: Optional[str]) -> date:
    if value is None:
        return date.today()
    if not ISO_DATE.match(value):
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is an impossible date ({exc})") from None
    if not EARLIEST <= day <= LATEST:
        raise typer.BadParameter(f"{value!r} is outside {EARLIEST.year}–{LATEST.year}")
    return day


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def print_error_lines(text: str) -> None:
    for line in text.splitlines():
        err_console.print(f"[red]error:[/] {line}", markup=True, soft_wrap=True, highlight=False)


def rules_or_exit(path=None, baseline=None):
    """The rule set of a rule directory or an override file (applied to ``baseline``, default the
    bundled rules), or every problem printed as ``file:line: field: problem`` and exit 1."""
    from engine.rulebook.overrides import load_rules
    from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSetError

    try:
        return load_rules(path if path is not None else DEFAULT_RULES_DIR, baseline)
    except RuleSetError as exc:
        print_error_lines(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT)
