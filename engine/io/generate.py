"""A synthetic caseload: realistic-looking, deterministic, streamed to disk as JSON Lines.

The benefit-type mix is the 2020 population table of the research notes (see BENEFIT_WEIGHTS).
Everything else — ages, education, visitation, teams, caseworkers, how punctual the jobcenter is,
offers, benefit changes, exemptions — is a plausible assumption for a municipality of that size,
chosen so that an audit finds every status (met, met late, overdue, open, exempt) in both regimes
(2014 reform and 2020 simplification). Dates are handled as day ordinals and cases are built as
plain dicts (no pydantic on the hot path); tests validate a sample with ``Case.model_validate``.
"""

from __future__ import annotations

import json
import os
import random
from bisect import bisect
from functools import lru_cache
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterator, Optional

# Lyngby-Taarbæk, full-time persons by benefit, Q2 2020 (STAR nøgletalsrapport), from
# /work/shared/research/rules-catalogue-000-002-004.md §3.1, lines 650-668 ("3.1 Citizens in
# Lyngby-Taarbæk by labour-market status"): a-dagpenge 856, kontanthjælp 455, uddannelseshjælp
# 183, integrationsydelse 103, sygedagpenge 594, jobafklaringsforløb 116, revalidering 9,
# ressourceforløb 85, ledighedsydelse 76. Fleksjob, førtidspension and efterløn have no process
# duties in the rules (no case type) and are left out; the shares below are of these nine (2,477).
BENEFIT_WEIGHTS = {
    "a_dagpenge": 856,
    "kontanthjaelp": 455,
    "uddannelseshjaelp": 183,
    "integrationsydelse": 103,
    "sygedagpenge": 594,
    "jobafklaringsforloeb": 116,
    "revalidering": 9,
    "ressourceforloeb": 85,
    "ledighedsydelse": 76,
}

EDUCATIONS = ("none", "grundskole", "ungdomsuddannelse", "erhvervskompetencegivende")


class Kind:
    """What is typical of one benefit type (assumptions, not statistics)."""

    def __init__(self, ages: tuple[int, int], education: tuple[float, ...], team: str, mean_days: int,
                 categories: tuple[tuple[str, float], ...] = (), contact: bool = False,
                 offers: bool = False, next_type: Optional[tuple[str, float]] = None):
        self.ages = ages
        self.education = tuple(accumulate(education))
        self.team = team
        self.mean_days = mean_days  # mean length of a period (exponential)
        self.category_names = tuple(c for c, _ in categories)
        self.category_cum = tuple(accumulate(w for _, w in categories))
        self.contact = contact  # has a first contact before the start (kontant-/uddannelseshjælp)
        self.offers = offers  # a ret og pligt rhythm of offers
        self.next_type = next_type  # (benefit changed to, probability) when the period ends


KINDS = {
    # a-dagpenge: ages 20-66, mostly educated (one in four an academic), 2-year maximum.
    "a_dagpenge": Kind((20, 66), (0.02, 0.13, 0.15, 0.70), "forsikrede", 220, offers=True,
                       next_type=("kontanthjaelp", 0.05)),
    # "Størstedelen af de borgere, der modtager kontanthjælp … er aktivitetsparate" (004 L701-702).
    "kontanthjaelp": Kind((30, 64), (0.10, 0.45, 0.15, 0.30), "voksen", 420,
                          (("jobparat", 0.35), ("aktivitetsparat", 0.65)), contact=True, offers=True,
                          next_type=("ressourceforloeb", 0.08)),
    # Under 30 without a vocational education: uddannelseshjælp by definition.
    "uddannelseshjaelp": Kind((18, 29), (0.15, 0.60, 0.25, 0.0), "unge", 300,
                              (("aabenlyst_uddannelsesparat", 0.25), ("uddannelsesparat", 0.35),
                               ("aktivitetsparat", 0.40)), contact=True),
    "integrationsydelse": Kind((18, 55), (0.35, 0.40, 0.10, 0.15), "integration", 500,
                               (("jobparat", 0.40), ("aktivitetsparat", 0.60)), contact=True),
    "sygedagpenge": Kind((20, 66), (0.03, 0.20, 0.12, 0.65), "sygedagpenge", 110,
                         next_type=("jobafklaringsforloeb", 0.15)),
    "jobafklaringsforloeb": Kind((25, 64), (0.05, 0.35, 0.10, 0.50), "rehabilitering", 400),
    "revalidering": Kind((25, 58), (0.02, 0.38, 0.20, 0.40), "rehabilitering", 500),
    "ressourceforloeb": Kind((25, 60), (0.10, 0.50, 0.10, 0.30), "rehabilitering", 700),
    "ledighedsydelse": Kind((30, 66), (0.05, 0.35, 0.10, 0.50), "fleksjob", 350),
}
CASEWORKERS = {"forsikrede": 12, "voksen": 9, "unge": 5, "integration": 3, "sygedagpenge": 10,
               "rehabilitering": 5, "fleksjob": 3}
