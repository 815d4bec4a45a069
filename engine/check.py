"""Evaluate one case as of a date: durable_rules picks the rules per period profile, plain code
evaluates them. This is what ``sagsrute check``, the audit and the what-if comparison call."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

from engine.durable_backend import DurableSelector
from engine.duty import Duty
from engine.evaluate import evaluate_rule
from engine.kinds import evaluate_kind
from engine.routing import Router, routing_period
from engine.profile import Quantiser, periods_as_of
from engine.ruleset import DEFAULT_RULES_DIR, RuleSet, load_ruleset
from models.actions import CheckResult
from models.case import Case


class Engine:
    """A rule set ready to evaluate cases. Build one per rule set and reuse it: the profile cache
    and the registered durable_rules ruleset live here."""

    def __init__(self, ruleset: RuleSet, selector_factory=DurableSelector):
        self.ruleset = ruleset
        self.quantiser = Quantiser(ruleset)
        self.selector = selector_factory(ruleset)
        self._rules = {r.key: r for r in ruleset.rules}
        self._order = {r.key: i for i, r in enumerate(ruleset.rules)}
        self._ordered: dict[frozenset, tuple[str, ...]] = {}
        self.router = Router(ruleset.routing)

    @classmethod
    def from_directory(cls, directory: Path | str = DEFAULT_RULES_DIR) -> "Engine":
        return cls(load_ruleset(directory))

    def applicable(self, case: Case, period) -> tuple[str, ...]:
        keys = self.selector.select(self.quantiser.profile(case, period))
        ordered = self._ordered.get(keys)
        if ordered is None:  # a handful of distinct answers: sort each once, in rule-set order
            ordered = self._ordered[keys] = tuple(sorted(keys, key=self._order.__getitem__))
        return ordered

    def duties(self, case: Case, as_of: date, lang: str = "da", explain_why: bool = False,
               only: Optional[frozenset[str]] = None) -> list[Duty]:
        """The duties of a case as of a date, unsorted: what ``check`` reports and the audit folds.
        ``only`` limits the evaluation to these rule ids (the what-if evaluates only changed rules)."""
        return self._evaluate(case, periods_as_of(case, as_of), lang, explain_why, only)

    def _evaluate(self, case: Case, periods: list, lang: str, explain_why: bool,
                  only: Optional[frozenset[str]]) -> list[Duty]:
        duties: list[Duty] = []
        for period in periods:
            for key in self.applicable(case, period):
                rule = self._rules[key]
                if only is not None and rule.id not in only:
                    continue
                if rule.kind == "deadline":
                    duties += evaluate_rule(case, period, rule, lang, explain_why)
                else:
                    duties += evaluate_kind(case, period, rule, lang, explain_why, self.router)
        return duties

    def check(self, case: Case, as_of: date, lang: str = "da", explain_why: bool = True,
              with_routing: bool = True, only: Optional[frozenset[str]] = None) -> CheckResult:
        """``explain_why=False`` leaves out the ``why`` texts; nothing else changes.
        ``with_routing=False`` leaves out the routing section (callers that only count duties).
        ``only`` limits the evaluation to these rule ids (the what-if evaluates only changed rules)."""
        periods = periods_as_of(case, as_of)
        duties = self._evaluate(case, periods, lang, explain_why, only)
        duties.sort(key=Duty.sort_key)
        routing = None
        if with_routing and self.ruleset.routing:
            chosen = routing_period(periods)
            routing = self.router.route(case, chosen, lang) if chosen is not None else None
        return CheckResult.build(case_id=case.case_id, as_of=as_of, rules_version=self.ruleset.label,
                                 actions=[d.to_action(lang) for d in duties], routing=routing)


_default: Optional[Engine] = None


def default_engine() -> Engine:
    global _default
    if _default is None:
        _default = Engine.from_directory()
    return _default
