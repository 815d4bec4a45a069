"""Reading case files: YAML, JSON, JSON Lines and directories of them.

Every problem becomes an ``InputError`` naming the file, the field path and what is wrong; a bad
case is reported and the next one is read, so one bad case never stops a batch.
"""

from __future__ import annotations

import json
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

import yaml
from pydantic import ValidationError

from models.case import Case
from models.privacy import mask_cpr

CASE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")

# Limits on what one input may be (docs/limits.md). The longest real case is a few kB; these are
# far above any real input and far below what would stall a run.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # one YAML or JSON case file, rule, override or scenario file
MAX_LINE_CHARS = 1024 * 1024  # one JSON Lines line: one case
MAX_DEPTH = 32  # nesting of mappings and lists (a case nests 3 deep)
MAX_INT_DIGITS = 18  # an integer (what a 64-bit database column holds; a case's largest is 3)
MAX_MESSAGE_CHARS = 400  # one problem as printed: what the user wrote is cut, not echoed whole


class TooLarge(OSError):
    """A file over its size limit: reported as ``file: cannot be read (larger than ...)``."""


def read_text(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> str:
    """A whole text file (UTF-8, a byte-order mark dropped), refused over ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(f"larger than {limit // (1024 * 1024)} MB, the limit for one file (docs/limits.md)")
    return path.read_text(encoding="utf-8-sig")


def label(path: Path | str) -> str:
    """A path as messages, reports and the database show it: a CPR number in it masked."""
    return mask_cpr(str(path))


def has_suffix(path: Path, suffixes: Iterable[str]) -> bool:
    """``.JSONL`` is ``.jsonl``: file name endings are compared without case."""
    return path.suffix.lower() in suffixes


class NoDatesLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A YAML loader that leaves dates as text, so an impossible date is a field error, not a crash.
    Built on libyaml's parser where PyYAML has it (several times faster than the pure-Python one).

    Hostile input is refused before anything is built: aliases (``*name``; a 1 kB "billion laughs"
    file expands past a gigabyte), nesting deeper than MAX_DEPTH, integers longer than
    MAX_INT_DIGITS and keys that are lists or mappings."""

    def construct_document(self, node):
        _check_tree(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        # A repeated key would silently replace the first one (a whole list of benefits, say).
        seen = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a single value, not a list or a mapping", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {_short(key)} appears twice (first at line {seen[key] + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark)
        return super().construct_yaml_int(node)


def _check_tree(root) -> None:
    """Refuse aliases and deep nesting on the composed nodes, before anything is constructed. An
    alias is a node reached twice (PyYAML shares the anchored node), which is how it is found
    without expanding it; iterative, so depth itself cannot exhaust the stack."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "an alias (*name) repeats the node anchored here; aliases and anchors are not "
                "allowed", node.start_mark)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested deeper than {MAX_DEPTH} levels (the limit)", node.start_mark)
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        stack.extend((child, depth + 1) for child in children)


NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NoDatesLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, NoDatesLoader.construct_mapping)
NoDatesLoader.add_constructor("tag:yaml.org,2002:int", NoDatesLoader.construct_yaml_int)


class RuleLoader(NoDatesLoader):
    """For rule, override and scenario files: every text masked where it holds a CPR number (a rule's
    title, a scenario's name); an inline case's id that was masked is then refused as one."""

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        return mask_cpr(value) if isinstance(value, str) else value


class JsonProblem(ValueError):
    """What is wrong with a JSON text beyond its syntax (a repeated key, a huge integer, depth)."""


def _unique_keys(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JsonProblem(f"the key {_short(repeated)} appears twice in one object")
    return out


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonProblem(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def load_json(text: str) -> Any:
    """JSON as Python, refusing what ``json.loads`` lets through: repeated keys (it keeps the last),
    integers past MAX_INT_DIGITS and nesting past MAX_DEPTH. Raises JSONDecodeError or JsonProblem."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_bounded_int)
    except RecursionError:
        raise JsonProblem(f"nested deeper than {MAX_DEPTH} levels (the limit)") from None
    _check_depth(data)
    return data


def _check_depth(data: Any) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise JsonProblem(f"nested deeper than {MAX_DEPTH} levels (the limit)")
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlevel = 2


def _short(value: Any) -> str:
    """``repr`` of something the user wrote, cut where it is long or deep (never expanded whole)."""
    return _REPR.repr(value)


def _yaml_error(exc: "yaml.YAMLError") -> tuple[str, Optional[Any]]:
    """What is wrong and where (PyYAML's mark, or None), without PyYAML's own framing."""
    # A ReaderError (a NUL byte, a control character) has a reason and a position, not a mark.
    reason = getattr(exc, "reason", None)
    if reason and getattr(exc, "position", None) is not None:
        reason = f"{reason}, at character {exc.position + 1}"
    return getattr(exc, "problem", None) or reason or "syntax error", getattr(exc, "problem_mark", None)


def yaml_problem(path, exc: "yaml.YAMLError") -> str:
    """``file:line: not valid YAML (what)`` for a rule, override or scenario file."""
    problem, mark = _yaml_error(exc)
    return f"{label(path)}{f':{mark.line + 1}' if mark else ''}: not valid YAML ({problem})"


@dataclass(frozen=True)
class InputError:
    """One bad case or file: where it is and what is wrong (one line per problem)."""

    source: str  # file, or file:line for JSON Lines
    problems: tuple[str, ...]
    case_id: str | None = None

    def __post_init__(self) -> None:
        # Messages may echo what the user wrote; a CPR number in any field or file name is never
        # repeated, and a huge value is cut, not printed whole.
        object.__setattr__(self, "source", mask_cpr(self.source))
        object.__setattr__(self, "problems", tuple(_clip(mask_cpr(p)) for p in self.problems))

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
    return _short(error.get("input"))


def _clip(problem: str) -> str:
    return problem if len(problem) <= MAX_MESSAGE_CHARS else problem[: MAX_MESSAGE_CHARS - 1] + "…"


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
    text = read_text(path)
    if path.suffix.lower() == ".json":
        return load_json(text)
    return yaml.load(text, Loader=NoDatesLoader)


def jsonl_lines(path: Path) -> Iterator[tuple[str, str]]:
    """The non-blank lines of a JSON Lines file with their ``file:line`` (a decoding error raises).
    A byte-order mark is dropped; a line over MAX_LINE_CHARS is given as an empty line marked too
    long, read past in pieces (never held whole)."""
    where = label(path)
    with path.open(encoding="utf-8-sig") as handle:
        number = 0
        while True:
            line = handle.readline(MAX_LINE_CHARS + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                while line and not line.endswith("\n"):
                    line = handle.readline(MAX_LINE_CHARS)
                yield f"{where}:{number}", TOO_LONG
            elif line.strip():
                yield f"{where}:{number}", line


# jsonl_lines' stand-in for a line over the limit: compared by value (it crosses to worker processes).
TOO_LONG = "\x00(a line over the limit)"


def _key_count(text: str) -> int:
    """How many keys a JSON text has: every ``":`` that is not an escaped quote in a string."""
    return text.count('":') - text.count('\\":')


def _fields_given(case: Case) -> int:
    count = len(case.model_fields_set) + len(case.citizen.model_fields_set)
    for items in (case.benefits, case.assessments, case.events, case.exemptions):
        for item in items:
            count += len(item.model_fields_set)
    return count


def parse_jsonl_line(line: str, where: str) -> Loaded:
    """One line of a JSON Lines file as a case, or the InputError saying what is wrong with it.

    pydantic's own JSON parser first (less time than ``json.loads`` and a validation of the dict);
    it keeps the last of a repeated key, so its case is taken only where the line has as many keys
    as the case has fields given. Anything else goes the exact way (``load_json``, ``parse_case``),
    whose messages are the ones the user sees."""
    if len(line) > MAX_LINE_CHARS or line == TOO_LONG:
        return InputError(where, (f"(line): longer than {MAX_LINE_CHARS // 1024} kB, the limit for one case "
                                  "(docs/limits.md)",))
    try:
        case = Case.model_validate_json(line)
    except ValidationError:
        pass
    else:
        if _key_count(line) == _fields_given(case):
            return LoadedCase(where, case)
    try:
        data = load_json(line)
    except json.JSONDecodeError as exc:
        return InputError(where, (f"(line): not valid JSON ({exc.msg} at column {exc.colno})",))
    except JsonProblem as exc:
        return InputError(where, (f"(line): not valid JSON ({exc})",))
    return parse_case(data, where)


def parse_stored_json(data: str, where: str) -> Loaded:
    """A case as the database stores it (``Case.model_dump_json``, written by sagsrute itself: no
    repeated keys to look for)."""
    try:
        return LoadedCase(where, Case.model_validate_json(data))
    except ValidationError:
        return parse_jsonl_line(data, where)


def read_file(path: Path) -> Iterator[Loaded]:
    """Yield every case in one file; an unreadable file or line yields an InputError instead."""
    where = label(path)
    if not has_suffix(path, CASE_SUFFIXES):
        hint = " (CSV exports are loaded with 'sagsrute import')" if path.suffix.lower() == ".csv" else ""
        yield InputError(where, (f"(file): not a case file; expected {', '.join(CASE_SUFFIXES)}{hint}",))
        return
    try:
        if path.suffix.lower() == ".jsonl":
            for at, line in jsonl_lines(path):
                yield parse_jsonl_line(line, at)
            return
        data = _read_document(path)
    except UnicodeDecodeError:
        yield InputError(where, ("(file): not UTF-8 text",))
        return
    except json.JSONDecodeError as exc:
        yield InputError(where, (f"(file): not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",))
        return
    except JsonProblem as exc:
        yield InputError(where, (f"(file): not valid JSON ({exc})",))
        return
    except yaml.YAMLError as exc:
        problem, mark = _yaml_error(exc)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        yield InputError(where, (f"(file): not valid YAML ({problem}{at})",))
        return
    except OSError as exc:
        yield InputError(where, (f"(file): cannot be read ({exc.strerror or exc})",))
        return
    yield parse_case(data, where)


def case_files(path: Path) -> list[Path]:
    """The case files of one path argument (engine/io/sources.py's walker)."""
    from engine.io.sources import files_of

    return files_of(path, CASE_SUFFIXES)


def read_cases(paths: Iterable[Path], unique_ids: bool = True) -> Iterator[Loaded]:
    """Yield every case (or error) from files, JSON Lines files and directories, in a stable order;
    a case id given again is an InputError (engine/io/sources.py: one rule for every command)."""
    from engine.io.sources import read_sources

    return read_sources(paths, unique_ids=unique_ids)


def is_batch(paths: list[Path]) -> bool:
    """Whether the input can hold several cases (several paths, a directory or JSON Lines)."""
    return len(paths) != 1 or paths[0].is_dir() or paths[0].suffix.lower() == ".jsonl"
