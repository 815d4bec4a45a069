"""Input sources: what to audit, as small picklable items a worker turns into cases."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional

from engine.io.loading import InputError, Loaded, LoadedCase, case_files, jsonl_lines, parse_jsonl_line, read_file


def file_items(paths: Iterable[Path]) -> Iterator[tuple[str, str, Optional[str]]]:
    """``(kind, source, payload)`` items: one per JSON Lines line (the text) or per other file."""
    for path in paths:
        if not path.exists():
            yield ("error", str(path), "(file): no such file or directory")
            continue
        if path.suffix == ".parquet" or path.is_dir() and next(path.rglob("*.parquet"), None):
            from engine.io.parquet import parquet_items  # pyarrow only when Parquet is read

            yield from parquet_items(path)
            continue
        for file in case_files(path):
            if file.suffix != ".jsonl":
                yield ("file", str(file), None)
                continue
            try:
                for where, line in jsonl_lines(file):
                    yield ("json", where, line)
            except UnicodeDecodeError:
                yield ("error", str(file), "(file): not UTF-8 text")
            except OSError as exc:
                yield ("error", str(file), f"(file): cannot be read ({exc.strerror})")


def db_items(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """Items from ``engine.io.storage.iter_stored_json`` rows (case id, case JSON)."""
    for case_id, data in rows:
        yield ("json", f"db:{case_id}", data)


def decode(item: tuple[str, str, Optional[str]]) -> Iterator[Loaded]:
    kind, source, payload = item
    if kind == "json":
        yield parse_jsonl_line(payload, source)
    elif kind == "file":
        yield from read_file(Path(source))
    elif kind == "case":  # an already validated Case (in-process callers)
        yield LoadedCase(source, payload)
    else:
        yield InputError(source, (payload,))
