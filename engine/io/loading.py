"""Reading case files: YAML, JSON, JSON Lines and directories of them.

Every problem becomes an ``InputError`` naming the file, the field path and what is wrong; a bad
case is reported and the next one is read, so one bad case never stops a batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

import yaml
from pydantic import ValidationError

from models.case import Case
from models.privacy import mask_cpr

CASE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


class NoDatesLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A YAML loader that leaves dates as text, so an impossible date is a field error, not a crash.
    Built on libyaml's parser where PyYAML has it (several times faster than the pure-Python one)."""


    def construct_mapping(self, node, deep=False):
        # A repeated key would silently replace the first one (a whole list of benefits, say).
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice (first at line {seen[key] + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NoDatesLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, NoDatesLoader.construct_mapping)


def _yaml_error(exc: "yaml.YAMLError") -> tuple[str, Optional[Any]]:
    """What is wrong and where (PyYAML's mark, or None), without PyYAML's own framing."""
    return getattr(exc, "problem", None) or "syntax error", getattr(exc, "problem_mark", None)


def yaml_problem(path, exc: "yaml.YAMLError") -> str:
    """``file:line: not valid YAML (what)`` for a rule, override or scenario file."""
    problem, mark = _yaml_error(exc)
    return f"{path}{f':{mark.line + 1}' if mark else ''}: not valid YAML ({problem})"


@dataclass(frozen=True)
class InputError:
    """One bad case or file: where it is and what is wrong (one line per problem)."""

    source: str  # file, or file:line for JSON Lines
    problems: tuple[str, ...]
    case_id: str | None = None

    def __post_init__(self) -> None:
        # Messages may echo what the user wrote; a CPR number in any field is never repeated.
        object.__setattr__(self, "problems", tuple(mask_cpr(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {p}" for p in self.problems)


@dataclass(frozen=True)
class LoadedCase:
    source: str
    case: Case


Loaded = Union[LoadedCase, InputError]


def field_path(loc: Iterable[Any]) -> str:
    """Render a pydantic error location as ``events[2].kind`` (union tags left out)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _UNION_TAGS:
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(case)"


_UNION_TAGS = {"conversation", "offer", "education_order", "education_plan", "literacy_test",
               "coordinating_caseworker", "education_start"}


def _describe(error: dict) -> str:
    kind = error["type"]
    msg = error["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (misspelt, or not part of the format)"
    if kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_value(error)} is not allowed; expected {expected}"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"unknown event type {error.get('ctx', {}).get('tag')!r}; expected one of {expected}"
    if kind == "union_tag_not_found":
        return "the event has no 'type'"
    if kind == "string_type" and error["loc"] == ("case_id",):
        return f"must be text, got {type(error.get('input')).__name__} (in YAML, quote it: case_id: \"...\")"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg


def _value(error: dict) -> str:
    return repr(error.get("input"))


def validation_problems(exc: ValidationError) -> tuple[str, ...]:
    return tuple(f"{field_path(e['loc'])}: {_describe(e)}" for e in exc.errors())


def parse_case(data: Any, source: str) -> Loaded:
    if not isinstance(data, dict):
        return InputError(source, (f"(case): expected a mapping of fields, got {type(data).__name__}",))
    try:
        return LoadedCase(source, Case.model_validate(data))
    except ValidationError as exc:
        case_id = data.get("case_id") if isinstance(data.get("case_id"), str) else None
        if case_id and any(p.startswith("case_id:") for p in validation_problems(exc)):
            case_id = None  # never repeat an id that was refused (it may be a CPR number)
        return InputError(source, validation_problems(exc), case_id)


def _read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=NoDatesLoader)


def jsonl_lines(path: Path) -> Iterator[tuple[str, str]]:
    """The non-blank lines of a JSON Lines file with their ``file:line`` (a decoding error raises)."""
    label = str(path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield f"{label}:{number}", line


def parse_jsonl_line(line: str, where: str) -> Loaded:
    """One line of a JSON Lines file as a case, or the InputError saying what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(where, (f"(line): not valid JSON ({exc.msg} at column {exc.colno})",))
    return parse_case(data, where)


def read_file(path: Path) -> Iterator[Loaded]:
    """Yield every case in one file; an unreadable file or line yields an InputError instead."""
    label = str(path)
    if path.suffix.lower() not in CASE_SUFFIXES:
        hint = " (CSV exports are loaded with 'sagsrute import')" if path.suffix.lower() == ".csv" else ""
        yield InputError(label, (f"(file): not a case file; expected {', '.join(CASE_SUFFIXES)}{hint}",))
        return
    try:
        if path.suffix == ".jsonl":
            for where, line in jsonl_lines(path):
                yield parse_jsonl_line(line, where)
            return
        data = _read_document(path)
    except UnicodeDecodeError:
        yield InputError(label, ("(file): not UTF-8 text",))
        return
    except json.JSONDecodeError as exc:
        yield InputError(label, (f"(file): not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",))
        return
    except yaml.YAMLError as exc:
        problem, mark = _yaml_error(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        yield InputError(label, (f"(file): not valid YAML ({problem}{where})",))
        return
    except OSError as exc:
        yield InputError(label, (f"(file): cannot be read ({exc.strerror})",))
        return
    yield parse_case(data, label)


def case_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in CASE_SUFFIXES
                      and not p.name.endswith(".expected.json"))
    return [path]


def read_cases(paths: Iterable[Path], unique_ids: bool = False) -> Iterator[Loaded]:
    """Yield every case (or error) from files, JSON Lines files and directories, in a stable order.

    With ``unique_ids`` a case whose id was already read is reported as an InputError instead of
    being evaluated twice (this keeps a set of the ids read: memory grows with the caseload)."""
    seen: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            yield InputError(str(path), ("(file): no such file or directory",))
            continue
        for file in case_files(path):
            for loaded in read_file(file):
                if unique_ids and isinstance(loaded, LoadedCase):
                    first = seen.get(loaded.case.case_id)
                    if first is not None:
                        yield InputError(loaded.source, (
                            f"case_id: {loaded.case.case_id!r} appears again (first in {first}); "
                            "this copy is not evaluated",), loaded.case.case_id)
                        continue
                    seen[loaded.case.case_id] = loaded.source
                yield loaded


def is_batch(paths: list[Path]) -> bool:
    """Whether the input can hold several cases (several paths, a directory or JSON Lines)."""
    return len(paths) != 1 or paths[0].is_dir() or paths[0].suffix == ".jsonl"
