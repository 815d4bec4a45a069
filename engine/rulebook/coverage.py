"""The coverage table (docs/coverage.yaml): every caseworker-facing rule of the research catalogues
and whether the rule set encodes it — by rule id or routing id — or why not. The data file is
edited by hand; this module reads it and checks it against a rule set and the catalogues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from engine.rulebook.ruleset import RuleSet
from engine.io.loading import validation_problems

DEFAULT_COVERAGE = Path(__file__).resolve().parents[2] / "docs" / "coverage.yaml"
DEFAULT_CATALOGUES = Path(__file__).resolve().parents[3] / "shared" / "research"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(_Model):
    id: str
    status: Literal["encoded", "routing", "not_encoded"]
    rules: list[str] = []
    routing: list[str] = []
    reason: Optional[str] = None
    note: Optional[str] = None

    @model_validator(mode="after")
    def _consistent(self) -> "Entry":
        if self.status == "encoded" and not self.rules:
            raise ValueError(f"{self.id}: status encoded needs 'rules'")
        if self.status == "routing" and not self.routing:
            raise ValueError(f"{self.id}: status routing needs 'routing'")
        if self.status == "not_encoded" and not self.reason:
            raise ValueError(f"{self.id}: status not_encoded needs a 'reason'")
        return self


class Group(_Model):
    ids: list[str]
    reason: str
    note: Optional[str] = None


class Catalogue(_Model):
    file: str
    entries: list[Entry] = []
    groups: list[Group] = []

    def all_entries(self) -> list[Entry]:
        grouped = [Entry(id=i, status="not_encoded", reason=g.reason, note=g.note) for g in self.groups for i in g.ids]
        return list(self.entries) + grouped


class Coverage(_Model):
    reasons: dict[str, str]
    catalogues: list[Catalogue]


@dataclass
class CoverageReport:
    coverage: Coverage
    problems: list[str]

    def rows(self):
        for catalogue in self.coverage.catalogues:
            for entry in catalogue.all_entries():
                yield catalogue.file, entry

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, entry in self.rows():
            key = entry.status if entry.status != "not_encoded" else f"not_encoded:{entry.reason}"
            out[key] = out.get(key, 0) + 1
        return out


class CoverageError(Exception):
    pass


def load_coverage(path: Path = DEFAULT_COVERAGE) -> Coverage:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Coverage.model_validate(data)
    except OSError as exc:
        raise CoverageError(f"{path}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        raise CoverageError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        raise CoverageError("\n".join(f"{path}: {p}" for p in validation_problems(exc))) from None


def catalogue_ids(path: Path) -> list[str]:
    """The rule ids a research catalogue defines: its ``#### `id``` headings and its table rows."""
    text = path.read_text(encoding="utf-8")
    ids = re.findall(r"^#### `([^`]+)`", text, flags=re.M)
    ids += re.findall(r"^\| `([a-z0-9][a-z0-9.-]*)` \|", text, flags=re.M)
    return ids


def check_coverage(coverage: Coverage, ruleset: RuleSet, catalogues_dir: Optional[Path] = DEFAULT_CATALOGUES) -> CoverageReport:
    """Problems: unknown reasons, rule or routing ids that the rule set lacks, duplicates, and (where
    the catalogues are at hand) catalogue rules the table leaves out or ids it invents."""
    problems = []
    rule_ids = set(ruleset.ids)
    routing_ids = {r.id for r in ruleset.routing}
    for catalogue in coverage.catalogues:
        seen: set[str] = set()
        for entry in catalogue.all_entries():
            if entry.id in seen:
                problems.append(f"{catalogue.file}: {entry.id} is listed twice")
            seen.add(entry.id)
            if entry.reason is not None and entry.reason not in coverage.reasons:
                problems.append(f"{catalogue.file}: {entry.id}: unknown reason {entry.reason!r}")
            problems += [f"{catalogue.file}: {entry.id}: no rule {r!r} in {ruleset.label}" for r in entry.rules if r not in rule_ids]
            problems += [f"{catalogue.file}: {entry.id}: no routing rule {r!r} in {ruleset.label}"
                         for r in entry.routing if r not in routing_ids]
        source = catalogues_dir / catalogue.file if catalogues_dir is not None else None
        if source is not None and source.exists():
            defined = set(catalogue_ids(source))
            problems += [f"{catalogue.file}: {i} is in the catalogue but not in the coverage table" for i in sorted(defined - seen)]
            problems += [f"{catalogue.file}: {i} is in the coverage table but not in the catalogue" for i in sorted(seen - defined)]
    return CoverageReport(coverage, problems)
