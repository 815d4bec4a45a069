"""``sagsrute check``: what does this case need next, and by when?"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, AsOf, DbOption, LangOption, RulesOption,
                        console, err_console, fail, parse_as_of, print_error_lines, rules_or_exit)
from engine import texts
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
from engine.io.loading import InputError, is_batch, parse_case, read_cases
from engine.report.check import render_check
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR


class Format(str, Enum):
    table = "table"
    json = "json"


def check(
    case_files: Annotated[Optional[List[Path]], typer.Argument(
        metavar="[CASE_FILE...]", show_default=False,
        help="Case files (YAML, JSON, JSON Lines) or directories of them; or --case ID for a stored case.")] = None,
    as_of: AsOf = None,
    fmt: Annotated[Format, typer.Option("--format", metavar="table|json",
                                        help="table for people, json for tools (the contract's §3).")] = Format.table,
    lang: LangOption = DEFAULT_LANG,
    explain: Annotated[bool, typer.Option("--explain", help="Show why each duty applies and how its status follows.")] = False,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Also list the met, met-late and exempt duties (folded below the open ones by default).")] = False,
    trace: Annotated[bool, typer.Option(
        "--trace", help="With --format json: each action's trace, the steps that decided it.")] = False,
    rules_dir: RulesOption = DEFAULT_RULES_DIR,
    case_id: Annotated[Optional[str], typer.Option(
        "--case", metavar="CASE_ID", show_default=False,
        help="Evaluate a case stored in the database (sagsrute import) instead of case files.")] = None,
    db: DbOption = None,
    html: Annotated[Optional[Path], typer.Option(
        "--html", metavar="FILE", help="Also write the case page (with its timeline) as one self-contained HTML file.")] = None,
) -> None:
    """What a case needs next, and by when.

    Prints the case's routing, its next step (the most urgent duty that can still be done) and the
    open and overdue duties with their due dates; --all lists the met and exempt ones too, and
    --explain adds the rule, its legal source and the reasons. Bad cases are reported and the good
    ones still evaluated.

    \b
    Examples:
      sagsrute check samples/cases/kontanthjaelp-jobparat-2021.yaml --as-of 2021-08-16
      sagsrute check --case EX-1001 --db team.sqlite --html out/EX-1001.html
    """
    day = parse_as_of(as_of)
    if trace and fmt is not Format.json:
        fail("--trace needs --format json", EXIT_USAGE)
    if (case_id is None) == (not case_files):
        fail("name case files or --case CASE_ID (one of the two)", EXIT_USAGE)
    ruleset = rules_or_exit(rules_dir)
    engine = Engine(ruleset)
    loaded_cases = [stored_case_or_fail(case_id, db)] if case_id is not None else read_cases(case_files, unique_ids=True)
    if html is not None and case_id is None and is_batch(case_files):
        fail("--html writes one case's page: name one case file", EXIT_USAGE)
    bad = 0
    results = []
    for loaded in loaded_cases:
        if isinstance(loaded, InputError):
            bad += 1
            print_error_lines(str(loaded))
            continue
        try:
            result = engine.check(loaded.case, day, lang.value, trace=trace)
        except DurableRulesFault as exc:  # to the boundary (exit 3: no answer trusted), naming the case
            raise DurableRulesFault(f"on {loaded.source}: {exc}") from exc
        except (ValueError, OverflowError) as exc:  # a case the engine cannot evaluate; the others go on
            bad += 1
            print_error_lines(f"{loaded.source}: (case): cannot be evaluated ({exc})")
            continue
        if html is not None:
            from engine.report.web import render_case_page

            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_case_page(loaded.case, result, lang.value, ruleset, inline_css=True), encoding="utf-8")
            err_console.print(visible(texts.words(texts.SERVE, lang.value)["html_written"].format(path=html)))
        if fmt is Format.json:
            results.append(result.to_contract())
        else:
            if results:
                console.print()
            results.append(result)
            render_check(console, result, lang.value, explain, show_all)
    if fmt is Format.json:
        # One case file gives one object (contract §3); a batch (several files, a directory, JSON
        # Lines) gives a list in input order, whatever number of its cases were good.
        if case_files and is_batch(case_files):
            typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        elif results:
            typer.echo(json.dumps(results[0], ensure_ascii=False, indent=2))
    raise typer.Exit(EXIT_BAD_INPUT if bad else EXIT_OK)


def stored_case_or_fail(case_id: str, db: Optional[str]):
    """The case ``--case`` names, from the database, or a clear error (exit 1) that never repeats
    a CPR-shaped id."""
    import json as json_module

    from cli.import_cmd import open_db_or_fail
    from engine.io.worklist import stored_case
    from engine.web.service import valid_case_id

    if not valid_case_id(case_id):
        fail("--case: not a case id (a CPR number never is one; case ids are pseudonyms)")
    db_engine, where = open_db_or_fail(db, create=False)
    found = stored_case(db_engine, case_id)
    if found is None:
        fail(f"--case {case_id}: no such case in {where}")
    loaded = parse_case(json_module.loads(found[0]), f"db:{case_id}")
    if isinstance(loaded, InputError):
        print_error_lines(str(loaded))
        raise typer.Exit(EXIT_BAD_INPUT)
    return loaded
