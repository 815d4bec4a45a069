"""``sagsrute tokens``: read-only API tokens for a case system, limited to chosen teams."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import DEFAULT_LANG, App, DbOption, LangOption, console
from cli.import_cmd import open_db_or_fail
from cli.users import access_errors
from engine import texts

app = App(help="Create, list and revoke API tokens.", no_args_is_help=True, prefix="tokens")


@app.command("create")
def create(name: Annotated[str, typer.Argument(metavar="NAME", show_default=False, help="Who uses the token, e.g. momentum-prod.")],
           teams: Annotated[str, typer.Option("--teams", metavar="A,B", show_default=False,
                                              help="The teams whose cases and figures the token may read, comma separated.")],
           days: Annotated[Optional[int], typer.Option("--days", metavar="N", show_default=False,
                                                       help="Expire after N days. Default: never (revoke it).")] = None,
           db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Create a read-only API token for chosen teams.

    The token is printed once; the database keeps only its sha256. A case system sends it as
    "Authorization: Bearer TOKEN" to /api/v1/.

    \b
    Example:
      sagsrute tokens create momentum-prod --teams jobcenter-nord --days 365
    """
    from engine.access.tokens import create_token

    engine, _ = open_db_or_fail(db)
    with access_errors():
        info, value = create_token(engine, name, teams.split(","), created_by="cli", days=days)
    w = texts.words(texts.ACCESS, lang.value)
    console.print(w["token_created"].format(id=info.id, name=info.name, teams=", ".join(info.teams)), soft_wrap=True)
    console.print(value, soft_wrap=True)


@app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(metavar="ID", show_default=False, help="The token's number (tokens list).")],
           db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Revoke an API token: refused from the next request on.

    \b
    Example:
      sagsrute tokens revoke 3
    """
    from engine.access.tokens import revoke_token

    engine, _ = open_db_or_fail(db, create=False)
    with access_errors():
        info = revoke_token(engine, token_id)
    console.print(texts.words(texts.ACCESS, lang.value)["token_revoked"].format(id=info.id, name=info.name))


@app.command("list")
def list_tokens(db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """List the API tokens (never their values).

    \b
    Example:
      sagsrute tokens list --db jobcenter.sqlite
    """
    from engine.access.tokens import list_tokens as listed
    from engine.report.access import tokens_table

    engine, where = open_db_or_fail(db, create=False)
    console.print(tokens_table(listed(engine), where, lang.value))
