"""``sagsrute users``: add, list, disable and enable users, set their teams and passwords."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from cli.common import DEFAULT_LANG, App, DbOption, LangOption, console, fail
from cli.import_cmd import open_db_or_fail
from engine import texts

app = App(help="Add, list and disable users; set their teams.", no_args_is_help=True, prefix="users")

NameArg = Annotated[str, typer.Argument(metavar="NAME", show_default=False, help="The user name (the SSO name in trusted-header mode).")]
TeamsOption = Annotated[str, typer.Option("--teams", metavar="A,B", show_default=False,
                                          help="The teams whose cases (and for a team lead, figures) the user sees, comma separated.")]


@contextmanager
def access_errors():
    """An AccessError (a bad name, role, team list or password) is bad input: one line, exit 1."""
    from engine.access.users import AccessError

    try:
        yield
    except AccessError as exc:
        fail(str(exc))


def read_password(from_stdin: bool) -> str:
    """The password from one line of standard input, or asked twice without echo. Never an option:
    a command line stays in the shell's history and in the process list."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        fail("the two passwords differ")
    return first


def _teams_text(teams) -> str:
    return ", ".join(teams) if teams else "–"


@app.command("add")
def add(name: NameArg,
        role: Annotated[str, typer.Option("--role", metavar="caseworker|teamlead|policy|admin", show_default=False,
                                          help="caseworker: cases of the teams; teamlead: cases and figures of the teams; "
                                               "policy: figures of all teams, no single case; admin: users and the access log.")],
        teams: TeamsOption = "",
        sso: Annotated[bool, typer.Option("--sso", help="No password: the user signs in through the single sign-on proxy only.")] = False,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")] = False,
        db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Add a user with a role and teams.

    The password is asked for twice (or read from standard input); it is stored only as its
    argon2 hash.

    \b
    Examples:
      sagsrute users add root --role admin
      sagsrute users add anna --role caseworker --teams jobcenter-nord
      sagsrute users add bo --role teamlead --teams nord,syd --sso
    """
    from engine.access.settings import settings
    from engine.access.users import add_user, check_new_user

    with access_errors():
        check_new_user(name, role, teams.split(","))
    engine, _ = open_db_or_fail(db)
    with access_errors():
        password = None if sso else read_password(password_stdin)
        account = add_user(engine, settings(), name, role, teams.split(","), password)
    w = texts.words(texts.ACCESS, lang.value)
    console.print(w["user_added"].format(name=account.name, role=account.role, teams=_teams_text(account.teams)))


@app.command("list")
def list_users(db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """List the users with their role, teams and state.

    \b
    Example:
      sagsrute users list --lang en
    """
    from engine.access.users import list_users as listed
    from engine.report.access import users_table

    engine, where = open_db_or_fail(db, create=False)
    console.print(users_table(listed(engine), where, lang.value))


@app.command("disable")
def disable(name: NameArg, enable: Annotated[bool, typer.Option("--enable", help="Enable the user again instead.")] = False,
            db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Disable a user: no login, and their sessions end now.

    The user and their entries in the access log stay.

    \b
    Examples:
      sagsrute users disable anna
      sagsrute users disable anna --enable
    """
    from engine.access.users import set_disabled

    engine, _ = open_db_or_fail(db, create=False)
    with access_errors():
        set_disabled(engine, name, not enable)
    w = texts.words(texts.ACCESS, lang.value)
    console.print(w["user_enabled" if enable else "user_disabled"].format(name=name))


@app.command("set-teams")
def set_teams(name: NameArg, teams: Annotated[str, typer.Argument(metavar="TEAMS", show_default=False,
                                                                  help="The teams, comma separated (they replace the old).")],
              db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Set the teams of a user (replacing the old ones).

    \b
    Example:
      sagsrute users set-teams anna jobcenter-nord,jobcenter-syd
    """
    from engine.access.users import set_teams as set_them

    engine, _ = open_db_or_fail(db, create=False)
    with access_errors():
        now = set_them(engine, name, teams.split(","))
    console.print(texts.words(texts.ACCESS, lang.value)["teams_set"].format(name=name, teams=_teams_text(now)))


@app.command("set-password")
def set_password(name: NameArg,
                 password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")] = False,
                 db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Set a new password for a user.

    \b
    Example:
      sagsrute users set-password anna
    """
    from engine.access.settings import settings
    from engine.access.users import set_password as set_it

    engine, _ = open_db_or_fail(db, create=False)
    with access_errors():
        set_it(engine, settings(), name, read_password(password_stdin))
    console.print(texts.words(texts.ACCESS, lang.value)["password_set"].format(name=name))
