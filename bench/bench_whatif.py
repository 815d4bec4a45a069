"""Benchmark of `sagsrute whatif` (issue 5): prints figures, asserts nothing.

    .venv/bin/python bench/bench_whatif.py [--cases 10000] [--seed 7] [--as-of 2021-12-31]

Generates N cases (engine/io/generate.py, the generator behind `sagsrute samples generate`) into a
temporary JSON Lines file, then times, in this one process and each from the file:
- the audit of the cases (engine/batch/runner.py run_audit, one worker), the reference;
- the what-if of every sample change in samples/overrides/ over the same cases (two engines, the
  baseline and the candidate, both built inside the timing).
The target is what-if ≤ 2.5 × audit. Each figure is the best of ``--repeat`` runs, every run with
fresh engines (cold profile caches), so neither side profits from the other's cache; the audit is
run right before each what-if (interleaved), and both wall and CPU time ratios are printed (on a
busy machine the CPU ratio is the steadier one).
Where the audit or the generator is not available, falls back to checking every case once with
Engine.check (the audit's fast path) and to samples/caseload/make_caseload.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core.check import Engine  # noqa: E402
from engine.rulebook.overrides import load_rules  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402
from engine.batch.whatif import WhatIf  # noqa: E402
from engine.io.loading import LoadedCase, read_cases  # noqa: E402

OVERRIDES = sorted((ROOT / "samples" / "overrides").glob("*.yaml"))


def generate(count: int, seed: int, as_of: date, out: Path) -> str:
    try:
        from engine.io.generate import write_jsonl
    except ImportError:
        sys.path.insert(0, str(ROOT / "samples" / "caseload"))
        from make_caseload import caseload

        with out.open("w", encoding="utf-8") as handle:
            for case in caseload(count, seed):
                handle.write(json.dumps(case, ensure_ascii=False) + "\n")
        return "samples/caseload/make_caseload.py"
    write_jsonl(count, seed, as_of, out)
    return "engine/io/generate.py"


def _timed(run) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result). CPU time is the fairer figure on a
    shared machine: other processes' load inflates wall time but not this process's CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def audit_run(path: Path, as_of: date):
    ruleset = load_ruleset()
    try:
        from engine.batch.runner import AuditOptions, run_audit
        from engine.io.sources import file_items
    except ImportError:
        def check_all():
            engine = Engine(ruleset)
            for loaded in read_cases([path]):
                if isinstance(loaded, LoadedCase):
                    engine.check(loaded.case, as_of, explain_why=False)
        return check_all, "Engine.check over every case (no audit module)"
    return (lambda: run_audit(ruleset, file_items([path]), AuditOptions(as_of=as_of, workers=1)),
            "engine/batch/runner.py run_audit, 1 worker")


def whatif_run(path: Path, as_of: date, override: Path):
    base = load_ruleset()
    candidate = load_rules(override, base)
    return lambda: WhatIf(base, candidate).run(read_cases([path]), as_of).totals()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2021-12-31")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        start = time.perf_counter()
        source = generate(args.cases, args.seed, as_of, path)
        print(f"generated {args.cases} cases with {source} in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        audit, how = audit_run(path, as_of)
        print(f"audit: {how}; each figure is the best of {args.repeat} runs, the audit run right before "
              "each what-if so both see the same machine load")
        print(f"{'change':<30} {'audit s':>8} {'what-if s':>9} {'× wall':>7} {'× CPU':>6} {'changed':>8} "
              f"{'Δ overdue':>9} {'Δ conv/month':>12}")
        for override in OVERRIDES:
            whatif = whatif_run(path, as_of, override)
            audits, whatifs = [], []
            for _ in range(args.repeat):  # interleaved
                audits.append(_timed(audit))
                whatifs.append(_timed(whatif))
            a_wall, a_cpu = min(t[0] for t in audits), min(t[1] for t in audits)
            w_wall, w_cpu = min(t[0] for t in whatifs), min(t[1] for t in whatifs)
            totals = whatifs[0][2]
            print(f"{override.stem:<30} {a_wall:>8.2f} {w_wall:>9.2f} {w_wall / a_wall:>6.2f}× {w_cpu / a_cpu:>5.2f}× "
                  f"{totals['changed_cases']:>8} {totals['overdue_cases']['difference']:>+9} "
                  f"{totals['conversations']['average_per_month']:>+12}")
        print("target: what-if ≤ 2.5 × audit")


if __name__ == "__main__":
    main()
