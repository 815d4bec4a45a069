"""Rule changes as small override files: change parameters of named rules without copying the rest.

An override file (YAML) names the rules it changes and deep-merges new values into them::

    name: six-conversations
    description: Kontaktforløbet bliver seks samtaler
    base: ../../rules        # optional: the rule directory it changes (relative to this file);
                             # default: the baseline the command was given
    changes:
      - rule: contact-course-4-conversations        # an id (every variant), or id/variant
        set:
          milestones: [{count: 6, after: {months: 6}}]
      - where: {valid: {to: 2019-12-31}}            # or: every rule whose fields have these values
        set: {valid: {to: 2019-06-30}}
    add:                      # optional: whole new rules, written exactly as in a rule file
      - {id: ..., title: ..., ...}
    remove: [jobparat-work-for-benefit-by-3-months]   # optional: ids or id/variant keys

A change can also name a routing rule (rules/routing.yaml) with ``routing: ID`` instead of ``rule:``.

``set`` is merged into the rule as it is written in its rule file: a mapping merges key by key
(``valid: {from: 2019-07-01}`` keeps ``regime``), anything else — a list, a number, a date —
replaces the old value whole. Every changed or added rule is validated again with the rule-file
schema, so a mistake in an override gets the same ``file:line: field: problem`` error as a mistake
in a rule file. The result is an ordinary RuleSet named ``base+override`` whose digest is computed
from the changed rules, so the baseline and the candidate can run side by side in one process.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.rulebook.ruleset import RuleSet, RuleSetError, _line_of, load_ruleset, ruleset_from_rules
from engine.io.loading import RuleLoader, field_path, read_text, validation_problems, yaml_problem
from models.rules import RULE_ID, RoutingRule, Rule

# A rule's identity cannot be changed by ``set``: a renamed rule is a removed one plus an added one.
_IDENTITY = ("id", "variant")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Change(_Strict):
    """``rule`` names the rules to change; ``where`` selects them by what they say instead (every
    rule whose fields include the given values, e.g. ``where: {valid: {to: 2019-12-31}}``);
    ``routing`` names a routing rule (rules/routing.yaml)."""

    rule: Optional[Annotated[str, Field(min_length=1)]] = None
    where: Optional[dict[str, Any]] = None
    routing: Optional[Annotated[str, Field(min_length=1)]] = None
    set: dict[str, Any]

    @model_validator(mode="after")
    def _one_selector(self) -> "Change":
        if sum(x is not None for x in (self.rule, self.where, self.routing)) != 1:
            raise ValueError("give exactly one of 'rule' (an id or id/variant), 'where' (the values rules must "
                             "have) or 'routing' (a routing rule id)")
        return self


class OverrideSpec(_Strict):
    name: Annotated[str, Field(pattern=RULE_ID.pattern)]
    description: Optional[str] = None
    base: Optional[str] = None
    changes: list[Change] = []
    add: list[dict[str, Any]] = []
    remove: list[str] = []


@dataclass(frozen=True)
class Override:
    path: Path
    spec: OverrideSpec
    tree: Any  # the composed YAML node tree, to turn a field path into a line number

    def line(self, loc: tuple) -> str:
        found = _line_of(self.tree, loc)
        return f"{self.path}:{found}" if found else str(self.path)

    def base_dir(self) -> Optional[Path]:
        """``base`` relative to the override file; where that is no directory, relative to the
        working directory (so ``base: rules/`` works when run from the project root)."""
        if self.spec.base is None:
            return None
        beside = self.path.parent / self.spec.base
        return beside if beside.is_dir() or not Path(self.spec.base).is_dir() else Path(self.spec.base)


def read_override(path: Path | str) -> Override:
    """Parse and validate the override file itself (not yet against a rule set)."""
    path = Path(path)
    try:
        text = read_text(path)
        data = yaml.load(text, Loader=RuleLoader)
        tree = yaml.compose(text, Loader=RuleLoader)
    except yaml.YAMLError as exc:
        raise RuleSetError([yaml_problem(path, exc)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetError([f"{path}: cannot be read ({exc})"]) from None
    if not isinstance(data, dict):
        raise RuleSetError([f"{path}: an override is a mapping with 'name' and 'changes', 'add' or 'remove'"])
    try:
        spec = OverrideSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error, text in zip(exc.errors(), validation_problems(exc)):
            line = _line_of(tree, error["loc"])
            problems.append(f"{path}{f':{line}' if line else ''}: {text}")
        raise RuleSetError(problems) from None
    override = Override(path, spec, tree)
    if not (spec.changes or spec.add or spec.remove):
        raise RuleSetError([f"{path}: the override changes nothing (give 'changes', 'add' or 'remove')"])
    return override


def deep_merge(old: Any, new: Any) -> Any:
    """Mappings merge key by key; anything else is replaced whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = deep_merge(old.get(key), value) if key in old else value
        return merged
    return new


def _targets(ruleset: RuleSet, name: str) -> list[Rule]:
    """The rules a change names: the exact key (id/variant), or every variant of an id."""
    exact = [r for r in ruleset.rules if r.key == name]
    return exact or ([r for r in ruleset.rules if r.id == name] if "/" not in name else [])


