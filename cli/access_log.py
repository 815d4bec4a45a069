"""``sagsrute access-log``: read the access log, or remove the entries past the retention period."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import DEFAULT_LANG, DbOption, LangOption, console, parse_as_of
from cli.import_cmd import open_db_or_fail
from engine import texts


def access_log(user: Annotated[Optional[str], typer.Option("--user", metavar="NAME", show_default=False,
                                                           help="Only this user's entries.")] = None,
               case: Annotated[Optional[str], typer.Option("--case", metavar="CASE_ID", show_default=False,
                                                           help="Only the entries about this case.")] = None,
               since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", show_default=False,
                                                            help="Only entries from this day on (YYYY-MM-DD, UTC).")] = None,
               limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, help="Show at most the newest N entries.")] = 200,
               prune: Annotated[bool, typer.Option("--prune", help="Remove the entries older than the retention period "
                                                   "(SAGSRUTE_ACCESS_LOG_RETENTION_DAYS, default 180) instead.")] = False,
               db: DbOption = None, lang: LangOption = DEFAULT_LANG) -> None:
    """Show who viewed which case, when and from where.

    Every case page and API view, every export of case rows, every login, failed login and
    logout. The log cannot be changed; --prune removes only entries past the retention period.

    \b
    Examples:
      sagsrute access-log --case C-1042
      sagsrute access-log --user anna --since 2026-11-01
      sagsrute access-log --prune
    """
    from engine.access import log
    from engine.access.settings import settings
    from engine.report.access import log_listing

    engine, where = open_db_or_fail(db, create=False)
    w = texts.words(texts.ACCESS, lang.value)
    if prune:
        days = settings().access_log_retention_days
        console.print(w["pruned"].format(n=log.prune(engine, days), days=days))
        return
    day = parse_as_of(since) if since is not None else None
    newest = log.query(engine, user=user, case=case, since=day, limit=limit + 1, newest_first=True)
    more = len(newest) > limit
    console.print(log_listing(list(reversed(newest[:limit])), where, lang.value, more=more), crop=False)
