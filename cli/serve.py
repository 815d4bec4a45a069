"""``sagsrute serve``: the caseworker's web pages and the case system's JSON API over the database
``import`` writes (docs/web.md)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.common import EXIT_USAGE, DbOption, RulesOption, WorkersOption, console, fail, rules_or_exit
from engine import texts
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR

# Beyond these only once someone must sign in (issue 17): a user in the database, or single sign-on.
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def serve(
    db: DbOption = None,
    rules_dir: RulesOption = DEFAULT_RULES_DIR,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS",
                                      help="The address to listen on. Beyond loopback (127.0.0.1, ::1, localhost) only once "
                                           "users exist in the database or the trusted-header mode is configured.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: WorkersOption = 1,
) -> None:
    """The worklist, case pages and JSON API in a browser.

    Reads the database that import writes (SQLite by default, PostgreSQL by URL); one engine per
    worker process, and a worker that dies is restarted. Open http://127.0.0.1:8000/ for the
    worklist and /api/docs for the API; every page and API call needs a signed-in user or a token
    (docs/access.md). Binds to loopback unless users exist in the database or the trusted-header
    mode (single sign-on) is configured. Import the cases first (sagsrute import FILE... --db
    team.sqlite) and add a user (sagsrute users add NAME --role caseworker --teams TEAM).

    \b
    Example:
      sagsrute serve --db team.sqlite --workers 2
    """
    import uvicorn

    from cli.import_cmd import open_db_or_fail

    words = texts.words(texts.SERVE, "en")
    ruleset = rules_or_exit(rules_dir)  # a bad rule file stops here, not in every worker
    db_engine, where = open_db_or_fail(db, create=False)  # a read never creates a database
    if host not in LOOPBACK:  # issue 17: beyond loopback only where someone must sign in
        from engine.access.settings import checked_settings
        from engine.access.users import exposure_problem

        problem = exposure_problem(db_engine, checked_settings(fail))
        if problem is not None:
            fail(words["loopback_only"].format(host=host, problem=problem), EXIT_USAGE)
    # The workers are separate processes started by uvicorn: they read their settings from here.
    os.environ["SAGSRUTE_SERVE_DB"] = db or ""
    os.environ["SAGSRUTE_SERVE_RULES"] = str(rules_dir)
    console.print(visible(words["starting"].format(host=host, port=port, workers=workers, rules=ruleset.label, db=where)))
    uvicorn.run("engine.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                timeout_worker_healthcheck=30,  # a slow machine starts a worker (engine, rules) slowly
                log_level="info", server_header=False)
