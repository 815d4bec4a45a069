"""The rule-file schema refuses what would silently count nothing or produce nonsense duties: event
fields and values that events do not have, and offsets that are zero or run backwards."""

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.rulebook.overrides import apply_override, read_override
from engine.rulebook.ruleset import DEFAULT_RULES_DIR, RuleSetError, load_ruleset
from engine.io.loading import validation_problems
from models.rules import Rule


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def _problems_after(rules_dir: Path, file: str, old: str, new: str) -> list[str]:
    path = rules_dir / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(rules_dir)
    return caught.value.problems


def _line_of(rules_dir: Path, file: str, text: str) -> int:
    lines = (rules_dir / file).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_a_misspelt_event_field_in_a_rule_file_is_refused(rules_copy):
    problems = _problems_after(rules_copy, "jobparat.yaml", "where: {offer: [nytteindsats",
                               "where: {ofer: [nytteindsats")
    line = _line_of(rules_copy, "jobparat.yaml", "ofer:")
    assert problems == [
        f"{rules_copy / 'jobparat.yaml'}:{line}: rules[0].counts[0]: where: offer events have no field 'ofer' to "
        "match on; expected one of: offer (virksomhedspraktik, loentilskud, nytteindsats, vejledning_opkvalificering, "
        "ordinaer_uddannelse, mentor); employer (private, public)"]


def test_a_misspelt_value_in_a_rule_file_is_refused(rules_copy):
    problems = _problems_after(rules_copy, "dagpenge.yaml", "where: {kind: joint}}\n    counts_label: {da: fællessamtaler, en: joint conversations}\n    exempted_by: [less_intensive]\n    source:\n      file: 001_f3dbe880e0f1df7c.txt\n      lines: 3130",
                               "where: {kind: jiont}}\n    counts_label: {da: fællessamtaler, en: joint conversations}\n    exempted_by: [less_intensive]\n    source:\n      file: 001_f3dbe880e0f1df7c.txt\n      lines: 3130")
    assert len(problems) == 1
    assert problems[0].endswith("rules[0].counts[0]: where.kind: 'jiont' is not a value of conversation kind; "
                                "expected one of individual, joint, visitation, cv, availability")


@pytest.mark.parametrize("match, message", [
    ("{type: conversation, where: {bye: jobcenter}}", "conversation events have no field 'bye'"),
    ("{type: conversation, where_not: {by: jobcentre}}", "where_not.by: 'jobcentre' is not a value of conversation by"),
    ("{type: education_order, where: {step: ['2', '4']}}", "where.step: '4' is not a value of education_order step; expected one of 1, 2, 3"),
    ("{type: literacy_test, where: {kind: joint}}", "literacy_test events have no field 'kind' to match on; they carry nothing but their date"),
    ("{type: offer, where: {offer: []}}", "where.offer: an empty list matches no event"),
])
def test_every_match_is_checked_against_the_event_models(rules_copy, match, message):
    # the a-dagpenge variant's joint-conversation match (the only one followed by that exempted_by)
    tail = "\n    counts_label: {da: samtaler, en: conversations}\n    exempted_by: [less_intensive]"
    problems = _problems_after(rules_copy, "contact-course.yaml", "- {type: conversation, where: {kind: joint}}" + tail,
                               f"- {match}" + tail)
    assert len(problems) == 1 and message in problems[0], problems


def test_an_unknown_offer_kind_is_refused_in_a_postponement_and_a_limit(rules_copy):
    problems = _problems_after(rules_copy, "aktivitetsparat.yaml", "- {offer: mentor}", "- {offer: mentr}")
    assert len(problems) == 1 and "rules[1].postponed_by[0]" in problems[0], problems
    assert "unknown offer 'mentr'; expected one of virksomhedspraktik, " in problems[0]
    shutil.copy(DEFAULT_RULES_DIR / "aktivitetsparat.yaml", rules_copy)
    problems = _problems_after(rules_copy, "offer-limits.yaml", "- {offer: nytteindsats, max",
                               "- {offer: nyteindsats, max")
    assert len(problems) == 1 and "rules[0].limits[0]" in problems[0], problems
    assert "unknown offer 'nyteindsats'" in problems[0]


