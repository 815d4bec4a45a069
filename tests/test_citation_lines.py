"""Issue #15.9: two rules cited a neighbouring sentence instead of the one that states them. check's
JSON shows the corrected citations (the quotes themselves are checked against the seeds by
``sagsrute rules validate``, tests/test_citations.py)."""

from datetime import date
from pathlib import Path

from engine.io.loading import read_file

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "cases"


def _check(engine, name: str, as_of: date):
    case = next(read_file(SAMPLES / name)).case
    return engine.check(case, as_of)


def test_the_youth_visitation_cites_the_three_month_rule_not_the_two_further_conversations(engine):
    result = _check(engine, "uddannelseshjaelp-aktivitetsparat-2015.yaml", date(2015, 12, 1))
    [visitation] = [a for a in result.actions if a.rule == "youth-visitation-3-conversations-in-3-months"]
    # 003:3610-3611 "Jobcenteret har tre måneder – og mindst tre samtaler – til at visitere de unge",
    # not 003:3629 ("yderligere mindst to samtaler", the two after the first)
    assert visitation.source == "003_a58a8433921039c8.txt:3610-3611"
    rule = engine.ruleset.by_key("youth-visitation-3-conversations-in-3-months")
    assert [a.lines for a in rule.also] == ["3628-3629", "3622-3624"]


def test_the_dagpenge_job_track_cites_the_purpose_of_the_contact_not_ret_og_pligt(engine):
    result = _check(engine, "a-dagpenge-2021.yaml", date(2021, 9, 1))
    [track] = [d for d in result.routing.decisions if d.aspect == "track"]
    assert track.rule == "dagpenge-job-track" and track.value == "job"
    # 001:3107-3111 "… så de kan få hjælp til hurtigst muligt at komme ud på arbejdsmarkedet",
    # not 001:3305-3307 (the ret og pligt offer)
    assert track.source == "001_f3dbe880e0f1df7c.txt:3107-3111"
