"""The audit's fold: one case's duties, checked as of the audit's date, counted into the totals
(engine/batch/totals.py), with the STAR and passivity measures of its current benefit period."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, timedelta
from operator import attrgetter
from typing import Optional

from engine.batch.totals import (_DECIDED, ACTIVE_EFFORT_MONTHS, ACTIVE_EFFORT_WINDOWS, CONTACT_COURSE,
                                 FIRST_OFFER_SPELLS, FIRST_OFFER_WITHIN, NONE, PASSIVITY_MONTHS, RET_OG_PLIGT,
                                 STAR_MONTHS, TOP_OVERDUE, AuditTotals, OverdueDuty)
from engine.core.check import Engine
from engine.core.dates import add_months, last_start_reaching
from engine.core.durable_backend import DurableRulesFault
from engine.core.duty import EXEMPT, MET, MET_LATE, OVERDUE, Duty, days_overdue
from engine.core.profile import Period, periods_as_of
from engine.io.loading import InputError, Loaded
from models.case import Case


def current_period(periods: list[Period]) -> Optional[Period]:
    """The benefit period running on the as-of date (started, not ended before it), if any, among
    a case's ``periods_as_of``: every period there has started; only the last can still run, and
    only an earlier one whose successor's first contact came before its own end."""
    for period in reversed(periods):
        end = period.end
        if end is None or end >= period.as_of:
            return period
    return None


def category_on(case: Case, as_of: date) -> str:
    """The visitation category in force: the latest assessment on or before the as-of date (two on
    one day: the same fixed order as engine/core/routing.py, so the input's order never matters)."""
    if not case.assessments:
        return NONE
    # ``_value_``: the member's plain attribute (``.value`` is a descriptor; this runs per case)
    inside = [(a.date, a.category._value_) for a in case.assessments if a.date <= as_of]
    return max(inside)[1] if inside else NONE


# A duty's cell key: (rule, benefit, status text), read in C. The status as text: an Enum member
# hashes in Python; ``_value_`` is its plain value attribute (``.value`` is a descriptor).
_DUTY_KEY = attrgetter("rule", "benefit", "status._value_")

_DAY_COUNTS: dict[int, int] = {}  # one int object per distinct day count (a few thousand at most)


def days_late(duty: Duty, as_of: date) -> Optional[int]:
    """Days after the due date: to the day it was done, or — never done — its days overdue
    (engine.core.duty.days_overdue, the definition the CSVs and the why-texts use)."""
    if duty.status is MET_LATE:
        days = (duty.done_on - duty.due).days
    elif duty.status is OVERDUE:
        days = days_overdue(duty, as_of)
    else:
        return None
    # Shared, so the many per-group Counters keyed by it hold references, not copies: keeps
    # memory flat as a caseload grows (each distinct value would otherwise be a new object per group).
    return _DAY_COUNTS.setdefault(days, days)


def _last_active_day(offers, as_of: date) -> Optional[date]:
    """The last day an active offer (any ``offer`` but mentor, started by the as-of date) runs, as
    known on the as-of date; an offer with no end recorded is still running, as the offer-limit and
    gap rules read it. A citizen was active in a window (as-of − N months, as-of] if this day falls
    after the window's start. ``offers``: the case's offer events (others are passed over)."""
    last = None
    for event in offers:
        if event.type == "offer" and event.offer != "mentor" and event.date <= as_of:
            runs_to = event.end or as_of
            if last is None or runs_to > last:
                last = runs_to
    return last


