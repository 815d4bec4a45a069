"""Benchmark of `sagsrute whatif` (issue 5): prints figures, asserts nothing.

    .venv/bin/python bench/bench_whatif.py [--cases 10000] [--seed 7] [--as-of 2021-12-31]

Generates N cases (engine/generate.py, the generator behind `sagsrute samples generate`) into a
temporary JSON Lines file, then times, in this one process and each from the file:
- the audit of the cases (engine/audit.py run_audit, one worker), the reference;
- the what-if of every sample change in samples/overrides/ over the same cases (two engines, the
  baseline and the candidate, both built inside the timing).
The target is what-if ≤ 2.5 × audit. Each figure is the best of ``--repeat`` runs, every run with
fresh engines (cold profile caches), so neither side profits from the other's cache.
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

from engine.check import Engine  # noqa: E402
from engine.overrides import load_rules  # noqa: E402
from engine.ruleset import load_ruleset  # noqa: E402
from engine.whatif import WhatIf  # noqa: E402
from models.loading import LoadedCase, read_cases  # noqa: E402

OVERRIDES = sorted((ROOT / "samples" / "overrides").glob("*.yaml"))


def generate(count: int, seed: int, as_of: date, out: Path) -> str:
    try:
        from engine.generate import write_jsonl
    except ImportError:
        sys.path.insert(0, str(ROOT / "samples" / "caseload"))
        from make_caseload import caseload

        with out.open("w", encoding="utf-8") as handle:
            for case in caseload(count, seed):
                handle.write(json.dumps(case, ensure_ascii=False) + "\n")
        return "samples/caseload/make_caseload.py"
    write_jsonl(count, seed, as_of, out)
    return "engine/generate.py"


def audit_seconds(path: Path, as_of: date) -> tuple[float, str]:
    ruleset = load_ruleset()
    try:
        from engine.audit import AuditOptions, file_items, run_audit
    except ImportError:
        start = time.perf_counter()
        engine = Engine(ruleset)
        for loaded in read_cases([path]):
            if isinstance(loaded, LoadedCase):
                engine.check(loaded.case, as_of, explain_why=False)
        return time.perf_counter() - start, "Engine.check over every case (no audit module)"
    start = time.perf_counter()
    run_audit(ruleset, file_items([path]), AuditOptions(as_of=as_of, workers=1))
    return time.perf_counter() - start, "engine/audit.py run_audit, 1 worker"


def whatif_seconds(path: Path, as_of: date, override: Path) -> tuple[float, dict]:
    base = load_ruleset()
    candidate = load_rules(override, base)
    start = time.perf_counter()
    report = WhatIf(base, candidate).run(read_cases([path]), as_of)
    return time.perf_counter() - start, report.totals()


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

        timings = [audit_seconds(path, as_of) for _ in range(args.repeat)]
        audit, how = min(t for t, _ in timings), timings[0][1]
        print(f"audit ({how}): {audit:.2f} s, {args.cases / audit:,.0f} cases/s")
        print(f"{'change':<30} {'what-if s':>9} {'× audit':>8} {'changed':>8} {'Δ overdue':>9} {'Δ conv/month':>12}")
        for override in OVERRIDES:
            runs = [whatif_seconds(path, as_of, override) for _ in range(args.repeat)]
            seconds, totals = min(runs, key=lambda r: r[0])
            print(f"{override.stem:<30} {seconds:>9.2f} {seconds / audit:>7.2f}× {totals['changed_cases']:>8} "
                  f"{totals['overdue_cases']['difference']:>+9} {totals['conversations']['average_per_month']:>+12}")
        print("target: what-if ≤ 2.5 × audit")


if __name__ == "__main__":
    main()
