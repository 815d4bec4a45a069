"""The audit's totals: what every case of a caseload folds into, mergeable part by part.

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
- days late: done_on − due for a duty met late; for an overdue one its days overdue
  (engine.core.duty.days_overdue: to the as-of date, or to its benefit period's end where that came
  first; never negative); the median is over both (the mean of the two middle values for an even
  count);
- overdue now and missed: an overdue duty whose benefit period runs on the as-of date can still be
  done (``actionable``: overdue now); one whose period has ended cannot (missed). The status counts
  keep both under ``overdue``; ``missed`` counts the second, ``overdue_now`` is the difference. The
  audit's overdue count and its list of the most overdue duties are overdue-now duties only;
  ``missed_count`` counts the others;
- visitation category: the latest assessment on or before the as-of date; team and caseworker come
  from ``citizen.team``/``citizen.caseworker``; a missing value is grouped as ``(none)``.
- the STAR early-effort measure and passivmåling: see ``StarTally`` and ``PassivityTally``.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from engine.io.loading import InputError
from models.actions import Status

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
    missed: int = 0  # overdue duties whose benefit period had ended: not actionable

    def add(self, status: str, days_late: Optional[int]) -> None:
        self.counts[status] += 1
        if days_late is not None:
            self.days_late[days_late] += 1

    def merge(self, other: "Tally") -> None:
        for status, n in other.counts.items():
            self.counts[status] += n
        self.days_late.update(other.days_late)
        self.missed += other.missed

    met = property(lambda self: self.counts["met"])
    met_late = property(lambda self: self.counts["met_late"])
    overdue = property(lambda self: self.counts["overdue"])
    open = property(lambda self: self.counts["open"])
    exempt = property(lambda self: self.counts["exempt"])

    @property
    def overdue_now(self) -> int:
        """Overdue duties that can still be done: their benefit period runs on the as-of date."""
        return self.overdue - self.missed

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
                "overdue_now": self.overdue_now, "missed": self.missed,
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


# STAR's aktiv indsats (service-and-scale.md §3): windows without an active offer among citizens at
# least a year on their benefit; (label, months, days) — 1½ months is the window of one month and 15 days
ACTIVE_EFFORT_MONTHS = 12
ACTIVE_EFFORT_WINDOWS = (("1.5", 1, 15), ("3", 3, 0), ("6", 6, 0), ("9", 9, 0), ("12", 12, 0))
# Jobindsats, "Om tidspunkt for første aktive tilbud": first offer within (label, months, days) of the start
FIRST_OFFER_WITHIN = (("1d", 0, 1), ("1w", 0, 7), ("1m", 1, 0), ("2m", 2, 0), ("3m", 3, 0), ("6m", 6, 0),
                      ("9m", 9, 0), ("12m", 12, 0))
FIRST_OFFER_SPELLS = 24  # new spells: begun in the 24 months up to the as-of date


@dataclass
class ActiveEffortTally:
    """STAR's passivity measure (aktiv indsats, service-and-scale.md §3): among citizens whose current
    benefit period started at least 12 months before the as-of date (``population``), those with no
    active offer (an ``offer`` other than mentor) running at any time in the window (as-of − W,
    as-of], for W = 1½ (one month and 15 days), 3, 6, 9 and 12 months (``passive[label]``)."""

    population: int = 0
    passive: dict = field(default_factory=lambda: {label: 0 for label, _, _ in ACTIVE_EFFORT_WINDOWS})

    def merge(self, other: "ActiveEffortTally") -> None:
        self.population += other.population
        for label, n in other.passive.items():
            self.passive[label] = self.passive.get(label, 0) + n

    def row(self) -> dict:
        out: dict = {"population": self.population}
        for label, _, _ in ACTIVE_EFFORT_WINDOWS:
            out[f"passive_{label}m"] = self.passive[label]
            out[f"passive_share_{label}m"] = share(self.passive[label], self.population)
        return out


@dataclass
class FirstOfferTally:
    """Time to the first active offer (Jobindsats, "Om tidspunkt for første aktive tilbud"): over the
    benefit periods begun in the 24 months up to the as-of date, for each interval X (1 day, 1 week,
    1, 2, 3, 6, 9, 12 months), among the periods begun at least X before the as-of date
    (``followed[label]``: start + X on or before it), those whose first active offer (an ``offer``
    other than mentor, in the period) started on or before start + X (``within[label]``)."""

    spells: int = 0
    followed: dict = field(default_factory=lambda: {label: 0 for label, _, _ in FIRST_OFFER_WITHIN})
    within: dict = field(default_factory=lambda: {label: 0 for label, _, _ in FIRST_OFFER_WITHIN})

    def merge(self, other: "FirstOfferTally") -> None:
        self.spells += other.spells
        for label in other.followed:
            self.followed[label] = self.followed.get(label, 0) + other.followed[label]
            self.within[label] = self.within.get(label, 0) + other.within[label]

    def row(self) -> dict:
        out: dict = {"spells": self.spells}
        for label, _, _ in FIRST_OFFER_WITHIN:
            out[f"followed_{label}"] = self.followed[label]
            out[f"within_{label}"] = self.within[label]
            out[f"share_{label}"] = share(self.within[label], self.followed[label])
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
    # False: the benefit period ended before the as-of date (missed; in the overdue CSV, never in the top list)
    actionable: bool = field(default=True, compare=False)
    period_end: Optional[date] = field(default=None, compare=False)

    def row(self) -> dict:
        return {"case_id": self.case_id, "rule": self.rule, "due": self.due.isoformat(),
                "days_overdue": self.days_overdue, "actionable": self.actionable,
                "period_end": self.period_end.isoformat() if self.period_end else None, "benefit": self.benefit,
                "team": self.team, "caseworker": self.caseworker, "progress": self.progress, "why": self.why}


OVERDUE_COLUMNS = ("case_id", "rule", "due", "days_overdue", "actionable", "period_end", "benefit", "team",
                   "caseworker", "progress", "why")


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
    active_effort: ActiveEffortTally = field(default_factory=ActiveEffortTally)
    active_effort_by_team: dict = field(default_factory=lambda: defaultdict(ActiveEffortTally))
    first_offer: FirstOfferTally = field(default_factory=FirstOfferTally)
    first_offer_by: dict = field(default_factory=lambda: defaultdict(FirstOfferTally))  # ("team"|"benefit", value)
    overdue_count: int = 0  # overdue now: overdue duties whose benefit period runs on the as-of date
    missed_count: int = 0  # overdue duties whose benefit period had ended (not actionable)
    top_overdue: list = field(default_factory=list)  # a min-heap of the TOP_OVERDUE largest overdue-now duties
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
        self.active_effort.merge(other.active_effort)
        for team, tally in other.active_effort_by_team.items():
            self.active_effort_by_team[team].merge(tally)
        self.first_offer.merge(other.first_offer)
        for key, tally in other.first_offer_by.items():
            self.first_offer_by[key].merge(tally)
        self.overdue_count += other.overdue_count
        self.missed_count += other.missed_count
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
            "active_effort": self.active_effort.row(),
            "active_effort_by_team": {k: v.row() for k, v in sorted(self.active_effort_by_team.items())},
            "first_offer": self.first_offer.row(),
            "first_offer_by": {f"{k[0]}|{k[1]}": v.row() for k, v in sorted(self.first_offer_by.items())},
            "overdue_count": self.overdue_count, "missed_count": self.missed_count, "top_overdue": [d.row() for d in self.overdue_list()],
        }
