"""The rule-file schema refuses what would silently count nothing or produce nonsense duties: event
fields and values that events do not have, and offsets that are zero or run backwards."""

import shutil
from pathlib import Path

import pytest

from engine.overrides import apply_override, read_override
from engine.ruleset import DEFAULT_RULES_DIR, RuleSetError, load_ruleset


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
    problems = _problems_after(rules_copy, "contact-course.yaml", "- {type: conversation, where: {kind: joint}}",
                               f"- {match}")
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
    path.write_text("name: x\nchanges:\n  - rule: contact-course-4-conversations\n"
                    "    set: {counts: [{type: conversation, where: {bye: jobcenter}}]}\n", encoding="utf-8")
    with pytest.raises(RuleSetError) as caught:
        apply_override(base, read_override(path))
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:4: changes[0].set.counts[0]: where: conversation events have no field 'bye' "
                              "to match on; expected one of: kind (")