AKASSER = (("AAK", 0.25), ("HK", 0.15), ("3F", 0.12), ("FOA", 0.08), ("Krifa", 0.08), ("Ase", 0.08),
           ("Metal", 0.06), ("DLF", 0.06), ("Min a-kasse", 0.06), ("FTF-A", 0.06))
OFFERS = (("virksomhedspraktik", 0.40), ("loentilskud", 0.20), ("nytteindsats", 0.15),
          ("vejledning_opkvalificering", 0.25))
AKASSE_NAMES = tuple(a for a, _ in AKASSER)
OFFER_NAMES = tuple(o for o, _ in OFFERS)
EXEMPTIONS = (("standby", 0.3, ("indlagt", "alvorlig sygdom")),
              ("less_intensive", 0.4, ("barsel", "job om under 6 uger", "pension under behandling")),
              ("ret_og_pligt_postponed", 0.3, ("sygdom", "indlagt", "særlige forhold")))

FIRST_DAY = date(2014, 1, 1).toordinal()
REFORM_2020 = date(2020, 1, 1).toordinal()

BIRTHS_FROM = date(1940, 1, 1).toordinal()


@lru_cache(maxsize=4)
def _iso_table(last: int) -> list[Optional[str]]:
    """Every date the generator can produce, rendered once and indexed by day ordinal (isoformat
    is most of a date's cost; the list's own ``__getitem__`` then renders a date with no Python
    call at all)."""
    return [None] * BIRTHS_FROM + [date.fromordinal(o).isoformat() for o in range(BIRTHS_FROM, last + 1)]


# How punctual the jobcenter is with one case: on time, late, or events missing altogether.
ON_TIME, LATE, MISSING = 0, 1, 2


