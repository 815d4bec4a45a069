"""Requirement kinds: each evaluates one kind of rule on one benefit period in plain Python, after
durable_rules has selected the rule. Each kind is one module here exporting ``KIND``, an
engine.core.duty.Kind record (its name, the Rule field of its parameters, compile, describe,
needs, per-event validity); the modules are found by listing this directory, and every list of
kinds below is derived from their records. The rule files' side of a kind (its parameter model)
is models/rules.py RULE_KINDS: the two must name the same kinds. docs/kinds.md: adding a kind.

``compile_rule(rule)`` returns the rule's evaluator, called as ``(case, period, tracer, router)``
and returning engine.core.duty.Duty records; the tracer (engine.core.duty.Why) is the null
``QUIET`` for the audit and an explaining one for ``check``, through the one path.
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.core.duty import Kind
from models.rules import RULE_KINDS, Rule


def _discover() -> dict[str, Kind]:
    """The KIND of every module in this package, in RULE_KINDS' order; a module without one, or a
    kind the schema does not know (or the other way round), is an error at import, not a rule that
    silently never runs."""
    found: dict[str, Kind] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, Kind):
            raise ImportError(f"{module.__name__}: a kind module exports KIND, an engine.core.duty.Kind")
        schema = RULE_KINDS.get(kind.name)
        if schema is None or schema.parameters != kind.parameters:
            raise ImportError(f"{module.__name__}: kind {kind.name!r} with parameters {kind.parameters!r} "
                              f"is not in models/rules.py RULE_KINDS")
        found[kind.name] = kind
    missing = [name for name in RULE_KINDS if name not in found]
    if missing:
        raise ImportError(f"no module in engine/core/kinds/ for kind(s) {', '.join(missing)} of models/rules.py RULE_KINDS")
    return {name: found[name] for name in RULE_KINDS}


KINDS = _discover()

COMPILERS = {name: kind.compile for name, kind in KINDS.items()}

# Kinds that give nothing on a period without the offers they limit: kind -> rule -> the offer kinds
# that rule can limit. The engine skips the call where none of them is among the period's offers.
NEEDS = {name: kind.needs for name, kind in KINDS.items() if kind.needs is not None}

# Kinds whose obligations are anchored on events (each offer), not on the period's anchor: their
# validity is judged per event in Python, so the selector must not filter them on the period anchor.
PER_EVENT_VALIDITY = frozenset(name for name, kind in KINDS.items() if kind.per_event_validity)


def compile_rule(rule: Rule):
    return COMPILERS[rule.kind](rule)


def describe(rule: Rule) -> list[str]:
    """The lines ``rules show`` prints for the rule's parameters (its kind's own words)."""
    return KINDS[rule.kind].describe(rule)
