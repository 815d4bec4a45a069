"""Override files: applying parameter changes to named rules, and the errors a policy person sees."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from engine.core.check import Engine
from engine.core.durable_backend import ruleset_name
from engine.rulebook.overrides import apply_override, deep_merge, load_rules, read_override
from engine.rulebook.ruleset import RuleSetError, load_ruleset
from engine.io.loading import read_file

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "samples" / "overrides"
DATA = Path(__file__).parent / "data" / "whatif" / "cases"


@pytest.fixture(scope="module")
def base():
    return load_ruleset()


def base_name() -> str:
    return load_ruleset().name


def write(tmp_path: Path, text: str, name: str = "change.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, base) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        apply_override(base, read_override(path))
    return caught.value.problems


def test_deep_merge_merges_mappings_and_replaces_everything_else():
    old = {"valid": {"from": "2020-01-01", "regime": "LAB2020"}, "milestones": [{"count": 4}], "x": 1}
    new = {"valid": {"from": "2019-07-01"}, "milestones": [{"count": 6}]}
    assert deep_merge(old, new) == {"valid": {"from": "2019-07-01", "regime": "LAB2020"},
                                    "milestones": [{"count": 6}], "x": 1}


@pytest.mark.parametrize("name", sorted(p.stem for p in OVERRIDES.glob("*.yaml")))
def test_every_sample_override_applies(base, name):
    candidate = load_rules(OVERRIDES / f"{name}.yaml", base)
    assert candidate.name == f"{base.name}+{name}"
    assert candidate.digest != base.digest
    assert candidate.label != base.label


def test_six_conversations_changes_only_the_contact_course(base):
    candidate = load_rules(OVERRIDES / "six-conversations.yaml", base)
    course = "contact-course-4-conversations"
    changed = candidate.variants(course)
    assert [r.variant for r in changed] == ["a-dagpenge", "other"]  # an id names every variant
    for rule in changed:
        assert [(m.count, m.after.months) for m in rule.milestones] == [(6, 6)]
        assert rule.valid == base.by_key(rule.key).valid  # untouched parts stay
        assert rule.exempted_by == base.by_key(rule.key).exempted_by
        assert candidate.origin[rule.key] == "contact-course.yaml + six-conversations.yaml"
    unchanged = [r for r in candidate.rules if r.id != course]
    assert unchanged == [r for r in base.rules if r.id != course]


def test_a_validity_date_is_merged_into_the_rule_keeping_its_regime(base):
    candidate = load_rules(OVERRIDES / "july-2019-start.yaml", base)
    rule = candidate.by_key("contact-course-4-conversations/other")
    assert rule.valid.from_ == date(2019, 7, 1)
    assert rule.valid.regime == base.by_key("contact-course-4-conversations/other").valid.regime
    assert candidate.by_key("first-conversation-within-1-week/khr2014").valid.to == date(2019, 6, 30)
    assert candidate.by_key("first-conversation-within-1-week/khr2014").valid.from_ == date(2014, 1, 1)


def test_an_id_without_variant_changes_every_variant(base, tmp_path):
    path = write(tmp_path, "name: later\nchanges:\n  - rule: education-order\n    set: {milestones: [{count: 1, after: {days: 14}}]}\n")
    candidate = apply_override(base, read_override(path))
    for rule in candidate.variants("education-order"):
        assert rule.milestones[0].after.days == 14
    assert len(candidate.variants("education-order")) == len(base.variants("education-order"))


def test_add_and_remove_whole_rules(base):
    candidate = load_rules(OVERRIDES / "akasse-trial-first-3-months.yaml", base)
    trial = candidate.by_key("contact-course-4-conversations/akasse-trial")
    assert [b.value for b in trial.applies_to.benefits] == ["a_dagpenge"]
    assert trial.exempted_by == ["less_intensive"]  # as the baseline's a-dagpenge variant
    # the trial replaces the baseline's a-dagpenge variant; every other benefit keeps its course
    assert [r.key for r in candidate.variants("contact-course-4-conversations")] == [
        "contact-course-4-conversations/other", "contact-course-4-conversations/akasse-trial"]
    assert candidate.by_key("contact-course-4-conversations/other") == base.by_key("contact-course-4-conversations/other")
    assert candidate.origin[trial.key] == "akasse-trial-first-3-months.yaml"


def test_where_selects_rules_by_what_they_say(base, tmp_path):
    path = write(tmp_path, "name: later\nchanges:\n  - where: {applies_to: {benefits: sygedagpenge}, anchor: {from: first_sick_day}}\n"
                           "    set: {milestones: [{count: 1, after: {weeks: 10}}]}\n")
    candidate = apply_override(base, read_override(path))
    changed = [r.key for r in candidate.rules if r != base.by_key(r.key)]
    assert changed == ["sygedagpenge-first-conversation-week-8"]
    assert candidate.by_key(changed[0]).milestones[0].after.weeks == 10


def test_july_2019_moves_every_2020_start_and_2019_end(base):
    candidate = load_rules(OVERRIDES / "july-2019-start.yaml", base)
    for old, new in zip(base.rules, candidate.rules):
        assert new.key == old.key
        assert new.valid.from_ == (date(2019, 7, 1) if old.valid.from_ == date(2020, 1, 1) else old.valid.from_)
        assert new.valid.to == (date(2019, 6, 30) if old.valid.to == date(2019, 12, 31) else old.valid.to)


def test_where_must_match_and_a_change_needs_one_selector(base, tmp_path):
    path = write(tmp_path, "name: x\nchanges:\n  - where: {valid: {to: 2031-12-31}}\n    set: {}\n")
    assert problems_of(path, base) == [f"{path}:3: changes[0].where: matches no rule in {base.label}"]
    path = write(tmp_path, "name: x\nchanges:\n  - set: {}\n")
    with pytest.raises(RuleSetError) as caught:
        read_override(path)
    assert caught.value.problems == [f"{path}:3: changes[0]: give exactly one of 'rule' (an id or id/variant), "
                                     "'where' (the values rules must have) or 'routing' (a routing rule id)"]


def test_a_routing_rule_is_changed_and_checked_like_the_routing_file(base, tmp_path):
    candidate = load_rules(OVERRIDES / "akasse-trial-two-akasser.yaml", base)
    [trial] = [r for r in candidate.routing if r.id == "akasse-trial-contact-course"]
    assert trial.when.akasse == ["Dansk Metal", "Metalarbejdernes a-kasse", "FOA"]
    assert trial.when.benefits == [r for r in base.routing if r.id == trial.id][0].when.benefits  # merged
    assert candidate.rules == base.rules
    path = write(tmp_path, "name: x\nchanges:\n  - routing: akasse-trial\n    set: {}\n"
                           "  - routing: akasse-trial-contact-course\n    set: {value: nobody}\n")
    problems = problems_of(path, base)
    assert problems[0].startswith(f"{path}:3: changes[0].routing: no routing rule 'akasse-trial' in {base.label}; "
                                  "did you mean 'akasse-trial-contact-course'?")
    assert problems[1] == f"{path}:6: changes[1].set: akasse_trial cannot be nobody; expected one of akasse, jobcenter"


def test_remove(base, tmp_path):
    path = write(tmp_path, "name: no-jobparat\nremove: [jobparat-work-for-benefit-by-3-months]\n")
    candidate = apply_override(base, read_override(path))
    assert "jobparat-work-for-benefit-by-3-months" not in candidate.ids
    assert len(candidate.rules) == len(base.rules) - 1


def test_a_bad_value_names_file_line_and_field(base, tmp_path):
    path = write(tmp_path, "name: bad\nchanges:\n  - rule: contact-course-4-conversations\n    set:\n"
                           "      milestones:\n        - {count: 0, after: {months: 6}}\n")
    # an id names every variant: each gets the problem, labelled with its key
    assert problems_of(path, base) == [
        f"{path}:6: changes[0].set.milestones[0].count: Input should be greater than or equal to 1 "
        f"(in rule contact-course-4-conversations/{variant})" for variant in ("a-dagpenge", "other")]


def test_an_impossible_date_and_a_misspelt_field(base, tmp_path):
    path = write(tmp_path, "name: bad\nchanges:\n  - rule: ret-og-pligt-offer-by-6-months/kontanthjaelp\n    set:\n"
                           "      valid: {from: 2019-13-01}\n      milestone: []\n")
    problems = problems_of(path, base)
    assert f"{path}:5: changes[0].set.valid.from: impossible date '2019-13-01' (month must be in 1..12)" in problems
    assert f"{path}:6: changes[0].set.milestone: unknown field (misspelt, or not part of the format)" in problems


def test_a_rule_level_check_fails_on_the_set_block(base, tmp_path):
    path = write(tmp_path, "name: bad\nchanges:\n  - rule: dagpenge-joint-conversations\n    set:\n"
                           "      milestones: [{count: 2, after: {months: 3}}, {count: 1, after: {months: 6}}]\n")
    assert problems_of(path, base) == [
        f"{path}:5: changes[0].set: milestone counts must rise (1, 2, …) without repeats"]


def test_an_unknown_rule_lists_the_known_ids(base, tmp_path):
    path = write(tmp_path, "name: bad\nchanges:\n  - rule: contact-course-6\n    set: {}\nremove: [nothing-like-this]\n")
    problems = problems_of(path, base)
    assert problems[0].startswith(f"{path}:3: changes[0].rule: no rule 'contact-course-6' in {base.label}; "
                                  "did you mean 'contact-course-4-conversations'? known: ")
    assert "contact-course-4-conversations" in problems[0]
    assert "first-conversation-within-1-week/lab2020" in problems[0]
    assert problems[1].startswith(f"{path}:5: remove[0]: no rule 'nothing-like-this'")


def test_identity_cannot_be_set_and_an_added_rule_cannot_clash(base, tmp_path):
    path = write(tmp_path, "name: bad\nchanges:\n  - rule: contact-course-4-conversations\n    set: {id: other}\n")
    assert problems_of(path, base) == [
        f"{path}:4: changes[0].set.id: a rule's id cannot be changed; remove the rule and add a new one instead"]
    rule = (ROOT / "rules" / "ret-og-pligt.yaml").read_text(encoding="utf-8").split("rules:\n", 1)[1]
    path = write(tmp_path, "name: again\nadd:\n" + rule, "again.yaml")
    problems = problems_of(path, base)
    assert len(problems) == 2  # both variants of the rule file
    for i, variant in enumerate(("a-dagpenge", "kontanthjaelp")):
        assert f"add[{i}].id: rule 'ret-og-pligt-offer-by-6-months/{variant}' already exists" in problems[i]


def test_the_override_file_itself_is_checked(tmp_path):
    for text, expected in [
        ("name: Six Conversations\nchanges: []\n", ":1: name: String should match pattern"),
        ("name: x\nchange: []\n", ":2: change: unknown field"),
        ("name: x\n", ": the override changes nothing"),
        ("name: x\nchanges: [\n", ": not valid YAML"),
        ("- just a list\n", ": an override is a mapping"),
    ]:
        path = write(tmp_path, text)
        with pytest.raises(RuleSetError) as caught:
            read_override(path)
        assert expected in caught.value.problems[0], (text, caught.value.problems)


def test_base_is_relative_to_the_override_file(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "local-rules")
    (tmp_path / "changes").mkdir()
    path = write(tmp_path / "changes", "name: x\nbase: ../local-rules\nremove: [education-order]\n")
    candidate = load_rules(path)
    assert candidate.name == f"{base_name()}+x" and "education-order" not in candidate.ids
    missing = write(tmp_path, "name: x\nbase: no-such-dir\nremove: [education-order]\n")
    with pytest.raises(RuleSetError) as caught:
        load_rules(missing)
    assert caught.value.problems == [f"{missing}:2: base: 'no-such-dir' is not a rule directory"]


def test_a_missing_candidate_is_an_error():
    with pytest.raises(RuleSetError) as caught:
        load_rules(Path("no/such/override.yaml"))
    assert caught.value.problems == ["no/such/override.yaml: no such rule directory or override file"]


def test_baseline_and_candidate_side_by_side_in_one_process(base):
    """Both register their own durable_rules ruleset (named by content digest) and give their own
    answers, in any order, with the baseline built again after the candidate."""
    candidate = load_rules(OVERRIDES / "six-conversations.yaml", base)
    assert ruleset_name(base) != ruleset_name(candidate)
    case = next(read_file(DATA / "wi-1-kontanthjaelp-4-conversations.yaml")).case
    day = date(2021, 12, 31)
    first, second, again = Engine(base), Engine(candidate), Engine(load_ruleset())

    def contact(engine):
        [a] = [a for a in engine.check(case, day).actions if a.rule == "contact-course-4-conversations"]
        return a.status.value, f"{a.progress.done}/{a.progress.required}"

    assert contact(first) == ("met", "4/4")
    assert contact(second) == ("overdue", "4/6")
    assert contact(again) == ("met", "4/4")
    assert contact(first) == ("met", "4/4")
    assert second.selector.name != first.selector.name == again.selector.name


def test_the_standby_override_restores_the_uniform_reading_for_a_dagpenge(base):
    """Issue #15.2: the rule set reads the seeds (a-dagpenge recipients are outside the standby
    scheme, 001:4199-4203); samples/overrides/standby-lifts-a-dagpenge-duties.yaml flips the one
    parameter, the a-dagpenge variants' exempted_by, back to contract §2's uniform reading."""
    from models.case import Case

    candidate = load_rules(OVERRIDES / "standby-lifts-a-dagpenge-duties.yaml", base)
    flipped = ["contact-course-4-conversations/a-dagpenge", "ret-og-pligt-offer-by-6-months/a-dagpenge"]
    for key in flipped:
        assert base.by_key(key).exempted_by == ["less_intensive"]
        assert candidate.by_key(key).exempted_by == ["standby", "less_intensive"]
    assert [r for r in candidate.rules if r.key not in flipped] == [r for r in base.rules if r.key not in flipped]

    # start 2021-02-01, due start + 6 months = 2021-08-01, covered by standby 2021-06-15..09-30
    case = Case.model_validate({
        "case_id": "OV-STANDBY", "citizen": {"birth_date": "1980-04-12", "education": "erhvervskompetencegivende"},
        "benefits": [{"type": "a_dagpenge", "start": "2021-02-01"}],
        "events": [{"date": "2021-02-10", "type": "conversation", "kind": "individual", "by": "jobcenter"},
                   {"date": "2021-03-15", "type": "conversation", "kind": "joint"},
                   {"date": "2021-06-01", "type": "conversation", "kind": "joint"}],
        "exemptions": [{"kind": "standby", "start": "2021-06-15", "end": "2021-09-30"}],
    })

    def statuses(ruleset):
        return sorted((a.rule, a.due.isoformat(), a.status.value)
                      for a in Engine(ruleset).check(case, date(2021, 10, 15)).actions)

    joint = [("dagpenge-joint-conversations", "2021-05-01", "met"), ("dagpenge-joint-conversations", "2021-08-01", "met"),
             ("dagpenge-third-joint-conversation", "2022-06-01", "open")]
    assert statuses(base) == sorted(joint + [("contact-course-4-conversations", "2021-08-01", "overdue"),
                                             ("ret-og-pligt-offer-by-6-months", "2021-08-01", "overdue")])
    assert statuses(candidate) == sorted(joint + [("contact-course-4-conversations", "2021-08-01", "exempt"),
                                                  ("ret-og-pligt-offer-by-6-months", "2021-08-01", "exempt")])


def test_the_youth_offer_override_restores_the_end_of_2019(base):
    """Issue #15.4: samples/overrides/youth-offer-rules-end-2019.yaml removes the 2020 variants of
    the youth offer rules and ends the åbenlyst work-for-benefit rule with 2019 again."""
    candidate = load_rules(OVERRIDES / "youth-offer-rules-end-2019.yaml", base)
    for rule_id in ("youth-first-offer-within-1-month", "youth-max-4-weeks-between-offers"):
        assert [r.variant for r in base.variants(rule_id)] == ["khr2014", "lab2020"]
        assert [r.variant for r in candidate.variants(rule_id)] == ["khr2014"]
    aabenlyst = "aabenlyst-work-for-benefit-within-1-month"
    assert base.by_key(aabenlyst).valid.to is None
    assert candidate.by_key(aabenlyst).valid.to == date(2019, 12, 31)
