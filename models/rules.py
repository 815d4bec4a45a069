"""The schema of rule files (rules/*.yaml): rules are data with a citation, a validity period and
bilingual titles. The engine compiles them; nothing here evaluates a case.
"""

from __future__ import annotations

import re
import typing
from datetime import date
from enum import Enum
from typing import Annotated, Iterator, Literal, NamedTuple, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine import texts
from models.case import BenefitType, Category, Education, Event
from models.memo import IdentityMemo
from models.types import IsoDate

RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LINES = re.compile(r"^\d+(-\d+)?$")


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Titles(RuleModel):
    da: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, lang: str) -> str:
        return self.da if lang == "da" else self.en


class Source(RuleModel):
    """A legal source in the seeds, cited as ``file:lines`` with a short verbatim quote."""

    file: Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]+\.txt$")]
    lines: Annotated[str, Field(pattern=LINES.pattern)]
    quote: Annotated[str, Field(min_length=3)]

    @field_validator("lines", mode="before")
    @classmethod
    def _lines_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _ordered(self) -> "Source":
        first, _, last = self.lines.partition("-")
        if last and int(last) < int(first):
            raise ValueError(f"line range {self.lines} runs backwards")
        return self

    def cite(self) -> str:
        return f"{self.file}:{self.lines}"


