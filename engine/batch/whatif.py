"""What-if: evaluate the same cases under a baseline and a candidate rule set and report the difference.

Pairing. A duty is identified by its rule id, the benefit period it belongs to (benefit type and
anchor date) and its position among that rule's actions for that period (the milestones, ordered by
the number required). A baseline duty and a candidate duty with the same identity are *paired*; a
candidate duty without a partner is *added*, a baseline duty without one is *removed*. Where a change
moves the anchor itself (e.g. ``anchor: {from: contact}``), the leftovers are paired a second time by
rule, benefit and position alone, so the duty shows as moved instead of removed and added.

A paired duty *changed* when its due date moved (reported in days, candidate minus baseline), its
status changed (met → overdue …), the number required changed (4/4 → 4/6), the number of events
that count changed (3/4 → 1/4) or its anchor moved.

Routing. Where the two rule sets' routing tables differ (a candidate folder with another
routing.yaml, or an override with ``routing:`` changes), the routing of each case is compared too,
aspect by aspect (benefit route, rate, track, categories, labour-market distance, a-kasse trial).

Conversation demand. For every rule that counts conversations, each non-exempt duty demands the
conversations its milestone adds (a rule with milestones 1 by month 3 and 2 by month 6 demands one
conversation due in each of those months). The demand is attributed to the month of the due date.
The report gives, per month, the candidate's demand minus the baseline's, summed over all cases, and
the average over the months from the first to the last month where the two differ (months in between
without a difference count as 0). A joint conversation can satisfy two rules (the contact course and
the joint-conversation duty); the demand counts the duties' requirements, not distinct meetings.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Optional

from engine.core.check import Engine
from engine.rulebook.ruleset import RuleSet
from models.actions import Action, CheckResult, Routing, Status
from engine.io.loading import InputError, Loaded

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
NONE = "—"  # the status of a duty that does not exist on one side


def _json(value: str) -> Optional[str]:
    """A status or routing value for the JSON: null where the duty or the value does not exist."""
    return None if value == NONE else value


@dataclass(frozen=True)
class DutyChange:
    """One duty that differs between the baseline and the candidate."""

    case_id: str
    rule: str
    title: str
    benefit: Optional[str]
    anchor: date
    baseline: Optional[Action]
    candidate: Optional[Action]

    @property
    def kind(self) -> str:
        if self.baseline is None:
            return ADDED
        return REMOVED if self.candidate is None else CHANGED

    @property
    def days_moved(self) -> Optional[int]:
        if self.baseline is None or self.candidate is None or self.baseline.due == self.candidate.due:
            return None
        return (self.candidate.due - self.baseline.due).days

    @property
    def status_from(self) -> str:
        return self.baseline.status.value if self.baseline else NONE

    @property
    def status_to(self) -> str:
        return self.candidate.status.value if self.candidate else NONE

    @property
    def counted_changed(self) -> bool:
        """The number of counting events differs (e.g. 3/4 → 1/4 when fewer conversations count)."""
        return (self.baseline is not None and self.candidate is not None
                and self.baseline.progress.done != self.candidate.progress.done)

    @property
    def required_changed(self) -> bool:
        return (self.baseline is not None and self.candidate is not None
                and self.baseline.progress.required != self.candidate.progress.required)

    @property
    def why(self) -> list[str]:
        """The reason: the candidate's explanation, or for a removed duty the baseline's."""
        return (self.candidate or self.baseline).why

    def to_json(self) -> dict:
        def side(a: Optional[Action]) -> Optional[dict]:
            if a is None:
                return None
            return {"status": a.status.value, "due": str(a.due), "progress": f"{a.progress.done}/{a.progress.required}",
                    "done_on": str(a.done_on) if a.done_on else None}
        return {"rule": self.rule, "title": self.title, "benefit": self.benefit, "anchor": str(self.anchor),
                "change": self.kind, "days_moved": self.days_moved, "baseline": side(self.baseline),
                "candidate": side(self.candidate), "why": self.why}


def _identity(a: Action) -> tuple:
    return (a.rule, a.benefit, a.anchor)


def _milestone_order(a: Action) -> tuple:
    return (a.progress.required, a.due)


def _pair_by(base: list[Action], cand: list[Action], key) -> tuple[list[tuple[Action, Action]], list[Action], list[Action]]:
    groups_b: dict = defaultdict(list)
    groups_c: dict = defaultdict(list)
    for a in base:
        groups_b[key(a)].append(a)
    for a in cand:
        groups_c[key(a)].append(a)
    pairs, left_b, left_c = [], [], []
    for k in list(groups_b) + [k for k in groups_c if k not in groups_b]:
        b = sorted(groups_b.get(k, []), key=_milestone_order)
        c = sorted(groups_c.get(k, []), key=_milestone_order)
        pairs += list(zip(b, c))
        left_b += b[len(c):]
        left_c += c[len(b):]
    return pairs, left_b, left_c


def pair_actions(base: list[Action], cand: list[Action]) -> tuple[list[tuple[Action, Action]], list[Action], list[Action]]:
    """(paired, removed, added): by rule, benefit, anchor and position; then by rule and benefit."""
    pairs, left_b, left_c = _pair_by(base, cand, _identity)
    more, left_b, left_c = _pair_by(sorted(left_b, key=lambda a: a.anchor), sorted(left_c, key=lambda a: a.anchor),
                                    lambda a: (a.rule, a.benefit))
    return pairs + more, left_b, left_c


def _differs(b: Action, c: Action) -> bool:
    return (b.due != c.due or b.status != c.status or b.progress.required != c.progress.required
            or b.progress.done != c.progress.done or b.anchor != c.anchor)


def _signature(result: CheckResult) -> list[tuple]:
    return [(a.rule, a.benefit, a.anchor, a.due, a.status, a.progress.required, a.progress.done) for a in result.actions]


def diff_results(base: CheckResult, cand: CheckResult) -> list[DutyChange]:
    if _signature(base) == _signature(cand):  # most cases: nothing to pair (actions come in a fixed order)
        return []
    pairs, removed, added = pair_actions(base.actions, cand.actions)
    out = [DutyChange(base.case_id, c.rule, c.title, c.benefit, c.anchor, b, c) for b, c in pairs if _differs(b, c)]
    out += [DutyChange(base.case_id, b.rule, b.title, b.benefit, b.anchor, b, None) for b in removed]
    out += [DutyChange(base.case_id, c.rule, c.title, c.benefit, c.anchor, None, c) for c in added]
    out.sort(key=lambda d: (d.anchor, d.rule, (d.candidate or d.baseline).due))
    return out


# The routing aspects compared where the two rule sets' routing tables differ.
ROUTING_FIELDS = ("benefit_route", "rate", "track", "categories", "category_valid", "labour_market_distance",
                  "akasse_trial")


@dataclass(frozen=True)
class RoutingChange:
    """One routing aspect that differs: e.g. akasse_trial jobcenter → akasse."""

    case_id: str
    aspect: str
    before: str
    after: str
    why: list[str]

    def to_json(self) -> dict:
        return {"aspect": self.aspect, "baseline": _json(self.before), "candidate": _json(self.after), "why": self.why}


def _routing_value(routing: Optional[Routing], aspect: str) -> str:
    value = getattr(routing, aspect, None) if routing is not None else None
    if isinstance(value, list):
        return ", ".join(value) if value else NONE
    return NONE if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def diff_routing(base: CheckResult, cand: CheckResult) -> list[RoutingChange]:
    out = []
    for aspect in ROUTING_FIELDS:
        before, after = _routing_value(base.routing, aspect), _routing_value(cand.routing, aspect)
        if before != after:
            why = [d.why for d in (cand.routing.decisions if cand.routing else []) if d.aspect == aspect]
            out.append(RoutingChange(base.case_id, aspect, before, after, why))
    return out


def conversation_rules(ruleset: RuleSet) -> set[str]:
    return {r.id for r in ruleset.rules if any(m.type == "conversation" for m in r.counts)}


def conversation_demand(result: CheckResult, rules: set[str]) -> Counter:
    """Conversations demanded per due month (``YYYY-MM``) by the non-exempt duties of counting rules."""
    demand: Counter = Counter()
    groups: dict = defaultdict(list)
    for a in result.actions:
        if a.rule in rules:
            groups[_identity(a)].append(a)
    for actions in groups.values():
        before = 0
        for a in sorted(actions, key=_milestone_order):
            if a.status is not Status.exempt:
                demand[a.due.strftime("%Y-%m")] += a.progress.required - before
            before = a.progress.required
    return demand


@dataclass
class RuleSummary:
    rule: str
    title: str
    added: int = 0
    removed: int = 0
    moved: list[int] = field(default_factory=list)
    required_changed: int = 0
    counted_changed: int = 0
    transitions: Counter = field(default_factory=Counter)  # (from, to) -> duties
    cases: set = field(default_factory=set)

    def add(self, change: DutyChange) -> None:
        self.cases.add(change.case_id)
        if change.kind == ADDED:
            self.added += 1
        elif change.kind == REMOVED:
            self.removed += 1
        else:
            if change.days_moved is not None:
                self.moved.append(change.days_moved)
            if change.required_changed:
                self.required_changed += 1
            if change.counted_changed:
                self.counted_changed += 1
        if change.status_from != change.status_to:
            self.transitions[(change.status_from, change.status_to)] += 1

    def moved_stats(self) -> Optional[dict]:
        if not self.moved:
            return None
        median = statistics.median(self.moved)  # a half day where the count is even and the middle two differ
        return {"count": len(self.moved), "min": min(self.moved), "median": int(median) if median == int(median) else median,
                "max": max(self.moved)}

    def to_json(self) -> dict:
        return {"rule": self.rule, "title": self.title, "cases": len(self.cases), "added": self.added,
                "removed": self.removed, "moved": self.moved_stats(), "required_changed": self.required_changed,
                "counted_changed": self.counted_changed,
                "status_changes": [{"from": _json(f), "to": _json(t), "count": n}
                                   for (f, t), n in sorted(self.transitions.items())]}


@dataclass
class CaseDiff:
    case_id: str
    source: str
    changes: list[DutyChange]
    routing: list[RoutingChange] = field(default_factory=list)


@dataclass
class WhatIfReport:
    baseline: str
    candidate: str
    as_of: date
    cases: int = 0
    changed: list[CaseDiff] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rules: dict[str, RuleSummary] = field(default_factory=dict)
    overdue_baseline: int = 0
    overdue_candidate: int = 0
    demand_baseline: Counter = field(default_factory=Counter)
    demand_candidate: Counter = field(default_factory=Counter)
    routing: Counter = field(default_factory=Counter)  # (aspect, before, after) -> cases
    # Memory: the totals above do not grow with the caseload; the changed cases' details do, so a
    # caller that streams them (``on_case``) or shows only a few keeps at most ``keep`` of them.
    keep: Optional[int] = None  # None: keep every changed case
    on_case: Optional[Callable[[CaseDiff], None]] = None
    changed_cases: int = 0
    changed_duties: int = 0
    routing_cases: int = 0

    def add(self, source: str, base: CheckResult, cand: CheckResult, conv_base: set[str], conv_cand: set[str],
            changes: Optional[list[DutyChange]] = None) -> CaseDiff:
        """Count one case; ``changes`` is diff_results(base, cand) where the caller has it already."""
        self.cases += 1
        self.overdue_baseline += any(a.status is Status.overdue for a in base.actions)
        self.overdue_candidate += any(a.status is Status.overdue for a in cand.actions)
        if changes is None:
            changes = diff_results(base, cand)
        demand = conversation_demand(base, conv_base)
        self.demand_baseline.update(demand)
        # the same duties under the same counting rules demand the same conversations
        self.demand_candidate.update(demand if not changes and conv_base == conv_cand else conversation_demand(cand, conv_cand))
        routing = diff_routing(base, cand)
        diff = CaseDiff(base.case_id, source, changes, routing)
        if changes or routing:
            self.changed_cases += 1
            self.changed_duties += len(changes)
            self.routing_cases += bool(routing)
            if self.keep is None or len(self.changed) < self.keep:
                self.changed.append(diff)
            if self.on_case is not None:
                self.on_case(diff)
            for change in changes:
                summary = self.rules.setdefault(change.rule, RuleSummary(change.rule, change.title))
                summary.add(change)
            for r in routing:
                self.routing[(r.aspect, r.before, r.after)] += 1
        return diff

    def conversation_difference(self) -> dict[str, int]:
        """Candidate minus baseline demand, every month from the first to the last month that differs."""
        months = sorted(m for m in set(self.demand_baseline) | set(self.demand_candidate)
                        if self.demand_candidate[m] != self.demand_baseline[m])
        if not months:
            return {}
        out = {}
        year, month = map(int, months[0].split("-"))
        while f"{year:04d}-{month:02d}" <= months[-1]:
            key = f"{year:04d}-{month:02d}"
            out[key] = self.demand_candidate[key] - self.demand_baseline[key]
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def totals(self) -> dict:
        per_month = self.conversation_difference()
        total = sum(per_month.values())
        return {
            "cases": self.cases,
            "bad_cases": len(self.errors),
            "changed_cases": self.changed_cases,
            "changes": self.changed_duties,
            "routing_changed_cases": self.routing_cases,
            "overdue_cases": {"baseline": self.overdue_baseline, "candidate": self.overdue_candidate,
                              "difference": self.overdue_candidate - self.overdue_baseline},
            "conversations": {
                "baseline": sum(self.demand_baseline.values()),
                "candidate": sum(self.demand_candidate.values()),
                "difference": total,
                "months": len(per_month),
                "average_per_month": round(total / len(per_month), 2) if per_month else 0,
                "per_month": per_month,
            },
        }

    def rule_summaries(self) -> list[RuleSummary]:
        return sorted(self.rules.values(), key=lambda s: (-len(s.cases), s.rule))

    def to_json(self) -> dict:
        return {
            "baseline": self.baseline,
            "candidate": self.candidate,
            "as_of": str(self.as_of),
            "totals": self.totals(),
            "rules": [s.to_json() for s in self.rule_summaries()],
            "routing": [{"aspect": a, "from": _json(f), "to": _json(t), "cases": n}
                        for (a, f, t), n in sorted(self.routing.items())],
            "cases": [{"case_id": c.case_id, "source": c.source, "changes": [d.to_json() for d in c.changes],
                       "routing": [r.to_json() for r in c.routing]}
                      for c in self.changed],
            "errors": self.errors,
        }


class WhatIf:
    """Two engines, built once and reused for every case."""

    def __init__(self, baseline: RuleSet, candidate: RuleSet):
        self.baseline = Engine(baseline)
        self.candidate = Engine(candidate)
        self._conv_base = conversation_rules(baseline)
        self._conv_cand = conversation_rules(candidate)
        # Routing is compared only where the routing tables differ (it costs as much as the duties).
        self._routing = baseline.routing != candidate.routing
        self._changed = changed_rule_ids(baseline, candidate)

    def run(self, cases: Iterable[Loaded], as_of: date, lang: str = "da", keep: Optional[int] = None,
            on_case: Optional[Callable[[CaseDiff], None]] = None) -> WhatIfReport:
        """Stream the cases through both engines. ``keep`` bounds the changed cases kept in the
        report (None: all); ``on_case`` receives every changed case as it is found."""
        report = WhatIfReport(self.baseline.ruleset.label, self.candidate.ruleset.label, as_of,
                              keep=keep, on_case=on_case)
        for loaded in cases:
            self.add(report, loaded, as_of, lang)
        return report

    def add(self, report: WhatIfReport, loaded: Loaded, as_of: date, lang: str = "da") -> Optional[CaseDiff]:
        """Evaluate one case under both rule sets; a bad case is recorded in ``report.errors``."""
        if isinstance(loaded, InputError):
            report.errors.append(str(loaded))
            return None
        case = loaded.case
        try:
            # Most cases do not change: compare without the why texts (the audit's fast path) and
            # explain only the cases that differ.
            routing = self._routing
            base = self.baseline.check(case, as_of, lang, explain_why=False, with_routing=routing)
            cand = self._candidate_quietly(case, as_of, lang, base)
            changes = diff_results(base, cand)
            explained = False
            # The reason shown is the candidate's; the baseline's only for a removed duty. The quiet
            # routing has the values but not the decisions that give a changed value its why.
            if any(c.candidate is not None for c in changes) or (routing and diff_routing(base, cand)):
                cand = self.candidate.check(case, as_of, lang, with_routing=routing)
                explained = True
            if any(c.candidate is None for c in changes):
                base = self.baseline.check(case, as_of, lang, with_routing=routing)
                explained = True
        except (ValueError, OverflowError) as exc:  # e.g. a due date beyond the calendar
            report.errors.append(f"{loaded.source}: case {case.case_id} cannot be evaluated ({exc})")
            return None
        # explained results carry the reasons: their changes are paired again to show them
        return report.add(loaded.source, base, cand, self._conv_base, self._conv_cand,
                          None if explained else changes)

    def _candidate_quietly(self, case, as_of: date, lang: str, base: CheckResult) -> CheckResult:
        """The candidate's result without why texts. A rule the change leaves untouched gives the
        same duties under both rule sets, so only the changed rules are evaluated again and the
        baseline's other duties are taken over (the what-if costs little more than one audit)."""
        changed = self._changed
        if changed is None:
            return self.candidate.check(case, as_of, lang, explain_why=False, with_routing=self._routing)
        own = self.candidate.check(case, as_of, lang, explain_why=False, with_routing=self._routing, only=changed)
        actions = [a for a in base.actions if a.rule not in changed] + own.actions
        actions.sort(key=Action.sort_key)
        return own.model_copy(update={"actions": actions})


def changed_rule_ids(baseline: RuleSet, candidate: RuleSet) -> Optional[frozenset[str]]:
    """The rule ids whose variants differ between two rule sets (added, removed or changed), or None
    when every rule must be evaluated again: a change to the routing tables can change what an
    unchanged rule gives (offer limits depend on the labour-market distance)."""
    if baseline.routing != candidate.routing:
        return None
    def variants(ruleset: RuleSet) -> dict[str, list]:
        out: dict[str, list] = {}
        for rule in ruleset.rules:
            out.setdefault(rule.id, []).append(rule.model_dump(mode="json", by_alias=True))
        return out
    base, cand = variants(baseline), variants(candidate)
    return frozenset(i for i in base.keys() | cand.keys() if base.get(i) != cand.get(i))
