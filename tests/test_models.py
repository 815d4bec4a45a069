"""Models the engine builds without validation behave like validated ones."""

from datetime import date

from models.actions import Action, CheckResult, Progress, Status


def test_a_built_action_equals_dumps_and_copies_like_a_validated_one():
    values = dict(rule="contact-course-4-conversations", title="t", status=Status.open, due=date(2021, 9, 30),
                  anchor=date(2021, 3, 31), source="001_f3dbe880e0f1df7c.txt:3120-3124", why=["a"],
                  done_on=None, benefit="kontanthjaelp", period_end=None, actionable=True, trace=None,
                  legal=None, source_document=None)
    built = Action.build(**values, progress=Progress.build(done=3, required=4))
    validated = Action.model_validate({**values, "progress": {"done": 3, "required": 4}})
    assert built == validated
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_dump(mode="json", exclude_none=True) == validated.model_dump(mode="json", exclude_none=True)
    assert built.model_copy(update={"rule": "x"}).rule == "x"
    assert built.sort_key() == validated.sort_key()


def test_a_built_check_result_dumps_like_a_validated_one():
    action = dict(rule="r", title="t", status="met", due="2021-01-01", anchor="2021-01-01",
                  progress={"done": 1, "required": 1}, source="s", why=[])
    validated = CheckResult.model_validate({"case_id": "C", "as_of": "2021-02-01", "rules_version": "v",
                                            "actions": [action]})
    built = CheckResult.build(case_id="C", as_of=date(2021, 2, 1), rules_version="v",
                              actions=[Action.model_validate(action)], routing=None)
    assert built.to_contract() == validated.to_contract()


def test_the_routing_the_engine_builds_equals_its_validated_copy():
    """engine/core/routing.py builds Routing and RoutingDecision without validation: every field must be
    given and of its declared type, so a validated copy of the dump is the same object."""
    from pathlib import Path

    from engine.core.check import default_engine
    from models.actions import Routing
    from engine.io.loading import read_cases

    samples = Path(__file__).resolve().parent.parent / "samples" / "cases"
    routed = 0
    for loaded in read_cases([samples]):
        result = default_engine().check(loaded.case, date(2021, 12, 31))
        if result.routing is None:
            continue
        routed += 1
        copy = Routing.model_validate(result.routing.model_dump())
        assert copy == result.routing
        assert copy.model_dump(mode="json") == result.routing.model_dump(mode="json")
    assert routed >= 10
