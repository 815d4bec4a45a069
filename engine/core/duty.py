"""What every requirement kind shares: which events count, the tracer (``why`` and the trace),
postponements, exemptions, the status and the construction of an action. The kinds themselves are
engine/core/kinds/deadline.py (``deadline``) and engine/core/kinds/*.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import Callable, NamedTuple, Optional

from engine import texts
from engine.core.dates import ONE_DAY, Offset, add_months, covers
from engine.core.profile import Period
from models.actions import Action, Progress, Status
from models.case import Case, Exemption
from models.memo import IdentityMemo
from models.rules import TEXT_FIELDS, EventMatch, Rule, event_value, spec_accepts

class Kind(NamedTuple):
    """One requirement kind, as its module in engine/core/kinds/ exports it (``KIND``): every list
    of kinds (engine/core/kinds/__init__.py, the compiled modules, ``rules show``) is derived from
    these records, so a new kind is its module (and its schema in models/rules.py RULE_KINDS)."""

    name: str  # the rule files' ``kind``
    parameters: str  # the Rule field its parameter model is in (models.rules.RULE_KINDS)
    compile: Callable  # rule -> its evaluator, (case, period, tracer, router) -> list[Duty]
    describe: Callable  # rule -> the lines ``rules show`` prints for its parameters
    # rule -> the offer kinds without which it gives nothing on a period (the Engine skips the
    # call there); None: it gives duties regardless
    needs: Optional[Callable] = None
    # obligations anchored on events (each offer), not on the period's anchor: validity judged per
    # event by the kind, so durable_rules must not filter on the period anchor's day
    per_event_validity: bool = False


# The statuses as module names: an Enum member read through its class costs a metaclass lookup,
# and the audit reads them millions of times.
MET, MET_LATE, OPEN, OVERDUE, EXEMPT = Status.met, Status.met_late, Status.open, Status.overdue, Status.exempt

_MAX_POSTPONEMENTS = 100  # chained postponements; a bound so a cycle can never hang an audit


def offset_of(rule_offset) -> Offset:
    return _offset(rule_offset.months, rule_offset.weeks, rule_offset.days)


@lru_cache(maxsize=256)
def _offset(months: int, weeks: int, days: int) -> Offset:
    return Offset(months, weeks, days)


_NO_EVENTS: list = []  # a period without events of a type: shared, read only


def events_counted(period: Period, counting: tuple) -> list:
    """The events that count for a duty (``counting``: a compiled rule's ``counting_of(matches)``):
    inside the period and not after the as-of date, by date. Only events of the matched types are
    looked at (the period groups them by type). The list may be the period's own (``by_type``):
    the caller must not change it. Not remembered: a repeated ask is rare, and a memo would cost
    more on every period than it saves."""
    _, kind, select = counting
    candidates = period.by_type.get(kind, _NO_EVENTS) if kind is not None else period.events
    return candidates if select is None else select(candidates)


def _selector(specs: tuple) -> tuple:
    """(the one event type to look at, or None for all; a function from those events to the ones
    that count, or None where every one counts). The same test as models.rules.spec_accepts,
    unrolled for the matches at hand: one call per period and list of matches, not one per event."""
    types = {spec[0] for spec in specs}
    if len(types) > 1:
        return None, lambda events: [e for e in events if any(spec_accepts(spec, e) for spec in specs)]
    kind = specs[0][0]
    if any(not where and not where_not for _, where, where_not in specs):
        return kind, None  # one match takes every event of the type (grouped by type already)
    if all(len(where) == 1 and not where_not for _, where, where_not in specs):
        # the common case: {type: conversation, where: {by: jobcenter}} (or {kind: joint}, …)
        allowed: dict[str, frozenset] = {}  # field -> its values; two matches on one field are one test
        for _, where, _ in specs:
            field, values = where[0]
            allowed[field] = allowed.get(field, frozenset()) | values
        if all((kind, field) in TEXT_FIELDS for field in allowed):
            # the attributes hold the matched texts themselves: read them directly
            tests = [(attrgetter(field), values) for field, values in allowed.items()]
            if len(tests) == 1:
                (get, values), = tests
                return kind, lambda events: [e for e in events if get(e) in values]
            if len(tests) == 2:
                (get, values), (get2, values2) = tests
                return kind, lambda events: [e for e in events if get(e) in values or get2(e) in values2]
        pairs = tuple(allowed.items())

        def any_pair(event) -> bool:
            for field, values in pairs:
                if event_value(event, field) in values:
                    return True
            return False

        return kind, lambda events: [e for e in events if any_pair(e)]
    if len(specs) == 1 and not specs[0][1] and len(specs[0][2]) == 1 and (kind, specs[0][2][0][0]) in TEXT_FIELDS:
        # {type: offer, where_not: {offer: mentor}}
        field, refused = specs[0][2][0]
        get = attrgetter(field)
        return kind, lambda events: [e for e in events if get(e) not in refused]
    checks = tuple((where, where_not) for _, where, where_not in specs)

    def accepts(event) -> bool:
        for where, where_not in checks:
            if all(event_value(event, f) in allowed for f, allowed in where) and \
                    not any(event_value(event, f) in refused for f, refused in where_not):
                return True
        return False

    return kind, lambda events: [e for e in events if accepts(e)]


# specs -> a small int: equal lists of matches (by content) share one token, and so one memo entry
# per period, without hashing the nested specs on every lookup. Grows with the distinct lists of
# matches in the rule sets loaded, a few dozen.
_TOKENS: dict[tuple, int] = {}


def _counting_of(matchers: list[EventMatch]) -> tuple:
    specs = tuple(m.spec for m in matchers)
    return (_TOKENS.setdefault(specs, len(_TOKENS)), *_selector(specs))


# A rule's list of matches -> (token, event type or None, selector or None): what a compiled rule
# keeps of its matches for events_counted and dates_counted. Matches are compared by content, so
# rules that count the same events (conversations held by the jobcenter…) share one token, and
# dates_counted one list of dates per period under it (``period.dated``).
counting_of = IdentityMemo(_counting_of)

_EVENT_DATE = attrgetter("date")


def dates_counted(period: Period, counting: tuple) -> list[date]:
    """The dates of events_counted, remembered per period and token (``period.dated``): a quarter
    of the calls find them there. The caller must not change the list."""
    token = counting[0]
    hit = period.dated.get(token)
    if hit is None:
        hit = period.dated[token] = list(map(_EVENT_DATE, events_counted(period, counting)))
    return hit


TRACE_VERSION = 1  # the shape of ``Why.trace`` (docs/case-format-extensions.md, "trace")


class Why:
    """The tracer of one evaluation. The kinds run one path and call it at every step that decides
    an action (``add``: a step with a why-text; ``note``: a step for the trace only); an enabled
    tracer records each step as its key and plain values (dates, numbers, codes, the events
    counted), and the two renderings read those records: ``lines`` (the why-texts, in the tracer's
    language, engine/texts.py) and ``trace`` (JSON-ready). The null tracer (``QUIET``, ``enabled``
    false) records nothing, and the kinds skip building a step's values where ``enabled`` is false:
    the audit asks for no explanation."""

    def __init__(self, lang: str, enabled: bool, steps: Optional[list] = None, label: str = ""):
        self.lang = lang
        self.enabled = enabled
        self.label = label  # the rules label (rules_version) the trace is versioned with
        self.steps: list[tuple[str, dict, bool]] = list(steps) if enabled and steps else []

    def add(self, key: str, **values) -> None:
        """A step with a why-text (engine/texts.py TEXTS[key]) and a place in the trace."""
        if self.enabled:
            self.steps.append((key, values, True))

    def note(self, key: str, **values) -> None:
        """A step for the trace only (no why-text)."""
        if self.enabled:
            self.steps.append((key, values, False))

    def copy(self) -> "Why":
        return Why(self.lang, self.enabled, self.steps, self.label) if self.enabled else self

    @property
    def lines(self) -> list[str]:
        """The why-texts of the steps, in order."""
        lang = self.lang
        return [texts.text(key, lang, **_words(values, lang)) for key, values, shown in self.steps if shown]

    def trace(self) -> list[dict]:
        """The steps as JSON-ready dicts: ``{"step": key, ...its values}``."""
        out = []
        for key, values, _ in self.steps:
            step: dict = {"step": key}
            for name, value in values.items():
                if name != "label":  # a word for the texts, not a fact
                    step[name] = _plain(value)
            out.append(step)
        return out


def _words(values: dict, lang: str) -> dict:
    """A step's values as its why-text shows them: codes as words, offsets described, the events
    counted as their dates (the other values print as they are)."""
    out = dict(values)
    for name, value in values.items():
        if name == "benefit":
            out[name] = texts.name(texts.BENEFIT_NAMES, value, lang)
        elif name == "what":
            out[name] = texts.name(texts.EXEMPTION_NAMES, value, lang)
        elif name == "offset" or name == "within" or name == "limit":
            out[name] = value.describe(lang)
        elif name == "anchor":
            out[name] = texts.name(texts.ANCHOR_NAMES, value, lang)
        elif name == "label":
            out[name] = value.get(lang)
        elif name == "events":
            out[name] = (": " + ", ".join([str(e.date) for e in value])) if value else ""
        elif name == "end" and value is None:
            out[name] = texts.open_end(None, lang)
        elif name == "distance":
            out[name] = f" ({texts.name(texts.DISTANCE_NAMES, value, lang)})" if value else ""
        elif name == "extended":
            out[name] = f" ({texts.text('extended', lang)})" if value else ""
    return out


def _plain(value):
    """A step's value for the trace: dates as ISO text, offsets as their parts, events as their
    date, type and kind (and who held a conversation), statuses as their value."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Status):
        return value.value
    if isinstance(value, Offset):
        return {"months": value.months, "weeks": value.weeks, "days": value.days}
    if isinstance(value, list):
        return [_event(e) for e in value]
    return value


def _event(event) -> dict:
    out = {"date": event.date.isoformat(), "type": event.type}
    kind = getattr(event, "kind", None) or getattr(event, "offer", None)
    if kind is not None:
        out["kind"] = kind
    by = getattr(event, "by", None)
    if by is not None:
        out["by"] = by
    return out


QUIET = Why("da", False)  # the null tracer: records nothing, never reads its language, copy returns it


def explaining(lang: str, label: str = "") -> Why:
    """The tracer an explained evaluation starts from (``label``: the rules label the trace names);
    ``context`` gives each action its own."""
    return Why(lang, True, label=label)


def context(case: Case, period: Period, rule: Rule, tracer: Why) -> Why:
    """The tracer of one action of ``rule``, with the first steps of every action: the rule, the
    benefit, the group, the assessment in force and the regime. The null tracer stays itself."""
    if not tracer.enabled:
        return tracer
    why = Why(tracer.lang, True, label=tracer.label)
    why.note("rule", rule=rule.id, variant=rule.variant, rule_key=rule.key, kind=rule.kind, rules_version=tracer.label,
             trace_version=TRACE_VERSION)
    why.add("benefit", benefit=period.kind, start=period.benefit.start)
    if period.ended:
        why.add("benefit_ended", end=period.ended)
    if rule.applies_to.age_below is not None or rule.applies_to.age_from is not None:
        why.add("age", age=period.age)
        birth, start = case.citizen.birth_date, period.start
        if birth.month == 2 and birth.day == 29 and start.month == 2 and start.day == 28:
            # issue 15.9: the one day the 29 February reading decides an age (docs/readings.md)
            why.add("leap_birthday", start=start, age=period.age)
    # the assessment in force at the end of the period's window (the as-of date, or its end): the
    # latest in the period on or before it (contract §1), as engine/core/routing.py reads it
    in_force = [(a.date, a.category.value) for a in case.assessments
                if period.first_day <= a.date <= period.window_end]
    latest = max(in_force) if in_force else None
    why.note("in_force", category=latest[1] if latest else None, date=latest[0] if latest else None)
    why.add("regime_due" if rule.valid.judged_on == "due" else "regime", start=rule.valid.from_,
            regime=rule.valid.regime, to=rule.valid.to)
    return why


class Spell(NamedTuple):
    """A stretch of a benefit period in which one visitation category is in force (contract §1: the
    latest assessment on or before a date is in force; visitation is dynamic, 003:3194-3196)."""

    start: date  # the assessment that put the category in force
    end: Optional[date]  # its last day in force, where a later assessment of another category replaced it


def category_spells(case: Case, period: Period, category: str, in_force: bool = True) -> list[Spell]:
    """The spells of ``category`` in a period, by date, from the assessments inside the period on or
    before its window's end. ``in_force`` false: the former reading, "ever assessed" — one spell from
    the first assessment that never ends (a policy override can choose it, models/rules.py AppliesTo).
    Two assessments on one day: the same fixed order as engine/core/routing.py (the category whose
    name sorts last is in force), so the input's order never matters."""
    first = period.assessed.get(category)
    if first is None:
        return []
    if not in_force:
        return [Spell(first, None)]
    spells = []
    start: Optional[date] = None
    first_day, last_day = period.first_day, period.window_end
    for a in sorted(case.assessments, key=lambda a: (a.date, a.category._value_)):
        day = a.date
        if day < first_day or day > last_day:
            continue
        if a.category._value_ == category:
            if start is None:
                start = day
        elif start is not None:
            end = day - ONE_DAY
            if end >= start:
                spells.append(Spell(start, end))
            start = None
    if start is not None:
        spells.append(Spell(start, None))
    return spells


def spell_for(spells: list[Spell], first: date, last: date) -> Optional[Spell]:
    """The latest spell in force on some day from ``first`` to ``last`` (None: none is)."""
    for spell in reversed(spells):
        if spell.start <= last and (spell.end is None or spell.end >= first):
            return spell
    return None


def spell_until(period: Period, spell: Optional[Spell]) -> Optional[date]:
    """The end a duty of the spell has on the as-of date: the spell's end where a re-assessment
    ended it before the period ended, else the period's (``Period.ended``)."""
    if spell is not None and spell.end is not None and (period.ended is None or spell.end < period.ended):
        return spell.end
    return period.ended


def spell_reason(why: Why, category: str, spell: Optional[Spell], until: Optional[date]) -> None:
    """The spell's steps: the assessment in force, and where a later one ended it, its last day."""
    if spell is None:
        return
    why.add("assessed", category=category, date=spell.start)
    if spell.end is not None and until == spell.end:
        why.add("category_ended", category=category, end=spell.end)


def clipped_reason(why: Why, start: date, months: int) -> None:
    """Where ``start + months`` had no such day and the month's last day was taken (contract §2:
    2024-01-31 + 1 month = 2024-02-29), a step saying so (issue 15.9: the rounding made explicit)."""
    if months:
        moved = add_months(start, months)
        if moved.day != start.day:
            why.add("clipped", start=start, months=months, day=start.day, date=moved)


def postponers(rule: Rule) -> Optional[tuple]:
    """A rule's ``postponed_by`` read once, for ``postponing_periods``: ((exemption, offer) of each
    in the rule's order, the exemption kinds, the offer kinds), or None where nothing postpones it."""
    if not rule.postponed_by:
        return None
    each = tuple((p.exemption, p.offer) for p in rule.postponed_by)
    return (each, frozenset(x for x, _ in each if x), frozenset(o for x, o in each if not x))


def postponing_periods(case: Case, period: Period, postponed: tuple) -> list[tuple[date, Optional[date], str]]:
    """(start, end, what) periods that move a due date they cover, known on the as-of date, in the
    rule's order; ``postponed``: the rule's ``postponers``. Most cases hold neither an exemption
    nor a postponing offer: one test answers them."""
    each, exemptions, offers = postponed
    if not (exemptions and case.exemptions) and offers.isdisjoint(period.offer_kinds):
        return []
    out = []
    for exemption, offer in each:
        if exemption:
            out += [(x.start, x.end, exemption) for x in case.exemptions
                    if x.kind == exemption and x.start <= period.as_of]
        elif offer in period.offer_kinds:
            out += [(e.date, e.end, offer) for e in period.by_type["offer"] if e.offer == offer]
    return out


def postpone(due: date, periods, as_of: date, why: Why) -> date:
    if not periods:
        return due
    moved = False
    for _ in range(_MAX_POSTPONEMENTS):
        # A period that covers the due date moves it; once moved, a renewal that starts the next day
        # (a new 6-month mentor period, 003:4699-4701) continues the postponement.
        covering = [p for p in periods
                    if covers(p[0], p[1], due) or (moved and p[0] == due + ONE_DAY)]
        if not covering:
            return due
        start, end, what = max(covering, key=lambda p: p[1] or date.max)
        if end is None:  # still running: the duty waits, it is not late today
            new = max(due, as_of)
            why.add("postponed_open", old=due, new=new, what=what, start=start)
            return new
        if end <= due:
            return due
        why.add("postponed", old=due, new=end, what=what, start=start, end=end)
        due = end
        moved = True
    return due


def exemption(case: Case, rule: Rule, due: date, as_of: date) -> Optional[Exemption]:
    for x in case.exemptions:
        # An exemption granted after the as-of date does not exist yet for this evaluation.
        if x.kind in rule.exempted_by and x.start <= as_of and covers(x.start, x.end, due):
            return x
    return None


def status(case: Case, rule: Rule, due: date, done_on: Optional[date], as_of: date, why: Why,
           ended: Optional[date] = None, category_ended: bool = False) -> Status:
    """The contract's statuses, in this order: met, exempt, met_late, open, overdue. The reason is
    added only where texts are wanted (``why.enabled``): the audit decides millions of statuses.
    ``ended``: the period's end where it has ended on or before the as-of date (``Period.ended``)."""
    explained = why.enabled
    if done_on is not None and done_on <= due:
        if explained:
            why.add("met", date=done_on, status=MET)
        return MET
    lifted = exemption(case, rule, due, as_of) if case.exemptions else None
    if lifted is not None:
        if explained:
            why.add("exempt", what=lifted.kind, start=lifted.start, end=lifted.end, status=EXEMPT)
        return EXEMPT
    if done_on is not None:
        if explained:
            why.add("met_late", days=(done_on - due).days, date=done_on, status=MET_LATE)
        return MET_LATE
    if as_of <= due:
        if explained:
            open_reason(why, due, as_of)
        return OPEN
    if explained:
        overdue_reason(why, due, as_of, ended, category_ended)
    return OVERDUE


def overdue_days(due: date, as_of: date, period_end: Optional[date]) -> int:
    """Days overdue: from the due date to the as-of date, or to the end of the benefit period where
    it ended first (a duty of a period that closed years ago is not "more late" every day since);
    never negative (an offer limit can pass after its period ended: 0 days while the period ran)."""
    until = as_of if period_end is None or period_end > as_of else period_end
    days = (until - due).days
    return days if days > 0 else 0


def days_overdue(duty: "Duty", as_of: date) -> int:
    """The one definition of days overdue, for the audit, the CSVs and the why-texts: an overdue
    duty's ``overdue_days``; 0 for a duty that is not overdue."""
    return overdue_days(duty.due, as_of, duty.period_end) if duty.status is OVERDUE else 0


def overdue_reason(why: Why, due: date, as_of: date, ended: Optional[date], category_ended: bool = False) -> None:
    """The reason of an overdue status, in days as ``days_overdue`` counts them; where the period
    (or the visitation category the duty belongs to: ``category_ended``) ended before the as-of
    date (the duty can no longer be done), with the day it ended."""
    days = overdue_days(due, as_of, ended)
    if ended is not None and ended < as_of:
        why.add("overdue_category_ended" if category_ended else "overdue_ended", days=days, end=ended,
                status=OVERDUE, actionable=False)
    else:
        why.add("overdue", days=days, status=OVERDUE, actionable=True)


def open_reason(why: Why, due: date, as_of: date) -> None:
    """The reason of an open status: the days left (none: due today)."""
    days = (due - as_of).days
    if days:
        why.add("open", days=days, status=OPEN)
    else:
        why.add("open_today", status=OPEN)


class Duty:
    """One obligation as the kinds compute it. ``Engine.check`` turns it into the contract's Action
    (adding the rule's title and source); the batch audit folds it as it is, so a caseload of a
    million cases builds no model object per duty. ``rule`` is the id, ``definition`` the Rule."""

    __slots__ = ("rule", "definition", "status", "due", "anchor", "done", "required", "done_on", "benefit",
                 "period_end", "actionable", "why")

    def __init__(self, definition: Rule, period: Period, status_: Status, due: date, anchor: date, done: int,
                 required: int, why: Why, done_on: Optional[date] = None, until: Optional[date] = None):
        self.rule = definition.id
        self.definition = definition
        self.status = status_
        self.due = due
        self.anchor = anchor
        self.done = done
        self.required = required
        # only for met and met_late: an exempt duty done late reports no date
        self.done_on = done_on if status_ is MET or status_ is MET_LATE else None
        self.benefit = period.kind
        # the end of the benefit period it belongs to where it has ended on or before the as-of date
        # (None while it runs); open and overdue duties can still be done while it runs (on its last
        # day too), met, met_late and exempt ones have nothing left to do (None). ``until``: the end of
        # the visitation category the duty belongs to, where a re-assessment ended it first (spell_until)
        ended = period.ended if until is None else until
        self.period_end = ended
        self.actionable: Optional[bool] = (ended is None or ended >= period.as_of) \
            if status_ is OPEN or status_ is OVERDUE else None
        self.why = why  # the null tracer where nothing is explained (one shared object)

    def sort_key(self) -> tuple:
        """check's output order (overdue first, then due date, rule, anchor): the Action's own key
        reads the same four attributes, so one definition serves both. (A method, not the assignment
        ``sort_key = Action.sort_key``: compiled by mypyc, that becomes a data attribute.)"""
        return Action.sort_key(self)  # type: ignore[arg-type]

    def to_action(self, lang: str, why: bool = True, trace: bool = False, documents=None) -> Action:
        """The contract's Action, built without re-validation (every value was computed here):
        with the why-texts (``why``) and the structured trace (``trace``) rendered from the steps its
        tracer recorded (none where it was the null tracer)."""
        rule = self.definition
        return Action.build(
            rule=self.rule,
            title=rule.title.get(lang),
            status=self.status,
            due=self.due,
            anchor=self.anchor,
            progress=Progress.build(done=self.done, required=self.required),
            source=_cited(rule),
            why=self.why.lines if why else [],
            done_on=self.done_on,
            benefit=self.benefit,
            period_end=self.period_end,
            actionable=self.actionable,
            trace=self.why.trace() if trace else None,
            legal=legal_text(rule, lang, documents),
            source_document=documents(rule.source.file, rule.source.lines) if documents is not None else None,
        )


def legal_text(rule: Rule, lang: str, documents=None) -> Optional[str]:
    """A rule's legal reference as one short line (issue 15.10): the act and paragraph, the
    paragraph marked as read outside the seeds (the rule file says where, ``paragraph_from``, and
    which seed lines name the act, ``named_in``: ``rules show``)."""
    legal = rule.legal
    if legal is None:
        return None
    if legal.paragraph:
        return f"{legal.short} {legal.paragraph} ({texts.text('legal_outside_seeds', lang)})"
    return f"{legal.short} ({texts.text('legal_no_paragraph', lang)})"


# a rule -> its source cited: what every Action of the rule repeats
_cited = IdentityMemo(lambda rule: rule.source.cite())
