"""``sagsrute samples``: synthetic caseloads for audits and benchmarks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import DEFAULT_WORKERS, EXIT_USAGE, App, WorkersOption, console, fail, parse_as_of
from engine.io.generate import write_jsonl
from engine.report.safe import visible

app = App(help="Synthetic caseloads.", no_args_is_help=True, prefix="samples")

DEFAULT_AS_OF = "2021-12-31"


def _target(out: Optional[Path], count: int, suffix: str = ".jsonl") -> Path:
    """The file to write: ``out`` itself when it names a .jsonl file (a .parquet dataset), ``out/generated-N.jsonl``
    when it is a directory or has no suffix (so that ``import`` takes what ``generate`` wrote)."""
    name = f"generated-{count}{suffix}"
    if out is None:
        return Path("out") / name
    if out.suffix.lower() == suffix:
        return out
    if out.is_dir() or not out.suffix:
        return out / name
    kind = "JSON Lines" if suffix == ".jsonl" else "a Parquet dataset"
    fail(f"--out {out}: the cases are {kind}, so the file must end in {suffix}", EXIT_USAGE)


@app.command("generate")
def generate(
    count: Annotated[int, typer.Argument(metavar="N", show_default=False, help="How many cases.")],
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="The same seed gives a byte-identical file.")] = 2020,
    out: Annotated[Optional[Path], typer.Option(
        "--out", metavar="PATH", show_default=False,
        help="The JSON Lines file to write (.jsonl), or a directory to write generated-N.jsonl into. "
             "Default: out/generated-N.jsonl")] = None,
    as_of: Annotated[str, typer.Option("--as-of", metavar="DATE", help="The cases' horizon: nothing happens after this date.")] = DEFAULT_AS_OF,
    workers: WorkersOption = DEFAULT_WORKERS,
    fmt: Annotated[str, typer.Option(
        "--format", metavar="jsonl|parquet",
        help="JSON Lines, or a Parquet dataset partitioned by municipality and team (pip install -e '.[scale]').")] = "jsonl",
    municipalities: Annotated[int, typer.Option(
        "--municipalities", metavar="M", min=1, help="Parquet: spread the cases over M municipalities (partitions).")] = 1,
) -> None:
    """Write N synthetic cases as JSON Lines (or Parquet).

    The 2020 benefit mix of the research notes, with realistic ages, education, visitation, teams, caseworkers, conversation rhythms (on time, late,
    missing), offers, benefit changes and exemptions, starting 2014-2021 (both regimes).

    \b
    Example:
      sagsrute samples generate 5000 --seed 7 --out out/
      sagsrute samples generate 5000 --format parquet --municipalities 2 --out out/
    """
    if count < 1:
        fail("N must be at least 1", EXIT_USAGE)
    if seed < 0:
        fail("--seed must be 0 or more", EXIT_USAGE)
    if fmt not in ("jsonl", "parquet"):
        fail(f"--format {fmt}: expected jsonl or parquet", EXIT_USAGE)
    day = parse_as_of(as_of)
    target = _target(out, count, "." + fmt)
    started = time.perf_counter()
    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=count < 50_000) as progress:
        task = progress.add_task("cases", total=count)
        try:
            if fmt == "parquet":
                from engine.io.parquet import write_cases

                written = write_cases(count, seed, day, target, municipalities,
                                      progress=lambda done: progress.update(task, completed=done))
            else:
                written = write_jsonl(count, seed, day, target, workers=workers,
                                      progress=lambda done: progress.update(task, completed=done))
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
        except OSError as exc:
            fail(f"{target}: cannot be written ({exc.strerror})")
    seconds = time.perf_counter() - started
    console.print(visible(f"{written:,} cases → {target} (seed {seed}, as of {day}) in {seconds:.1f} s "
                          f"({written / max(seconds, 1e-9):,.0f} cases/s)"))
