"""Instructions per audited case, counted by valgrind (callgrind): deterministic where wall-clock on
a shared machine is not. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_audit_instructions.py                # 2,000 cases as of 2021-12-31
    .venv/bin/python bench/bench_audit_instructions.py --cases 5000 --as-of 2019-12-31

The cases are generated (engine/io/generate.py, the generator behind `sagsrute samples generate`),
validated into memory and audited once to warm the plans (the applicability answers durable_rules
gives once per profile); the figure is the cost of the --passes audit passes after that, counted by
callgrind from inside them only, divided by the passes and the cases. Python's hash seed is fixed
and address randomisation off (setarch -R), so a run repeats its count. Run it in two checkouts
(before and after a change) to compare them: the script uses only what both have (Auditor.add,
Engine.quiet_duties). --evaluate-only counts the evaluation alone: an audit pass also folds the
duties and explains the duties on its top-overdue list (an explained check per case there).
"""

from __future__ import annotations

import argparse
import operator
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 2020


def child(cases: int, as_of: date, passes: int, evaluate_only: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from engine.batch.fold import Auditor
    from engine.core.check import Engine
    from engine.core.profile import periods_as_of
    from engine.io.generate import generate_cases
    from engine.io.loading import parse_case
    from engine.rulebook.ruleset import load_ruleset

    loaded = [parse_case(data, f"generated:{i}") for i, data in enumerate(generate_cases(cases, SEED, as_of))]
    engine = Engine(load_ruleset())

    def audit() -> None:
        if evaluate_only:  # the evaluation the audit folds, alone (Engine.quiet_duties: the null tracer)
            for item in loaded:
                engine.quiet_duties(item.case, periods_as_of(item.case, as_of))
            return
        auditor = Auditor(engine, as_of)
        for position, item in enumerate(loaded):
            auditor.add(item, position)
        auditor.finish()

    audit()  # warms the plans

    def counted_passes() -> None:
        for _ in range(passes):
            audit()

    # callgrind collects only inside operator.call (its C function _operator_call, which nothing else
    # here calls): the passes after the warm one, without the set-up's variations (durable_rules
    # reads the clock; the generator and the imports are not what is measured)
    operator.call(counted_passes)


def instructions(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise SystemExit(f"no instruction total in {out}")


def counted(python: str, cases: int, as_of: date, passes: int, scratch: Path, evaluate_only: bool) -> int:
    out = scratch / "callgrind.out"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    # setarch -R: no address randomisation, so the memos keyed by object identity hash alike run to run
    fixed = ["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []
    subprocess.run([*fixed, "valgrind", "--tool=callgrind", "--toggle-collect=_operator_call",
                    f"--callgrind-out-file={out}", python, __file__, "--child",
                    "--cases", str(cases), "--as-of", as_of.isoformat(), "--passes", str(passes),
                    *(["--evaluate-only"] if evaluate_only else [])],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return instructions(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2021, 12, 31))
    parser.add_argument("--passes", type=int, default=2, help="Warm audit passes counted (after the first).")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="Count the evaluation alone (Engine.quiet_duties), not the fold and the reasons of the top list.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cases, args.as_of, args.passes, args.evaluate_only)
        return
    sys.path.insert(0, str(ROOT))
    from engine import native

    native.guard()
    print(f"sagsrute audit, instructions (callgrind): {args.cases:,} generated cases as of {args.as_of}, "
          f"plans warm; the engine's hot modules: {native.state()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-instr-") as scratch:
        total = counted(sys.executable, args.cases, args.as_of, args.passes, Path(scratch), args.evaluate_only)
    per_pass = total / args.passes
    what = "evaluation (Engine.quiet_duties)" if args.evaluate_only else "audit pass"
    print(f"  one warm {what}: {per_pass:,.0f} instructions = {per_pass / args.cases:,.0f} per case")


if __name__ == "__main__":
    main()
