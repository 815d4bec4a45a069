"""``sagsrute check``: what does this case need next, and by when?"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, List

import typer

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, AsOf, LangOption, RulesOption, console,
                        fail, parse_as_of, print_error_lines, rules_or_exit)
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
from engine.io.loading import InputError, is_batch, read_cases
from engine.report.check import render_check
from engine.rulebook.ruleset import DEFAULT_RULES_DIR


class Format(str, Enum):
    table = "table"
    json = "json"


def check(
    case_files: Annotated[List[Path], typer.Argument(metavar="CASE_FILE...", show_default=False,
                                                     help="Case files (YAML, JSON, JSON Lines) or directories of them.")],
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
) -> None:
    """What a case needs next, and by when.

    Prints the case's routing, its next step (the most urgent duty that can still be done) and the
    open and overdue duties with their due dates; --all lists the met and exempt ones too, and
    --explain adds the rule, its legal source and the reasons. Bad cases are reported and the good
    ones still evaluated.

    \b
    Example:
      sagsrute check samples/cases/kontanthjaelp-jobparat-2021.yaml --as-of 2021-08-16
    """
    day = parse_as_of(as_of)
    if trace and fmt is not Format.json:
        fail("--trace needs --format json", EXIT_USAGE)
    engine = Engine(rules_or_exit(rules_dir))
    bad = 0
    results = []
    for loaded in read_cases(case_files, unique_ids=True):
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
        if is_batch(case_files):
            typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        elif results:
            typer.echo(json.dumps(results[0], ensure_ascii=False, indent=2))
    raise typer.Exit(EXIT_BAD_INPUT if bad else EXIT_OK)
