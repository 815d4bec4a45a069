"""The audit at every month-end of a span, in one pass over the cases (``audit --series monthly``).

Each case is read and decoded once and then checked as of each month-end by the audit's own
``Auditor`` (the one evaluation path: ``Engine.quiet_duties``), one auditor per month-end; the
result is one ``AuditTotals`` per month-end, identical to an audit as of that date
(tests/test_series.py compares them field by field).

What makes it cheaper than one audit per month: a case that is *settled* on a month-end — every
benefit period ended, every date the case holds and every duty's due date before that day, no
offer or exemption left open-ended — gives the same duties on every later date (nothing after the
as-of date exists; an ended period's overdue days stop at its end; no status can still move). Such
a case is folded once, into a "settled from month k" auditor, and those are added to every month
from k on when the series is finished; only its time to first offer, which moves with the date, is
counted month by month (from the same periods, no evaluation). Most of a caseload spanning years is settled long before
the last month-end.

STAR follows up on the early effort when six consecutive monthly measurements are under 80 %
(star.dk, "Opfølgning på kommunernes tidlige indsats"): ``star_runs`` counts, per team and month,
how many month-ends in a row up to it were flagged (``StarTally.below``), and ``STAR_RUN`` of them
make the follow-up flag.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Optional

from engine.batch.fold import Auditor
from engine.batch.runner import _audit_items, _chunks
from engine.batch.totals import CHUNK, TOP_OVERDUE, AuditTotals
from engine.core.check import Engine
from engine.core.dates import add_months
from engine.core.durable_backend import DurableRulesFault
from engine.core.profile import periods_as_of
from engine.io.loading import InputError, Loaded
from engine.rulebook.ruleset import RuleSet
from models.case import Case

STAR_RUN = 6  # six consecutive monthly measurements under 80 % (service-and-scale.md §3)
EARLIER_TOP = 1  # the overdue list's length on every month-end but the last
ALL = None  # the team key of the figures over every team


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month to ``last``'s, inclusive."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series_span(first: Optional[date], last: date, months: int = 24) -> list[date]:
    """``--series monthly``'s month-ends: from ``first``'s month (default: ``months`` month-ends
    up to ``last``) to ``last``'s."""
    return month_ends(first or add_months(last, 1 - months), last)


def latest_day(case: Case) -> Optional[date]:
    """The latest date a case holds, or None where something is open-ended (a benefit, an offer or
    an exemption without an end): such a case is never settled."""
    days = []
    for b in case.benefits:
        if b.end is None:
            return None
        days += [b.start, b.end]
        if b.first_contact is not None:
            days.append(b.first_contact)
        if b.first_sick_day is not None:
            days.append(b.first_sick_day)
    for e in case.events:
        days.append(e.date)
        if e.type == "offer":
            if e.end is None:
                return None
            days.append(e.end)
    for a in case.assessments:
        days.append(a.date)
    for x in case.exemptions:
        if x.end is None:
            return None
        days += [x.start, x.end]
    return max(days)


@dataclass
class SeriesTotals:
    """One ``AuditTotals`` per month-end, in order; mergeable month by month (plain data throughout,
    so it serialises as the audit's totals do)."""

    months: list = field(default_factory=list)  # the month-ends, ascending
    totals: list = field(default_factory=list)  # AuditTotals per month-end
    settled: list = field(default_factory=list)  # cases first settled on each month-end (how much was saved)

    def merge(self, other: "SeriesTotals") -> None:
        if not self.months:
            self.months = list(other.months)
            self.totals = [AuditTotals(top_limit=t.top_limit) for t in other.totals]
            self.settled = [0] * len(other.months)
        if self.months != other.months:
            raise ValueError("series over different month-ends cannot be merged")
        for mine, theirs in zip(self.totals, other.totals):
            mine.merge(theirs)
        self.settled = [a + b for a, b in zip(self.settled, other.settled)]

    def star_runs(self) -> dict:
        """team (None: all) -> one dict per month-end: the STAR rows of that month with
        ``conversation_run``/``offer_run`` (month-ends in a row flagged, up to this one) and
        ``conversation_followup``/``offer_followup`` (the run has reached STAR_RUN)."""
        teams = sorted({team for t in self.totals for team in t.star_by_team})
        out: dict = {}
        for team in [ALL, *teams]:
            runs = {"conversation": 0, "offer": 0}
            rows = []
            for month, totals in zip(self.months, self.totals):
                tally = totals.star if team is ALL else totals.star_by_team.get(team)
                row = tally.row() if tally is not None else type(totals.star)().row()
                for measure in runs:
                    runs[measure] = runs[measure] + 1 if row[f"{measure}_flag"] else 0
                    row[f"{measure}_run"] = runs[measure]
                    row[f"{measure}_followup"] = runs[measure] >= STAR_RUN
                rows.append({"month": month, "team": team, **row})
            out[team] = rows
        return out


