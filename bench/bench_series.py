"""Benchmark of `sagsrute audit --series monthly` (issue 18.1): prints figures, asserts nothing.

    .venv/bin/python bench/bench_series.py                  # 100,000 cases, 24 month-ends
    .venv/bin/python bench/bench_series.py --cases 20000 --repeat 1

Generates the caseload with engine/io/generate.py (as bench/bench_audit.py does) into a temporary
directory (or --keep DIR), then, in --repeat rounds taking turns in this one process: one audit as
of the last month-end (engine/batch/runner.py run_audit, one worker) and the series over the 24
month-ends up to it (engine/batch/series.py run_series), both reading the same file — target: the
median round's series ≤ 4 × the audit. Also prints how many cases were settled early (folded once,
not once per month) and which way the engine ran (compiled or from its sources).
Wall-clock on a shared machine: run it on an idle one for numbers worth quoting.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import native  # noqa: E402
from engine.batch.runner import AuditOptions, run_audit  # noqa: E402
from engine.batch.series import month_ends, run_series  # noqa: E402
from engine.core.dates import add_months  # noqa: E402
from engine.io.generate import write_jsonl  # noqa: E402
from engine.io.sources import file_items  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402

LAST = date(2021, 12, 31)
SEED = 2020
TARGET = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; the median decides.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the generated file in this directory.")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-series-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"generated-{args.cases}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        write_jsonl(args.cases, SEED, LAST, path, workers=os.cpu_count() or 1)
        print(f"generated {args.cases:,} cases in {time.perf_counter() - started:.1f} s → {path}", flush=True)
    ruleset = load_ruleset()
    months = month_ends(add_months(LAST, -(args.months - 1)), LAST)
    print(f"engine: {native.state()}; "
          f"{len(months)} month-ends {months[0]} – {months[-1]}; {args.cases:,} cases")
    ratios = []
    for round_ in range(1, args.repeat + 1):
        started = time.perf_counter()
        totals = run_audit(ruleset, file_items([path]), AuditOptions(as_of=months[-1]))
        audit_s = time.perf_counter() - started
        started = time.perf_counter()
        series = run_series(ruleset, file_items([path]), months)
        series_s = time.perf_counter() - started
        same = series.totals[-1].comparable() == totals.comparable()
        ratios.append(series_s / audit_s)
        print(f"round {round_}: audit {audit_s:.1f} s, series {series_s:.1f} s → {series_s / audit_s:.2f} × "
              f"(settled early: {sum(series.settled):,} of {totals.cases:,} cases; last month = the audit: {same})",
              flush=True)
    ratio = statistics.median(ratios)
    print(f"median: series of {len(months)} month-ends = {ratio:.2f} × one audit "
          f"({'meets' if ratio <= TARGET else 'MISSES'} the target ≤ {TARGET:g} ×)")


if __name__ == "__main__":
    main()