def _letters(number: int) -> str:
    """A seed as letters (never digits, so a case id can never look like a CPR number)."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + out
        if number == 0:
            return out


class Generator:
    """Builds case dicts one at a time from one ``random.Random(seed)``."""

    def __init__(self, seed: int, as_of: date, block: int = 0):
        # One stream per block of cases, so blocks can be made in parallel and still give the same
        # file; a string seed is hashed (sha512), the same on every platform and Python run.
        self.rng = random.Random(f"sagsrute-generate/{seed}/{block}")
        self.random = self.rng.random
        self.prefix = f"SYN-{_letters(seed)}-"
        self.as_of = as_of.toordinal()
        if self.as_of <= FIRST_DAY + 30:
            raise ValueError(f"--as-of {as_of} is too early: the caseload starts 2014-01-01")
        self.day: Callable[[int], str] = _iso_table(self.as_of).__getitem__
        self.types = list(BENEFIT_WEIGHTS)
        self.type_cum = list(accumulate(BENEFIT_WEIGHTS.values()))
        self.offer_cum = list(accumulate(w for _, w in OFFERS))
        self.akasse_cum = list(accumulate(w for _, w in AKASSER))
        self.exemption_cum = list(accumulate(w for _, w, _ in EXEMPTIONS))

    # -- small helpers -------------------------------------------------------------------------

    def ri(self, low: int, high: int) -> int:
        """Like ``randint`` (both ends included) at a fraction of its cost."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, cum, names):
        return names[bisect(cum, self.rng.random() * cum[-1])]

    # -- one case --------------------------------------------------------------------------------

    def case(self, number: int) -> dict:
        rng = self.rng
        btype = self.pick(self.type_cum, self.types)
        kind = KINDS[btype]
        start = self.ri(FIRST_DAY, self.as_of - 7)
        age = self.ri(kind.ages[0], kind.ages[1])
        education = EDUCATIONS[bisect(kind.education, rng.random() * kind.education[-1])]
        if btype == "kontanthjaelp" and rng.random() < 0.12:
            age, education = self.ri(25, 29), "erhvervskompetencegivende"  # under 30 with an education
        if btype == "a_dagpenge" and rng.random() < 0.06:
            age = self.ri(20, 24)
        birth = start - age * 365 - age // 4 - self.ri(1, 364)
        team = "unge" if btype == "kontanthjaelp" and age < 30 else kind.team
        worker = self.ri(1, CASEWORKERS[team])
        # Some caseworkers are reliably behind: the audit should find them.
        late_bias = (worker * 7 % 5) / 20
        roll = rng.random()
        rhythm = ON_TIME if roll < 0.74 - late_bias else (LATE if roll < 0.93 - late_bias / 2 else MISSING)
        citizen = {"birth_date": self.day(birth), "education": education}
        if rng.random() < 0.25:
            citizen["forsoerger"] = True
        if btype == "a_dagpenge":
            citizen["akasse"] = self.pick(self.akasse_cum, AKASSE_NAMES)
        citizen["caseworker"] = f"{team}-{worker:02d}"
        citizen["team"] = team

        benefits: list[dict] = []
        events: list[tuple[int, dict]] = []
        exemptions: list[dict] = []
        assessments: list[dict] = []
        while True:
            end = self._period(btype, kind, start, rhythm, education, age, benefits, events, exemptions, assessments)
            if end is None or kind.next_type is None or end + 2 >= self.as_of:
                break
            next_type, chance = kind.next_type
            if rng.random() >= chance:
                break
            if next_type == "kontanthjaelp" and age < 30 and education != "erhvervskompetencegivende":
                next_type = "uddannelseshjaelp"  # under 30 without an education
            btype, kind, start = next_type, KINDS[next_type], end + 1
        events.sort(key=lambda pair: pair[0])
        case = {"case_id": f"{self.prefix}{number:07d}", "citizen": citizen, "benefits": benefits}
        if assessments:
            case["assessments"] = assessments
        if events:
            case["events"] = [e for _, e in events]
        if exemptions:
            case["exemptions"] = exemptions
        return case

    def _period(self, btype: str, kind: Kind, start: int, rhythm: int, education: str, age: int, benefits: list,
                events: list, exemptions: list, assessments: list) -> Optional[int]:
        """Add one benefit period and what happened in it; returns its end (None: still running)."""
        rng = self.rng
        length = max(14, int(rng.expovariate(1 / kind.mean_days)))
        if btype == "a_dagpenge":
            length = min(length, 730)  # the dagpengeperiode is two years
        end: Optional[int] = start + length
        if end >= self.as_of:
            end = None
        last = self.as_of if end is None else end
        benefit = {"type": btype, "start": self.day(start)}
        if end is not None:
            benefit["end"] = self.day(end)
        contact = start
        if kind.contact and rng.random() < 0.85:
            contact = start - self.ri(0, 10)
            benefit["first_contact"] = self.day(contact)
        first_day = contact
        if btype == "sygedagpenge":
            first_day = start - self.ri(0, 30)
            benefit["first_sick_day"] = self.day(first_day)
        benefits.append(benefit)

        def add(ordinal: int, event: dict) -> bool:
            if first_day <= ordinal <= last:
                event["date"] = self.day(ordinal)
                events.append((ordinal, event))
                return True
            return False

        # Visitation: a category on or soon after the first contact, sometimes revised later.
        category = None
        seen = contact
        if kind.category_names:
            category = kind.category_names[bisect(kind.category_cum, rng.random() * kind.category_cum[-1])]
            seen = contact + self.ri(0, 14)
            if seen <= last:
                assessments.append({"date": self.day(seen), "category": category})
                if category == "aabenlyst_uddannelsesparat" and rhythm != MISSING:
                    # The order's next step is given on the day of the assessment, or later.
                    add(seen + (0 if rhythm == ON_TIME else self.ri(3, 40)), {"type": "education_order", "step": 2})
                revised = seen + self.ri(90, 365)
                if rng.random() < 0.10 and revised <= last:
                    category = "aktivitetsparat" if category != "aktivitetsparat" else (
                        "uddannelsesparat" if btype == "uddannelseshjaelp" else "jobparat")
                    assessments.append({"date": self.day(revised), "category": category})

        self._conversations(btype, first_day if btype == "sygedagpenge" else contact, rhythm, first_day, last, events)
        if btype == "a_dagpenge":
            self._dagpenge(start, rhythm, add)
        if kind.offers or btype == "integrationsydelse" or rng.random() < 0.15:
            # Before 2020, insured under 30 and from 50 had their first offer within 13 weeks.
            early = btype == "a_dagpenge" and (age < 30 or age >= 50) and start < REFORM_2020
            self._offers(btype, start, contact, rhythm, category, early, add)
        if category == "aktivitetsparat" and btype in ("kontanthjaelp", "uddannelseshjaelp", "ressourceforloeb"):
            if rhythm != MISSING or rng.random() < 0.3:
                # Assigned on the day of the aktivitetsparat assessment, or some weeks later.
                add(seen + (0 if rhythm == ON_TIME else self.ri(5, 80)), {"type": "coordinating_caseworker"})
            if rng.random() < 0.3:
                mentor = contact + self.ri(30, 300)
                add(mentor, {"type": "offer", "offer": "mentor", "end": self.day(min(mentor + self.ri(60, 240), self.as_of))})
        if btype == "uddannelseshjaelp" or (btype == "a_dagpenge" and education != "erhvervskompetencegivende"
                                            and start >= REFORM_2020 and rng.random() < 0.3):
            self._youth(btype, contact, rhythm, education, category, add)
        if btype in ("kontanthjaelp", "a_dagpenge") and (rhythm != MISSING or rng.random() < 0.3):
            add(contact + (self.ri(0, 21) if rhythm == ON_TIME else self.ri(22, 70)), {"type": "cv_registered"})
        if rng.random() < 0.03:
            name_roll = bisect(self.exemption_cum, rng.random() * self.exemption_cum[-1])
            exemption_kind, _, reasons = EXEMPTIONS[name_roll]
            from_ = start + self.ri(20, 200)
            if from_ <= last:
                exemption = {"kind": exemption_kind, "start": self.day(from_)}
                until = from_ + self.ri(14, 120)
                if until <= self.as_of:
                    exemption["end"] = self.day(until)
                exemption["reason"] = reasons[int(rng.random() * len(reasons))]
                exemptions.append(exemption)
        return end

    def _conversations(self, btype: str, contact: int, rhythm: int, first_day: int, last: int, events: list) -> None:
        rng = self.rng
        if btype == "sygedagpenge":  # by the end of the 8th week of sickness
            first = contact + (self.ri(20, 55) if rhythm == ON_TIME else self.ri(56, 110))
        elif rhythm == ON_TIME:
            first = contact + self.ri(0, 7)
        elif rhythm == LATE:
            first = contact + self.ri(8, 45)
        else:
            if rng.random() < 0.4:
                return
            first = contact + self.ri(20, 120)
        kind = "visitation" if btype in ("kontanthjaelp", "uddannelseshjaelp", "integrationsydelse") else "individual"
        gap_low, gap_high = ((21, 42), (40, 85), (70, 180))[rhythm]
        # The hot loop of the generator: ``add`` and ``ri`` written out.
        span, random, day = gap_high - gap_low + 1, self.random, self.day
        when, held = first, 0
        while held < 36 and first_day <= when <= last:
            events.append((when, {"type": "conversation", "kind": kind, "date": day(when)}))
            held += 1
            kind = "individual"
            # After six months a slower rhythm, except for young people (every two months or more).
            stretch = 2 if when - contact > 183 and btype != "uddannelseshjaelp" else 1
            when += (gap_low + int(random() * span)) * stretch

    def _dagpenge(self, start: int, rhythm: int, add: Callable[[int, dict], bool]) -> None:
        rng = self.rng
        add(start + self.ri(3, 14), {"type": "conversation", "kind": "cv", "by": "akasse"})
        add(start + self.ri(40, 90), {"type": "conversation", "kind": "availability", "by": "akasse"})
        if rhythm == MISSING and rng.random() < 0.5:
            return
        slack = 0 if rhythm == ON_TIME else self.ri(10, 60)
        add(start + self.ri(45, 90) + slack, {"type": "conversation", "kind": "joint"})
        add(start + self.ri(140, 180) + slack, {"type": "conversation", "kind": "joint"})
        add(start + self.ri(400, 480) + slack, {"type": "conversation", "kind": "joint"})

    def _offers(self, btype: str, start: int, contact: int, rhythm: int, category: Optional[str], early: bool,
                add: Callable[[int, dict], bool]) -> None:
        rng = self.rng
        if rhythm == MISSING and rng.random() < 0.7:
            return
        names = OFFER_NAMES
        if btype == "kontanthjaelp" and category == "jobparat" and start < REFORM_2020 and rhythm == ON_TIME:
            first = contact + self.ri(14, 88)  # work for the benefit within three months (2014)
            offer = "nytteindsats"
        else:
            if rhythm == ON_TIME:
                first = start + (self.ri(30, 90) if early else self.ri(60, 180))
            else:
                first = start + self.ri(185, 320)
            offer = self.pick(self.offer_cum, names)
        when = first
        for _ in range(6):
            # A company internship is mostly four weeks (some run longer); other offers 1-3 months.
            if offer == "virksomhedspraktik":
                length = self.ri(14, 28) if rng.random() < 0.85 else self.ri(29, 91)
            else:
                length = self.ri(28, 91)
            event = {"type": "offer", "offer": offer, "end": self.day(min(when + length, self.as_of))}
            if offer in ("virksomhedspraktik", "loentilskud"):
                event["employer"] = "private" if rng.random() < 0.6 else "public"
            if not add(when, event):
                return
            # Passivmåling: some citizens get their next offer soon, some wait a year or more.
            when += length + self.ri(30, 420)
            offer = self.pick(self.offer_cum, names)

    def _youth(self, btype: str, contact: int, rhythm: int, education: str, category: Optional[str],
               add: Callable[[int, dict], bool]) -> None:
        rng = self.rng
        if rhythm != MISSING:
            delay = self.ri(0, 7) if rhythm == ON_TIME else self.ri(8, 60)
            add(contact + delay, {"type": "education_order", "step": 1})
            # The plan is usually made at the conversation that gives the order.
            add(contact + delay + (0 if rng.random() < 0.8 else self.ri(7, 60)), {"type": "education_plan"})
            if btype == "uddannelseshjaelp" and contact < REFORM_2020:
                # 2014: young people get an offer within a month (åbenlyst: work for the benefit).
                offer = "nytteindsats" if category == "aabenlyst_uddannelsesparat" else \
                    self.pick(self.offer_cum, OFFER_NAMES)
                when = contact + (self.ri(7, 30) if rhythm == ON_TIME else self.ri(31, 90))
                for _ in range(8):  # and then no more than four weeks between offers
                    until = min(when + self.ri(28, 91), self.as_of)
                    if not add(when, {"type": "offer", "offer": offer, "end": self.day(until)}):
                        break
                    when = until + (self.ri(1, 28) if rhythm == ON_TIME else self.ri(20, 120))
                    offer = self.pick(self.offer_cum, OFFER_NAMES)
        if education in ("none", "grundskole") and (rhythm != MISSING or rng.random() < 0.3):
            add(contact + (self.ri(3, 30) if rhythm == ON_TIME else self.ri(32, 120)), {"type": "literacy_test"})
        if rng.random() < 0.15:
            add(contact + self.ri(60, 400), {"type": "education_start"})