def test_an_override_gets_the_same_error(tmp_path):
    base = load_ruleset()
    path = tmp_path / "change.yaml"
    path.write_text("name: x\nchanges:\n  - rule: contact-course-4-conversations/other\n"
                    "    set: {counts: [{type: conversation, where: {bye: jobcenter}}]}\n", encoding="utf-8")
    with pytest.raises(RuleSetError) as caught:
        apply_override(base, read_override(path))
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:4: changes[0].set.counts[0]: where: conversation events have no field 'bye' "
                              "to match on; expected one of: kind (")


BASE = {
    "id": "x-rule", "title": {"da": "x", "en": "x"}, "valid": {"from": "2014-01-01", "regime": "T"},
    "applies_to": {"benefits": ["kontanthjaelp"]}, "anchor": {"from": "contact"},
    "counts": [{"type": "offer"}], "counts_label": {"da": "x", "en": "x"},
    "source": {"file": "003_a58a8433921039c8.txt", "lines": "1-2", "quote": "abc"},
}


def _refusal(**parts) -> str:
    with pytest.raises(ValidationError) as caught:
        Rule.model_validate({**BASE, **parts})
    [problem] = validation_problems(caught.value)
    return problem


@pytest.mark.parametrize("parts, where, got", [
    ({"kind": "cadence", "cadence": {"every": {}, "count": 1}}, "cadence.every", "got {}"),
    ({"kind": "cadence", "cadence": {"every": {"weeks": -2}, "count": 1}}, "cadence.every", "got {weeks: -2}"),
    ({"kind": "max_gap", "max_gap": {"within": {"weeks": 0}}}, "max_gap.within", "got {}"),
    ({"kind": "max_gap", "max_gap": {"within": {"months": 1, "days": -30}}}, "max_gap.within", "got {months: 1, days: -30}"),
    ({"kind": "offer_limit", "limits": [{"offer": "nytteindsats", "max": {"days": 0}}]}, "limits[0].max", "got {}"),
])
def test_a_window_gap_or_limit_must_have_a_positive_length(parts, where, got):
    problem = _refusal(**parts)
    assert problem.startswith(f"{where}: must be a period of positive length"), problem
    assert got in problem


def test_a_deadline_may_fall_on_the_anchor_day_but_not_before_it():
    assert Rule.model_validate({**BASE, "milestones": [{"count": 1, "after": {"days": 0}}]})
    assert Rule.model_validate({**BASE, "milestones": [{"count": 1, "after": {"weeks": 13, "days": -1}}]})
    problem = _refusal(milestones=[{"count": 1, "after": {"days": -1}}])
    assert problem.startswith("milestones[0].after: must not run backwards from the anchor"), problem
    problem = _refusal(kind="cadence", cadence={"start": {"months": -1}, "every": {"months": 2}, "count": 1})
    assert problem.startswith("cadence.start: must not run backwards"), problem


def test_an_extended_limit_must_be_longer_than_the_ordinary_one():
    problem = _refusal(kind="offer_limit", limits=[{"offer": "virksomhedspraktik", "max": {"weeks": 13},
                                                     "extended_max": {"weeks": 4}}])
    assert problem.startswith("limits[0]: extended_max {weeks: 4} must be longer than max {weeks: 13}"), problem


def test_an_offer_limit_cannot_be_exempted_and_only_a_deadline_is_postponed():
    limits = [{"offer": "nytteindsats", "max": {"weeks": 13}}]
    problem = _refusal(kind="offer_limit", limits=limits, exempted_by=["standby"])
    assert "an offer_limit cannot be exempted: a duration limit is not a duty" in problem, problem
    problem = _refusal(kind="cadence", cadence={"every": {"months": 2}, "count": 1},
                       postponed_by=[{"exemption": "ret_og_pligt_postponed"}])
    assert "'postponed_by' moves the due date of a deadline; kind 'cadence' does not use it" in problem, problem
