"""Writes caseload.jsonl: 60 varied, made-up cases for trying rule changes with ``sagsrute whatif``.

Deterministic (a fixed seed), so the file and the what-if figures in docs/policy-what-if.md can be
reproduced: ``python samples/caseload/make_caseload.py``. Case ids are pseudonyms (CL-001 …).
The mix: a-dagpenge (members of trial and other a-kasser, some under 25 without education),
kontanthjælp jobparat and aktivitetsparat, uddannelseshjælp, sygedagpenge, ressourceforløb and
benefit changes, starting between mid 2019 and 2021, with conversations held on time, late or not
at all, offers, and a few exemptions; five teams and their caseworkers (one case in twenty not yet
assigned).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 2021
OUT = Path(__file__).resolve().parent / "caseload.jsonl"
TRIAL_AKASSER = ["Dansk Metal", "FOA", "FTF-A", "Socialpædagogerne", "Min a-kasse"]
OTHER_AKASSER = ["3F", "HK", "Krifa"]
OFFERS = ["virksomhedspraktik", "loentilskud", "vejledning_opkvalificering", "nytteindsats"]


def iso(d: date) -> str:
    return d.isoformat()


def day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def birth(rng: random.Random, start: date, age: int) -> str:
    return iso(date(start.year - age, rng.randint(1, 12), rng.randint(1, 28)))


def conversations(rng: random.Random, start: date, n: int, kinds=("individual",), by="jobcenter", within=200) -> list[dict]:
    days = sorted(rng.sample(range(2, within), n))
    return [{"type": "conversation", "date": iso(start + timedelta(days=d)), "kind": rng.choice(kinds), "by": by}
            for d in days]


def offer(rng: random.Random, start: date, earliest: int, latest: int) -> dict:
    begin = start + timedelta(days=rng.randint(earliest, latest))
    return {"type": "offer", "date": iso(begin), "offer": rng.choice(OFFERS), "end": iso(begin + timedelta(weeks=rng.choice([4, 8, 13])))}


def a_dagpenge(rng: random.Random, n: int) -> dict:
    start = day_in(rng, date(2019, 7, 1), date(2021, 6, 30))
    young = n % 7 == 0
    age = rng.randint(19, 24) if young else rng.randint(26, 60)
    akasse = rng.choice(TRIAL_AKASSER if n % 2 else OTHER_AKASSER)
    events = [{"type": "conversation", "date": iso(start + timedelta(days=rng.randint(1, 20))), "kind": "cv", "by": "akasse"}]
    events += conversations(rng, start, rng.randint(1, 3), kinds=("availability",), by="akasse", within=90)
    events += conversations(rng, start, rng.choice([2, 3, 4, 4, 5, 6]), within=rng.choice([150, 185, 240]))
    for d in sorted(rng.sample(range(30, 200), rng.choice([0, 1, 2, 2]))):
        events.append({"type": "conversation", "date": iso(start + timedelta(days=d)), "kind": "joint", "by": "jobcenter"})
    if rng.random() < 0.7:
        events.append(offer(rng, start, 60, 230))
    benefit = {"type": "a_dagpenge", "start": iso(start)}
    if rng.random() < 0.25:
        benefit["end"] = iso(start + timedelta(days=rng.randint(60, 300)))
    return {"citizen": {"birth_date": birth(rng, start, age), "akasse": akasse,
                        "education": "grundskole" if young else rng.choice(["ungdomsuddannelse", "erhvervskompetencegivende"])},
            "benefits": [benefit], "events": events}


def kontanthjaelp(rng: random.Random, n: int) -> dict:
    start = day_in(rng, date(2019, 7, 1), date(2021, 6, 30))
    contact = start - timedelta(days=rng.randint(0, 5))
    category = "jobparat" if n % 3 else "aktivitetsparat"
    events = conversations(rng, start, rng.choice([1, 2, 3, 4, 4, 5]), within=rng.choice([120, 185, 260]))
    events.insert(0, {"type": "conversation", "date": iso(contact + timedelta(days=rng.choice([1, 3, 6, 9]))),
                      "kind": "visitation", "by": "jobcenter"})
    if rng.random() < 0.6:
        events.append(offer(rng, start, 30, 240))
    if category == "aktivitetsparat" and rng.random() < 0.7:
        events.append({"type": "coordinating_caseworker", "date": iso(start + timedelta(days=rng.randint(5, 60)))})
    case = {"citizen": {"birth_date": birth(rng, start, rng.randint(30, 58)), "education": rng.choice(["grundskole", "erhvervskompetencegivende"]),
                        "forsoerger": rng.random() < 0.3},
            "benefits": [{"type": "kontanthjaelp", "start": iso(start), "first_contact": iso(contact)}],
            "assessments": [{"date": iso(contact + timedelta(days=rng.randint(1, 14))), "category": category}],
            "events": events}
    if category == "aktivitetsparat" and rng.random() < 0.3:
        case["exemptions"] = [{"kind": "ret_og_pligt_postponed", "start": iso(start + timedelta(days=150)),
                               "end": iso(start + timedelta(days=240)), "reason": "mentor support first"}]
    if n % 5 == 0:  # a benefit change: kontanthjælp, then ressourceforløb
        end = start + timedelta(days=rng.randint(120, 250))
        case["benefits"][0]["end"] = iso(end)
        case["benefits"].append({"type": "ressourceforloeb", "start": iso(end + timedelta(days=1))})
        case["events"] += conversations(rng, end, rng.randint(1, 4), within=180)
    return case


def uddannelseshjaelp(rng: random.Random, n: int) -> dict:
    start = day_in(rng, date(2019, 7, 1), date(2021, 6, 30))
    category = ["uddannelsesparat", "aabenlyst_uddannelsesparat", "aktivitetsparat"][n % 3]
    education = rng.choice(["none", "grundskole", "ungdomsuddannelse"])
    events = [{"type": "conversation", "date": iso(start + timedelta(days=rng.choice([2, 5, 10]))), "kind": "visitation", "by": "jobcenter"}]
    events += conversations(rng, start, rng.choice([1, 2, 3, 4]), within=rng.choice([90, 185]))
    if rng.random() < 0.8:
        events.append({"type": "education_order", "date": iso(start + timedelta(days=rng.choice([3, 6, 12])))})
    if education != "ungdomsuddannelse" and rng.random() < 0.7:
        events.append({"type": "literacy_test", "date": iso(start + timedelta(days=rng.randint(10, 45)))})
    if rng.random() < 0.5:
        events.append(offer(rng, start, 30, 200))
    return {"citizen": {"birth_date": birth(rng, start, rng.randint(18, 29)), "education": education},
            "benefits": [{"type": "uddannelseshjaelp", "start": iso(start)}],
            "assessments": [{"date": iso(start + timedelta(days=rng.randint(1, 10))), "category": category}],
            "events": events}


def sygedagpenge(rng: random.Random, n: int) -> dict:
    start = day_in(rng, date(2019, 7, 1), date(2021, 6, 30))
    sick = start - timedelta(days=rng.randint(14, 35))
    events = [{"type": "conversation", "date": iso(sick + timedelta(days=rng.choice([40, 50, 55, 62, 70]))), "kind": "individual", "by": "jobcenter"}]
    events += conversations(rng, start, rng.randint(0, 3), within=185)
    case = {"citizen": {"birth_date": birth(rng, start, rng.randint(25, 63)), "education": "erhvervskompetencegivende"},
            "benefits": [{"type": "sygedagpenge", "start": iso(start), "first_sick_day": iso(sick)}],
            "events": events}
    if n % 4 == 0:
        case["exemptions"] = [{"kind": "less_intensive", "start": iso(start + timedelta(days=20)), "reason": "hospitalised"}]
    if n % 3 == 0:  # a benefit change: sygedagpenge, then jobafklaringsforløb
        end = start + timedelta(days=rng.randint(150, 300))
        case["benefits"][0]["end"] = iso(end)
        case["benefits"].append({"type": "jobafklaringsforloeb", "start": iso(end + timedelta(days=1))})
        case["events"] += conversations(rng, end, rng.randint(2, 5), within=180)
    return case


KINDS = [a_dagpenge] * 4 + [kontanthjaelp] * 3 + [uddannelseshjaelp] * 2 + [sygedagpenge] * 1

# The jobcenter's teams as a team lead sees them, and their caseworkers (initials, as caseworker
# ids usually are). Assigned from the case itself, after it is drawn, so the random draws — and with
# them every case's benefits, events and exemptions — are the same as without them.
TEAMS = {
    "a_dagpenge": ("Forsikrede", ["AKN", "MLR", "PSV"]),
    "jobparat": ("Jobparate", ["SHJ", "TBP"]),
    "aktivitetsparat": ("Aktivitetsparate", ["KVN", "ELS"]),
    "uddannelseshjaelp": ("Unge", ["NMØ", "JAP"]),
    "sygedagpenge": ("Sygedagpenge", ["LHC"]),
}


def staff(case: dict, n: int) -> tuple[str, str]:
    """The team and caseworker of a case: by its first benefit (kontanthjælp by its category)."""
    benefit = case["benefits"][0]["type"]
    key = case["assessments"][0]["category"] if benefit == "kontanthjaelp" else benefit
    team, caseworkers = TEAMS[key]
    return team, caseworkers[n % len(caseworkers)]


def caseload(count: int = 60, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        case = {"case_id": f"CL-{n:03d}"}
        case.update(KINDS[(n - 1) % len(KINDS)](rng, n))
        case["events"] = sorted(case.get("events", []), key=lambda e: e["date"])
        if n % 20 != 0:  # one case in twenty not yet given to a team: the audit shows it as "(ingen)"
            case["citizen"]["team"], case["citizen"]["caseworker"] = staff(case, n)
        out.append(case)
    return out


def main() -> None:
    with OUT.open("w", encoding="utf-8") as handle:
        for case in caseload():
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