def _contains(value: Any, wanted: Any) -> bool:
    """Whether a rule's (dumped) value includes ``wanted``: mappings key by key, lists of mappings
    as any element including it, everything else compared as text (dates are text in both)."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(k in value and _contains(value[k], v) for k, v in wanted.items())
    if isinstance(value, list) and not isinstance(wanted, list):
        return any(_contains(item, wanted) for item in value)
    if isinstance(wanted, list):
        return isinstance(value, list) and len(value) == len(wanted) and all(map(_contains, value, wanted))
    return value is not None and str(value) == str(wanted)


def _dump(rule: Rule) -> dict:
    return rule.model_dump(mode="json", by_alias=True, exclude_none=True)


def _known(ruleset: RuleSet, name: str = "") -> str:
    names = sorted({r.key for r in ruleset.rules} | {r.id for r in ruleset.rules})
    close = difflib.get_close_matches(name, names, n=1)
    return (f"did you mean {close[0]!r}? " if close else "") + "known: " + ", ".join(names)


def _validate_rule(data: dict, override: Override, prefix: tuple, label: str, problems: list[str],
                   model: type = Rule) -> Optional[Any]:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error, text in zip(exc.errors(), validation_problems(exc)):
            path = field_path(prefix + tuple(error["loc"]))
            problem = text.split(": ", 1)[1] if ": " in text else text
            problems.append(f"{override.line(prefix + tuple(error['loc']))}: {path}: {problem}{label}")
        return None


def apply_override(base: RuleSet, override: Override) -> RuleSet:
    """The base rule set with the override applied; RuleSetError lists every problem at once."""
    spec = override.spec
    problems: list[str] = []
    rules: dict[str, Rule] = {r.key: r for r in base.rules}
    origin = dict(base.origin)
    where = override.path.name

    routing = {r.id: r for r in base.routing}
    for i, change in enumerate(spec.changes):
        if change.routing is not None:
            _change_routing(routing, change, i, base, override, problems)
            continue
        if change.where is not None:
            targets = [r for r in base.rules if _contains(_dump(r), change.where)]
            if not targets:
                problems.append(f"{override.line(('changes', i, 'where'))}: changes[{i}].where: matches no rule "
                                f"in {base.label}")
                continue
        else:
            targets = _targets(base, change.rule)
        if not targets:
            problems.append(f"{override.line(('changes', i, 'rule'))}: changes[{i}].rule: no rule "
                            f"{change.rule!r} in {base.label}; {_known(base, change.rule)}")
            continue
        for key in _IDENTITY:
            if key in change.set:
                problems.append(f"{override.line(('changes', i, 'set', key))}: changes[{i}].set.{key}: a rule's "
                                f"{key} cannot be changed; remove the rule and add a new one instead")
        if any(key in change.set for key in _IDENTITY):
            continue
        for target in targets:
            current = rules.get(target.key, target)
            merged = deep_merge(_dump(current), change.set)
            label = f" (in rule {target.key})" if len(targets) > 1 else ""
            rule = _validate_rule(merged, override, ("changes", i, "set"), label, problems)
            if rule is not None:
                rules[target.key] = rule
                if not origin.get(target.key, "").endswith(f" + {where}"):
                    origin[target.key] = f"{origin.get(target.key, '?')} + {where}"

    for i, name in enumerate(spec.remove):
        targets = _targets(base, name)
        if not targets:
            problems.append(f"{override.line(('remove', i))}: remove[{i}]: no rule {name!r} in {base.label}; "
                            f"{_known(base, name)}")
        for target in targets:
            rules.pop(target.key, None)
            origin.pop(target.key, None)

    for i, data in enumerate(spec.add):
        rule = _validate_rule(data, override, ("add", i), "", problems)
        if rule is None:
            continue
        if rule.key in rules:
            problems.append(f"{override.line(('add', i, 'id'))}: add[{i}].id: rule {rule.key!r} already exists; "
                            "change it under 'changes', or give the new rule a distinct 'variant'")
            continue
        rules[rule.key] = rule
        origin[rule.key] = where

    if problems:
        raise RuleSetError(problems)
    return ruleset_from_rules(f"{base.name}+{spec.name}", base.version, rules.values(), origin,
                              routing=routing.values())


def _change_routing(routing: dict[str, RoutingRule], change: Change, i: int, base: RuleSet, override: Override,
                    problems: list[str]) -> None:
    """Merge ``set`` into one routing rule (rules/routing.yaml), validated like the routing file."""
    current = routing.get(change.routing)
    if current is None:
        close = difflib.get_close_matches(change.routing, list(routing), n=1)
        problems.append(f"{override.line(('changes', i, 'routing'))}: changes[{i}].routing: no routing rule "
                        f"{change.routing!r} in {base.label}; " + (f"did you mean {close[0]!r}? " if close else "")
                        + "known: " + ", ".join(sorted(routing)))
        return
    if "id" in change.set:
        problems.append(f"{override.line(('changes', i, 'set', 'id'))}: changes[{i}].set.id: a routing rule's id "
                        "cannot be changed")
        return
    merged = deep_merge(current.model_dump(mode="json", by_alias=True, exclude_none=True), change.set)
    rule = _validate_rule(merged, override, ("changes", i, "set"), "", problems, RoutingRule)
    if rule is not None:
        routing[change.routing] = rule


def load_rules(path: Path | str, baseline: Optional[RuleSet] = None) -> RuleSet:
    """A rule directory, or an override file applied to its ``base`` (default: ``baseline``, or the
    bundled rules). Raises RuleSetError with every problem."""
    path = Path(path)
    if path.is_dir():
        return load_ruleset(path)
    if not path.exists():
        raise RuleSetError([f"{path}: no such rule directory or override file"])
    override = read_override(path)
    base_dir = override.base_dir()
    if base_dir is not None:
        if not base_dir.is_dir():
            raise RuleSetError([f"{override.line(('base',))}: base: {override.spec.base!r} is not a rule directory"])
        base = load_ruleset(base_dir)
    else:
        base = baseline if baseline is not None else load_ruleset()
    return apply_override(base, override)
