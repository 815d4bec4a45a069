"""``audit --dask``: the audit's fold on a Dask distributed cluster (docs/scale.md).

The input is cut into parts without reading it on the client more than once: a JSON Lines file
into byte ranges that end at line ends (with the line number each starts at, so every bad case is
named ``file:line`` as in a local audit), a Parquet dataset into its row groups, any other case
file whole. Each part is folded into ``AuditTotals`` on a worker by the local audit's own
``Auditor``, with one ``Engine`` per worker process (per thread where workers are threads) kept
between parts; the parts' totals are merged pairwise on the workers (a tree, so the client never
holds more than one), and the overdue duties still on the final top list are explained once, at the
end, from the few cases the parts sent along — not every part's top list. The figures are those of
``run_audit`` (tests/test_dask.py).

Per-duty result rows (a stored run) are written by each part to a Parquet dataset partitioned by
team, since SQLite has one writer: ``results_dir/team=…/part-N-….parquet``. The workers must see
that directory (a local cluster does; a remote one needs shared storage).

dask[distributed] and pyarrow are an optional extra (``pip install -e '.[scale]'``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from engine.batch.fold import Auditor
from engine.batch.runner import DECODE_GROUP
from engine.batch.totals import TOP_OVERDUE, AuditTotals
from engine.io.loading import case_files, parse_jsonl_line
from engine.io.sources import Repeats, claimed_id, decode
from engine.rulebook.ruleset import RuleSet

PART_BYTES = 32 * 1024 * 1024  # about 45,000 generated cases: a couple of seconds of work per part
PARTS_PER_WORKER = 4  # at least: the last parts of a run finish close together
_POSITIONS = 10**12  # input positions: file number × this + line (row) number, in input order
ROW_FIELDS = ("case_id", "rule", "status", "due", "anchor", "done_on", "progress_done", "progress_required",
              "benefit", "team", "caseworker", "category", "days_late")


class DaskMissing(OSError):
    """dask[distributed] or pyarrow is not installed. An OSError so that the one error boundary
    (cli/common.py) reports it as the user's to fix (exit 1), in one line saying how."""


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        from engine import texts
        raise DaskMissing(texts.words(texts.SCALE, "da")["dask_missing"]) from None


@dataclass(frozen=True)
class Part:
    """One unit of work: a byte range of a JSON Lines file, a Parquet row group, a whole file, or
    an input problem (a path that does not exist)."""

    kind: str  # "jsonl", "parquet", "file", "error"
    file: str
    start: int = 0  # jsonl: byte offsets [start, end); parquet: the row group in ``start``
    end: int = 0
    first: int = 1  # the line (row) number of the part's first line (row)
    base: int = 0  # position of line (row) 0 of this file: file number × _POSITIONS
    problem: str = ""


