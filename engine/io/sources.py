"""Input sources: the one walker of input paths, used by check, import, audit, whatif and the
audit's counting, and the items a worker turns into cases.

One rule for every command:

- a path is a file, or a directory searched for case files whose name ends (in any case:
  ``.JSONL``, ``.Yml``) in one of the suffixes, in sorted order; ``*.expected.json`` files are
  the contract's expected outputs, not cases. A missing path is a bad item, and so is a directory
  with no case files in it ("no case files found"), so the command exits 1;
- a byte-order mark is dropped the same way for JSON, YAML and JSON Lines (engine/io/loading.py);
- a case id given again, in the same file or another one of the same run, is a bad case naming
  its own ``file:line`` and the first one; the first is the one evaluated or imported. The id is
  what the record says at its top level, whether or not the rest of it is valid, so the answer
  does not depend on which process validates it (the audit's and the import's workers see only a
  slice). Keeping the ids costs memory in proportion to the input (about 100 bytes a case).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, Optional

from engine.io.csv_cases import read_csv_cases
from engine.io.loading import (CASE_SUFFIXES, InputError, JsonProblem, Loaded, LoadedCase, has_suffix, jsonl_lines,
                               label, load_json, parse_jsonl_line, parse_stored_json, read_file)
from models.case import is_identifier

# Parquet (engine/io/parquet.py, the optional extra `scale`): a file, or a dataset directory of them.
BATCH_SUFFIXES = CASE_SUFFIXES + (".parquet",)
IMPORT_SUFFIXES = BATCH_SUFFIXES + (".csv",)
NO_SUCH_FILE = "(file): no such file or directory"

Item = tuple  # (kind, source, payload): "json" line text, "stored" case JSON, "loaded" Loaded, "error" problem


def files_of(path: Path, suffixes: Iterable[str] = CASE_SUFFIXES) -> list[Path]:
    """The files one path argument names: itself, or the case files under a directory."""
    if path.is_dir():
        suffixes = tuple(suffixes)
        return sorted(p for p in path.rglob("*") if p.is_file() and has_suffix(p, suffixes)
                      and not p.name.lower().endswith(".expected.json"))
    return [path]


def no_case_files(path: Path, suffixes: Iterable[str] = CASE_SUFFIXES) -> str:
    return f"(directory): no case files found (expected {', '.join(suffixes)})"


def walk(paths: Iterable[Path], suffixes: Iterable[str] = CASE_SUFFIXES) -> Iterator[tuple[Optional[Path], str, Optional[str]]]:
    """``(file, label, None)`` for every file to read, or ``(None, label, problem)`` for a path that
    gives none (missing, or a directory without case files)."""
    suffixes = tuple(suffixes)
    for path in paths:
        if not path.exists():
            yield None, label(path), NO_SUCH_FILE
            continue
        files = files_of(path, suffixes)
        if not files:
            yield None, label(path), no_case_files(path, suffixes)
        for file in files:
            yield file, label(file), None


# The id of a JSON Lines record, read off the text (the parent process must not parse what its
# workers will): only where it is unambiguous (one "case_id" key, at the top level, no escapes);
# otherwise the text is parsed here.
_CASE_ID = re.compile(r'"case_id"\s*:\s*"([^"\\]*)"')


def claimed_id(line: str) -> Optional[str]:
    """The case id a JSON Lines record gives at its top level, or None (no text id, or not a valid
    id: a refused id is never remembered, so it is never repeated in a message either)."""
    if '"case_id"' not in line:
        return None
    match = _CASE_ID.search(line)
    if match and line.count('"case_id"') == 1 and line.count("{", 0, match.start()) == 1 \
            and line.lstrip().startswith("{"):
        value = match.group(1)
    else:
        try:
            data = load_json(line)
        except (ValueError, JsonProblem):
            return None
        value = data.get("case_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and is_identifier(value) else None


def _loaded_id(loaded: Loaded) -> Optional[str]:
    value = loaded.case.case_id if isinstance(loaded, LoadedCase) else loaded.case_id
    return value if isinstance(value, str) and is_identifier(value) else None


class Repeats:
    """The case ids read so far in one run, and where each was first given."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def repeated(self, case_id: Optional[str], where: str) -> Optional[str]:
        """The problem for ``where`` when ``case_id`` was given before, else None (and it is noted)."""
        if case_id is None:
            return None
        first = self.first.get(case_id)
        if first is None:
            self.first[case_id] = where
            return None
        return f"case_id: {case_id!r} appears again (first in {first}); this copy is left out"


