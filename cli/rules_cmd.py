"""``sagsrute rules``: list, show and validate rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli.common import (DEFAULT_LANG, EXIT_BAD_INPUT, EXIT_USAGE, App, LangOption, RulesOption, console, fail,
                        print_error_lines, rules_or_exit)
from engine.core.durable_backend import compile_ruleset
from engine.rulebook.coverage import DEFAULT_CATALOGUES, DEFAULT_COVERAGE
from engine import texts
from engine.report.safe import visible
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSet

app = App(help="List, show, validate and cover the rules.", no_args_is_help=True, prefix="rules")


def _say(line: str) -> None:
    """A line of rule text: what a rule or override file says, shown as text (safe.visible)."""
    console.print(visible(line, keep_newlines=True))


def _load(directory: Path) -> RuleSet:
    return rules_or_exit(directory)


def _offset(o) -> str:
    return f"{o.months}m {o.weeks}w {o.days}d"


def _validity(rule) -> str:
    return f"{rule.valid.from_} – {rule.valid.to or ''}".rstrip()


@app.command("list")
def list_rules(rules_dir: RulesOption = DEFAULT_RULES_DIR, lang: LangOption = DEFAULT_LANG) -> None:
    """List every rule with its validity and legal source.

    One line per rule: its id, title, the period it is in force and its source in the seeds (who
    it applies to: rules show ID).

    \b
    Example:
      sagsrute rules list --lang en
    """
    ruleset = _load(rules_dir)
    w = texts.words(texts.RULES_LIST, lang.value)
    # 80 columns: the id and the source are never cut (they are what one types and looks up next)
    table = Table(title=visible(w["title"].format(label=ruleset.label, n=len(ruleset.rules))), box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column(w["id"], overflow="fold", min_width=22)
    table.add_column(w["rule"], ratio=1)
    table.add_column(w["in_force"], min_width=10)
    table.add_column(w["source"], overflow="fold", min_width=12)
    for rule in ruleset.rules:
        table.add_row(visible(rule.key), visible(rule.title.get(lang.value)), _validity(rule),
                      Text(visible(rule.source.cite()), style="dim"))
    console.print(table)


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
        _show_routing(routing[0])
        return
    if not variants:
        fail(f"no rule {rule_id!r} in {rules_dir}; known: {', '.join(ruleset.ids)}")
    definition, names = compile_ruleset(ruleset)
    for rule in variants:
        a = rule.applies_to
        console.print(Text(visible(rule.key), style="bold"), Text(visible(f"  ({ruleset.origin.get(rule.key)})"), style="dim"),
                      soft_wrap=True)
        _say(f"  da: {rule.title.da}\n  en: {rule.title.en}")
        _say(f"  in force: {_validity(rule)} [{rule.valid.regime}], judged on the anchor date")
        who = [", ".join(b.value for b in a.benefits)]
        if a.age_below is not None:
            who.append(f"under {a.age_below}")
        if a.age_from is not None:
            who.append(f"aged {a.age_from}+")
        if a.education:
            who.append("education " + "/".join(e.value for e in a.education))
        if a.category:
            who.append(f"assessed {a.category.value}")
        _say(f"  applies to: {'; '.join(who)}")
        _say(f"  kind: {rule.kind}")
        for m in rule.milestones:
            _say(f"  due: {m.count} × {rule.counts_label.en} by {rule.anchor.from_} + {_offset(m.after)}")
        if rule.max_gap:
            _say(f"  gap: at most {_offset(rule.max_gap.within)} from one {rule.counts_label.en} ending to the next starting"
                          + (f"; ends with {', '.join(u.type for u in rule.max_gap.until)}" if rule.max_gap.until else ""))
        if rule.cadence:
            c = rule.cadence
            _say(f"  cadence: {c.count} × {rule.counts_label.en} in every {_offset(c.every)} "
                          f"from {rule.anchor.from_} + {_offset(c.start)}")
        for limit in rule.limits:
            who = " ".join(x for x in (limit.distance, limit.employer) if x)
            extended = f" (extended: {_offset(limit.extended_max)})" if limit.extended_max else ""
            _say(f"  limit: {limit.offer}{' ' + who if who else ''} at most {_offset(limit.max)}{extended}")
        _say("  counts: " + "; ".join(c.model_dump_json(exclude_defaults=True) for c in rule.counts))
        if rule.postponed_by:
            _say("  postponed by: " + ", ".join(p.exemption or f"offer {p.offer}" for p in rule.postponed_by))
        if rule.exempted_by:
            _say("  exempted by: " + ", ".join(rule.exempted_by))
        for s in (rule.source, *rule.also):
            _say(f"  source: {s.cite()}  «{s.quote}»")
        if rule.reading:
            _say(f"  reading: {rule.reading.strip()}")
        if compiled:
            import json
            mine = {n: definition[n] for n, key in names.items() if key == rule.key}
            console.print_json(json.dumps(mine))
        console.print()


def _show_routing(rule) -> None:
    """A routing rule (rules/routing.yaml): the aspect it decides, its conditions and its source."""
    console.print(Text(visible(rule.id), style="bold"), Text("  (routing.yaml)", style="dim"))
    value = " / ".join(rule.value) if isinstance(rule.value, list) else rule.value
    _say(f"  decides: {rule.decide} = {value}")
    _say(f"  in force: {rule.valid.from_} – {rule.valid.to or ''} [{rule.valid.regime}], judged on the decision date")
    when = rule.when.model_dump(exclude_none=True, mode="json")
    _say("  when: " + ("; ".join(f"{k} {v}" for k, v in when.items()) or "always"))
    _say(f"  da: {rule.why.da}\n  en: {rule.why.en}")
    for s in (rule.source, *rule.also):
        _say(f"  source: {s.cite()}  «{s.quote}»")
    if rule.reading:
        _say(f"  reading: {rule.reading.strip()}")


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

    Every caseworker-facing rule of the catalogues: encoded (as which rules) or why not. The exit code is 1 when the table names a rule the rule set lacks or misses a catalogue rule.

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
    reasons = report.coverage.reasons
    if markdown:
        print(f"# Coverage of the research catalogues by {ruleset.name}\n")
        print("Generated by `sagsrute rules coverage --markdown` from docs/coverage.yaml.\n")
        print("| catalogue | rule | status | encoded as / reason |\n|---|---|---|---|")
        for file, e in report.rows():
            what = ", ".join(f"`{r}`" for r in (e.rules or e.routing)) if e.status != "not_encoded" else e.reason
            note = f" — {e.note}" if e.note else ""
            print(visible(f"| {file} | `{e.id}` | {e.status} | {what}{note} |"))
    else:
        out = Table(title=f"{ruleset.label}: coverage of the research catalogues")
        for column in ("rule (catalogue)", "status", "encoded as / reason"):
            out.add_column(column)
        for file, e in report.rows():
            if e.status == "not_encoded":
                what = Text(visible(f"{e.reason}: {e.note or reasons.get(e.reason, '')}"), style="dim")
                status = Text("not encoded", style="yellow")
            else:
                what = Text(visible(", ".join(e.rules or e.routing) + (f" ({e.note})" if e.note else "")))
                status = Text(e.status, style="green")
            out.add_row(visible(e.id), status, what)
        console.print(out)
        counts = report.counts()
        encoded = counts.get("encoded", 0) + counts.get("routing", 0)
        _say(f"{sum(counts.values())} catalogue rules: {counts.get('encoded', 0)} encoded as duties, "
                      f"{counts.get('routing', 0)} as routing decisions, {sum(counts.values()) - encoded} not encoded "
                      "(" + ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(counts.items()) if ':' in k) + ")")
    if report.problems:
        print_error_lines("\n".join(report.problems))
        raise typer.Exit(EXIT_BAD_INPUT)
