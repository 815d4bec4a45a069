"""Hypothesis strategies for case timelines spanning both regimes (2014 and 2020)."""

from datetime import date, timedelta

from hypothesis import strategies as st

from models.case import Case

BENEFITS = ["a_dagpenge", "kontanthjaelp", "uddannelseshjaelp", "sygedagpenge", "jobafklaringsforloeb",
            "ressourceforloeb", "revalidering", "ledighedsydelse", "integrationsydelse"]
EDUCATION = ["none", "grundskole", "ungdomsuddannelse", "erhvervskompetencegivende"]
CATEGORIES = ["jobparat", "aktivitetsparat", "aabenlyst_uddannelsesparat", "uddannelsesparat"]
OFFERS = ["virksomhedspraktik", "loentilskud", "nytteindsats", "vejledning_opkvalificering", "ordinaer_uddannelse", "mentor"]
EXEMPTIONS = ["standby", "less_intensive", "ret_og_pligt_postponed"]

START = date(2013, 6, 1)
SPAN = 9 * 365  # to 2022: every regime boundary is crossed


def days(lo=0, hi=SPAN):
    return st.integers(lo, hi).map(lambda n: START + timedelta(days=n))


@st.composite
def benefits(draw):
    count = draw(st.integers(1, 3))
    day = draw(days(0, SPAN - 800))
    out = []
    for i in range(count):
        length = draw(st.integers(20, 700))
        kind = draw(st.sampled_from(BENEFITS))
        item = {"type": kind, "start": day.isoformat()}
        last = i == count - 1
        if not last or draw(st.booleans()):
            item["end"] = (day + timedelta(days=length)).isoformat()
        if kind in ("kontanthjaelp", "uddannelseshjaelp") and draw(st.booleans()):
            item["first_contact"] = (day - timedelta(days=draw(st.integers(0, 10)))).isoformat()
        if kind == "sygedagpenge" and draw(st.booleans()):
            item["first_sick_day"] = (day - timedelta(days=draw(st.integers(0, 30)))).isoformat()
        out.append(item)
        day = day + timedelta(days=length + draw(st.integers(1, 60)))
    return out


@st.composite
def events(draw, first: date, last: date):
    span = max((last - first).days, 1)
    out = []
    for _ in range(draw(st.integers(0, 12))):
        d = (first + timedelta(days=draw(st.integers(-10, span + 30)))).isoformat()
        kind = draw(st.sampled_from(["conversation"] * 5 + ["offer"] * 2 + ["education_order", "literacy_test",
                                                                           "coordinating_caseworker", "education_plan"]))
        if kind == "conversation":
            out.append({"date": d, "type": kind, "kind": draw(st.sampled_from(["individual", "joint", "visitation", "cv", "availability"])),
                        "by": draw(st.sampled_from(["jobcenter", "jobcenter", "akasse"]))})
        elif kind == "offer":
            offer = {"date": d, "type": kind, "offer": draw(st.sampled_from(OFFERS))}
            if draw(st.booleans()):
                offer["end"] = (date.fromisoformat(d) + timedelta(days=draw(st.integers(0, 200)))).isoformat()
            out.append(offer)
        else:
            out.append({"date": d, "type": kind})
    return out


@st.composite
def case_dicts(draw):
    periods = draw(benefits())
    first = min(date.fromisoformat(b.get("first_contact", b["start"])) for b in periods) - timedelta(days=40)
    last = date.fromisoformat(periods[-1].get("end", periods[-1]["start"])) + timedelta(days=400)
    birth = date(draw(st.integers(1950, 2003)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    assessments = [{"date": draw(days()).isoformat(), "category": draw(st.sampled_from(CATEGORIES))}
                   for _ in range(draw(st.integers(0, 3)))]
    exemptions = []
    for _ in range(draw(st.integers(0, 2))):
        start = first + timedelta(days=draw(st.integers(0, max((last - first).days, 1))))
        x = {"kind": draw(st.sampled_from(EXEMPTIONS)), "start": start.isoformat()}
        if draw(st.integers(0, 4)):
            x["end"] = (start + timedelta(days=draw(st.integers(0, 200)))).isoformat()
        exemptions.append(x)
    return {
        "case_id": f"H-{draw(st.integers(1, 10**6))}",
        "citizen": {"birth_date": birth.isoformat(), "education": draw(st.sampled_from(EDUCATION))},
        "benefits": periods,
        "assessments": assessments,
        "events": draw(events(first, last)),
        "exemptions": exemptions,
    }


cases = case_dicts().map(Case.model_validate)
as_of_dates = days(0, SPAN + 400)
