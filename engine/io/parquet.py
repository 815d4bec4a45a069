"""Cases in Parquet: written by ``samples generate --format parquet``, read by ``audit`` and
``import``, split into row groups for ``audit --dask`` (docs/scale.md).

The layout (chosen by measurement, docs/scale.md "Parquet"): a dataset directory partitioned by
``municipality=…/team=…`` (the columns a region filters and splits on), one file per partition,
row groups of ``ROW_GROUP`` cases, and per row the ``case_id`` and the whole case as JSON text in
``case`` — the case format's own JSON, so a row is read by the same parser as a JSON Lines line
and its problems are reported as ``file:row: field: problem``. Nested columns were measured too:
bigger to read back into cases, and a fixed Arrow schema for a format whose events differ by type.

pyarrow is an optional dependency (``pip install -e '.[scale]'``): imported only here, when a
Parquet file is written or read; ``ParquetMissing`` says how to install it.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Optional

ROW_GROUP = 20_000  # cases per row group: a part of audit --dask (about a second of work)
CASE_COLUMN = "case"
PARTITIONS = ("municipality", "team")
NO_TEAM = "(none)"  # the partition of cases without a team
SUFFIX = ".parquet"


class ParquetMissing(OSError):
    """pyarrow is not installed. An OSError so that the one error boundary (cli/common.py) reports
    it as the user's to fix (exit 1), in one line saying how."""


def _arrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        from engine import texts
        raise ParquetMissing(texts.words(texts.SCALE, "da")["parquet_missing"]) from None
    return pyarrow, pyarrow.parquet


def is_parquet(path: Path) -> bool:
    """A Parquet file, or a directory holding Parquet files (a dataset)."""
    if path.suffix == SUFFIX:
        return True
    return path.is_dir() and next(path.rglob(f"*{SUFFIX}"), None) is not None


def parquet_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
    return [path]


def municipality_of(number: int, municipalities: int) -> str:
    return f"kommune-{(number - 1) % municipalities + 1}"


def _partition_dir(root: Path, municipality: str, team: Optional[str]) -> Path:
    from urllib.parse import quote

    # a team name may hold "/" or "=": quoted as hive partitioning reads it back
    return root / f"municipality={quote(municipality, safe='')}" / f"team={quote(team or NO_TEAM, safe='')}"


def write_cases(count: int, seed: int, as_of: date, out: Path, municipalities: int = 1,
                progress: Optional[Callable[[int], None]] = None, row_group: int = ROW_GROUP) -> int:
    """The generated caseload (engine/io/generate.py, the cases ``write_jsonl`` writes) as a Parquet
    dataset in ``out``: one file per municipality and team, a row group every ``row_group`` cases.
    Streamed: one row group per partition in memory; the directory appears whole or not at all."""
    pa, pq = _arrow()
    from engine.io.generate import _encode, generate_cases

    schema = pa.schema([("case_id", pa.string()), (CASE_COLUMN, pa.string())])
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    writers: dict[tuple, object] = {}
    buffers: dict[tuple, tuple[list, list]] = {}

    def flush(key: tuple) -> None:
        ids, cases = buffers[key]
        if key not in writers:
            directory = _partition_dir(partial, *key)
            directory.mkdir(parents=True, exist_ok=True)
            writers[key] = pq.ParquetWriter(directory / "part-0.parquet", schema, compression="zstd")
        writers[key].write_table(pa.table([ids, cases], schema=schema), row_group_size=row_group)
        buffers[key] = ([], [])

    written = 0
    try:
        for number, case in enumerate(generate_cases(count, seed, as_of), start=1):
            key = (municipality_of(number, municipalities), case["citizen"].get("team"))
            ids, cases = buffers.setdefault(key, ([], []))
            ids.append(case["case_id"])
            cases.append(_encode(case))
            if len(ids) >= row_group:
                flush(key)
            written += 1
            if progress and written % 10_000 == 0:
                progress(written)
        for key in list(buffers):
            if buffers[key][0]:
                flush(key)
        for writer in writers.values():
            writer.close()
        writers.clear()
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(partial, out)
    finally:
        for writer in writers.values():
            writer.close()
        if partial.exists():
            shutil.rmtree(partial)
    if progress:
        progress(written)
    return written


# -- reading ---------------------------------------------------------------------------------------


def row_groups(path: Path) -> list[tuple[str, int, int]]:
    """``(file, row group, first row number)`` of every row group under ``path``: the parts of
    ``audit --dask``."""
    _, pq = _arrow()
    out = []
    for file in parquet_files(path):
        metadata = pq.ParquetFile(file).metadata
        first = 1
        for group in range(metadata.num_row_groups):
            out.append((str(file), group, first))
            first += metadata.row_group(group).num_rows
    return out


def _rows_as_json(table) -> list[str]:
    """The cases of a row group as JSON text: the ``case`` column, or — a dataset written with
    nested columns by another tool — each row's columns as the case's fields."""
    if CASE_COLUMN in table.column_names:
        return table.column(CASE_COLUMN).to_pylist()
    fields = [n for n in table.column_names if n not in PARTITIONS]
    return [json.dumps(_without_nulls(row), default=str, ensure_ascii=False) for row in table.select(fields).to_pylist()]


def _without_nulls(value):
    # Arrow fills a struct's absent fields with null; the case format leaves them out
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def group_items(file: str, group: int, first: int) -> Iterator[tuple[str, str, Optional[str]]]:
    """One row group's cases as source items (``engine/io/sources.py``): ``("json", file:row, text)``."""
    _, pq = _arrow()
    try:
        handle = pq.ParquetFile(file)
        table = handle.read_row_group(group)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        yield ("error", file, f"(file): not a readable Parquet file ({exc})")
        return
    for row, text in enumerate(_rows_as_json(table), start=first):
        if text is None:
            yield ("error", f"{file}:{row}", f"{CASE_COLUMN}: missing")
        else:
            yield ("json", f"{file}:{row}", text)


def row_count(path: Path) -> int:
    """The rows of a Parquet file (for a progress bar); 1 where it cannot be read (the read says why)."""
    try:
        _, pq = _arrow()
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - only a count; reading the file reports the problem
        return 1


def parquet_items(path: Path) -> Iterator[tuple[str, str, Optional[str]]]:
    """Every case under ``path`` (a Parquet file or dataset directory) as source items."""
    try:
        groups = row_groups(path)
    except (OSError, ValueError) as exc:
        yield ("error", str(path), f"(file): not a readable Parquet file ({exc})")
        return
    for file, group, first in groups:
        yield from group_items(file, group, first)


def read_parquet_cases(path: Path):
    """``Loaded`` cases of a Parquet file or dataset (for ``import``)."""
    from engine.io.sources import decode

    for item in parquet_items(path):
        yield from decode(item)
