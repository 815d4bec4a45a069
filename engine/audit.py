"""The batch audit: every case of a caseload checked as of one date and folded into compliance figures.

Streaming by design: cases arrive one at a time (from files or the database), each is checked and
folded into counters, and then forgotten. What is kept grows with the number of rules, groups and
distinct day counts, never with the number of cases: per-rule and per-group tallies, a Counter of
days late (an exact median from a small multiset), a bounded list of the most overdue duties, and
the first few bad-case messages with a count. Per-case result rows (for the database) and the full
overdue list (for a CSV) are handed to callbacks chunk by chunk, never gathered.

Definitions (documented in the README and the report):
- population: the number of duties (actions) of a rule; a case can hold several (two milestones,
  several benefit periods);
- on-time share = met / (met + met late + overdue): the duties whose fate is decided; open duties
  (not yet due) and exempt ones are left out;
- days late: done_on − due for a duty met late, as_of − due for an overdue one; the median is over
  both (the mean of the two middle values for an even count);
- visitation category: the latest assessment on or before the as-of date; team and caseworker come
  from ``citizen.team``/``citizen.caseworker``; a missing value is grouped as ``(none)``.
- the STAR early-effort measure and passivmåling: see ``StarTally`` and ``PassivityTally``.
"""

from __future__ import annotations

import dataclasses
import heapq
import multiprocessing
import queue
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from engine.check import Engine
from engine.durable_backend import DurableRulesFault
from engine.dates import add_months, last_start_reaching
from engine.duty import EXEMPT, MET, MET_LATE, OVERDUE, Duty
from engine.profile import Period, periods_as_of
from engine.ruleset import RuleSet
from models.actions import Status
from models.case import Case
from models.loading import (InputError, LoadedCase, Loaded, case_files, jsonl_lines, parse_jsonl_line,
                            read_file)

NONE = "(none)"
DIMENSIONS = ("benefit", "category", "team", "caseworker")
STATUSES = ("met", "met_late", "overdue", "open", "exempt")
CONTACT_COURSE = "contact-course-4-conversations"
RET_OG_PLIGT = "ret-og-pligt-offer-by-6-months"
STAR_THRESHOLD = 0.80  # anchors.md key finding 7; rules catalogue 001-003 §5.1
STAR_MIN_POPULATION = 10  # STAR judges a measure only from a population of ten
STAR_MONTHS = 6  # the early-effort cohort: citizens six months on their benefit
PASSIVITY_MONTHS = (6, 12)  # catalogue §5.1 Passivmåling: "de seneste fx 6 eller 12 måneder"
TOP_OVERDUE = 100
_DECIDED = (Status.met, Status.met_late, Status.overdue)  # an offer duty whose fate is known
MAX_BAD_MESSAGES = 10
CHUNK = 500