def _jsonl_parts(file: Path, base: int, part_bytes: int) -> list[Part]:
    """Byte ranges of about ``part_bytes`` ending at line ends, each with the number of its first
    line (newlines counted once through the file, a block at a time)."""
    size = file.stat().st_size
    count = max(1, math.ceil(size / part_bytes))
    cuts = []
    with file.open("rb") as handle:
        for k in range(1, count):
            handle.seek(k * size // count)
            handle.readline()  # to the end of the line the cut falls in
            cut = handle.tell()
            if cut < size and (not cuts or cut > cuts[-1]):
                cuts.append(cut)
        bounds = [0, *cuts, size]
        parts, line = [], 1
        handle.seek(0)
        for start, end in zip(bounds, bounds[1:]):
            parts.append(Part("jsonl", str(file), start, end, line, base))
            left = end - start
            while left:
                block = handle.read(min(left, 16 * 1024 * 1024))
                line += block.count(b"\n")
                left -= len(block)
    return parts


def plan_parts(paths: Iterable[Path], part_bytes: int = PART_BYTES, min_parts: int = 1) -> list[Part]:
    """The parts of the input, in input order (the order a local audit reads it in)."""
    parts: list[Part] = []
    files: list[tuple[str, Path]] = []
    for path in paths:
        if not path.exists():
            files.append(("error", path))
        elif path.suffix == ".parquet" or path.is_dir() and next(path.rglob("*.parquet"), None):
            files.append(("parquet", path))
        else:
            files += [("jsonl" if f.suffix == ".jsonl" else "file", f) for f in case_files(path)]
    jsonl_bytes = sum(f.stat().st_size for kind, f in files if kind == "jsonl")
    # small inputs are still cut into enough parts for every worker
    size = max(64 * 1024, min(part_bytes, jsonl_bytes // max(min_parts, 1) + 1))
    for number, (kind, path) in enumerate(files):
        base = number * _POSITIONS
        if kind == "error":
            parts.append(Part("error", str(path), base=base, problem="(file): no such file or directory"))
        elif kind == "parquet":
            from engine.io.parquet import row_groups

            try:
                groups = row_groups(path)
            except (ValueError, OSError) as exc:
                parts.append(Part("error", str(path), base=base, problem=f"(file): not a readable Parquet file ({exc})"))
                continue
            # every Parquet file of a dataset numbered apart (its rows are numbered per file)
            seen: dict[str, int] = {}
            for file, group, first in groups:
                index = seen.setdefault(file, len(seen))
                parts.append(Part("parquet", file, group, 0, first, base + index * (_POSITIONS // 10**4)))
        elif kind == "jsonl":
            parts += _jsonl_parts(path, base, size)
        else:
            parts.append(Part("file", str(path), base=base))
    return parts


def _part_lines(part: Part) -> Iterator[tuple[int, tuple]]:
    """(position, source item) of every case in a part."""
    if part.kind == "error":
        yield part.base, ("error", part.file, part.problem)
    elif part.kind == "file":
        yield part.base, ("file", part.file, None)
    elif part.kind == "parquet":
        from engine.io.parquet import group_items

        for row, item in enumerate(group_items(part.file, part.start, part.first), start=part.first):
            yield part.base + row, item
    else:
        with open(part.file, "rb") as handle:
            handle.seek(part.start)
            data = handle.read(part.end - part.start)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            yield part.base + part.first, ("error", part.file, "(file): not UTF-8 text")
            return
        for number, line in enumerate(text.split("\n"), start=part.first):
            if line.strip():
                yield part.base + number, ("json", f"{part.file}:{number}", line + "\n")


class PartAuditor(Auditor):
    """The local audit's ``Auditor``, except that at the end of a part the overdue duties on its top
    list are not explained: their cases are kept (``pending``) for the final list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending: dict = {}

    def _explain_top(self) -> None:
        listed = {entry[1] for entry in self.totals.top_overdue}
        self.pending = {k: v for k, v in self._unexplained.items() if k in listed}
        self._unexplained = {}


@dataclass
class PartResult:
    totals: AuditTotals
    pending: dict = field(default_factory=dict)  # case id -> Case, for the duties on the top list
    parts: int = 1
    rows: int = 0  # result rows written

    def merge(self, other: "PartResult") -> "PartResult":
        self.totals.merge(other.totals)
        self.pending.update(other.pending)
        listed = {entry[1] for entry in self.totals.top_overdue}
        self.pending = {k: v for k, v in self.pending.items() if k in listed}
        self.parts += other.parts
        self.rows += other.rows
        return self


_LOCAL = threading.local()  # one Engine per worker process (per thread where workers are threads)


def _engine(ruleset: RuleSet):
    from engine.core.check import Engine

    engines = getattr(_LOCAL, "engines", None)
    if engines is None:
        engines = _LOCAL.engines = {}
    if ruleset.digest not in engines:
        engines[ruleset.digest] = Engine(ruleset)
    return engines[ruleset.digest]


def part_ids(part: Part) -> list[tuple[str, int, str]]:
    """On a worker, the first pass: (case id, position, file:line) of every JSON record of a part
    that names a valid id at its top level, in order — so that the client can find the ids given
    again across parts, as the local audit does (engine/io/sources.py ``Repeats``)."""
    out = []
    for position, item in _part_lines(part):
        if item[0] == "json":
            case_id = claimed_id(item[2])
            if case_id is not None:
                out.append((case_id, position, item[1]))
    return out


def repeated_positions(id_lists: Iterable[list[tuple[str, int, str]]]) -> list[dict[int, str]]:
    """Per part (in input order), the positions of records whose id was given before, with the
    local audit's problem text; the first copy is the one audited."""
    repeats = Repeats()
    out = []
    for ids in id_lists:
        found: dict[int, str] = {}
        for case_id, position, where in ids:
            problem = repeats.repeated(case_id, where)
            if problem:
                found[position] = problem
        out.append(found)
    return out


def fold_part(part: Part, number: int, ruleset: RuleSet, as_of: date, lang: str, top_limit: int,
              results_dir: Optional[str] = None, repeated: Optional[dict[int, str]] = None) -> PartResult:
    """On a worker: one part folded into totals (and its result rows written, for a stored run);
    a record at a position in ``repeated`` is a bad case with that problem."""
    auditor = PartAuditor(_engine(ruleset), as_of, lang, keep_rows=results_dir is not None, top_limit=top_limit)
    add = auditor.add
    rows: list[dict] = []
    group: list = []

    def flush() -> None:
        for position, loaded in group:
            add(loaded, position)
        group.clear()
        if results_dir is not None:
            rows.extend(auditor.take_rows()[0])

    for position, item in _part_lines(part):
        if repeated and position in repeated:
            item = ("error", item[1], repeated[position])
        if item[0] == "json":
            group.append((position, parse_jsonl_line(item[2], item[1])))
        else:
            group += [(position, loaded) for loaded in decode(item)]
        if len(group) >= DECODE_GROUP:
            flush()
    flush()
    result = PartResult(auditor.finish(), auditor.pending)
    if results_dir is not None and rows:
        result.rows = write_rows(Path(results_dir), number, rows)
    return result


def write_rows(root: Path, number: int, rows: list[dict]) -> int:
    """A part's per-duty rows into the results dataset, partitioned by team."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from engine.io.parquet import NO_TEAM

    day, text, count = pa.date32(), pa.string(), pa.int32()
    schema = pa.schema([("case_id", text), ("rule", text), ("status", text), ("due", day), ("anchor", day),
                        ("done_on", day), ("progress_done", count), ("progress_required", count), ("benefit", text),
                        ("team", text), ("caseworker", text), ("category", text), ("days_late", count)])
    for row in rows:
        row["team"] = row["team"] or NO_TEAM
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_to_dataset(table, root, partition_cols=["team"], basename_template=f"part-{number}-{{i}}.parquet")
    return len(rows)


def merge_results(a: PartResult, b: PartResult) -> PartResult:
    return a.merge(b)


@contextlib.contextmanager
def connect(address: str, workers: int = 2):
    """A Dask client: ``local`` / ``local:N`` starts a cluster on this machine (N worker processes,
    one thread each: durable_rules is not shared between threads), anything else is a scheduler's
    address (``tcp://host:8786``)."""
    require_dask()
    from distributed import Client, LocalCluster

    if address == "local" or address.startswith("local:"):
        count = int(address.split(":", 1)[1]) if ":" in address else workers
        if count < 1:
            raise ValueError(f"--dask {address}: the number of workers must be 1 or more")
        with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(address, timeout="20s") as client:
            yield client


def workers_of(client) -> int:
    return len(client.scheduler_info().get("workers", {})) or 1


def run_dask(client, ruleset: RuleSet, paths: list[Path], as_of: date, lang: str = "da",
             top_limit: int = TOP_OVERDUE, results_dir: Optional[Path] = None,
             on_progress: Optional[Callable[[int, int], None]] = None,
             part_bytes: int = PART_BYTES) -> tuple[AuditTotals, int, int]:
    """The audit of ``paths`` on the cluster behind ``client``: (totals, parts, result rows written).
    ``on_progress(parts done, parts)`` as the parts finish."""
    from distributed import as_completed

    parts = plan_parts(paths, part_bytes, PARTS_PER_WORKER * workers_of(client))
    if not parts:
        return AuditTotals(top_limit=top_limit), 0, 0
    shared = client.scatter(ruleset, broadcast=True)  # once per worker, not once per part
    where = str(results_dir) if results_dir is not None else None
    # two passes: the ids of every part first (about 100 bytes a case here), then the folds, each
    # told which of its records repeat an id given before
    repeats = repeated_positions(client.gather([client.submit(part_ids, part, pure=False) for part in parts]))
    folds = [client.submit(fold_part, part, number, shared, as_of, lang, top_limit, where, repeats[number] or None,
                           pure=False)
             for number, part in enumerate(parts)]
    level = folds
    while len(level) > 1:  # pairwise, on the workers, in input order
        level = [client.submit(merge_results, level[i], level[i + 1], pure=False) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    if on_progress:
        for done, _ in enumerate(as_completed(folds), start=1):
            on_progress(done, len(parts))
    result: PartResult = level[0].result()
    # the final top list's reasons: one explained check per case, here (as the local audit does)
    explainer = Auditor(_engine(ruleset), as_of, lang, top_limit=top_limit)
    explainer.totals = result.totals
    explainer._unexplained = result.pending
    explainer._explain_top()
    return result.totals, len(parts), result.rows
