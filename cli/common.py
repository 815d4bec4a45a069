"""What the commands share: the one error boundary (domain errors → exit codes), the consoles,
error printing and the option types.

Exit codes (README "Exit codes"): 0 done, 1 bad input (a bad case, file, rule file or database),
2 usage, 3 engine fault (durable_rules misbehaved: no answer can be trusted), 4 internal error
(a bug: one line naming the command and the problem; ``SAGSRUTE_TRACEBACK=1`` shows where),
130 interrupted (Ctrl-C)."""

from __future__ import annotations

import functools
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, NoReturn, Optional

import typer
from typer.core import TyperCommand
from rich.console import Console
from rich.text import Text

from engine.report.safe import clip, visible
from models.privacy import mask_cpr
from models.types import EARLIEST, ISO_DATE, LATEST

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_ENGINE_FAULT = 3  # durable_rules misbehaved: no answer can be trusted
EXIT_INTERNAL = 4  # a bug in sagsrute: reported in one line, never as a traceback
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, what a shell reports)

# markup=False: whatever a case or a file name holds ("[/]", "kw [vikar]") is printed as it is;
# our own styles are Text spans. emoji=False: ":smile:" in a team name stays text.
console = Console(highlight=False, markup=False, emoji=False)
err_console = Console(stderr=True, highlight=False, markup=False, emoji=False)

# Domain errors, by the module that defines them and their name: looked up only in modules already
# imported (an exception of a module never loaded cannot have been raised), so the boundary costs
# no import. Each maps to an exit code and a lead-in for its message.
DOMAIN_ERRORS: tuple[tuple[str, str, int, str], ...] = (
    ("engine.core.durable_backend", "DurableRulesFault", EXIT_ENGINE_FAULT,
     "durable_rules misbehaved; no result is given"),
    ("engine.rulebook.ruleset", "RuleSetError", EXIT_BAD_INPUT, ""),
    ("engine.rulebook.coverage", "CoverageError", EXIT_BAD_INPUT, ""),
    ("engine.io.storage", "SchemaTooNew", EXIT_BAD_INPUT, ""),
    ("engine.io.storage", "StorageBusy", EXIT_BAD_INPUT, ""),  # issue 13.3 (INPUT): another import writes
    ("engine.io.importer", "ImportInterrupted", EXIT_INTERRUPTED, "interrupted"),  # issue 13.3 (INPUT)
    ("sqlalchemy.exc", "SQLAlchemyError", EXIT_BAD_INPUT, "the database cannot be used"),
)

# Exceptions typer itself handles (usage errors print the usage and exit 2; Exit carries its code).
_TYPER_OWN = (typer.Exit, typer.Abort) + tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message of an exception that reached the boundary."""
    for module_name, name, code, lead in DOMAIN_ERRORS:  # first: ImportInterrupted says more than Ctrl-C
        cls = getattr(sys.modules.get(module_name), name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            detail = str(getattr(exc, "orig", None) or exc)
            return code, f"{lead}: {detail}" if lead and detail else (lead or detail)
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, OSError):  # a file that cannot be read or written: the user's to fix
        where = f"{exc.filename}: " if exc.filename else ""
        return EXIT_BAD_INPUT, f"{where}{exc.strerror or exc}"
    return EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}"


def boundary(command: str, function: Callable) -> Callable:
    """``function`` behind the one error boundary: a domain error, an OS error, an interruption or
    a bug becomes one line on stderr and its exit code, never a traceback."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _TYPER_OWN:
            raise
        except BrokenPipeError:
            raise  # typer's own handling: stdout closed early (`| head`), exit quietly
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 — this is the boundary
            if os.environ.get("SAGSRUTE_TRACEBACK") == "1":
                raise
            code, message = classify(exc)
            message = mask_cpr(message)  # an exception's text may hold a file name or a value
            first = message.splitlines()[0] if message.strip() else type(exc).__name__
            err_console.print(Text.assemble(("error:", "bold red"), f" sagsrute {command}: ", clip(first, 500)),
                              soft_wrap=True)
            raise typer.Exit(code) from None

    return guarded


