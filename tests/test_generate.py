"""The synthetic caseload: deterministic, valid, and shaped like the 2020 population table."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from engine.io.generate import BENEFIT_WEIGHTS, generate_cases, write_jsonl
from models.case import Case
from models.privacy import CPR_SHAPE

AS_OF = date(2021, 12, 31)


def test_same_seed_same_bytes_whatever_the_workers(tmp_path):
    one, two, other = tmp_path / "one.jsonl", tmp_path / "two.jsonl", tmp_path / "other.jsonl"
    assert write_jsonl(2500, 7, AS_OF, one, block_size=1000) == 2500
    write_jsonl(2500, 7, AS_OF, two, workers=2, block_size=1000)
    write_jsonl(2500, 8, AS_OF, other, block_size=1000)
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() != other.read_bytes()
    assert len(one.read_text().splitlines()) == 2500
    assert not list(tmp_path.glob("*.partial"))


def test_every_generated_case_validates_and_stays_before_the_as_of_date():
    as_of = date(2020, 6, 30)
    ids = set()
    for data in generate_cases(3000, 3, as_of):
        case = Case.model_validate(data)
        ids.add(case.case_id)
        assert not CPR_SHAPE.search(case.case_id)
        dates = [b.start for b in case.benefits] + [e.date for e in case.events] + \
                [a.date for a in case.assessments] + [x.start for x in case.exemptions]
        assert max(dates) <= as_of
        assert min(b.start for b in case.benefits) >= date(2014, 1, 1)
    assert len(ids) == 3000


def test_benefit_mix_follows_the_2020_table():
    first_types = Counter(data["benefits"][0]["type"] for data in generate_cases(20_000, 5, AS_OF))
    total = sum(BENEFIT_WEIGHTS.values())
    for benefit, weight in BENEFIT_WEIGHTS.items():
        expected = weight / total
        share = first_types[benefit] / 20_000
        assert abs(share - expected) < 0.012 + expected * 0.1, (benefit, share, expected)


def test_the_caseload_has_what_an_audit_needs():
    cases = [Case.model_validate(d) for d in generate_cases(4000, 9, AS_OF)]
    ages = {}
    for case in cases:
        first = case.benefits[0]
        age = (first.start - case.citizen.birth_date).days // 365
        ages.setdefault(first.type.value, []).append(age)
    assert max(ages["uddannelseshjaelp"]) < 30 and min(ages["uddannelseshjaelp"]) >= 18
    assert min(ages["kontanthjaelp"]) >= 25
    youth_educations = {c.citizen.education.value for c in cases if c.benefits[0].type.value == "uddannelseshjaelp"}
    assert "erhvervskompetencegivende" not in youth_educations
    starts = Counter(c.benefits[0].start.year for c in cases)
    assert set(starts) == set(range(2014, 2022))  # both regimes
    assert {c.citizen.team for c in cases} >= {"unge", "voksen", "sygedagpenge", "forsikrede"}
    assert len({c.citizen.caseworker for c in cases}) >= 30
    changes = Counter(tuple(b.type.value for b in c.benefits) for c in cases if len(c.benefits) > 1)
    assert changes[("kontanthjaelp", "ressourceforloeb")] and changes[("sygedagpenge", "jobafklaringsforloeb")]
    events = Counter(e.type for c in cases for e in c.events)
    assert all(events[t] for t in ("conversation", "offer", "education_order", "literacy_test",
                                   "coordinating_caseworker", "education_plan"))
    assert any(e.type == "offer" and e.offer == "mentor" for c in cases for e in c.events)
    with_exemption = sum(1 for c in cases if c.exemptions)
    assert 0 < with_exemption < len(cases) * 0.1  # rare
    categories = Counter(a.category.value for c in cases for a in c.assessments)
    assert set(categories) == {"jobparat", "aktivitetsparat", "aabenlyst_uddannelsesparat", "uddannelsesparat"}
    assert any(b.first_contact for c in cases for b in c.benefits)
    assert any(b.first_sick_day for c in cases for b in c.benefits)
    assert any(b.end for c in cases for b in c.benefits) and any(b.end is None for c in cases for b in c.benefits)


def test_the_audit_finds_every_status(engine):
    statuses = Counter()
    for data in generate_cases(1500, 4, AS_OF):
        for action in engine.check(Case.model_validate(data), AS_OF).actions:
            statuses[action.status.value] += 1
    assert set(statuses) == {"met", "met_late", "open", "overdue", "exempt"}
    assert statuses["met"] > statuses["overdue"] > 0  # mostly on time, as a real jobcenter


def test_samples_generate_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["samples", "generate", "200", "--seed", "4"])
    assert result.exit_code == 0, result.output
    default = tmp_path / "out" / "generated-200.jsonl"
    lines = default.read_text().splitlines()
    assert len(lines) == 200 and json.loads(lines[0])["case_id"].startswith("SYN-")
    target = tmp_path / "x" / "mine.jsonl"
    result = runner.invoke(app, ["samples", "generate", "200", "--seed", "4", "--out", str(target), "--workers", "1"])
    assert result.exit_code == 0 and target.read_bytes() == default.read_bytes()
    result = runner.invoke(app, ["samples", "generate", "0"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["samples", "generate", "5", "--as-of", "2013-01-01", "--out", str(Path("y.jsonl"))])
    assert result.exit_code == 2 and "too early" in result.output
