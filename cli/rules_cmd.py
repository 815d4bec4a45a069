"""``sagsrute rules``: list, show and validate rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli.common import EXIT_BAD_INPUT, EXIT_USAGE, Lang, console, fail, print_error_lines, rules_or_exit
from engine.core.durable_backend import compile_ruleset
from engine.core.kinds import describe
from engine.rulebook.coverage import DEFAULT_CATALOGUES, DEFAULT_COVERAGE
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSet

app = typer.Typer(help="List, show and validate rule files.", no_args_is_help=True)

RULES_OPTION = typer.Option(DEFAULT_RULES_DIR, "--rules", help="A rule directory, or an override file applied to the bundled rules.")


def _load(directory: Path) -> RuleSet:
    return rules_or_exit(directory)


def _validity(rule) -> str:
    return f"{rule.valid.from_} – {rule.valid.to or ''}".rstrip()


@app.command("list")
def list_rules(rules_dir: Path = RULES_OPTION, lang: Lang = typer.Option(Lang.da, "--lang")) -> None:
    """Every rule with its validity, who it applies to and its source."""
    ruleset = _load(rules_dir)
    # 80 columns: the id and the source are never cut (they are what one types and looks up next)
    table = Table(title=f"{ruleset.label}: {len(ruleset.rules)} rules", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", overflow="fold", min_width=22)
    table.add_column("title", ratio=1)
    table.add_column("in force", min_width=10)
    table.add_column("source", overflow="fold", min_width=12)
    for rule in ruleset.rules:
        table.add_row(rule.key, rule.title.get(lang.value), _validity(rule), Text(rule.source.cite(), style="dim"))
    console.print(table)


@app.command("show")
def show(rule_id: str = typer.Argument(..., metavar="ID"), rules_dir: Path = RULES_OPTION,
         compiled: bool = typer.Option(False, "--compiled", help="Also print the durable_rules JSON it compiles to.")) -> None:
    """One rule (all its variants) in full: titles, group, anchor, deadlines, source and reading."""
    ruleset = _load(rules_dir)
    variants = ruleset.variants(rule_id.split("/")[0]) if "/" not in rule_id else [r for r in ruleset.rules if r.key == rule_id]
    routing = [r for r in ruleset.routing if r.id == rule_id]
    if not variants and routing:
        _show_routing(routing[0])
        return
    if not variants:
        fail(f"no rule {rule_id!r} in {rules_dir}; known: {', '.join(ruleset.ids)}")
    definition, names = compile_ruleset(ruleset)
    for rule in variants:
        a = rule.applies_to
        console.print(Text(rule.key, style="bold"), Text(f"  ({ruleset.origin.get(rule.key)})", style="dim"), soft_wrap=True)
        console.print(f"  da: {rule.title.da}\n  en: {rule.title.en}")
        console.print(f"  in force: {_validity(rule)} [{rule.valid.regime}], judged on the anchor date")
        who = [", ".join(b.value for b in a.benefits)]
        if a.age_below is not None:
            who.append(f"under {a.age_below}")
        if a.age_from is not None:
            who.append(f"aged {a.age_from}+")
        if a.education:
            who.append("education " + "/".join(e.value for e in a.education))
        if a.category:
            who.append(f"assessed {a.category.value}")
        console.print(f"  applies to: {'; '.join(who)}")
        console.print(f"  kind: {rule.kind}")
        for line in describe(rule):  # the kind's own words (engine/core/kinds)
            console.print(f"  {line}")
        console.print("  counts: " + "; ".join(c.model_dump_json(exclude_defaults=True) for c in rule.counts))
        if rule.postponed_by:
            console.print("  postponed by: " + ", ".join(p.exemption or f"offer {p.offer}" for p in rule.postponed_by))
        if rule.exempted_by:
            console.print("  exempted by: " + ", ".join(rule.exempted_by))
        for s in (rule.source, *rule.also):
            console.print(f"  source: {s.cite()}  «{s.quote}»")
        if rule.reading:
            console.print(f"  reading: {rule.reading.strip()}")
        if compiled:
            import json
            mine = {n: definition[n] for n, key in names.items() if key == rule.key}
            console.print_json(json.dumps(mine))
        console.print()


def _show_routing(rule) -> None:
    """A routing rule (rules/routing.yaml): the aspect it decides, its conditions and its source."""
    console.print(Text(rule.id, style="bold"), Text("  (routing.yaml)", style="dim"))
    value = " / ".join(rule.value) if isinstance(rule.value, list) else rule.value
    console.print(f"  decides: {rule.decide} = {value}")
    console.print(f"  in force: {rule.valid.from_} – {rule.valid.to or ''} [{rule.valid.regime}], judged on the decision date")
    when = rule.when.model_dump(exclude_none=True, mode="json")
    console.print("  when: " + ("; ".join(f"{k} {v}" for k, v in when.items()) or "always"))
    console.print(f"  da: {rule.why.da}\n  en: {rule.why.en}")
    for s in (rule.source, *rule.also):
        console.print(f"  source: {s.cite()}  «{s.quote}»")
    if rule.reading:
        console.print(f"  reading: {rule.reading.strip()}")


@app.command("validate")
def validate(rules_dir: Path = typer.Argument(DEFAULT_RULES_DIR, metavar="[DIR]"),
             seeds: Optional[Path] = typer.Option(None, "--seeds", help="The seeds directory the citations "
                                                  "quote (default: ../shared/seeds beside the repository).")) -> None:
    """Check a rule directory: schema, citations (quotes and line ranges against the seeds, where
    found), duplicates, and that durable_rules accepts it."""
    ruleset = _load(rules_dir)
    from engine.core.check import Engine
    from engine.rulebook.citations import SEEDS_BESIDE_REPO, check_citations, find_seeds

    if seeds is not None and not seeds.is_dir():
        fail(f"--seeds {seeds}: not a directory", EXIT_USAGE)
    found = find_seeds(seeds)
    if found is None:
        console.print(f"[yellow]note:[/] no seeds at {SEEDS_BESIDE_REPO} (give --seeds DIR): "
                      "citations not checked against them")
    else:
        problems = check_citations(rules_dir, found)
        if problems:
            print_error_lines("\n".join(problems))
            raise typer.Exit(EXIT_BAD_INPUT)
    Engine(ruleset)  # compiles and registers the durable_rules ruleset: fails loudly if it cannot
    routing = f", {len(ruleset.routing)} routing rules" if ruleset.routing else ""
    cited = f"; citations checked against {found}" if found is not None else ""
    console.print(f"[green]ok[/] {ruleset.label}: {len(ruleset.rules)} rules in {len(set(ruleset.origin.values()))} "
                  f"files{routing}{cited}")


@app.command("coverage")
def coverage(rules_dir: Path = RULES_OPTION,
             table: Path = typer.Option(DEFAULT_COVERAGE, "--table", help="The coverage data file."),
             catalogues: Path = typer.Option(DEFAULT_CATALOGUES, "--catalogues",
                                             help="Directory of the research catalogues (checked where present)."),
             markdown: bool = typer.Option(False, "--markdown", help="Print the table as Markdown (for docs/coverage.md).")) -> None:
    """Every caseworker-facing rule of the research catalogues: encoded (rule ids) or why not.
    Exit 1 if the table names a rule the rule set lacks or misses a catalogue rule."""
    from engine.rulebook.coverage import CoverageError, check_coverage, load_coverage

    ruleset = _load(rules_dir)
    try:
        report = check_coverage(load_coverage(table), ruleset, catalogues if catalogues.is_dir() else None)
    except CoverageError as exc:
        print_error_lines(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT)
    reasons = report.coverage.reasons
    if markdown:
        print(f"# Coverage of the research catalogues by {ruleset.name}\n")
        print("Generated by `sagsrute rules coverage --markdown` from docs/coverage.yaml.\n")
        print("| catalogue | rule | status | encoded as / reason |\n|---|---|---|---|")
        for file, e in report.rows():
            what = ", ".join(f"`{r}`" for r in (e.rules or e.routing)) if e.status != "not_encoded" else e.reason
            note = f" — {e.note}" if e.note else ""
            print(f"| {file} | `{e.id}` | {e.status} | {what}{note} |")
    else:
        out = Table(title=f"{ruleset.label}: coverage of the research catalogues")
        for column in ("rule (catalogue)", "status", "encoded as / reason"):
            out.add_column(column)
        for file, e in report.rows():
            if e.status == "not_encoded":
                what = Text(f"{e.reason}: {e.note or reasons.get(e.reason, '')}", style="dim")
                status = Text("not encoded", style="yellow")
            else:
                what = Text(", ".join(e.rules or e.routing) + (f" ({e.note})" if e.note else ""))
                status = Text(e.status, style="green")
            out.add_row(e.id, status, what)
        console.print(out)
        counts = report.counts()
        encoded = counts.get("encoded", 0) + counts.get("routing", 0)
        console.print(f"{sum(counts.values())} catalogue rules: {counts.get('encoded', 0)} encoded as duties, "
                      f"{counts.get('routing', 0)} as routing decisions, {sum(counts.values()) - encoded} not encoded "
                      "(" + ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(counts.items()) if ':' in k) + ")")
    if report.problems:
        print_error_lines("\n".join(report.problems))
        raise typer.Exit(EXIT_BAD_INPUT)
