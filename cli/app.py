"""The ``sagsrute`` command: one typer app, each command group in a module of its own."""

from __future__ import annotations

from cli import audit as audit_cmd
from cli import audit_merge
from cli import check as check_cmd
from cli import forecast as forecast_cmd
from cli import import_cmd
from cli import rules_cmd
from cli import samples_cmd
from cli import serve as serve_cmd
from cli import test_rules as test_rules_cmd
from cli import whatif as whatif_cmd
from cli import access_log as access_log_cmd, tokens as tokens_cmd, users as users_cmd  # issue 17 (ACCESS)
from cli.common import App, VersionOption

# App: every command runs behind the one error boundary (cli/common.py)
app = App(
    name="sagsrute",
    help="Rule-driven case routing for Danish jobcenter casework: duties, deadlines, compliance.",
    epilog="Exit codes: 0 done, 1 bad input, 2 usage, 3 engine fault, 4 internal error, 130 interrupted. "
           "Each command's --help has an example.",
    no_args_is_help=True,
)


@app.callback()
def options(version: VersionOption = False) -> None:
    """Rule-driven case routing for Danish jobcenter casework: duties, deadlines, compliance."""
app.command("check")(check_cmd.check)
audit_cmd.register(app)  # audit, audit-runs, audit-compare
app.command("audit-merge")(audit_merge.audit_merge)
app.add_typer(rules_cmd.app, name="rules")
app.command("whatif")(whatif_cmd.whatif)
app.command("test-rules")(test_rules_cmd.test_rules)
app.command("import")(import_cmd.import_cases)
app.add_typer(samples_cmd.app, name="samples")
app.command("serve")(serve_cmd.serve)
app.add_typer(users_cmd.app, name="users")  # issue 17 (ACCESS)
app.add_typer(tokens_cmd.app, name="tokens")
app.command("access-log")(access_log_cmd.access_log)
app.command("forecast")(forecast_cmd.forecast)


def main() -> None:
    app()
