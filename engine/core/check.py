"""Evaluate one case as of a date: durable_rules picks the rules per period profile, plain code
evaluates them. This is what ``sagsrute check``, the audit and the what-if comparison call."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple, Optional

from engine.core.durable_backend import DurableSelector
from engine.core.duty import QUIET, Duty, Why, explaining
from engine.core.kinds import NEEDS, compile_rule
from engine.core.routing import Router, current_category, routing_period
from engine.core.profile import Quantiser, periods_as_of
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSet, load_ruleset
from engine import texts
from models.actions import CheckResult, Note
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
        # each rule compiled once: its evaluator reads only the period (engine/core/kinds)
        self._evaluators = {r.key: compile_rule(r) for r in ruleset.rules}
        # the offer kinds a rule needs in a period to give anything (None: it gives duties regardless)
        self._needs = {r.key: NEEDS[r.kind](r) if r.kind in NEEDS else None for r in ruleset.rules}
        # profile key -> the applicable rules, in rule-set order, each with its evaluator
        self._plans: dict[tuple, tuple] = {}
        self.router = Router(ruleset.routing)

    @classmethod
    def from_directory(cls, directory: Path | str = DEFAULT_RULES_DIR) -> "Engine":
        return cls(load_ruleset(directory))

    def applicable(self, case: Case, period) -> tuple[str, ...]:
        """The keys of the rules that apply to a period, in rule-set order."""
        return tuple(rule.key for rule in self._plan(case, period).rules)

    def _plan(self, case: Case, period) -> "Plan":
        key = self.quantiser.key(case, period)
        plan = self._plans.get(key)
        if plan is None:  # a few hundred distinct profiles in a caseload: durable_rules decides each once
            keys = self.selector.select(self.quantiser.fact(key))
            rules = [self._rules[k] for k in sorted(keys, key=self._order.__getitem__)]
            plan = self._plans[key] = Plan.of(rules, self._evaluators, self._needs)
        return plan

    def clear_cache(self) -> None:
        """Forget every applicability answer (benchmarks measure durable_rules' own cost with it)."""
        self._plans.clear()
        self.selector.cache.clear()

    def duties(self, case: Case, as_of: date, lang: str = "da", explain_why: bool = False,
               only: Optional[frozenset[str]] = None) -> list[Duty]:
        """The duties of a case as of a date, unsorted: what ``check`` reports and the audit folds.
        ``only`` limits the evaluation to these rule ids (the what-if evaluates only changed rules)."""
        tracer = explaining(lang, self.ruleset.label) if explain_why else QUIET
        return self._evaluate(case, periods_as_of(case, as_of), tracer, only)

    def quiet_duties(self, case: Case, periods: list, lang: str = "da", spans: Optional[list] = None) -> list[Duty]:
        """``duties`` without texts over periods the caller already has (``periods_as_of``): the
        batch audit, which reads the periods again for its own measures. ``spans``: a list that
        receives each period's slice of the duties, for ``uncovered``."""
        return self._evaluate(case, periods, QUIET, None, spans)

    def uncovered(self, spans: list, duties: list[Duty]) -> list[tuple]:
        """(period, regime change) for each benefit period that ran across a regime change (started
        before it, running on it: its first day before, its window's end on or after it) and has no
        duty due on or after it: neither the old rules (no duty under them falls due after they
        ended) nor the new ones (their deadlines, counted from the period's start, passed before they
        came into force) ask anything of it. Issue 15.5, docs/readings.md. ``spans``: (period, first,
        end) slices of ``duties``, as ``_evaluate`` records them."""
        out = []
        for change in self.ruleset.regime_changes:
            for period, first, end in spans:
                if period.first_day < change <= period.window_end and \
                        not any(d.due >= change for d in duties[first:end]):
                    out.append((period, change))
        return out

    def _evaluate(self, case: Case, periods: list, tracer: Why, only: Optional[frozenset[str]],
                  spans: Optional[list] = None) -> list[Duty]:
        """The one loop over a case's periods and the rules that apply to each, whatever the tracer
        (``QUIET`` for the audit, an explaining one for ``check``): it runs for every period of a
        caseload. Per plan, the evaluators that run on every period, then the offer limits, which
        give nothing on a period without one of the offers they limit."""
        duties: list[Duty] = []
        router, key, plans = self.router, self.quantiser.key, self._plans
        for period in periods:
            first = len(duties)
            plan = plans.get(key(case, period))  # _plan, inline
            if plan is None:
                plan = self._plan(case, period)
            if only is not None:
                plan = plan.narrowed(only)
            for evaluate in plan.always:
                duties += evaluate(case, period, tracer, router)
            if plan.gated and not plan.gate.isdisjoint(period.offer_kinds):
                offers = period.offer_kinds
                for needs, evaluate in plan.gated:
                    if not needs.isdisjoint(offers):
                        duties += evaluate(case, period, tracer, router)
            if spans is not None:
                spans.append((period, first, len(duties)))
        return duties

    def check(self, case: Case, as_of: date, lang: str = "da", explain_why: bool = True, trace: bool = False,
              with_routing: bool = True, only: Optional[frozenset[str]] = None) -> CheckResult:
        """``explain_why=False`` leaves out the ``why`` texts (and the routing's decisions, its why,
        and the notes); nothing else changes.
        ``trace=True`` gives every action its ``trace``: the steps that decided it, JSON-ready, from
        the same tracer calls as the why-texts (docs/case-format-extensions.md).
        ``with_routing=False`` leaves out the routing section (callers that only count duties).
        ``only`` limits the evaluation to these rule ids (the what-if evaluates only changed rules)."""
        periods = periods_as_of(case, as_of)
        tracer = explaining(lang, self.ruleset.label) if explain_why or trace else QUIET
        spans: list = []
        duties = self._evaluate(case, periods, tracer, only, spans)
        # notes go with the explanations: a check without them (the what-if's comparisons) has none
        notes = self.notes(as_of, self.uncovered(spans, duties) if only is None else [], lang,
                           self.excluded_offers(case, periods) if only is None else ()) \
            if explain_why or trace else []
        duties.sort(key=Duty.sort_key)
        routing = None
        if with_routing and self.ruleset.routing:
            chosen = routing_period(periods)
            routing = self.router.route(case, chosen, lang, explain_why) if chosen is not None else None
        return CheckResult.build(case_id=case.case_id, as_of=as_of, rules_version=self.ruleset.label,
                                 actions=[d.to_action(lang, explain_why, trace, self.ruleset.document) for d in duties],
                                 routing=routing,
                                 notes=notes)

    def excluded_offers(self, case: Case, periods: list) -> list[tuple]:
        """(exclusion, offer, period) for each offer that started while its period's category in
        force is one the law does not let it be given (rule files' ``offer_exclusions``, issue 15.8)."""
        exclusions = self.ruleset.offer_exclusions
        out: list[tuple] = []
        if not exclusions:
            return out
        for period in periods:
            offers = period.by_type.get("offer")
            if not offers:
                continue
            for offer in offers:
                for x in exclusions:
                    if offer.offer in x.offers and period.benefit.type in x.benefits and x.valid.covers(offer.date):
                        category = current_category(case, period, offer.date)
                        if category is not None and category == x.category:
                            out.append((x, offer, period))
        return out

    def notes(self, as_of: date, uncovered: list, lang: str, excluded: tuple = ()) -> list[Note]:
        """check's notes: an as-of date past the law the rule set knows (issue 15.11), and each
        period the regime change left without a duty (issue 15.5)."""
        out = []
        known = self.ruleset.known_through
        if known is not None and as_of > known:
            out.append(Note.build(code="beyond_known_law", date=known,
                                  text=texts.text("beyond_known_law", lang, known=known, as_of=as_of),
                                  benefit=None, period_start=None))
        for period, change in uncovered:
            out.append(Note.build(code="uncovered_by_regime_change", date=change,
                                  text=texts.text("uncovered_by_regime_change", lang, change=change,
                                                  benefit=texts.name(texts.BENEFIT_NAMES, period.kind, lang),
                                                  start=period.start),
                                  benefit=period.kind, period_start=period.start))
        for x, offer, period in excluded:
            out.append(Note.build(code="offer_not_available", date=offer.date,
                                  text=texts.text("offer_not_available", lang, offer=offer.offer, start=offer.date,
                                                  category=x.category.value, cite=x.source.cite()),
                                  benefit=period.kind, period_start=period.start))
        return out


class Plan(NamedTuple):
    """What applies to one profile: its rules in rule-set order; the evaluators that run on every
    period (``always``), and the offer limits (``gated``, each with the offer kinds it limits),
    which give nothing on a period without one of those offers (``gate``: all of them): most
    periods skip them all with one test. ``narrow``: the plan limited to some rule ids, per set of
    ids (the what-if asks for the same few rules case after case)."""

    rules: tuple
    always: tuple
    gated: tuple
    gate: frozenset
    evaluators: dict
    needs: dict
    narrow: dict

    @classmethod
    def of(cls, rules: list, evaluators: dict, needs: dict) -> "Plan":
        """Evaluators and the offer kinds each rule needs (None: it gives duties regardless), by rule key."""
        gated = tuple((needs[r.key], evaluators[r.key]) for r in rules if needs[r.key] is not None)
        return cls(tuple(rules), tuple(evaluators[r.key] for r in rules if needs[r.key] is None), gated,
                   frozenset().union(*(n for n, _ in gated)), evaluators, needs, {})

    def narrowed(self, only: frozenset) -> "Plan":
        plan = self.narrow.get(only)
        if plan is None:
            plan = self.narrow[only] = Plan.of([r for r in self.rules if r.id in only], self.evaluators, self.needs)
        return plan


_default: Optional[Engine] = None


def default_engine() -> Engine:
    global _default
    if _default is None:
        _default = Engine.from_directory()
    return _default
