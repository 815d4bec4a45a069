"""Checking a rule directory's citations against the seeds: every ``source`` and ``also`` names a
seed file and a line range that exist, and its quote appears (whitespace-normalised) within those
lines. Used by ``sagsrute rules validate`` and by the tests.

The seeds are not part of the repository: they are looked for beside it (``../shared/seeds``) or
given with ``--seeds``; where they are not found the check is skipped, and the caller says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import yaml

from engine.rulebook.ruleset import MANIFEST, ROUTING, _line_of
from engine.io.loading import NoDatesLoader
from models.rules import Source

SEEDS_BESIDE_REPO = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def find_seeds(given: Optional[Path] = None) -> Optional[Path]:
    """The seeds directory: the one given, else ``../shared/seeds`` beside the repository; None
    where neither is a directory."""
    candidate = given if given is not None else SEEDS_BESIDE_REPO
    return candidate if candidate.is_dir() else None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Seeds:
    """The seed files' lines, each file read once."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._lines: dict[str, Optional[list[str]]] = {}

    def lines(self, name: str) -> Optional[list[str]]:
        if name not in self._lines:
            path = self.directory / name
            # split on "\n" only, as editors and sed number lines (a seed may hold form feeds)
            self._lines[name] = path.read_text(encoding="utf-8").removesuffix("\n").split("\n") if path.is_file() else None
        return self._lines[name]

    def problem(self, source: Source) -> Optional[tuple[str, str]]:
        """(the citation's field at fault, what is wrong), or None where the seeds bear it out."""
        lines = self.lines(source.file)
        if lines is None:
            return "file", f"{source.file} is not in the seeds ({self.directory})"
        first, _, last = source.lines.partition("-")
        first, last = int(first), int(last or first)
        if first < 1 or last > len(lines):
            return "lines", f"lines {source.lines} are outside {source.file} (lines 1-{len(lines)})"
        if _norm(source.quote) not in _norm(" ".join(lines[first - 1:last])):
            return "quote", f"quote not found in {source.cite()}"
        return None


def _citations(data: dict, top: str):
    """(location, raw citation) of every source and also of the rules under ``top``."""
    for i, rule in enumerate(data.get(top) or []):
        if not isinstance(rule, dict):
            continue
        if isinstance(rule.get("source"), dict):
            yield (top, i, "source"), rule["source"]
        for j, also in enumerate(rule.get("also") or []):
            if isinstance(also, dict):
                yield (top, i, "also", j), also
        legal = rule.get("legal")
        if isinstance(legal, dict) and isinstance(legal.get("named_in"), dict):
            yield (top, i, "legal", "named_in"), legal["named_in"]


def check_citations(directory: Path, seeds: Path) -> list[str]:
    """``file:line: rules[i].source: problem`` for every citation in the rule directory (rule files
    and routing.yaml) that the seeds do not bear out. Run it on a directory that loads
    (engine.rulebook.ruleset.load_ruleset): citations that fail the schema are not looked at here."""
    reader = _Seeds(seeds)
    problems = []
    for path in sorted(p for p in Path(directory).glob("*.y*ml") if p.name != MANIFEST):
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=NoDatesLoader)
        if not isinstance(data, dict):
            continue
        tree = None
        tops = ("routing",) if path.name == ROUTING else ("rules", "offer_exclusions")
        for loc, raw in (c for top in tops for c in _citations(data, top)):
            try:
                source = Source.model_validate(raw)
            except ValueError:
                continue
            fault = reader.problem(source)
            if fault is None:
                continue
            tree = tree or yaml.compose(text, Loader=NoDatesLoader)
            line = _line_of(tree, (*loc, fault[0]))
            where = f"{loc[0]}[{loc[1]}].{loc[2]}" + (
                (f".{loc[3]}" if isinstance(loc[3], str) else f"[{loc[3]}]") if len(loc) > 3 else "")
            problems.append(f"{path}{f':{line}' if line else ''}: {where}: {fault[1]}")
    return problems
