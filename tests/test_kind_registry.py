"""Each requirement kind in one place (docs/kinds.md): every list of kinds is derived from the kind
modules' records, and a new kind needs nothing but its module (and its schema entry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

from engine import native
from engine.core import kinds
from engine.core.duty import Kind
from engine.rulebook.ruleset import load_ruleset
from models.rules import RULE_KINDS, Rule

ROOT = Path(__file__).resolve().parent.parent
KINDS_DIR = ROOT / "engine" / "core" / "kinds"


def test_every_kind_module_exports_a_complete_record_the_schema_knows():
    modules = sorted(p.stem for p in KINDS_DIR.glob("*.py") if p.stem != "__init__")
    assert sorted(kinds.KINDS) == sorted(RULE_KINDS) == modules
    for name, kind in kinds.KINDS.items():
        assert isinstance(kind, Kind) and kind.name == name
        assert kind.parameters == RULE_KINDS[name].parameters and kind.parameters in Rule.model_fields
        assert callable(kind.compile) and callable(kind.describe)
        assert kind.needs is None or callable(kind.needs)


def test_every_list_of_kinds_is_derived_from_the_records():
    records = kinds.KINDS.values()
    assert typing.get_args(Rule.model_fields["kind"].annotation) == tuple(RULE_KINDS)
    assert kinds.COMPILERS == {k.name: k.compile for k in records}
    assert kinds.NEEDS == {k.name: k.needs for k in records if k.needs is not None}
    assert kinds.PER_EVENT_VALIDITY == {k.name for k in records if k.per_event_validity}
    assert {f"engine.core.kinds.{name}" for name in kinds.KINDS} <= set(native.COMPILED)
    documented = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in documented for name in kinds.KINDS)


def test_every_bundled_rule_is_described_by_its_kind():
    for rule in load_ruleset().rules:
        lines = kinds.describe(rule)
        assert lines and all(isinstance(line, str) and line for line in lines), rule.key


# A toy kind, "first_event": due on the anchor + the milestone's offset, met by the first counting
# event; it reads the deadline's parameter model. Added to a copy of the tree as a new kind would be.
TOY = '''
from engine.core.dates import add_offset
from engine.core.duty import Duty, Kind, context, counting_of, dates_counted, offset_of, status
from engine.core.profile import anchor_reader


def compile_rule(rule):
    anchor_of = anchor_reader(rule.anchor.from_)
    counting = counting_of(rule.counts)
    after = offset_of(rule.milestones[0].after)

    def evaluate(case, period, tracer, router=None):
        anchor = anchor_of(period)
        if anchor is None or anchor > period.as_of:
            return []
        held = dates_counted(period, counting)
        due = add_offset(anchor, after)
        why = context(case, period, rule, tracer)
        done_on = held[0] if held else None
        return [Duty(rule, period, status(case, rule, due, done_on, period.as_of, why), due, anchor,
                     len(held[:1]), 1, why, done_on)]

    return evaluate


def describe(rule):
    return [f"first event by {rule.anchor.from_} + {rule.milestones[0].after.brief()}"]


KIND = Kind("first_event", "milestones", compile_rule, describe)
'''

TOY_RULES = '''family: toy
rules:
  - id: toy-first-conversation
    title: {da: Første samtale, en: First conversation}
    kind: first_event
    valid: {from: 2014-01-01, regime: T}
    applies_to: {benefits: [kontanthjaelp]}
    anchor: {from: start}
    milestones: [{count: 1, after: {weeks: 2}}]
    counts: [{type: conversation}]
    counts_label: {da: samtaler, en: conversations}
    source: {file: 003_a58a8433921039c8.txt, lines: 1-2, quote: abc}
'''

TOY_RUN = r'''
import json, sys
from datetime import date
sys.path.insert(0, sys.argv[1])
from engine import native
from engine.core import kinds
from engine.core.check import Engine
from engine.rulebook.ruleset import load_ruleset
from models.case import Case
ruleset = load_ruleset(sys.argv[2])
case = Case.model_validate({"case_id": "T-1", "citizen": {"birth_date": "1980-01-01", "education": "none"},
                            "benefits": [{"type": "kontanthjaelp", "start": "2021-03-01"}],
                            "events": [{"type": "conversation", "date": "2021-03-20"}]})
actions = Engine(ruleset).check(case, date(2021, 6, 30), "en").actions
print(json.dumps({"compiled": "engine.core.kinds.first_event" in native.COMPILED,
                  "describe": kinds.describe(ruleset.rules[0]),
                  "actions": [[a.rule, a.status.value, str(a.due), a.why[-1]] for a in actions]}))
'''


def test_a_new_kind_is_its_module_and_one_schema_entry(tmp_path):
    tree = tmp_path / "tree"
    for package in ("engine", "models"):  # the sources only: the copy runs them, as a fresh checkout would
        shutil.copytree(ROOT / package, tree / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", native.BUILD_RECORD))
    (tree / "engine" / "core" / "kinds" / "first_event.py").write_text(TOY, encoding="utf-8")
    schema = tree / "models" / "rules.py"
    text = schema.read_text(encoding="utf-8")
    entry = '    "cadence": KindSchema("cadence"),\n'
    assert entry in text
    schema.write_text(text.replace(entry, entry + '    "first_event": KindSchema("milestones"),\n'), encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(ROOT / "rules" / "ruleset.yaml", rules)
    (rules / "toy.yaml").write_text(TOY_RULES, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    done = subprocess.run([sys.executable, "-c", TOY_RUN, str(tree), str(rules)], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["compiled"] is True
    assert out["describe"] == ["first event by start + 0m 2w 0d"]
    assert out["actions"] == [["toy-first-conversation", "met_late", "2021-03-15", "met 5 days late, on 2021-03-20"]]