def file_entries(file: Path, where: str, repeats: Optional[Repeats], csv: bool = False) -> Iterator[Item]:
    """The items of one file: a JSON Lines file line by line (the text, for a worker to validate),
    any other file decoded here (a CSV export only where ``csv``: for import); a repeated case id
    as an error item in its place."""
    if has_suffix(file, (".parquet",)):
        from engine.io.parquet import parquet_items  # pyarrow only when Parquet is read

        for kind, at, payload in parquet_items(file):
            problem = repeats.repeated(claimed_id(payload), at) if repeats is not None and kind == "json" else None
            yield ("error", at, problem) if problem else (kind, at, payload)
        return
    if has_suffix(file, (".jsonl",)):
        lines = 0
        try:
            for at, line in jsonl_lines(file):
                lines += 1
                problem = repeats.repeated(claimed_id(line), at) if repeats is not None else None
                yield ("error", at, problem) if problem else ("json", at, line)
            if not lines:  # an empty export is a mistake to report, not a run over no cases
                yield ("error", where, "(file): no cases in it (the file is empty or blank)")
        except UnicodeDecodeError:
            yield ("error", where, "(file): not UTF-8 text")
        except OSError as exc:
            yield ("error", where, f"(file): cannot be read ({exc.strerror or exc})")
        return
    loaded_items = read_csv_cases(file) if csv and has_suffix(file, (".csv",)) else read_file(file)
    for loaded in loaded_items:
        problem = repeats.repeated(_loaded_id(loaded), loaded.source) if repeats is not None else None
        if problem:
            yield ("loaded", loaded.source, InputError(loaded.source, (problem,), _loaded_id(loaded)))
        else:
            yield ("loaded", loaded.source, loaded)


def file_items(paths: Iterable[Path], unique_ids: bool = True, suffixes: Iterable[str] = BATCH_SUFFIXES) -> Iterator[Item]:
    """Every item under ``paths``, in a stable order (``walk``, ``file_entries``)."""
    repeats = Repeats() if unique_ids else None
    suffixes = tuple(suffixes)
    for file, where, problem in walk(paths, suffixes):
        if file is None:
            yield ("error", where, problem)
        else:
            yield from file_entries(file, where, repeats, csv=".csv" in suffixes)


def db_items(rows: Iterable[tuple[str, str]]) -> Iterator[Item]:
    """Items from ``engine.io.storage.iter_stored_json`` rows (case id, case JSON); the database
    holds each case id once."""
    for case_id, data in rows:
        yield ("stored", f"db:{case_id}", data)


def decode(item: Item) -> Iterator[Loaded]:
    kind, source, payload = item
    if kind == "json":
        yield parse_jsonl_line(payload, source)
    elif kind == "stored":
        yield parse_stored_json(payload, source)
    elif kind == "loaded":
        yield payload
    elif kind == "file":  # a file for the worker to read (callers that walk on their own)
        yield from read_file(Path(source))
    elif kind == "case":  # an already validated Case (in-process callers)
        yield LoadedCase(source, payload)
    else:
        yield InputError(source, (payload,))


def read_sources(paths: Iterable[Path], unique_ids: bool = True) -> Iterator[Loaded]:
    """Every case (or error) under ``paths``, decoded in this process."""
    for item in file_items(paths, unique_ids):
        yield from decode(item)


def count_items(paths: Iterable[Path]) -> int:
    """How many cases the paths hold (JSON Lines lines, other files one each), for a progress bar."""
    total = 0
    for file, _, _ in walk(paths, BATCH_SUFFIXES):
        if file is None:
            continue
        if has_suffix(file, (".parquet",)):
            from engine.io.parquet import row_count

            total += row_count(file)
        elif has_suffix(file, (".jsonl",)):
            try:
                with file.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total