def median_of(counts: Counter) -> Optional[float]:
    """The exact median of a multiset given as value -> count (mean of the two middle values)."""
    total = sum(counts.values())
    if not total:
        return None
    middle = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def share(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass
class Tally:
    """Status counts of one rule (or one rule in one group) and the days late of its late duties."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    days_late: Counter = field(default_factory=Counter)

    def add(self, status: str, days_late: Optional[int]) -> None:
        self.counts[status] += 1
        if days_late is not None:
            self.days_late[days_late] += 1

    def merge(self, other: "Tally") -> None:
        for status, n in other.counts.items():
            self.counts[status] += n
        self.days_late.update(other.days_late)

    met = property(lambda self: self.counts["met"])
    met_late = property(lambda self: self.counts["met_late"])
    overdue = property(lambda self: self.counts["overdue"])
    open = property(lambda self: self.counts["open"])
    exempt = property(lambda self: self.counts["exempt"])

    @property
    def population(self) -> int:
        return sum(self.counts.values())

    @property
    def decided(self) -> int:
        return self.met + self.met_late + self.overdue

    @property
    def on_time_share(self) -> Optional[float]:
        return share(self.met, self.decided)

    @property
    def median_days_late(self) -> Optional[float]:
        return median_of(self.days_late)

    def row(self) -> dict:
        return {"population": self.population, **{s: getattr(self, s) for s in STATUSES},
                "on_time_share": self.on_time_share, "median_days_late": self.median_days_late}


@dataclass
class StarTally:
    """STAR's follow-up on the early effort (anchors.md key finding 7; catalogue §5.1).

    The cohort: citizens whose current benefit period (the one running on the as-of date) has
    reached six months' seniority (start + 6 months <= as-of) and holds a contact-course duty for
    that period that is not exempt. *Four conversations*: that duty is ``met`` — the 4th counting
    conversation on or before start + 6 months. *Offer*: among those whose current period holds a
    ret og pligt duty that is decided (met, met late or overdue; not exempt, not still open after
    a postponement), the share with it ``met`` — an offer started on or before its due date.
    """

    cohort: int = 0
    four_conversations: int = 0
    offer_required: int = 0
    with_offer: int = 0
    exempt: int = 0  # six months' seniority, but the contact course is lifted by an exemption

    def merge(self, other: "StarTally") -> None:
        for name in ("cohort", "four_conversations", "offer_required", "with_offer", "exempt"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def conversation_share(self) -> Optional[float]:
        return share(self.four_conversations, self.cohort)

    @property
    def offer_share(self) -> Optional[float]:
        return share(self.with_offer, self.offer_required)

    @staticmethod
    def below(value: Optional[float], population: int) -> bool:
        """Flagged as STAR would: under 80 % on a population of at least ten."""
        return value is not None and population >= STAR_MIN_POPULATION and value < STAR_THRESHOLD

    def row(self) -> dict:
        return {"cohort": self.cohort, "four_conversations": self.four_conversations,
                "conversation_share": self.conversation_share,
                "conversation_flag": self.below(self.conversation_share, self.cohort),
                "offer_required": self.offer_required, "with_offer": self.with_offer,
                "offer_share": self.offer_share,
                "offer_flag": self.below(self.offer_share, self.offer_required), "exempt": self.exempt}


@dataclass
class PassivityTally:
    """Passivmåling (catalogue §5.1): among citizens whose current benefit period started at least
    N months before the as-of date, those with no active offer (an ``offer`` event other than
    mentor) running at any time in the last N months — the window (as-of − N months, as-of]. An
    offer runs from its date to its end (its date alone when it has no end)."""

    population: dict = field(default_factory=lambda: {m: 0 for m in PASSIVITY_MONTHS})
    passive: dict = field(default_factory=lambda: {m: 0 for m in PASSIVITY_MONTHS})

    def merge(self, other: "PassivityTally") -> None:
        for m in PASSIVITY_MONTHS:
            self.population[m] += other.population[m]
            self.passive[m] += other.passive[m]

    def row(self) -> dict:
        out = {}
        for m in PASSIVITY_MONTHS:
            out[f"population_{m}m"] = self.population[m]
            out[f"passive_{m}m"] = self.passive[m]
            out[f"passive_share_{m}m"] = share(self.passive[m], self.population[m])
        return out


@dataclass(frozen=True, order=True)
class OverdueDuty:
    """One overdue duty for the drill-down list; ordered by days overdue (then a stable tie-break)."""

    days_overdue: int
    case_id: str
    rule: str
    due: date
    benefit: str
    team: str
    caseworker: str
    progress: str
    why: str
    anchor: Optional[date] = field(default=None, compare=False)  # finds the reason; not shown

    def row(self) -> dict:
        return {"case_id": self.case_id, "rule": self.rule, "due": self.due.isoformat(),
                "days_overdue": self.days_overdue, "benefit": self.benefit, "team": self.team,
                "caseworker": self.caseworker, "progress": self.progress, "why": self.why}


OVERDUE_COLUMNS = ("case_id", "rule", "due", "days_overdue", "benefit", "team", "caseworker", "progress", "why")


@dataclass
class AuditTotals:
    """Everything the reports need, mergeable (a worker's part + another's = the whole)."""

    cases: int = 0
    bad: int = 0
    bad_first: list = field(default_factory=list)  # (input position, message) of the first bad cases
    by_rule: dict = field(default_factory=lambda: defaultdict(Tally))
    groups: dict = field(default_factory=lambda: {d: defaultdict(Tally) for d in DIMENSIONS})
    star: StarTally = field(default_factory=StarTally)
    star_by_team: dict = field(default_factory=lambda: defaultdict(StarTally))
    passivity: PassivityTally = field(default_factory=PassivityTally)
    passivity_by_team: dict = field(default_factory=lambda: defaultdict(PassivityTally))
    overdue_count: int = 0
    top_overdue: list = field(default_factory=list)  # a min-heap of the TOP_OVERDUE largest
    top_limit: int = TOP_OVERDUE
    max_live_sessions: int = 0
    sessions_opened: int = 0

    def add_bad(self, error: InputError, position: int = 0) -> None:
        self.bad += 1
        self._keep_bad([(position, str(error))])

    def _keep_bad(self, entries: list) -> None:
        # the first MAX_BAD_MESSAGES by input position, whichever worker saw them
        self.bad_first = sorted(self.bad_first + entries)[:MAX_BAD_MESSAGES]

    @property
    def bad_messages(self) -> list[str]:
        return [message for _, message in self.bad_first]

    def enters_top(self, key: tuple) -> bool:
        """Whether a duty with this (days overdue, case id, rule, due) would join the top list."""
        return len(self.top_overdue) < self.top_limit or key > self.top_overdue[0][:4]

    def offer_overdue(self, duty: OverdueDuty) -> bool:
        """Keep the duty if it is among the ``top_limit`` most overdue so far; True if it was kept."""
        entry = (duty.days_overdue, duty.case_id, duty.rule, duty.due, duty)
        if len(self.top_overdue) < self.top_limit:
            heapq.heappush(self.top_overdue, entry)
            return True
        if entry[:4] > self.top_overdue[0][:4]:
            heapq.heapreplace(self.top_overdue, entry)
            return True
        return False

    def merge(self, other: "AuditTotals") -> None:
        self.cases += other.cases
        self.bad += other.bad
        self._keep_bad(other.bad_first)
        for rule, tally in other.by_rule.items():
            self.by_rule[rule].merge(tally)
        for dim in DIMENSIONS:
            for key, tally in other.groups[dim].items():
                self.groups[dim][key].merge(tally)
        self.star.merge(other.star)
        for team, tally in other.star_by_team.items():
            self.star_by_team[team].merge(tally)
        self.passivity.merge(other.passivity)
        for team, tally in other.passivity_by_team.items():
            self.passivity_by_team[team].merge(tally)
        self.overdue_count += other.overdue_count
        for entry in other.top_overdue:
            self.offer_overdue(entry[-1])
        self.max_live_sessions = max(self.max_live_sessions, other.max_live_sessions)
        self.sessions_opened += other.sessions_opened

    # -- views for the reports ------------------------------------------------------------------

    def overdue_list(self) -> list[OverdueDuty]:
        """The most overdue duties, most days first."""
        return [entry[-1] for entry in sorted(self.top_overdue, reverse=True)]

    def days_late(self) -> Counter:
        out: Counter = Counter()
        for tally in self.by_rule.values():
            out.update(tally.days_late)
        return out

    def comparable(self) -> dict:
        """A plain, order-independent picture of the totals (tests compare runs with it)."""
        return {
            "cases": self.cases, "bad": self.bad,
            "by_rule": {r: t.row() for r, t in sorted(self.by_rule.items())},
            "groups": {d: {f"{k[0]}|{k[1]}": t.row() for k, t in sorted(self.groups[d].items())} for d in DIMENSIONS},
            "star": self.star.row(), "star_by_team": {k: v.row() for k, v in sorted(self.star_by_team.items())},
            "passivity": self.passivity.row(),
            "passivity_by_team": {k: v.row() for k, v in sorted(self.passivity_by_team.items())},
            "overdue_count": self.overdue_count, "top_overdue": [d.row() for d in self.overdue_list()],
        }


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
    one day: the same fixed order as engine/routing.py, so the input's order never matters)."""
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
    """Days after the due date: to the day it was done, or — never done — to the as-of date or the
    end of the benefit period it belongs to, whichever is first (a duty of a period that closed
    years ago is not "more late" every day since)."""
    if duty.status is MET_LATE:
        days = (duty.done_on - duty.due).days
    elif duty.status is OVERDUE:
        days = (min(as_of, duty.period_end or as_of) - duty.due).days
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
        # benefit, days late) -> duties): a case's duties are counted under one key each, and
        # ``_flush_cells`` adds each count to its five tallies once, at the end. Bounded by the
        # groups, the rules and the distinct day counts. (Counter.update over a map measured slower
        # than the loop: its isinstance test against Mapping runs in Python.)
        self._cells: dict[tuple, tuple] = {}
        # STAR and passivmåling count citizens N months on their benefit: start + N months on or
        # before the as-of date (the contract's month arithmetic), read as "start on or before"
        # a day worked out once. Passivmåling's windows run (as-of − N months, as-of].
        self._star_from = last_start_reaching(STAR_MONTHS, as_of)
        self._windows = [(m, add_months(as_of, -m), last_start_reaching(m, as_of)) for m in PASSIVITY_MONTHS]
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
            duties = self.engine.quiet_duties(case, periods, self.lang)
        except DurableRulesFault:
            raise  # the engine is broken, not the case: no figure can be trusted
        except Exception as exc:  # noqa: BLE001 — one case the engine cannot evaluate never stops the run
            problem = f"(case): cannot be evaluated: {type(exc).__name__}: {exc}"
            self.totals.add_bad(InputError(loaded.source, (problem,), case.case_id), position)
            return
        self.fold(case, duties, periods)

    def fold(self, case: Case, duties: list[Duty], periods: Optional[list[Period]] = None) -> None:
        """Count one case's duties (``Engine.quiet_duties``: no texts) into the totals; ``periods``
        are the case's ``periods_as_of`` where the caller has them."""
        totals, as_of = self.totals, self.as_of
        totals.cases += 1
        citizen = case.citizen
        team = citizen.team or NONE
        caseworker = citizen.caseworker or NONE
        category = category_on(case, as_of) if case.assessments else NONE
        cells = self._cells.get((category, team, caseworker))
        if cells is None:
            cells = self._cells[(category, team, caseworker)] = ({}, Counter())
        counts, lates = cells
        for duty in duties:
            key = _DUTY_KEY(duty)
            counts[key] = counts.get(key, 0) + 1
        if self.keep_rows or self.keep_overdue:
            self._fold_in_detail(case, duties, category, team, caseworker, lates)
        else:
            for duty in duties:
                status = duty.status
                if status is OVERDUE or status is MET_LATE:
                    self._late(case, duty, days_late(duty, as_of), team, caseworker, lates)
        if periods is None:
            periods = periods_as_of(case, as_of)
        current = current_period(periods)
        if current is not None:
            self._star(current, duties, team)
            self._passivity(case, current, team)

    def _late(self, case: Case, duty: Duty, late: int, team: str, caseworker: str, lates: Counter,
              reason: str = "") -> Optional[OverdueDuty]:
        """Count a late duty's days late (``days_late``); an overdue one is counted and offered to the
        top list. Returns the overdue duty's list entry where it was made (always with ``keep_overdue``)."""
        lates[(duty.rule, duty.benefit, late)] += 1
        if duty.status is not OVERDUE:
            return None
        totals = self.totals
        totals.overdue_count += 1
        top = totals.top_overdue
        if not self.keep_overdue and len(top) >= totals.top_limit and (
                late < top[0][0] or  # fewer days than the least on the list: the common case, one test
                not totals.enters_top((late, case.case_id, duty.rule, duty.due))):
            return None  # counted, and not among the most overdue
        entry = OverdueDuty(late, case.case_id, duty.rule, duty.due, duty.benefit, team, caseworker,
                            f"{duty.done}/{duty.required}", reason, duty.anchor)
        if totals.offer_overdue(entry) and not self.keep_overdue:
            self._unexplained[case.case_id] = case
            if len(self._unexplained) > 4 * totals.top_limit:
                self._prune_unexplained()
        return entry

    def _fold_in_detail(self, case: Case, duties: list[Duty], category: str, team: str, caseworker: str,
                        lates: Counter) -> None:
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
                entry = self._late(case, duty, late, team, caseworker, lates, reason)
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
        for group, (counts, lates) in self._cells.items():
            for (rule, benefit, status), n in counts.items():
                for tally in self._tallies(rule, benefit, *group):
                    tally.counts[status] += n
            for (rule, benefit, late), n in lates.items():
                for tally in self._tallies(rule, benefit, *group):
                    tally.days_late[late] += n
            counts.clear()
            lates.clear()

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


# ---------------------------------------------------------------------------------------------
# Sources: what to audit, as small picklable items a worker turns into cases


def file_items(paths: Iterable[Path]) -> Iterator[tuple[str, str, Optional[str]]]:
    """``(kind, source, payload)`` items: one per JSON Lines line (the text) or per other file."""
    for path in paths:
        if not path.exists():
            yield ("error", str(path), "(file): no such file or directory")
            continue
        for file in case_files(path):
            if file.suffix != ".jsonl":
                yield ("file", str(file), None)
                continue
            try:
                for where, line in jsonl_lines(file):
                    yield ("json", where, line)
            except UnicodeDecodeError:
                yield ("error", str(file), "(file): not UTF-8 text")
            except OSError as exc:
                yield ("error", str(file), f"(file): cannot be read ({exc.strerror})")


def db_items(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """Items from ``engine.storage.iter_stored_json`` rows (case id, case JSON)."""
    for case_id, data in rows:
        yield ("json", f"db:{case_id}", data)


def decode(item: tuple[str, str, Optional[str]]) -> Iterator[Loaded]:
    kind, source, payload = item
    if kind == "json":
        yield parse_jsonl_line(payload, source)
    elif kind == "file":
        yield from read_file(Path(source))
    elif kind == "case":  # an already validated Case (in-process callers)
        yield LoadedCase(source, payload)
    else:
        yield InputError(source, (payload,))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------
# Running: in this process, or spread over worker processes

# Cases decoded before any of them is checked. Decoding sixteen and then checking the sixteen was
# faster than decoding one case and checking it, in turn, in every paired measurement (both ways
# taking turns in one process): by 5–9 % on slices of 2,000 generated cases, by 1–9 % on whole
# audits of 30,000 (a shared machine: the spread is its noise). Presumably each stage's code and
# tables stay in the processor's caches for a run of cases. 8 did as well; 24 or more lost it again
# (presumably the decoded cases no longer stay there until they are checked). Sixteen cases are a
# few hundred kB at most.
DECODE_GROUP = 16


def _audit_items(auditor: Auditor, first: int, chunk: list) -> None:
    add = auditor.add
    for start in range(0, len(chunk), DECODE_GROUP):
        group = []
        for position, item in enumerate(chunk[start:start + DECODE_GROUP], start=first + start):
            if item[0] == "json":  # nearly every item: one line, one case (decode without its generator)
                group.append((position, parse_jsonl_line(item[2], item[1])))
            else:
                group += [(position, loaded) for loaded in decode(item)]
        for position, loaded in group:
            add(loaded, position)


def _worker_main(ruleset: RuleSet, as_of: date, lang: str, keep_rows: bool, keep_overdue: bool, top_limit: int,
                 tasks, results) -> None:
    """One worker process: its own Engine, its own running totals; rows go back a chunk at a time,
    the totals once at the end (so the parent merges N totals, not one per chunk)."""
    try:
        auditor = Auditor(Engine(ruleset), as_of, lang, keep_rows, keep_overdue, top_limit)
        while True:
            task = tasks.get()
            if task is None:
                break
            first, chunk = task
            _audit_items(auditor, first, chunk)
            results.put(("chunk", len(chunk), *auditor.take_rows()))
        results.put(("done", auditor.finish()))
    except BaseException:  # noqa: BLE001 — reported to the parent, which stops the run
        results.put(("failed", traceback.format_exc()))


@dataclass
class AuditOptions:
    as_of: date
    lang: str = "da"
    workers: int = 1
    chunk_size: int = CHUNK
    top_limit: int = TOP_OVERDUE
    on_rows: Optional[Callable[[list[dict]], None]] = None  # per-action rows, a chunk at a time
    on_overdue: Optional[Callable[[list[dict]], None]] = None  # every overdue duty, a chunk at a time
    on_progress: Optional[Callable[[int], None]] = None  # items done since the last call


def run_audit(ruleset: RuleSet, items: Iterable[tuple], options: AuditOptions,
              engine: Optional[Engine] = None) -> AuditTotals:
    """Audit every item; one worker runs here (reusing ``engine`` when given), more run in processes."""
    keep_rows, keep_overdue = options.on_rows is not None, options.on_overdue is not None

    def deliver(done: int, rows: list[dict], overdue: list[dict]) -> None:
        if rows and options.on_rows:
            options.on_rows(rows)
        if overdue and options.on_overdue:
            options.on_overdue(overdue)
        if options.on_progress:
            options.on_progress(done)

    chunks = _chunks(items, options.chunk_size)
    if options.workers <= 1:
        auditor = Auditor(engine or Engine(ruleset), options.as_of, options.lang, keep_rows, keep_overdue,
                          options.top_limit)
        first = 0
        for chunk in chunks:
            _audit_items(auditor, first, chunk)
            first += len(chunk)
            deliver(len(chunk), *auditor.take_rows())
        return auditor.finish()
    return _run_parallel(ruleset, chunks, options, deliver)


def _run_parallel(ruleset: RuleSet, chunks: Iterator[list], options: AuditOptions, deliver) -> AuditTotals:
    # Not fork: a child forked from this process would inherit its durable_rules host half-used.
    # The fork server is a fresh process that has only imported the engine (no host yet): each
    # worker forked from it starts with the modules loaded, where a spawned one would import them
    # again (half a second per worker). The server stays up for the next audit in this process.
    # Where there is no fork server (Windows), workers are spawned.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["engine.audit"])
    else:
        context = multiprocessing.get_context("spawn")
    tasks = context.Queue(maxsize=2 * options.workers)  # bounded: the input is read as the workers go
    results = context.Queue()
    keep_rows, keep_overdue = options.on_rows is not None, options.on_overdue is not None
    workers = [context.Process(target=_worker_main, daemon=True,
                               args=(ruleset, options.as_of, options.lang, keep_rows, keep_overdue,
                                     options.top_limit, tasks, results))
               for _ in range(options.workers)]
    for worker in workers:
        worker.start()
    totals = AuditTotals(top_limit=options.top_limit)
    finished = 0

    def handle(message) -> None:
        nonlocal finished
        if message[0] == "chunk":
            deliver(*message[1:])
        elif message[0] == "done":
            totals.merge(message[1])
            finished += 1
        else:
            raise RuntimeError(f"an audit worker failed:\n{message[1]}")

    def drain(wait: float) -> None:
        try:
            handle(results.get(timeout=wait) if wait else results.get_nowait())
            while True:
                handle(results.get_nowait())
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                raise RuntimeError("an audit worker died (exit codes "
                                   f"{[w.exitcode for w in workers]}); the audit is incomplete") from None

    def put(task) -> None:
        while True:
            try:
                tasks.put(task, timeout=0.05)
                return
            except queue.Full:
                drain(0)

    try:
        first = 0
        for chunk in chunks:
            put((first, chunk))
            first += len(chunk)
            drain(0)
        for _ in workers:
            put(None)
        while finished < len(workers):
            drain(1.0)
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    return totals