class SeriesAuditor:
    """Checks cases one at a time as of every month-end; ``add``/``take_rows``/``finish`` as the
    audit's ``Auditor`` has them, so the audit's runner loop drives it."""

    def __init__(self, engine: Engine, months: list[date], lang: str = "da", top_limit: int = TOP_OVERDUE):
        self.engine = engine
        self.months = months
        self.lang = lang
        # the most overdue duties (each explained by a full check) are listed for the last month-end
        # only: the series shows the months' figures, the report of the last month its list
        limits = [EARLIER_TOP] * (len(months) - 1) + [top_limit]
        self.auditors = [Auditor(engine, d, lang, top_limit=n) for d, n in zip(months, limits)]
        self.settled = [Auditor(engine, d, lang, top_limit=n) for d, n in zip(months, limits)]
        self.settled_count = [0] * len(months)
        self.top_limit = top_limit

    def take_rows(self) -> tuple[list, list]:
        return [], []

    def add(self, loaded: Loaded, position: int = 0) -> None:
        if isinstance(loaded, InputError):
            for auditor in self.auditors:
                auditor.totals.add_bad(loaded, position)
            return
        case = loaded.case
        latest = latest_day(case)
        quiet = self.engine.quiet_duties
        for k, as_of in enumerate(self.months):
            try:
                periods = periods_as_of(case, as_of)
                spans: list = []
                duties = quiet(case, periods, self.lang, spans)
                uncovered = self.auditors[k].uncovered_count(spans, duties)
            except DurableRulesFault:
                raise
            except Exception as exc:  # noqa: BLE001 — as the audit: one case never stops the run
                problem = f"(case): cannot be evaluated: {type(exc).__name__}: {exc}"
                for auditor in self.auditors[k:]:
                    auditor.totals.add_bad(InputError(loaded.source, (problem,), case.case_id), position)
                return
            if latest is not None and latest < as_of and all(d.due < as_of for d in duties):
                # settled: these duties are this case's on every later month-end too; only the time
                # to first offer moves with the date (a period followed longer, or too old to count)
                self.settled[k].count_notes(case, periods, uncovered)
                self.settled[k].fold(case, duties, periods, first_offers=False)
                self.settled_count[k] += 1
                for auditor in self.auditors[k:]:
                    auditor.first_offers(case, periods)
                return
            self.auditors[k].count_notes(case, periods, uncovered)
            self.auditors[k].fold(case, duties, periods)

    def finish(self) -> SeriesTotals:
        """Each month's totals: its own auditor's plus every settled auditor's up to it."""
        out = SeriesTotals(months=list(self.months), settled=list(self.settled_count))
        settled = [auditor.finish() for auditor in self.settled]
        for k, auditor in enumerate(self.auditors):
            totals = auditor.finish()
            for earlier in settled[:k + 1]:  # merged, not copied: a merge is plain loops, a deepcopy is not
                totals.merge(earlier)
            out.totals.append(totals)
        return out


def run_series(ruleset: RuleSet, items: Iterable[tuple], months: list[date], lang: str = "da",
               top_limit: int = TOP_OVERDUE, engine: Optional[Engine] = None,
               on_progress: Optional[Callable[[int], None]] = None) -> SeriesTotals:
    """The audit at every month-end of ``months`` over the items of a source, in this process."""
    auditor = SeriesAuditor(engine or Engine(ruleset), months, lang, top_limit)
    first = 0
    for chunk in _chunks(items, CHUNK):
        _audit_items(auditor, first, chunk)  # type: ignore[arg-type] — the same add() interface
        first += len(chunk)
        if on_progress:
            on_progress(len(chunk))
    return auditor.finish()
