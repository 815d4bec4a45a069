"""Loading a rule directory into a validated, versioned RuleSet.

Errors name the file, the line and the field path (``contact-course.yaml:14: rules[0].anchor.from:
…``) so a policy person can fix a rule file without reading Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from engine.io.loading import RuleLoader, read_text, validation_problems, yaml_problem
from models.rules import Rule, RuleFile, RoutingFile, RoutingRule, RuleSetManifest

DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
MANIFEST = "ruleset.yaml"
ROUTING = "routing.yaml"  # the routing decision tables (models.rules.RoutingFile), optional


class RuleSetError(Exception):
    """A rule directory that cannot be used; ``problems`` are ``file:line: path: what`` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    digest: str  # hash of the rule files' content: two rule sets with one digest behave alike
    rules: tuple[Rule, ...]
    origin: dict[str, str] = field(default_factory=dict, compare=False)  # rule key -> file name
    routing: tuple[RoutingRule, ...] = ()  # from routing.yaml; evaluated by engine/core/routing.py

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}+{self.digest[:10]}"

    def by_key(self, key: str) -> Rule:
        for rule in self.rules:
            if rule.key == key:
                return rule
        raise KeyError(key)

    def variants(self, rule_id: str) -> list[Rule]:
        return [r for r in self.rules if r.id == rule_id]

    @property
    def ids(self) -> list[str]:
        return sorted({r.id for r in self.rules})


def _line_of(node: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """Follow a pydantic location through a composed YAML node tree to a 1-based line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                match = next((k for k, v in node.value if k.value == part), None)
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _parse(path: Path, model: type, problems: list[str]):
    try:
        text = read_text(path)
        data = yaml.load(text, Loader=RuleLoader)
    except yaml.YAMLError as exc:
        problems.append(yaml_problem(path, exc))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read ({exc})")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        tree = yaml.compose(text, Loader=RuleLoader)  # only on error: line numbers for the messages
        for error, problem in zip(exc.errors(), validation_problems(exc)):
            line = _line_of(tree, error["loc"])
            problems.append(f"{path}{f':{line}' if line else ''}: {problem}")
        return None


def load_ruleset(directory: Path | str = DEFAULT_RULES_DIR) -> RuleSet:
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleSetError([f"{directory}: not a rule directory"])
    problems: list[str] = []
    manifest = _parse(directory / MANIFEST, RuleSetManifest, problems) if (directory / MANIFEST).exists() else None
    if manifest is None and not problems:
        problems.append(f"{directory / MANIFEST}: missing (a rule set needs a name and a version)")
    files = sorted(p for p in directory.glob("*.y*ml") if p.name not in (MANIFEST, ROUTING))
    if not files:
        problems.append(f"{directory}: no rule files (*.yaml)")
    digest = hashlib.sha256()
    rules: list[Rule] = []
    origin: dict[str, str] = {}
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        parsed = _parse(path, RuleFile, problems)
        if parsed is None:
            continue
        for rule in parsed.rules:
            if rule.key in origin:
                problems.append(
                    f"{path}: rule {rule.key!r} is defined twice (also in {origin[rule.key]}); "
                    "give each a distinct 'variant'"
                )
                continue
            origin[rule.key] = path.name
            rules.append(rule)
    routing: tuple[RoutingRule, ...] = ()
    if (directory / ROUTING).exists():
        digest.update(ROUTING.encode() + b"\0" + (directory / ROUTING).read_bytes() + b"\0")
        parsed_routing = _parse(directory / ROUTING, RoutingFile, problems)
        if parsed_routing is not None:
            routing = tuple(parsed_routing.routing)
    if problems:
        raise RuleSetError(problems)
    if (directory / MANIFEST).exists():
        digest.update((directory / MANIFEST).read_bytes())
    return RuleSet(manifest.name, manifest.version, digest.hexdigest(), tuple(rules), origin, routing)


def ruleset_from_rules(name: str, version: str, rules: Iterable[Rule], origin: dict[str, str] | None = None,
                       routing: Iterable[RoutingRule] = ()) -> RuleSet:
    """A rule set built in memory (e.g. a base set with an override applied)."""
    rules = tuple(rules)
    routing = tuple(routing)
    digest = hashlib.sha256(
        "\n".join(r.model_dump_json(by_alias=True) for r in (*rules, *routing)).encode()
    ).hexdigest()
    return RuleSet(name, version, digest, rules, dict(origin or {}), routing)
