"""Differential test: the audit's evaluation (the null tracer, engine.core.duty.QUIET) and check's
explained one give the same duties, field by field (the contract's and the extensions').

There is one evaluation path per kind and one loop in the Engine; what differs is the tracer. A
branch on ``why.enabled`` that changed a result — a postponement applied only when explaining, a
lapse judged ``ended <= due`` on one side — would make the audit's figures disagree with what
``check`` tells a caseworker. This compares both over the samples, generated cases at dates in
both regimes, and variants of generated cases whose benefit period ends exactly on a duty's due
date (the lapse boundary). It was run against both planted bugs (postponements dropped when
quiet; ``ended <= due`` when quiet) and failed on each.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from engine.core.duty import Duty
from engine.core.profile import periods_as_of
from engine.io.generate import generate_cases
from engine.io.loading import LoadedCase, read_cases
from models.case import Case

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "samples" / "cases", ROOT / "samples" / "worked", ROOT / "samples" / "caseload"]
DATES = (date(2015, 6, 30), date(2019, 12, 31), date(2020, 6, 30), date(2021, 12, 31))
GENERATED = 1500  # per generator date: 3,000 generated cases, each at every date
FIELDS = ("rule", "benefit", "anchor", "due", "status", "done", "required", "done_on", "period_end", "actionable")
VARIANTS = 400  # boundary variants: a benefit period ending on the due date of a duty not done


def _quiet(engine, case: Case, as_of: date) -> list[tuple]:
    """What the audit folds (Auditor.add): the null tracer, in check's order."""
    duties = sorted(engine.quiet_duties(case, periods_as_of(case, as_of)), key=Duty.sort_key)
    return [tuple(getattr(d, f) for f in FIELDS) for d in duties]


def _explained(engine, case: Case, as_of: date) -> tuple[list[tuple], list]:
    """What check reports, every reason given (and the trace); and its actions."""
    actions = engine.check(case, as_of, "en", trace=True, with_routing=False).actions
    rows = [(a.rule, a.benefit, a.anchor, a.due, a.status, a.progress.done, a.progress.required, a.done_on,
             a.period_end, a.actionable)
            for a in actions]
    return rows, actions


def _boundary_variants(engine, cases: list[dict], as_of: date) -> list[Case]:
    """Cases whose benefit period is made to end on the due date of one of its duties not done
    (open or overdue): there the lapse rule (``ended < due``: the duty stands) decides."""
    out = []
    for data in cases:
        case = Case.model_validate(data)
        for index, period in enumerate(periods_as_of(case, as_of)):
            benefit = case.benefits[period.index]
            duties = [d for d in engine.quiet_duties(case, [period]) if d.done_on is None
                      and d.due >= benefit.start and d.due < as_of and (benefit.end is None or d.due < benefit.end)]
            if not duties:
                continue
            variant = copy.deepcopy(data)
            variant["case_id"] = f"{data['case_id']}-end-{index}"
            variant["benefits"][period.index]["end"] = duties[0].due.isoformat()
            out.append(Case.model_validate(variant))
            break
        if len(out) >= VARIANTS:
            break
    return out


@pytest.fixture(scope="module")
def caseload(engine) -> list[Case]:
    cases = [loaded.case for loaded in read_cases(SAMPLES) if isinstance(loaded, LoadedCase)]
    assert len(cases) >= 90  # the samples were read
    for generated_on in (date(2016, 12, 31), date(2021, 12, 31)):
        generated = list(generate_cases(GENERATED, 14, generated_on))
        cases += [Case.model_validate(data) for data in generated]
        cases += _boundary_variants(engine, generated, generated_on)
    return cases


def test_the_audit_and_check_give_the_same_duties(engine, caseload):
    compared = postponed = on_the_boundary = 0
    for case in caseload:
        for as_of in DATES:
            expected, actions = _explained(engine, case, as_of)
            assert _quiet(engine, case, as_of) == expected, (case.case_id, as_of)
            compared += len(expected)
            postponed += sum(any(s["step"] in ("postponed", "postponed_open") for s in a.trace) for a in actions)
            on_the_boundary += sum(a.status.value in ("open", "overdue") and a.due == p.ended and a.benefit == p.kind
                                   and p.first_day <= a.anchor <= p.ended
                                   for p in periods_as_of(case, as_of) if p.ended for a in actions)
    # the comparison reached what the planted bugs break: postponed due dates, and duties of a
    # period that ended on their due date
    assert compared > 20_000 and postponed > 100 and on_the_boundary > 100, (compared, postponed, on_the_boundary)
