"""durable_rules decides which rules apply to a case profile.

The rule files are compiled into a flat JSON ruleset — one durable rule per rule variant and
alternative (no ``$or``, no nested groups: see shared/research/durable-rules-probe.md G2, G3), plus a
sentinel rule that fires for every profile so a session is never deleted with nothing fired (G1).
Each profile is evaluated in its own short-lived session: assert one fact, run the actions, check
loudly that nothing was swallowed (G8), delete the session (G5, G6). Answers are cached per profile,
which keeps durable_rules off the per-case hot path. Rulesets are named by content digest and
registered once per process, since durable_rules cannot remove them (G7).
"""

from __future__ import annotations

import itertools
import re
import threading
import warnings
from typing import Callable

from durable import engine as durable_engine

from engine.core.dates import day_number
from engine.core.kinds import PER_EVENT_VALIDITY
from engine.core.profile import anchor_field
from engine.rulebook.ruleset import RuleSet
from models.rules import Rule

# durable_rules calls datetime.utcfromtimestamp on every action (deprecated from 3.12, G10).
warnings.filterwarnings("ignore", message=r".*utcfromtimestamp.*", category=DeprecationWarning)

SENTINEL = "sentinel"


class DurableRulesFault(RuntimeError):
    """durable_rules misbehaved (a swallowed exception, a missing sentinel): never trust the answer."""


def _alternatives(rule: Rule) -> list[list[dict]]:
    """Expand a rule's conditions into flat conjunctions, one per alternative (durable has no safe $or)."""
    applies = rule.applies_to
    field = anchor_field(rule.anchor.from_, applies.category.value if applies.category else None)
    if rule.kind in PER_EVENT_VALIDITY or rule.anchor.from_ == "category_assessed":
        # validity is judged on each event's own day, or on each spell of the category in force
        # (engine/core/kinds): only require that the anchor exists
        common: list[dict] = [{"$gte": {field: 0}}]
    else:
        # judged on the due date (on or after the anchor): an anchor before the rule's first day may
        # still fall due in force, one after its last day never does
        common = [{"$gte": {field: day_number(rule.valid.from_) if rule.valid.judged_on == "anchor" else 0}}]
        if rule.valid.to is not None:
            common.append({"$lte": {field: day_number(rule.valid.to)}})
    if applies.age_below is not None:
        common.append({"$lt": {"age": applies.age_below}})
    if applies.age_from is not None:
        common.append({"$gte": {"age": applies.age_from}})
    if applies.category is not None:
        common.append({"$gte": {anchor_field("category_assessed", applies.category.value): 0}})
    educations = [e.value for e in applies.education] if applies.education else [None]
    out = []
    for benefit, education in itertools.product([b.value for b in applies.benefits], educations):
        terms = [{"t": "profile"}, {"benefit": benefit}]
        if education is not None:
            terms.append({"education": education})
        out.append(terms + common)
    return out


def compile_ruleset(ruleset: RuleSet) -> tuple[dict, dict[str, str]]:
    """The durable_rules JSON definition and the map from durable rule name to our rule key."""
    definition: dict = {SENTINEL: {"all": [{"p": {"t": "profile"}}], "run": SENTINEL}}
    names: dict[str, str] = {}
    for index, rule in enumerate(ruleset.rules):
        for alt, terms in enumerate(_alternatives(rule)):
            name = f"r{index}_{alt}"
            definition[name] = {"all": [{"p": {"$and": terms}}], "run": name}
            names[name] = rule.key
    return definition, names


def ruleset_name(ruleset: RuleSet) -> str:
    return re.sub(r"[^a-z0-9_]", "_", f"{ruleset.name}_{ruleset.version}_{ruleset.digest[:16]}".lower())


class _Host(durable_engine.Host):
    """A Host without the background timer threads (we never use timers) and with our actions."""

    def __init__(self):
        self.actions: dict[str, Callable] = {}
        super().__init__()

    def _run(self):  # no dispatch/timer threads: evaluation is synchronous
        pass

    def get_action(self, action_name: str) -> Callable:
        return self.actions[action_name]


class DurableSelector:
    """Which rule keys apply to a profile, decided by durable_rules and cached per profile."""

    _host: _Host | None = None
    _registered: set[str] = set()
    _lock = threading.RLock()
    _fired: list[tuple[str, str]] = []  # (ruleset name, durable rule name) fired in the live session
    _sid_counter = itertools.count()

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.name = ruleset_name(ruleset)
        self.cache: dict[tuple, frozenset[str]] = {}
        self.sessions_opened = 0
        self.live_sessions = 0
        self.max_live_sessions = 0
        definition, self._names = compile_ruleset(ruleset)
        self._register(definition)

    def _register(self, definition: dict) -> None:
        """One host per process; a ruleset is registered once per name (content digest), never removed."""
        cls = DurableSelector
        with cls._lock:
            if cls._host is None:
                cls._host = _Host()
            if self.name in cls._registered:
                return
            for rule_name in definition:
                action_name = f"{self.name}:{rule_name}"
                definition[rule_name]["run"] = action_name
                cls._host.actions[action_name] = self._make_action(self.name, rule_name)
            cls._host.set_rulesets({self.name: definition})
            cls._registered.add(self.name)

    @staticmethod
    def _make_action(ruleset: str, rule_name: str) -> Callable:
        def action(c):
            DurableSelector._fired.append((ruleset, rule_name))
        return action

    def select(self, profile: dict) -> frozenset[str]:
        key = tuple(profile.items())  # one Quantiser builds every profile with its fields in one order
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._evaluate(profile)
        return hit

    def _evaluate(self, profile: dict) -> frozenset[str]:
        cls = DurableSelector
        host = cls._host
        with cls._lock:
            cls._fired = []
            # One live session at a time (G5, G6); a fresh sid each time, so a session left behind
            # by a fault can never be mistaken for the next one.
            sid = f"s{next(cls._sid_counter)}"
            self.sessions_opened += 1
            self.live_sessions += 1
            self.max_live_sessions = max(self.max_live_sessions, self.live_sessions)
            state = None
            try:
                host.assert_fact(self.name, dict(profile, sid=sid))
                state = host.get_state(self.name, sid)
            finally:
                fired = [name for ruleset, name in cls._fired if ruleset == self.name]
                stray = [f for f in cls._fired if f[0] != self.name]
                if SENTINEL in fired:  # deleting a session where nothing fired segfaults (G1)
                    host.delete_state(self.name, sid)
                    self.live_sessions -= 1
            # Loud checks: durable_rules swallows action exceptions into the state (G8).
            if state and state.get("exception"):
                raise DurableRulesFault(f"durable_rules action failed: {state['exception']}")
            if fired.count(SENTINEL) != 1:
                raise DurableRulesFault(f"sentinel fired {fired.count(SENTINEL)} times for profile {profile}")
            if stray or len(set(fired)) != len(fired):
                raise DurableRulesFault(f"unexpected firings: stray={stray} fired={fired}")
        return frozenset(self._names[n] for n in fired if n != SENTINEL)