class Auditor:
    """Checks cases one at a time with one Engine and folds them into ``totals``."""

    def __init__(self, engine: Engine, as_of: date, lang: str = "da", keep_rows: bool = False,
                 keep_overdue: bool = False, top_limit: int = TOP_OVERDUE):
        self.engine = engine
        self.as_of = as_of
        self.lang = lang
        self.keep_rows = keep_rows  # per-action rows for the database
        self.keep_overdue = keep_overdue  # every overdue duty (for the overdue CSV)
        self.totals = AuditTotals(top_limit=top_limit)
        self.rows: list[dict] = []
        self.overdue_rows: list[dict] = []
        # Cases whose overdue duties sit in the top list without their reason yet: the reasons (a
        # full check with texts) are built at ``finish`` for the duties still on the list, not for
        # every duty that passes through it. Pruned to the list's cases as it grows.
        self._unexplained: dict[str, Case] = {}
        # (category, team, caseworker) -> ({(rule, benefit, status): duties}, Counter of (rule,
        # benefit, days late) -> duties, Counter of (rule, benefit) -> missed duties (overdue, the
        # period ended)): a case's duties are counted under one key each, and
        # ``_flush_cells`` adds each count to its five tallies once, at the end. Bounded by the
        # groups, the rules and the distinct day counts. (Counter.update over a map measured slower
        # than the loop: its isinstance test against Mapping runs in Python.)
        self._cells: dict[tuple, tuple] = {}
        # STAR and passivmåling count citizens N months on their benefit: start + N months on or
        # before the as-of date (the contract's month arithmetic), read as "start on or before"
        # a day worked out once. Passivmåling's windows run (as-of − N months, as-of].
        self._star_from = last_start_reaching(STAR_MONTHS, as_of)
        self._windows = [(m, add_months(as_of, -m), last_start_reaching(m, as_of)) for m in PASSIVITY_MONTHS]
        self._year_from = last_start_reaching(ACTIVE_EFFORT_MONTHS, as_of)
        self._effort_windows = [(label, add_months(as_of, -months) - timedelta(days=days))
                                for label, months, days in ACTIVE_EFFORT_WINDOWS]
        self._spells_after = add_months(as_of, -FIRST_OFFER_SPELLS)  # new spells: begun after this day
        # per interval: the last start followed that long by the as-of date (start + X <= as-of)
        self._followed_from = [(label, months, days, last_start_reaching(months, as_of - timedelta(days=days)))
                               for label, months, days in FIRST_OFFER_WITHIN]
        self._sessions_reported = engine.selector.sessions_opened

    def take_rows(self) -> tuple[list[dict], list[dict]]:
        """Hand over the result rows and overdue rows gathered since the last call."""
        out = (self.rows, self.overdue_rows)
        self.rows, self.overdue_rows = [], []
        return out

    def finish(self) -> AuditTotals:
        """The totals of everything this auditor saw, with its engine's durable_rules session figures
        and the reasons of the overdue duties on the top list."""
        self._flush_cells()
        self._explain_top()
        selector = self.engine.selector
        self.totals.max_live_sessions = selector.max_live_sessions
        self.totals.sessions_opened = selector.sessions_opened - self._sessions_reported
        self._sessions_reported = selector.sessions_opened
        return self.totals

    def add(self, loaded: Loaded, position: int = 0) -> None:
        if isinstance(loaded, InputError):
            self.totals.add_bad(loaded, position)
            return
        case = loaded.case
        try:
            periods = periods_as_of(case, self.as_of)
            spans: list = []
            duties = self.engine.quiet_duties(case, periods, self.lang, spans)
            uncovered = self.uncovered_count(spans, duties)
        except DurableRulesFault:
            raise  # the engine is broken, not the case: no figure can be trusted
        except Exception as exc:  # noqa: BLE001 — one case the engine cannot evaluate never stops the run
            problem = f"(case): cannot be evaluated: {type(exc).__name__}: {exc}"
            self.totals.add_bad(InputError(loaded.source, (problem,), case.case_id), position)
            return
        self.count_notes(case, periods, uncovered)
        self.fold(case, duties, periods)

    def uncovered_count(self, spans: list, duties: list[Duty]) -> int:
        """Periods the regime change left without a duty (``spans`` from ``quiet_duties``)."""
        return len(self.engine.uncovered(spans, duties)) if spans else 0

    def count_notes(self, case: Case, periods: list[Period], uncovered: int) -> None:
        """The case's figures beside its duties: periods uncovered by the regime change (counted, not
        taken for compliant) and offers the law does not allow the category (issue 15.5, 15.8)."""
        if uncovered:
            self.totals.uncovered += uncovered
        if self.engine.ruleset.offer_exclusions:
            self.totals.offers_not_available += len(self.engine.excluded_offers(case, periods))

    def fold(self, case: Case, duties: list[Duty], periods: Optional[list[Period]] = None,
             first_offers: bool = True) -> None:
        """Count one case's duties (``Engine.quiet_duties``: no texts) into the totals; ``periods``
        are the case's ``periods_as_of`` where the caller has them. ``first_offers=False`` leaves
        out the time to first offer (``first_offers``), which moves with the as-of date even where
        nothing else does (the monthly series, engine/batch/series.py, adds it month by month)."""
        totals, as_of = self.totals, self.as_of
        totals.cases += 1
        citizen = case.citizen
        team = citizen.team or NONE
        caseworker = citizen.caseworker or NONE
        category = category_on(case, as_of) if case.assessments else NONE
        cells = self._cells.get((category, team, caseworker))
        if cells is None:
            cells = self._cells[(category, team, caseworker)] = ({}, Counter(), Counter())
        counts, lates, missed = cells
        for duty in duties:
            key = _DUTY_KEY(duty)
            counts[key] = counts.get(key, 0) + 1
        if self.keep_rows or self.keep_overdue:
            self._fold_in_detail(case, duties, category, team, caseworker, lates, missed)
        else:
            for duty in duties:
                status = duty.status
                if status is OVERDUE or status is MET_LATE:
                    self._late(case, duty, days_late(duty, as_of), team, caseworker, lates, missed)
        if periods is None:
            periods = periods_as_of(case, as_of)
        current = current_period(periods)
        if current is not None:
            self._star(current, duties, team)
            self._passivity(case, current, team)
        if first_offers:
            self.first_offers(case, periods)

    def first_offers(self, case: Case, periods: list[Period]) -> None:
        """The time to first offer of the case's periods begun in the last 24 months."""
        team = case.citizen.team or NONE
        for period in periods:
            if period.start > self._spells_after:
                self._first_offer(period, team)

    def _late(self, case: Case, duty: Duty, late: int, team: str, caseworker: str, lates: Counter,
              missed: Counter, reason: str = "") -> Optional[OverdueDuty]:
        """Count a late duty's days late (``days_late``); an overdue one is counted as overdue now
        (and offered to the top list) or, its period ended, as missed. Returns the overdue duty's
        list entry where it was made (always with ``keep_overdue``, missed ones too)."""
        lates[(duty.rule, duty.benefit, late)] += 1
        if duty.status is not OVERDUE:
            return None
        totals = self.totals
        actionable = duty.actionable is True
        if not actionable:
            totals.missed_count += 1
            missed[(duty.rule, duty.benefit)] += 1
            if not self.keep_overdue:
                return None  # counted; never on the top list
        else:
            totals.overdue_count += 1
            top = totals.top_overdue
            if not self.keep_overdue and len(top) >= totals.top_limit and (
                    late < top[0][0] or  # fewer days than the least on the list: the common case, one test
                    not totals.enters_top((late, case.case_id, duty.rule, duty.due))):
                return None  # counted, and not among the most overdue
        entry = OverdueDuty(late, case.case_id, duty.rule, duty.due, duty.benefit, team, caseworker,
                            f"{duty.done}/{duty.required}", reason, duty.anchor, actionable, duty.period_end)
        if actionable and totals.offer_overdue(entry) and not self.keep_overdue:
            self._unexplained[case.case_id] = case
            if len(self._unexplained) > 4 * totals.top_limit:
                self._prune_unexplained()
        return entry

    def _fold_in_detail(self, case: Case, duties: list[Duty], category: str, team: str, caseworker: str,
                        lates: Counter, missed: Counter) -> None:
        """``fold``'s per-duty part where the caller wants every duty as a row, or every overdue
        duty with its reason."""
        explained: Optional[dict] = None
        for duty in duties:
            status = duty.status
            late = None
            if status is OVERDUE or status is MET_LATE:
                late = days_late(duty, self.as_of)
                reason = ""
                if status is OVERDUE and self.keep_overdue:  # every overdue duty is listed with its reason
                    if explained is None:
                        explained = self._reasons(case)
                    reason = explained.get((duty.rule, duty.anchor, duty.due), "")
                entry = self._late(case, duty, late, team, caseworker, lates, missed, reason)
                if entry is not None and self.keep_overdue:
                    self.overdue_rows.append(entry.row())
            if self.keep_rows:
                self.rows.append({
                    "case_id": case.case_id, "rule": duty.rule, "status": status._value_, "due": duty.due,
                    "anchor": duty.anchor, "done_on": duty.done_on, "progress_done": duty.done,
                    "progress_required": duty.required, "benefit": duty.benefit,
                    "team": case.citizen.team, "caseworker": case.citizen.caseworker,
                    "category": None if category == NONE else category, "days_late": late})

    def _flush_cells(self) -> None:
        """Add the cells' counts to the tallies: each count to its rule's and its four groups'."""
        for group, (counts, lates, missed) in self._cells.items():
            for (rule, benefit, status), n in counts.items():
                for tally in self._tallies(rule, benefit, *group):
                    tally.counts[status] += n
            for (rule, benefit, late), n in lates.items():
                for tally in self._tallies(rule, benefit, *group):
                    tally.days_late[late] += n
            for (rule, benefit), n in missed.items():
                for tally in self._tallies(rule, benefit, *group):
                    tally.missed += n
            counts.clear()
            lates.clear()
            missed.clear()

    def _tallies(self, rule: str, benefit: str, category: str, team: str, caseworker: str) -> tuple:
        """The five tallies a duty of ``rule`` in these groups counts in: the rule's and its four groups'."""
        groups = self.totals.groups
        return (self.totals.by_rule[rule], groups["benefit"][(rule, benefit)], groups["category"][(rule, category)],
                groups["team"][(rule, team)], groups["caseworker"][(rule, caseworker)])

    def _prune_unexplained(self) -> None:
        listed = {entry[1] for entry in self.totals.top_overdue}
        self._unexplained = {k: v for k, v in self._unexplained.items() if k in listed}

    def _explain_top(self) -> None:
        """Give the overdue duties on the top list their reasons (one explained check per case)."""
        if not self._unexplained:
            return
        top = self.totals.top_overdue
        explained: dict[str, dict] = {}
        for i, entry in enumerate(top):
            case = self._unexplained.get(entry[1])
            if case is None:
                continue
            if entry[1] not in explained:
                explained[entry[1]] = self._reasons(case)
            duty = entry[-1]
            reason = explained[entry[1]].get((duty.rule, duty.anchor, duty.due), "")
            top[i] = entry[:-1] + (dataclasses.replace(duty, why=reason),)
        self._unexplained = {}

    def _reasons(self, case: Case) -> dict:
        explained = self.engine.check(case, self.as_of, self.lang, with_routing=False)
        return {(a.rule, a.anchor, a.due): "; ".join(a.why) for a in explained.actions}

    def _star(self, current: Period, duties: list[Duty], team: str) -> None:
        start = current.start
        if start > self._star_from:
            return  # not six months on this benefit yet
        course = offer = None  # the current period's own duties (its type, anchored on its start)
        kind = current.kind
        for d in duties:
            if d.anchor == start and d.benefit == kind:
                if d.rule == CONTACT_COURSE and course is None:
                    course = d
                elif d.rule == RET_OG_PLIGT and offer is None:
                    offer = d
        if course is None:
            return
        tallies = (self.totals.star, self.totals.star_by_team[team])
        if course.status is EXEMPT:
            for tally in tallies:
                tally.exempt += 1
            return
        met = int(course.status is MET)
        required = offer is not None and offer.status in _DECIDED
        for tally in tallies:
            tally.cohort += 1
            tally.four_conversations += met
            if required:
                tally.offer_required += 1
                tally.with_offer += int(offer.status is MET)

    def _passivity(self, case: Case, current: Period, team: str) -> None:
        as_of = self.as_of
        start = current.start
        if start > self._windows[0][2]:
            return  # not six months on this benefit yet
        # the offers: the period's own where it holds every event of the case (the common case)
        offers = current.by_type.get("offer", ()) if len(current.events) == len(case.events) else case.events
        last_active = _last_active_day(offers, as_of)
        for months, window_start, reached in self._windows:
            if start > reached:
                continue  # not N months on this benefit yet
            passive = int(last_active is None or last_active <= window_start)
            for tally in (self.totals.passivity, self.totals.passivity_by_team[team]):
                tally.population[months] += 1
                tally.passive[months] += passive
        if start <= self._year_from:  # STAR's aktiv indsats: a year on this benefit
            for effort in (self.totals.active_effort, self.totals.active_effort_by_team[team]):
                effort.population += 1
                for label, window_start in self._effort_windows:
                    effort.passive[label] += int(last_active is None or last_active <= window_start)

    def _first_offer(self, period: Period, team: str) -> None:
        """Jobindsats' time to first active offer for one period begun in the last 24 months."""
        start = period.start
        first = None
        for event in period.by_type.get("offer", ()):  # by date: the first that is not mentor
            if event.offer != "mentor":
                first = event.date
                break
        totals = self.totals
        tallies = (totals.first_offer, totals.first_offer_by[("team", team)],
                   totals.first_offer_by[("benefit", period.kind)])
        for tally in tallies:
            tally.spells += 1
        for label, months, days, reached in self._followed_from:
            if start > reached:
                break  # not followed that long yet (the intervals grow)
            within = 0
            if first is not None:
                within = int(first <= (add_months(start, months) if months else start) + timedelta(days=days))
            for tally in tallies:
                tally.followed[label] += 1
                tally.within[label] += within
