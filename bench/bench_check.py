"""Benchmark of `sagsrute check` (issue 2): prints figures, asserts nothing.

    .venv/bin/python bench/bench_check.py [--rounds 2000] [--cli-runs 5]

Figures:
- single-case latency of the CLI, end to end (process start, rule loading, durable_rules
  compilation, evaluation, JSON output), median of several runs;
- single-case latency in process once the engine is built (warm profile cache), median;
- cases/second evaluating the bundled samples repeatedly, with the share of time spent inside
  durable_rules; and the same with the profile cache cleared before every case (the worst case:
  every case pays for a durable_rules session), to show what the cache saves.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import native  # noqa: E402
from engine.core.check import Engine  # noqa: E402
from engine.core.durable_backend import DurableSelector  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402
from engine.io.loading import LoadedCase, read_cases  # noqa: E402

SAMPLES = ROOT / "samples" / "cases"


class TimedSelector(DurableSelector):
    """Counts the time spent asking durable_rules (sessions, assert, actions, delete)."""

    inside = 0.0

    def _evaluate(self, profile):
        start = time.perf_counter()
        try:
            return super()._evaluate(profile)
        finally:
            TimedSelector.inside += time.perf_counter() - start


def as_of_of(path: str) -> date:
    for line in Path(path.split(":")[0]).read_text(encoding="utf-8").splitlines():
        if "--as-of" in line:
            return date.fromisoformat(line.split("--as-of")[1].split()[0].rstrip("."))
    return date(2021, 12, 31)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000, help="passes over the samples (warm cache)")
    parser.add_argument("--cold-rounds", type=int, default=100, help="passes with the cache cleared per case")
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()

    cases = [(x.case, as_of_of(x.source)) for x in read_cases([SAMPLES]) if isinstance(x, LoadedCase)]
    print(f"samples: {len(cases)} cases from {SAMPLES.relative_to(ROOT)}; the engine's hot modules: {native.state()}")

    exe = Path(sys.executable).parent / "sagsrute"
    sample = SAMPLES / "kontanthjaelp-jobparat-2021.yaml"
    runs = []
    for _ in range(args.cli_runs):
        start = time.perf_counter()
        subprocess.run([str(exe), "check", str(sample), "--as-of", "2021-08-16", "--format", "json"],
                       check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(f"CLI check, one case, end to end: median {statistics.median(runs) * 1000:.0f} ms "
          f"(min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f}; {args.cli_runs} runs)")

    start = time.perf_counter()
    engine = Engine(load_ruleset(), selector_factory=TimedSelector)
    print(f"engine build (load + validate rules, compile, register in durable_rules): {(time.perf_counter() - start) * 1000:.1f} ms")

    for case, as_of in cases:  # warm the profile cache
        engine.check(case, as_of)
    singles = []
    for case, as_of in cases * 50:
        start = time.perf_counter()
        engine.check(case, as_of)
        singles.append(time.perf_counter() - start)
    print(f"in-process check, one case, warm: median {statistics.median(singles) * 1e6:.0f} µs")

    for explain in (True, False):
        TimedSelector.inside = 0.0
        engine.clear_cache()
        start = time.perf_counter()
        for _ in range(args.rounds):
            for case, as_of in cases:
                engine.check(case, as_of, explain_why=explain)
        elapsed = time.perf_counter() - start
        n = args.rounds * len(cases)
        label = "with why texts" if explain else "without why texts (the audit's path)"
        print(f"throughput, profile cache on, {label}: {n / elapsed:,.0f} cases/s over {n:,} checks; "
              f"inside durable_rules {TimedSelector.inside / elapsed:.2%} of the time "
              f"({len(engine.selector.cache)} distinct profiles)")

    TimedSelector.inside = 0.0
    start = time.perf_counter()
    for _ in range(args.cold_rounds):
        for case, as_of in cases:
            engine.clear_cache()
            engine.check(case, as_of)
    elapsed = time.perf_counter() - start
    n = args.cold_rounds * len(cases)
    print(f"throughput, cache cleared before every case: {n / elapsed:,.0f} cases/s; "
          f"inside durable_rules {TimedSelector.inside / elapsed:.1%} of the time")
    print(f"durable_rules sessions opened: {engine.selector.sessions_opened:,}; "
          f"most live at once: {engine.selector.max_live_sessions}")


if __name__ == "__main__":
    main()