class Command(TyperCommand):
    """Help as a newcomer reads it: arguments shown by their metavar as written (``CASE_FILE...``,
    ``[CASES...]``), never typer's ``{CASE_FILE...}...`` or ``<list[Path]>``."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [_argument_name(p) for p in self.get_params(ctx) if p.param_type_name == "argument"]

    def format_options(self, ctx, formatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param).strip("[]"), param.help or ""))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _argument_name(param) -> str:
    return param.metavar or param.name.upper()


class App(typer.Typer):
    """A typer app whose every command runs behind ``boundary`` (``prefix`` names a command group)."""

    def __init__(self, *args, prefix: str = "", **kwargs) -> None:
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)  # help texts are plain text, not markup
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def command(self, name: Optional[str] = None, **kwargs):  # type: ignore[override]
        kwargs.setdefault("cls", Command)
        register = super().command(name, **kwargs)

        def decorator(function: Callable) -> Callable:
            label = name or function.__name__.replace("_", "-")
            register(boundary(f"{self.prefix} {label}".strip(), function))
            return function

        return decorator


class Lang(str, Enum):
    da = "da"
    en = "en"


# -- the options every command shares: one name, one help text and one default each --------------

AsOf = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="DATE", show_default=False,
    help="The date to evaluate on (YYYY-MM-DD); what happens after it does not exist yet. Default: today.")]
LangOption = Annotated[Lang, typer.Option(
    "--lang", metavar="da|en", help="Language of the output: da (Danish) or en (English).")]
RulesOption = Annotated[Path, typer.Option(
    "--rules", metavar="DIR_OR_FILE", show_default="the bundled rules",
    help="A rule directory, or an override file applied to the bundled rules.")]
DbOption = Annotated[Optional[str], typer.Option(
    "--db", metavar="PATH_OR_URL", show_default=False,
    help="The database: a SQLite file or an SQLAlchemy URL (postgresql://…). "
         "Default: ~/.local/share/sagsrute/sagsrute.sqlite (under $XDG_DATA_HOME where set).")]
WorkersOption = Annotated[int, typer.Option(
    "--workers", metavar="N", min=1, max=64,
    help="Worker processes (one per core pays on large inputs); the result is the same for any number.")]

class CsvDialect(str, Enum):
    plain = "plain"
    excel = "excel"


CsvDialectOption = Annotated[CsvDialect, typer.Option(
    "--csv-dialect", metavar="plain|excel",
    help="plain: for tools (comma, decimal point, field names as headers). excel: for a spreadsheet "
         "(headers and values in --lang; in Danish ';' and a decimal comma; UTF-8 with a BOM).")]

DEFAULT_LANG = Lang.da
DEFAULT_CSV_DIALECT = CsvDialect.plain
DEFAULT_WORKERS = 1  # one process unless asked: the same order of rows and files on every run


def show_version(value: bool) -> None:
    """``sagsrute --version``: the package, the bundled rules' label and how the engine runs."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    from engine import native
    from engine.rulebook.ruleset import load_ruleset

    try:
        package = version("sagsrute")
    except PackageNotFoundError:  # run from a checkout that is not installed
        package = "(not installed)"
    console.print(f"sagsrute {package}")
    console.print(visible(f"rules {load_ruleset().label}"))
    console.print(visible(f"engine {native.state()}"))
    raise typer.Exit(EXIT_OK)


VersionOption = Annotated[bool, typer.Option(
    "--version", is_eager=True, callback=show_version,
    help="Show the version, the bundled rules' label and whether the engine is compiled, and exit.")]


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


def error_line(message: str) -> Text:
    return Text.assemble(("error:", "red"), " ", visible(mask_cpr(message)))


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """One error line (CPR numbers masked, control characters shown as escapes, never markup) and
    the exit code."""
    err_console.print(Text.assemble(("error:", "bold red"), " ", visible(mask_cpr(message))), soft_wrap=True)
    raise typer.Exit(code)


def print_error_lines(text: str) -> None:
    for line in mask_cpr(str(text)).splitlines():
        err_console.print(error_line(line), soft_wrap=True)


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
