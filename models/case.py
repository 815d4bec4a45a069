"""The case timeline, exactly as ``shared/contract/case-format.md`` §1 defines it.

Extensions to the contract (all optional, documented in docs/case-format-extensions.md) are marked
"extension" below.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from models.privacy import looks_like_cpr, mask_cpr
from models.types import IsoDate

# The longest identifier and the longest free text a case may hold (docs/limits.md). An id is a
# short pseudonym; without a bound a 20 MB team name is stored and then stalls every report.
ID_MAX = 200
TEXT_MAX = 2000

# C0 and C1 controls, DEL, and the bidi marks that reorder what follows them on screen.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# Half of a UTF-16 pair, alone: JSON's "\ud800" decodes to it, and no terminal or database can
# encode it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _identifier(value: str) -> str:
    # The value is deliberately not echoed: it may be a real person's CPR number.
    if looks_like_cpr(value):
        raise ValueError("looks like a CPR number; identifiers must be pseudonyms or names (value not shown)")
    if _CONTROL.search(value):
        raise ValueError("holds a control character (a tab, a line break, an escape); identifiers are one "
                         "line of plain text")
    return _unicode(value)


def _unicode(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("is not valid Unicode text (a lone surrogate, e.g. \\ud800)")
    return value


def _free_text(value: str) -> str:
    return mask_cpr(_unicode(value))


def is_identifier(value: str) -> bool:
    """Whether ``value`` would be accepted as a case id, team, caseworker or a-kasse."""
    return (0 < len(value) <= ID_MAX and not looks_like_cpr(value) and not _CONTROL.search(value)
            and not _SURROGATE.search(value))


# case_id, team, caseworker, akasse: refused when CPR-shaped. Free text (a reason): masked.
Identifier = Annotated[str, Field(max_length=ID_MAX), AfterValidator(_identifier)]
FreeText = Annotated[str, Field(max_length=TEXT_MAX), AfterValidator(_free_text)]



class Strict(BaseModel):
    # Unknown fields are refused, so a misspelt field is reported instead of silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Education(str, Enum):
    none = "none"
    grundskole = "grundskole"
    ungdomsuddannelse = "ungdomsuddannelse"
    erhvervskompetencegivende = "erhvervskompetencegivende"


class BenefitType(str, Enum):
    a_dagpenge = "a_dagpenge"
    kontanthjaelp = "kontanthjaelp"
    uddannelseshjaelp = "uddannelseshjaelp"
    sygedagpenge = "sygedagpenge"
    jobafklaringsforloeb = "jobafklaringsforloeb"
    ressourceforloeb = "ressourceforloeb"
    revalidering = "revalidering"
    ledighedsydelse = "ledighedsydelse"
    integrationsydelse = "integrationsydelse"


class Category(str, Enum):
    jobparat = "jobparat"
    aktivitetsparat = "aktivitetsparat"
    aabenlyst_uddannelsesparat = "aabenlyst_uddannelsesparat"
    uddannelsesparat = "uddannelsesparat"


class Citizen(Strict):
    birth_date: IsoDate
    education: Education
    forsoerger: bool = False
    akasse: Optional[Identifier] = None
    caseworker: Optional[Identifier] = None
    team: Optional[Identifier] = None


class Benefit(Strict):
    type: BenefitType
    start: IsoDate
    end: Optional[IsoDate] = None
    first_contact: Optional[IsoDate] = None
    first_sick_day: Optional[IsoDate] = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> "Benefit":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def first_day(self) -> date:
        """The period's first day: its first contact or first sick day where earlier than its start."""
        first = self.start
        if self.first_contact is not None and self.first_contact < first:
            first = self.first_contact
        if self.first_sick_day is not None and self.first_sick_day < first:
            first = self.first_sick_day
        return first

    @property
    def contact(self) -> date:
        """Contract §4: 'contact' is first_contact, or the start where none is given."""
        return self.first_contact or self.start


class Assessment(Strict):
    date: IsoDate
    category: Category


class Conversation(Strict):
    type: Literal["conversation"]
    date: IsoDate
    kind: Literal["individual", "joint", "visitation", "cv", "availability"] = "individual"
    by: Literal["jobcenter", "akasse"] = "jobcenter"


class Offer(Strict):
    type: Literal["offer"]
    date: IsoDate
    offer: Literal[
        "virksomhedspraktik",
        "loentilskud",
        "nytteindsats",
        "vejledning_opkvalificering",
        "ordinaer_uddannelse",
        "mentor",
    ]
    end: Optional[IsoDate] = None
    employer: Optional[Literal["private", "public"]] = None
    extended: Optional[bool] = None  # extension: the duration was extended after a concrete assessment

    @model_validator(mode="after")
    def _end_not_before_start(self) -> "Offer":
        if self.end is not None and self.end < self.date:
            raise ValueError(f"end {self.end} is before the offer's start {self.date}")
        return self


class EducationOrder(Strict):
    type: Literal["education_order"]
    date: IsoDate
    step: Optional[Annotated[int, Field(ge=1, le=3)]] = None


class Marker(Strict):
    """Events that carry nothing but their date."""

    type: Literal[
        "education_plan",
        "literacy_test",
        "coordinating_caseworker",
        "education_start",
        "cv_registered",  # extension: a CV put on Jobnet
    ]
    date: IsoDate


Event = Annotated[Union[Conversation, Offer, EducationOrder, Marker], Field(discriminator="type")]

EVENT_TYPES = ("conversation", "offer", "education_order") + Marker.model_fields["type"].annotation.__args__


class Exemption(Strict):
    kind: Literal["standby", "less_intensive", "ret_og_pligt_postponed"]
    start: IsoDate
    end: Optional[IsoDate] = None  # extension: an open-ended exemption still running
    reason: Optional[FreeText] = None  # a CPR number in it is masked before it is stored

    @model_validator(mode="after")
    def _end_not_before_start(self) -> "Exemption":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Case(Strict):
    case_id: Annotated[str, Field(min_length=1, max_length=ID_MAX, strict=True), AfterValidator(_identifier)]
    citizen: Citizen
    benefits: Annotated[list[Benefit], Field(min_length=1)]
    # default_factory, not ``= []``: pydantic deep-copies a mutable default for every case that
    # leaves the field out (most leave out assessments or exemptions), with copy.deepcopy, in Python
    assessments: list[Assessment] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)

    @field_validator("benefits")
    @classmethod
    def _periods_do_not_overlap(cls, benefits: list[Benefit]) -> list[Benefit]:
        # Periods may not overlap, but a later period's first contact or first sick day may fall
        # inside the earlier one (a citizen applies before dagpenge run out; falls ill while on
        # kontanthjælp): the contract's window for a duty starts at that day, so an event in
        # those days counts for both periods, as §2 defines it.
        ordered = sorted(benefits, key=lambda b: b.start)
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier.end is None or earlier.end >= later.start:
                ends = "has no end" if earlier.end is None else f"ends {earlier.end}"
                raise ValueError(
                    f"benefit periods overlap: {earlier.type.value} from {earlier.start} {ends}, "
                    f"but {later.type.value} starts {later.start}"
                )
        return ordered

    @model_validator(mode="after")
    def _born_before_the_first_benefit(self) -> "Case":
        first = min(b.first_day for b in self.benefits)
        if self.citizen.birth_date >= first:
            raise ValueError(f"citizen.birth_date {self.citizen.birth_date} is not before the first benefit ({first})")
        return self
