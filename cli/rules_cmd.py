"""``sagsrute rules``: list, show and validate rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_USAGE, App, LangOption, RulesOption, console, fail,
                        print_error_lines, rules_or_exit)
from engine.core.durable_backend import compile_ruleset
from engine.rulebook.coverage import DEFAULT_CATALOGUES, DEFAULT_COVERAGE
from engine.report.layout import is_narrow
from engine.report.listings import rules_table
from engine.report.rulebook import coverage_markdown, render_coverage, render_routing_rule, render_rule
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSet

app = App(help="List, show, validate and cover the rules.", no_args_is_help=True, prefix="rules")


def _load(directory: Path) -> RuleSet:
    return rules_or_exit(directory)


@app.command("list")
def list_rules(rules_dir: RulesOption = DEFAULT_RULES_DIR, lang: LangOption = DEFAULT_LANG) -> None:
    """List every rule with its validity and legal source.

    One line per rule: its id, title, the period it is in force and its source in the seeds (who
    it applies to: rules show ID).

    \b
    Example:
      sagsrute rules list --lang en
    """
    console.print(rules_table(_load(rules_dir), lang.value, is_narrow(console)))


@app.command("show")
def show(rule_id: Annotated[str, typer.Argument(metavar="ID", show_default=False,
                                                help="A rule id (rules list), a variant (id/n) or a routing rule.")],
         rules_dir: RulesOption = DEFAULT_RULES_DIR,
         compiled: Annotated[bool, typer.Option("--compiled", help="Also print the durable_rules JSON it compiles to.")] = False,
         ) -> None:
    """Show one rule in full.

    All its variants: titles, who it applies to, anchor, deadlines, source and the reading chosen.

    \b
    Example:
      sagsrute rules show contact-course-4-conversations
    """
    ruleset = _load(rules_dir)
    variants = ruleset.variants(rule_id.split("/")[0]) if "/" not in rule_id else [r for r in ruleset.rules if r.key == rule_id]
    routing = [r for r in ruleset.routing if r.id == rule_id]
    if not variants and routing:
        render_routing_rule(console, routing[0])
        return
    if not variants:
        fail(f"no rule {rule_id!r} in {rules_dir}; known: {', '.join(ruleset.ids)}")
    definition, names = compile_ruleset(ruleset)
    for rule in variants:
        mine = {n: definition[n] for n, key in names.items() if key == rule.key} if compiled else None
        render_rule(console, rule, ruleset.origin.get(rule.key), mine)


@app.command("validate")
def validate(rules_dir: Annotated[Path, typer.Argument(metavar="[DIR]", show_default=False,
                                                       help="A rule directory; default the bundled rules.")] = DEFAULT_RULES_DIR,
             seeds: Annotated[Optional[Path], typer.Option(
                 "--seeds", metavar="DIR", show_default=False,
                 help="The seeds the citations quote. Default: ../shared/seeds beside the repository.")] = None,
             ) -> None:
    """Check a rule directory.

    The schema, the citations (quotes and line ranges against the seeds, where found),
    duplicates, and that durable_rules accepts it.

    \b
    Example:
      sagsrute rules validate rules/ --seeds ../shared/seeds
    """
    ruleset = _load(rules_dir)
    from engine.core.check import Engine
    from engine.rulebook.citations import SEEDS_BESIDE_REPO, check_citations, find_seeds

    if seeds is not None and not seeds.is_dir():
        fail(f"--seeds {seeds}: not a directory", EXIT_USAGE)
    found = find_seeds(seeds)
    if found is None:
        console.print(Text.assemble(("note:", "yellow"), visible(f" no seeds at {SEEDS_BESIDE_REPO} (give --seeds DIR): "
                                                             "citations not checked against them")))
    else:
        problems = check_citations(rules_dir, found)
        if problems:
            print_error_lines("\n".join(problems))
            raise typer.Exit(EXIT_BAD_INPUT)
    Engine(ruleset)  # compiles and registers the durable_rules ruleset: fails loudly if it cannot
    routing = f", {len(ruleset.routing)} routing rules" if ruleset.routing else ""
    cited = f"; citations checked against {found}" if found is not None else ""
    console.print(Text.assemble(("ok", "green"), visible(f" {ruleset.label}: {len(ruleset.rules)} rules in "
                                                         f"{len(set(ruleset.origin.values()))} files{routing}{cited}")))


@app.command("coverage")
def coverage(rules_dir: RulesOption = DEFAULT_RULES_DIR,
             table: Annotated[Path, typer.Option("--table", metavar="FILE", show_default="docs/coverage.yaml",
                                                 help="The coverage data file.")] = DEFAULT_COVERAGE,
             catalogues: Annotated[Path, typer.Option(
                 "--catalogues", metavar="DIR", show_default="../shared/research beside the repository",
                 help="The research catalogues (checked where present).")] = DEFAULT_CATALOGUES,
             markdown: Annotated[bool, typer.Option("--markdown",
                                                    help="Print the table as Markdown (for docs/coverage.md).")] = False,
             ) -> None:
    """Which rules of the research catalogues are encoded.

    Every caseworker-facing rule of the catalogues: encoded (as which rules) or why not. The exit
    code is 1 when the table names a rule the rule set lacks or misses a catalogue rule.

    \b
    Example:
      sagsrute rules coverage --markdown > docs/coverage.md
    """
    from engine.rulebook.coverage import CoverageError, check_coverage, load_coverage

    ruleset = _load(rules_dir)
    try:
        report = check_coverage(load_coverage(table), ruleset, catalogues if catalogues.is_dir() else None)
    except CoverageError as exc:
        print_error_lines(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT)
    if markdown:
        print(coverage_markdown(report, ruleset))
    else:
        render_coverage(console, report, ruleset)
    if report.problems:
        print_error_lines("\n".join(report.problems))
        raise typer.Exit(EXIT_BAD_INPUT)
