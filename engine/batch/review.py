"""The ledelsestilsyn sample (``audit --review-sample N --seed S``): a reproducible random sample of
cases, stratified per caseworker (or team), each with its duties explained and a checklist of what
the reviewer should verify in the case file.

Reproducible: a case's place in the draw is the SHA-256 of "seed:case id", so one seed gives the
same sample whatever the order of the cases, the number of workers or the cases added to other
strata; each stratum keeps its N cases with the lowest such keys (a bounded heap: one pass, memory
of N cases per stratum). The duties are the engine's own (``Engine.check`` with the why-texts), and
the checklist is read off them: each duty's rule names what the file must show.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from engine.batch.totals import NONE
from engine.core.check import Engine
from engine.io.loading import InputError
from engine.io.sources import decode
from models.actions import CheckResult
from models.case import Case

STRATA = ("caseworker", "team", "all")

# What the file must show, by what a duty's rule id names (first match wins), in checklist order.
# STAR's 2022 review of youth cases found education orders and literacy tests weakly documented.
CHECKS = (
    ("education_order", ("education-order", "uddannelsespaalaeg")),
    ("literacy", ("literacy",)),
    ("plan", ("plan",)),
    ("offers", ("offer", "ret-og-pligt", "limit", "gap", "activation", "nytteindsats", "work-for")),
    ("conversations", ("conversation", "contact-course", "joint", "visitation")),
)
ALWAYS = ("routing",)  # the visitation category and its reasons, in every file


def draw_key(seed: int, case_id: str) -> int:
    """A case's place in the draw for a seed (lower is drawn first)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{case_id}".encode()).digest()[:8], "big")


def check_of(rule: str) -> str:
    """The checklist item a duty of ``rule`` asks the reviewer to verify."""
    for item, words in CHECKS:
        if any(word in rule for word in words):
            return item
    return "other"


@dataclass
class Sampled:
    """One drawn case: its stratum, its place in it, the explained check and the checklist
    (item -> the rule ids behind it, in checklist order)."""

    number: int
    stratum: str
    case_id: str
    team: str
    caseworker: str
    result: CheckResult
    checklist: dict = field(default_factory=dict)


@dataclass
class ReviewSample:
    as_of: date
    seed: int
    per: str
    size: int
    cases_seen: int = 0
    strata: int = 0
    run_id: Optional[int] = None
    rules_label: str = ""
    sampled: list = field(default_factory=list)


def checklist(case: Case, result: CheckResult) -> dict:
    """item -> the rule ids (sorted) that call for it; the routing always; an exemption where the
    case has one; the overdue duties' follow-up where any is overdue."""
    items: dict = {item: [] for item in ALWAYS}
    for action in result.actions:
        items.setdefault(check_of(action.rule), [])
        if action.rule not in items[check_of(action.rule)]:
            items[check_of(action.rule)].append(action.rule)
    if case.exemptions:
        items["exemption"] = []
    overdue = sorted({a.rule for a in result.actions if a.status.value == "overdue"})
    if overdue:
        items["overdue_followup"] = overdue
    order = [*ALWAYS, *(c for c, _ in CHECKS), "other", "exemption", "overdue_followup"]
    return {item: sorted(items[item]) for item in order if item in items}


def draw(engine: Engine, items: Iterable[tuple], as_of: date, size: int, seed: int, per: str = "caseworker",
         lang: str = "da", run_id: Optional[int] = None) -> ReviewSample:
    """Draw ``size`` cases per stratum (``per``: caseworker, team, or all: one stratum) and explain
    them; ``run_id``: the stored audit run the sample belongs to (its verdicts are stored beside it)."""
    if per not in STRATA:
        raise ValueError(f"unknown stratum {per!r}; expected caseworker, team or all")
    heaps: dict[str, list] = {}
    seen = 0
    for item in items:
        for loaded in decode(item):
            if isinstance(loaded, InputError):
                continue  # the audit reports bad cases; a sample is drawn from the good ones
            case = loaded.case
            seen += 1
            stratum = NONE if per == "all" else (getattr(case.citizen, per) or NONE)
            heap = heaps.setdefault(stratum, [])
            entry = (-draw_key(seed, case.case_id), case.case_id, case)
            if len(heap) < size:
                heapq.heappush(heap, entry)
            elif entry[:2] > heap[0][:2]:
                heapq.heapreplace(heap, entry)
    sample = ReviewSample(as_of, seed, per, size, seen, len(heaps), run_id, engine.ruleset.label)
    number = 0
    for stratum in sorted(heaps):
        for _, case_id, case in sorted(heaps[stratum], key=lambda e: (-e[0], e[1])):
            number += 1
            result = engine.check(case, as_of, lang, with_routing=True)
            sample.sampled.append(Sampled(number, stratum, case_id, case.citizen.team or NONE,
                                          case.citizen.caseworker or NONE, result, checklist(case, result)))
    return sample
