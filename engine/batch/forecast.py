"""The workload forecast (``sagsrute forecast``): how many conversations and offers fall due per
week in the coming weeks, per team or caseworker, with the overdue backlog as week 0.

It runs the engine, not a copy of the rules: each case is cut to what is known on the as-of date D
(``known_on``: nothing after D exists, an end after D is not known yet) and evaluated once as of the
horizon H = D + N weeks. With no event after D, every duty the rules give up to H is there: the
open ones, and the recurring ones not yet created on D — the next cadence window, the next
milestone, the next gap between offers. A duty still to be done (open or overdue on H, its benefit
period running) falls in

- week 0 (the backlog) when it was due before D (overdue on D),
- week k (1 … N) when it falls due in [D + 7(k − 1), D + 7k).

What a duty asks for is read off its rule: the events it counts are conversations ("conversation"),
offers ("offer") or something else (an education order, a plan, a literacy test: "other"); the
offer limits ask for an offer to *end*, and count as "other".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Optional

from engine.batch.runner import _chunks
from engine.batch.totals import CHUNK, MAX_BAD_MESSAGES, NONE
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
from engine.core.duty import OPEN, OVERDUE, Duty
from engine.core.profile import periods_as_of
from engine.io.loading import InputError, Loaded
from engine.io.sources import decode
from engine.rulebook.ruleset import RuleSet
from models.case import Case

KINDS = ("conversation", "offer", "other")
GROUPINGS = ("team", "caseworker")


def known_on(case: Case, day: date) -> Optional[Case]:
    """The case as it was known on ``day``: events, assessments, benefits and exemptions from after
    it left out, and an end after it not known yet (a running benefit, offer or exemption). None
    where no benefit had begun by then."""
    def ended(item, end_field: str = "end"):
        end = getattr(item, end_field)
        return item if end is None or end <= day else item.model_copy(update={end_field: None})

    benefits = [ended(b) for b in case.benefits if b.first_day <= day]
    if not benefits:
        return None
    return case.model_copy(update={
        "benefits": benefits,
        "events": [ended(e) if e.type == "offer" else e for e in case.events if e.date <= day],
        "assessments": [a for a in case.assessments if a.date <= day],
        "exemptions": [ended(x) for x in case.exemptions if x.start <= day],
    })


def kind_of(duty: Duty) -> str:
    """What a duty asks the caseworker to book: a conversation, an offer, or something else."""
    rule = duty.definition
    if rule.kind == "offer_limit":
        return "other"
    types = {match.type for match in rule.counts}
    return "conversation" if types == {"conversation"} else "offer" if types == {"offer"} else "other"


def week_of(due: date, as_of: date, weeks: int) -> Optional[int]:
    """0 for a due date before the as-of date, k for [D + 7(k − 1), D + 7k), None past the horizon."""
    if due < as_of:
        return 0
    week = (due - as_of).days // 7 + 1
    return week if week <= weeks else None


@dataclass
class ForecastTotals:
    """Counts of duties to do per (group, week, kind), and per (week, rule); mergeable, plain data."""

    as_of: date
    weeks: int
    group_by: str = "team"
    cases: int = 0
    bad: int = 0
    bad_first: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (group, week, kind) -> duties
    by_rule: Counter = field(default_factory=Counter)  # (week, rule) -> duties

    def merge(self, other: "ForecastTotals") -> None:
        self.cases += other.cases
        self.bad += other.bad
        self.bad_first = sorted(self.bad_first + other.bad_first)[:MAX_BAD_MESSAGES]
        self.counts.update(other.counts)
        self.by_rule.update(other.by_rule)

    def week_start(self, week: int) -> date:
        return self.as_of + timedelta(days=7 * (week - 1)) if week else self.as_of

    def groups(self) -> list[str]:
        return sorted({g for g, _, _ in self.counts})

    def cell(self, week: int, kind: Optional[str] = None, group: Optional[str] = None) -> int:
        return sum(n for (g, w, k), n in self.counts.items()
                   if w == week and (kind is None or k == kind) and (group is None or g == group))

    def rows(self) -> list[dict]:
        """One row per group (None: all) and week, the kinds side by side; week 0 first."""
        out = []
        for group in [None, *self.groups()]:
            for week in range(self.weeks + 1):
                row = {"group": group, "week": week, "week_start": self.week_start(week) if week else None,
                       "week_end": self.week_start(week) + timedelta(days=6) if week else None}
                for kind in KINDS:
                    row[kind] = self.cell(week, kind, group)
                row["total"] = sum(row[k] for k in KINDS)
                out.append(row)
        return out


def horizon(as_of: date, weeks: int) -> date:
    """The last day of the last week: every duty due in the forecast is due by then."""
    return as_of + timedelta(days=7 * weeks - 1)


class Forecaster:
    """Folds cases one at a time into a ``ForecastTotals`` (the engine's duties of each case as
    known on the as-of date, evaluated at the horizon)."""

    def __init__(self, engine: Engine, as_of: date, weeks: int = 12, group_by: str = "team"):
        if group_by not in GROUPINGS:
            raise ValueError(f"unknown grouping {group_by!r}; expected team or caseworker")
        self.engine = engine
        self.as_of = as_of
        self.weeks = weeks
        self.end = horizon(as_of, weeks)
        self.totals = ForecastTotals(as_of, weeks, group_by)

    def duties(self, case: Case) -> list[tuple[int, str, Duty]]:
        """(week, kind, duty) of every duty of the case still to do in the forecast's weeks."""
        known = known_on(case, self.as_of)
        if known is None:
            return []
        out = []
        for duty in self.engine.quiet_duties(known, periods_as_of(known, self.end)):
            if duty.status is not OPEN and duty.status is not OVERDUE:
                continue
            if duty.period_end is not None and duty.period_end < self.as_of:
                continue  # missed: its period ended before the as-of date, nothing to book
            week = week_of(duty.due, self.as_of, self.weeks)
            if week is not None:
                out.append((week, kind_of(duty), duty))
        return out

    def add(self, loaded: Loaded, position: int = 0) -> None:
        totals = self.totals
        if isinstance(loaded, InputError):
            totals.bad += 1
            totals.bad_first = sorted(totals.bad_first + [(position, str(loaded))])[:MAX_BAD_MESSAGES]
            return
        case = loaded.case
        try:
            found = self.duties(case)
        except DurableRulesFault:
            raise
        except Exception as exc:  # noqa: BLE001 — one case the engine cannot evaluate never stops the run
            self.add(InputError(loaded.source, (f"(case): cannot be evaluated: {type(exc).__name__}: {exc}",),
                                case.case_id), position)
            return
        totals.cases += 1
        group = getattr(case.citizen, totals.group_by) or NONE
        for week, kind, duty in found:
            totals.counts[(group, week, kind)] += 1
            totals.by_rule[(week, duty.rule)] += 1


def run_forecast(ruleset: RuleSet, items: Iterable[tuple], as_of: date, weeks: int = 12, group_by: str = "team",
                 engine: Optional[Engine] = None, on_progress: Optional[Callable[[int], None]] = None) -> ForecastTotals:
    """The forecast over the items of a source (engine/io/sources.py), in this process."""
    forecaster = Forecaster(engine or Engine(ruleset), as_of, weeks, group_by)
    position = 0
    for chunk in _chunks(items, CHUNK):
        for item in chunk:
            for loaded in decode(item):
                forecaster.add(loaded, position)
                position += 1
        if on_progress:
            on_progress(len(chunk))
    return forecaster.totals