BLOCK = 5000  # cases per random stream (and per unit of parallel work)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _blocks(count: int, block_size: int) -> list[tuple[int, int, int]]:
    """(block number, first case number, cases in it) covering 1..count."""
    return [(b, b * block_size + 1, min(block_size, count - b * block_size))
            for b in range((count + block_size - 1) // block_size)]


def generate_cases(count: int, seed: int, as_of: date, block_size: int = BLOCK) -> Iterator[dict]:
    """The cases as dicts, one at a time (the same cases ``write_jsonl`` writes)."""
    for block, first, size in _blocks(count, block_size):
        generator = Generator(seed, as_of, block)
        for number in range(first, first + size):
            yield generator.case(number)


def _block_text(task: tuple[int, date, int, int, int]) -> str:
    seed, as_of, block, first, size = task
    generator = Generator(seed, as_of, block)
    return "".join([_encode(generator.case(number)) + "\n" for number in range(first, first + size)])


def write_jsonl(count: int, seed: int, as_of: date, out: Path, workers: int = 1,
                progress: Optional[Callable[[int], None]] = None, block_size: int = BLOCK) -> int:
    """Write ``count`` cases to ``out`` as JSON Lines, streaming a block at a time; the file is
    byte-identical for one seed whatever the number of workers, and appears whole or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    tasks = [(seed, as_of, block, first, size) for block, first, size in _blocks(count, block_size)]
    written = 0
    pool = None
    try:
        if workers > 1 and len(tasks) > 1:
            import multiprocessing

            pool = multiprocessing.get_context("fork").Pool(workers)
            texts: Iterator[str] = pool.imap(_block_text, tasks)
        else:
            texts = map(_block_text, tasks)
        with partial.open("w", encoding="utf-8") as handle:
            for (_, _, _, _, size), text in zip(tasks, texts):
                handle.write(text)
                written += size
                if progress:
                    progress(written)
        os.replace(partial, out)
    finally:
        if pool is not None:
            pool.terminate()
        if partial.exists():
            partial.unlink()
    return written
