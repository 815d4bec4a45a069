"""What the requirement kinds share: the context lines of ``why``, the status (with its exemption
check) and the construction of an action."""

from __future__ import annotations

from datetime import date
from typing import Optional

from engine import evaluate, explain
from engine.profile import Period
from models.actions import Action, Progress, Status
from models.case import Case
from models.rules import Rule


# The words the new kinds add to engine/explain.py's (en, da) texts.
TEXTS = {
    "gap": ("the previous {label} ended {end}: the next one is due within {within} ({due})",
            "forrige {label} sluttede {end}: det næste senest {within} efter ({due})"),
    "window": ("window {n}: {required} {label} after {start} up to {end}",
               "periode {n}: {required} {label} efter {start} til og med {end}"),
    "distance_assumed": ("no visitation category on the offer's start: the limits close to the labour market apply",
                         "ingen visitationskategori ved tilbuddets start: grænserne for borgere tæt på arbejdsmarkedet gælder"),
    "offer_limit": ("{offer} from {start}: at most {limit}{extended}{distance}, last day {due}",
                    "{offer} fra {start}: højst {limit}{extended}{distance}, sidste dag {due}"),
    "offer_ended": ("ended {end}, within the limit", "sluttede {end}, inden for grænsen"),
    "offer_runs_past": ("the recorded end {end} is {days} days past the limit",
                        "den registrerede slutdato {end} ligger {days} dage efter grænsen"),
}


class Why:
    """The ``why`` lines of one action, or nothing at all when texts are not wanted (the audit)."""

    def __init__(self, lang: str, enabled: bool, lines: Optional[list[str]] = None):
        self.lang = lang
        self.enabled = enabled
        self.lines: list[str] = list(lines or []) if enabled else []

    def add(self, key: str, **values) -> None:
        if self.enabled:
            if key in TEXTS:
                en, da = TEXTS[key]
                self.lines.append((da if self.lang == "da" else en).format(**values))
            else:
                self.lines.append(explain.text(key, self.lang, **values))

    def copy(self) -> "Why":
        return Why(self.lang, self.enabled, self.lines)


def context(period: Period, rule: Rule, lang: str, enabled: bool) -> Why:
    why = Why(lang, enabled)
    if not enabled:
        return why
    why.add("benefit", benefit=explain.name(explain.BENEFIT_NAMES, period.benefit.type.value, lang),
            start=period.benefit.start)
    if period.ended:
        why.add("benefit_ended", end=period.ended)
    if rule.applies_to.age_below is not None or rule.applies_to.age_from is not None:
        why.add("age", age=period.age)
    if rule.applies_to.category:
        why.add("assessed", category=rule.applies_to.category.value, date=period.assessed[rule.applies_to.category])
    why.add("regime", start=rule.valid.from_, regime=rule.valid.regime)
    return why


def status(case: Case, rule: Rule, due: date, done_on: Optional[date], as_of: date, why: Why) -> Status:
    """The contract's statuses in the deadline kind's order: met, exempt, met_late, open, overdue."""
    return evaluate._status(case, rule, due, done_on, as_of, why.lang, why.lines if why.enabled else None)


def action(rule: Rule, period: Period, lang: str, status_: Status, due: date, anchor: date, done: int,
           required: int, why: Why, done_on: Optional[date] = None) -> Action:
    return Action.model_construct(
        rule=rule.id,
        title=rule.title.get(lang),
        status=status_,
        due=due,
        anchor=anchor,
        progress=Progress.model_construct(done=done, required=required),
        source=rule.source.cite(),
        why=why.lines,
        done_on=done_on if status_ in (Status.met, Status.met_late) else None,
        benefit=period.benefit.type.value,
    )
