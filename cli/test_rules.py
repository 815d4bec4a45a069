"""``sagsrute test-rules``: run scenario files (a case, a date, the expected duties) against rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List

import typer
from rich.text import Text

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_OK, LangOption, RulesOption, console, print_error_lines,
                        rules_or_exit)
from engine import texts
from engine.core.check import Engine
from engine.batch.scenarios import load_scenarios, run_scenario
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR


def test_rules(
    paths: Annotated[List[Path], typer.Argument(metavar="PATH...", show_default=False,
                                                help="Scenario files or directories of them.")],
    rules: RulesOption = DEFAULT_RULES_DIR,
    lang: LangOption = DEFAULT_LANG,
    explain: Annotated[bool, typer.Option(
        "--explain", help="For a failed scenario, also show every duty the case got and why.")] = False,
) -> None:
    """Run scenario files against the rules.

    A scenario is a case, a date and the expected duties; each passes or fails with the
    differences shown. The exit code is 1 when a scenario fails.

    \b
    Example:
      sagsrute test-rules tests/scenarios/ --rules samples/overrides/ret-og-pligt-4-months.yaml
    """
    ruleset = rules_or_exit(rules)
    engine = Engine(ruleset)
    w = texts.words(texts.TEST_RULES, lang.value)
    console.print(Text(visible(w["rules"].format(label=ruleset.label)), style="dim"))
    passed = failed = bad = 0
    for path in paths:
        if not path.exists():
            print_error_lines(f"{path}: no such file or directory")
            bad += 1
            continue
        scenarios, errors = load_scenarios(path)
        for error in errors:
            print_error_lines(error)
        bad += len(errors)
        for scenario in scenarios:
            outcome = run_scenario(engine, scenario, lang.value)
            if outcome.passed:
                passed += 1
                console.print(Text.assemble((w["pass"] + " ", "bold green"), visible(scenario.spec.name)))
                continue
            failed += 1
            console.print(Text.assemble((w["fail"] + " ", "bold red"), visible(scenario.spec.name)))
            # soft_wrap: a long path must stay whole (copy-pasteable), not be folded at the terminal width
            console.print(Text(visible("     " + w["in"].format(source=scenario.source)), style="dim"), soft_wrap=True)
            for problem in outcome.problems:
                # "rule: status: expected met, got overdue; progress: …" reads better one difference a line
                rule, _, rest = problem.partition(": ")
                console.print(Text(visible(f"     {rule}:"), style="bold"))
                for difference in rest.split("; "):
                    console.print(Text(visible(f"       {difference}")))
            if explain and outcome.result is not None:
                for action in outcome.result.actions:
                    console.print(Text(visible("     " + w["got"].format(
                        rule=action.rule, status=texts.status_label(action.status.value, lang.value), due=action.due,
                        progress=f"{action.progress.done}/{action.progress.required}")), style="dim"))
                    for line in action.why:
                        console.print(Text(visible(f"       • {line}"), style="dim"))
    summary = w["summary"].format(passed=passed, failed=failed)
    if bad:
        summary += w["problem" if bad == 1 else "problems"].format(n=bad)
    elif not passed and not failed:
        summary += w["none_found"]
    console.print(Text(summary, style="bold red" if failed or bad else "bold green"))
    raise typer.Exit(EXIT_BAD_INPUT if failed or bad or not passed else EXIT_OK)
