"""``sagsrute samples``: synthetic caseloads for audits and benchmarks."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import EXIT_USAGE, App, console, fail, parse_as_of
from engine.io.generate import write_jsonl
from engine.report.safe import visible

app = App(help="Synthetic caseloads.", no_args_is_help=True, prefix="samples")

DEFAULT_AS_OF = "2021-12-31"


@app.command("generate")
def generate(
    count: int = typer.Argument(..., metavar="N", help="How many cases."),
    seed: int = typer.Option(2020, "--seed", help="The same seed gives a byte-identical file."),
    out: Optional[Path] = typer.Option(None, "--out", help="JSON Lines file to write. Default: out/generated-N.jsonl"),
    as_of: Optional[str] = typer.Option(DEFAULT_AS_OF, "--as-of", help="Nothing happens after this date."),
    workers: int = typer.Option(min(4, os.cpu_count() or 1), "--workers",
                                help="Processes generating in parallel (the file is the same for any number)."),
) -> None:
    """Write N synthetic cases as JSON Lines: the 2020 benefit mix of the research notes, with
    realistic ages, education, visitation, teams, caseworkers, conversation rhythms (on time, late,
    missing), offers, benefit changes and exemptions, starting 2014-2021 (both regimes)."""
    if count < 1:
        fail("N must be at least 1", EXIT_USAGE)
    if seed < 0:
        fail("--seed must be 0 or more", EXIT_USAGE)
    day = parse_as_of(as_of)
    target = out or Path("out") / f"generated-{count}.jsonl"
    started = time.perf_counter()
    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=count < 50_000) as progress:
        task = progress.add_task("cases", total=count)
        try:
            written = write_jsonl(count, seed, day, target, workers=max(1, workers),
                                  progress=lambda done: progress.update(task, completed=done))
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
        except OSError as exc:
            fail(f"{target}: cannot be written ({exc.strerror})")
    seconds = time.perf_counter() - started
    console.print(visible(f"{written:,} cases → {target} (seed {seed}, as of {day}) in {seconds:.1f} s "
                          f"({written / max(seconds, 1e-9):,.0f} cases/s)"))