class Validity(RuleModel):
    """The period a rule is in force for an obligation, judged on the obligation's anchor date."""

    from_: IsoDate = Field(alias="from")
    to: Optional[IsoDate] = None
    regime: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _ordered(self) -> "Validity":
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"'to' {self.to} is before 'from' {self.from_}")
        return self

    def covers(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class AppliesTo(RuleModel):
    """Who a rule applies to. Every listed condition must hold; a list means any of its values."""

    benefits: Annotated[list[BenefitType], Field(min_length=1)]
    age_below: Optional[Annotated[int, Field(gt=0, lt=130)]] = None  # age on the benefit's start date
    age_from: Optional[Annotated[int, Field(ge=0, lt=130)]] = None
    education: Optional[Annotated[list[Education], Field(min_length=1)]] = None
    category: Optional[Category] = None  # assessed in this category during the period (as of the date)

    @model_validator(mode="after")
    def _ages(self) -> "AppliesTo":
        if self.age_below is not None and self.age_from is not None and self.age_from >= self.age_below:
            raise ValueError(f"age_from {self.age_from} is not below age_below {self.age_below}")
        return self


AnchorKind = Literal["start", "contact", "first_sick_day", "category_assessed"]


class Anchor(RuleModel):
    """What the deadline runs from. ``category_assessed`` is the first assessment in ``category``."""

    from_: AnchorKind = Field(alias="from")

    def describe(self, lang: str) -> str:
        return texts.name(texts.ANCHOR_NAMES, self.from_, lang)


# An offset of more than a century is a typing error; unbounded, a huge one leaves Python's date
# range (OverflowError) or makes the windows of a cadence run for ever (docs/limits.md).
OFFSET_MONTHS = 1200
OFFSET_WEEKS = 5200
OFFSET_DAYS = 36500


class OffsetSpec(RuleModel):
    months: Annotated[int, Field(ge=-OFFSET_MONTHS, le=OFFSET_MONTHS)] = 0
    weeks: Annotated[int, Field(ge=-OFFSET_WEEKS, le=OFFSET_WEEKS)] = 0
    days: Annotated[int, Field(ge=-OFFSET_DAYS, le=OFFSET_DAYS)] = 0

    def shortest_days(self) -> int:
        """The fewest days this offset can move a date (a month is 28 to 31 days): a bound that holds
        for every date, so a check on it cannot pass for one start date and fail for another."""
        return self.months * (28 if self.months > 0 else 31) + self.weeks * 7 + self.days

    def text(self) -> str:
        given = [f"{n}: {v}" for n, v in (("months", self.months), ("weeks", self.weeks), ("days", self.days)) if v]
        return "{" + ", ".join(given) + "}"

    def brief(self) -> str:
        """``3m 0w 0d``: how ``rules show`` prints an offset."""
        return f"{self.months}m {self.weeks}w {self.days}d"


def _positive(value: OffsetSpec) -> OffsetSpec:
    """A window, gap or duration of no length (or a negative one) gives nonsense duties: e.g.
    ``cadence.every: {}`` would give 120 windows on the same day."""
    if value.shortest_days() <= 0:
        raise ValueError(f"must be a period of positive length, e.g. {{weeks: 4}} or {{months: 6}}; "
                         f"got {value.text()} (at most {value.shortest_days()} days)")
    return value


def _not_negative(value: OffsetSpec) -> OffsetSpec:
    if value.shortest_days() < 0:
        raise ValueError(f"must not run backwards from the anchor (0 days is the anchor day itself); "
                         f"got {value.text()} (as little as {value.shortest_days()} days)")
    return value


class Milestone(RuleModel):
    """``count`` matching events by ``anchor + after``; several milestones give several actions.
    ``after`` may be 0 days ("umiddelbart", "med det samme": due on the anchor day) but not less."""

    count: Annotated[int, Field(ge=1, le=100)]
    after: OffsetSpec

    _after = field_validator("after")(_not_negative)


def _optional_of(annotation):
    """X for ``Optional[X]`` (a Union of X and None only), else None."""
    inner = [a for a in typing.get_args(annotation) if a is not type(None)]
    return inner[0] if len(inner) == 1 else None


def _event_models() -> Iterator[tuple[type, tuple[str, ...]]]:
    """(event model, the event types it takes) for every event model of models/case.py."""
    union = typing.get_args(Event)[0]
    for model in typing.get_args(union):
        yield model, typing.get_args(model.model_fields["type"].annotation)


def _choices(annotation, metadata=()) -> Optional[tuple[str, ...]]:
    """The values a rule file can match an event field on, as the text engine/core/kinds/deadline.py compares
    (``step: "2"``); None where the field has no finite set of such values (dates, yes/no)."""
    origin = typing.get_origin(annotation)
    if origin is Union:
        inner = _optional_of(annotation)
        return _choices(inner) if inner is not None else None
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        return _choices(base, [m for x in extra for m in getattr(x, "metadata", [x])])
    if origin is Literal:
        return tuple(str(v) for v in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(m.value) for m in annotation)
    if annotation is int:
        low = next((m.ge for m in metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in metadata if hasattr(m, "le")), None)
        if low is not None and high is not None and high - low < 1000:
            return tuple(str(n) for n in range(low, high + 1))
    return None


def _event_fields() -> dict[str, dict[str, tuple[str, ...]]]:
    """Event type -> the fields a rule can match on -> their allowed values, read from the event
    models of models/case.py, so a new event class or value needs no change here."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for model, event_types in _event_models():
        fields = {}
        for name, info in model.model_fields.items():
            values = None if name == "type" else _choices(info.annotation, info.metadata)
            if values is not None:
                fields[name] = values
        for event_type in event_types:
            out[event_type] = fields
    return out


EVENT_FIELDS = _event_fields()
OFFER_KINDS = EVENT_FIELDS["offer"]["offer"]


def _text_fields() -> frozenset[tuple[str, str]]:
    """(event type, field) pairs whose value is stored as the very text a rule matches on (a Literal
    of strings): ``event_value`` returns those unchanged, so a filter may read the attribute itself."""
    out = set()
    for model, event_types in _event_models():
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if typing.get_origin(annotation) is Union:
                annotation = _optional_of(annotation)
            if typing.get_origin(annotation) is Literal and all(isinstance(v, str) for v in typing.get_args(annotation)):
                out.update((t, name) for t in event_types)
    return frozenset(out)


TEXT_FIELDS = _text_fields()


def _check_values(where: str, event_type: str, conditions: dict) -> None:
    fields = EVENT_FIELDS[event_type]
    for name, value in conditions.items():
        if name not in fields:
            can = "; ".join(f"{f} ({', '.join(v)})" for f, v in fields.items())
            raise ValueError(f"{where}: {event_type} events have no field {name!r} to match on; "
                             + (f"expected one of: {can}" if can else "they carry nothing but their date"))
        values = value if isinstance(value, list) else [value]
        if not values:
            raise ValueError(f"{where}.{name}: an empty list matches no event")
        bad = [v for v in values if v not in fields[name]]
        if bad:
            raise ValueError(f"{where}.{name}: {', '.join(map(repr, bad))} is not a value of {event_type} {name}; "
                             f"expected one of {', '.join(fields[name])}")


def _known_offer(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in OFFER_KINDS:
        raise ValueError(f"unknown offer {value!r}; expected one of {', '.join(OFFER_KINDS)}")
    return value


class EventMatch(RuleModel):
    """Which events count: the type, fields that must have one of the given values, and fields that
    must not. Fields and values are checked against the event models (models/case.py): a misspelt
    field or value would otherwise match nothing and silently count nothing."""

    type: str
    where: dict[str, Union[str, list[str]]] = {}
    where_not: dict[str, Union[str, list[str]]] = {}

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in EVENT_FIELDS:
            raise ValueError(f"unknown event type {value!r}; expected one of {', '.join(EVENT_FIELDS)}")
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> "EventMatch":
        _check_values("where", self.type, self.where)
        _check_values("where_not", self.type, self.where_not)
        return self

    def accepts(self, event) -> bool:
        """Whether ``event`` counts (the allowed values are turned into sets once per match)."""
        return spec_accepts(compiled(self), event)

    @property
    def spec(self) -> tuple:
        """(type, where, where_not) with values as frozensets: hashable, equal for equal matches."""
        return compiled(self)


def spec_accepts(spec: tuple, event) -> bool:
    kind, where, where_not = spec
    if event.type != kind:
        return False
    for f, allowed in where:
        if event_value(event, f) not in allowed:
            return False
    for f, refused in where_not:
        if event_value(event, f) in refused:
            return False
    return True


def _compile(match: "EventMatch") -> tuple:
    return (
        match.type,
        tuple((f, frozenset(v if isinstance(v, list) else [v])) for f, v in match.where.items()),
        tuple((f, frozenset(v if isinstance(v, list) else [v])) for f, v in match.where_not.items()),
    )


compiled = IdentityMemo(_compile)  # match -> (type, where, where_not) with the values as frozensets


def event_value(event, field: str) -> Optional[str]:
    value = getattr(event, field, None)
    kind = type(value)
    if kind is str or value is None:  # most fields (Literal texts): the hot path of the audit
        return value
    if kind is int:
        return str(value)  # rule files match on text: `where: {step: ["2", "3"]}`
    return getattr(value, "value", value)  # an enum; a bool stays a bool


class Postponement(RuleModel):
    """A period that moves a due date it covers to the period's end: an exemption of this kind, or
    an offer of this kind (from its date to its ``end``)."""

    exemption: Optional[Literal["ret_og_pligt_postponed", "standby", "less_intensive"]] = None
    offer: Optional[str] = None

    _offer_known = field_validator("offer")(_known_offer)

    @model_validator(mode="after")
    def _one(self) -> "Postponement":
        if (self.exemption is None) == (self.offer is None):
            raise ValueError("give exactly one of 'exemption' or 'offer'")
        return self


class MaxGap(RuleModel):
    """kind ``max_gap``: after each counting event ends (its ``end``, or its date where it has none),
    the next one must start within ``within``. An event still running has no gap after it; an
    event of ``until`` (e.g. ``education_start``) ends the duty."""

    within: OffsetSpec
    until: list[EventMatch] = []

    _within = field_validator("within")(_positive)


class Cadence(RuleModel):
    """kind ``cadence``: back-to-back windows of length ``every`` from ``anchor + start``, each
    needing ``count`` counting events inside it. Each window is its own obligation, anchored on its
    first day: windows that begin after the rule's validity ends are not produced."""

    start: OffsetSpec = OffsetSpec()
    every: OffsetSpec
    count: Annotated[int, Field(ge=1, le=100)]
    max_windows: Annotated[int, Field(ge=1, le=1000)] = 120  # a bound so a very old case stays cheap

    _every = field_validator("every")(_positive)
    _start = field_validator("start")(_not_negative)


class OfferLimit(RuleModel):
    """One duration limit of kind ``offer_limit``. The first limit whose conditions match an offer
    applies; ``extended_max`` is used for an offer marked ``extended: true``."""

    offer: str
    employer: Optional[Literal["private", "public"]] = None

    _offer_known = field_validator("offer")(_known_offer)
    distance: Optional[Literal["close", "far"]] = None
    max: OffsetSpec
    extended_max: Optional[OffsetSpec] = None

    _max = field_validator("max")(_positive)

    @model_validator(mode="after")
    def _extension_is_longer(self) -> "OfferLimit":
        if self.extended_max is not None and self.extended_max.shortest_days() <= self.max.shortest_days():
            raise ValueError(f"extended_max {self.extended_max.text()} must be longer than max {self.max.text()}")
        return self


class KindSchema(NamedTuple):
    """What the rule files' schema knows of one requirement kind: the Rule field that holds its
    parameters, and whether its rules may be postponed or exempted (the reason where not). The
    kinds' evaluation is engine/core/kinds/<kind>.py, each exporting a record of the same name."""

    parameters: str
    postponable: bool = False  # ``postponed_by`` moves a due date the kind has per obligation
    not_exemptable: Optional[str] = None  # why ``exempted_by`` is refused, where it is


# The requirement kinds, in the order the schema documents them. Adding a kind: its parameter model
# above, its field on Rule, its entry here, and its module in engine/core/kinds/ (docs/kinds.md).
RULE_KINDS: dict[str, KindSchema] = {
    "deadline": KindSchema("milestones", postponable=True),
    "max_gap": KindSchema("max_gap"),
    "cadence": KindSchema("cadence"),
    "offer_limit": KindSchema(
        "limits", not_exemptable="a duration limit is not a duty to hold a conversation or give an offer (contract §2)"),
}

# deadline: N counting events by anchor + offset (milestones); max_gap: at most a given time between
# consecutive counting events; cadence: N counting events in every window of a recurring period;
# offer_limit: each offer must end within its duration limit. Derived from RULE_KINDS.
RuleKind = Literal[tuple(RULE_KINDS)]  # type: ignore[valid-type]


class Rule(RuleModel):
    id: Annotated[str, Field(pattern=RULE_ID.pattern)]
    # Where one canonical duty has separate groups or regimes (e.g. the education order for
    # uddannelseshjælp from 2014 and for young a-dagpenge recipients from 2020), each is a variant.
    variant: Optional[Annotated[str, Field(pattern=RULE_ID.pattern)]] = None
    title: Titles
    kind: RuleKind = "deadline"  # type: ignore[valid-type]
    valid: Validity
    applies_to: AppliesTo
    anchor: Anchor
    milestones: list[Milestone] = []
    max_gap: Optional[MaxGap] = None
    cadence: Optional[Cadence] = None
    limits: list[OfferLimit] = []
    counts: Annotated[list[EventMatch], Field(min_length=1)]
    counts_label: Titles  # what is counted, e.g. "conversations" / "samtaler"
    postponed_by: list[Postponement] = []
    exempted_by: list[Literal["standby", "less_intensive"]] = []
    source: Source
    also: list[Source] = []
    reading: Optional[str] = None  # the reading chosen where the seeds are ambiguous, and why

    @model_validator(mode="after")
    def _consistent(self) -> "Rule":
        own = RULE_KINDS[self.kind].parameters
        if not getattr(self, own):
            raise ValueError(f"kind {self.kind!r} needs '{own}'")
        for kind, schema in RULE_KINDS.items():
            if schema.parameters != own and getattr(self, schema.parameters):
                raise ValueError(f"'{schema.parameters}' belongs to kind {kind!r}, but this rule is kind {self.kind!r}")
        counts = [m.count for m in self.milestones]
        if counts != sorted(set(counts)):
            raise ValueError("milestone counts must rise (1, 2, …) without repeats")
        schema = RULE_KINDS[self.kind]
        if self.postponed_by and not schema.postponable:
            raise ValueError(f"'postponed_by' moves the due date of a deadline; kind {self.kind!r} does not use it")
        if self.exempted_by and schema.not_exemptable:
            raise ValueError(f"an {self.kind} cannot be exempted: {schema.not_exemptable}; leave out 'exempted_by'")
        if self.anchor.from_ == "category_assessed" and self.applies_to.category is None:
            raise ValueError("anchor 'category_assessed' needs applies_to.category")
        return self

    @property
    def key(self) -> str:
        """Unique within a rule set: the id, or id/variant."""
        return f"{self.id}/{self.variant}" if self.variant else self.id


class RuleFile(RuleModel):
    """One rule family per file."""

    family: Annotated[str, Field(pattern=RULE_ID.pattern)]
    description: Optional[str] = None
    rules: Annotated[list[Rule], Field(min_length=1)]


class RuleSetManifest(RuleModel):
    """``ruleset.yaml`` at the top of a rule directory."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    version: Annotated[str, Field(min_length=1)]
    description: Optional[str] = None


# --- Routing: which benefit, track, visitation categories, labour-market distance and a-kasse
# placement a benefit period belongs to. A decision table per aspect: the first rule in file order
# whose conditions hold (and which is in force on the decision date) gives the value.

RoutingAspect = Literal["benefit_route", "rate", "track", "categories", "labour_market_distance", "akasse_trial"]


class RoutingWhen(RuleModel):
    """Conditions of a routing rule; every listed condition must hold, a list means any of its values."""

    benefits: Optional[Annotated[list[BenefitType], Field(min_length=1)]] = None
    # Ages are taken on the decision date (A22; engine/core/routing.py), not on the period's start as
    # the duties take them, so a citizen who turns 30 on uddannelseshjælp is routed to kontanthjælp.
    age_below: Optional[Annotated[int, Field(gt=0, lt=130)]] = None  # age on the decision date
    age_from: Optional[Annotated[int, Field(ge=0, lt=130)]] = None
    education: Optional[Annotated[list[Education], Field(min_length=1)]] = None
    category: Optional[Annotated[list[Category], Field(min_length=1)]] = None  # the current category
    assessed: Optional[bool] = None  # whether the period has any assessment on the decision date
    akasse: Optional[Annotated[list[str], Field(min_length=1)]] = None  # member of one of these (case-insensitive)
    started_from: Optional[IsoDate] = None  # the period started on or after this day
    started_to: Optional[IsoDate] = None  # the period started on or before this day


class RoutingRule(RuleModel):
    id: Annotated[str, Field(pattern=RULE_ID.pattern)]
    decide: RoutingAspect
    value: Union[str, list[str]]
    when: RoutingWhen = RoutingWhen()
    valid: Validity
    why: Titles
    source: Source
    also: list[Source] = []
    reading: Optional[str] = None

    @model_validator(mode="after")
    def _value_fits(self) -> "RoutingRule":
        allowed = ROUTING_VALUES[self.decide]
        values = self.value if isinstance(self.value, list) else [self.value]
        if isinstance(self.value, list) != (self.decide == "categories"):
            raise ValueError("'categories' takes a list of categories; every other aspect one value")
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"{self.decide} cannot be {', '.join(bad)}; expected one of {', '.join(allowed)}")
        return self


ROUTING_VALUES: dict[str, tuple[str, ...]] = {
    "benefit_route": tuple(b.value for b in BenefitType),
    "rate": ("youth", "adult"),
    "track": ("education", "job"),
    "categories": tuple(c.value for c in Category),
    "labour_market_distance": ("close", "far"),
    "akasse_trial": ("akasse", "jobcenter"),
}


class RoutingFile(RuleModel):
    """``routing.yaml``: the routing decision tables of a rule set."""

    family: Annotated[str, Field(pattern=RULE_ID.pattern)]
    description: Optional[str] = None
    routing: Annotated[list[RoutingRule], Field(min_length=1)]
