"""Benchmark of `sagsrute samples generate` and `sagsrute import` (issue 4): prints figures, asserts nothing.

    .venv/bin/python bench/bench_generate_import.py [--small 100000] [--large 1000000] [--skip-large-import]

Figures:
- generation: cases/second with one process and with two (the file is the same either way), and
  the peak RSS of the generating process at the small and the large size (streamed: flat);
- import: cases/second into a fresh SQLite database, a re-import of the same file (all
  "unchanged"), the same with two validating workers, and peak RSS at the small and the large
  size (one transaction per file, streamed);
- reading back: stored cases streamed per second, as JSON rows and as validated cases.

Every measurement runs in a fresh subprocess so peak RSS is the command's own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(code: str) -> tuple[float, int, str]:
    """Run ``code`` in a fresh interpreter; (seconds, its own peak RSS in MB, its stdout)."""
    script = "import sys; sys.path.insert(0, %r)\n" % str(ROOT) + code
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen([PYTHON, "-c", script], stdout=out)
        _, status, usage = os.wait4(child.pid, 0)  # this child's rusage, not the maximum of all children
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"benchmark step failed ({child.returncode}): {code}")
        out.seek(0)
        return seconds, usage.ru_maxrss // 1024, out.read().strip()


def generate(count: int, out: Path, workers: int) -> tuple[float, int]:
    seconds, rss, _ = run(
        "from datetime import date; from pathlib import Path; from engine.io.generate import write_jsonl\n"
        f"write_jsonl({count}, 1, date(2021, 12, 31), Path({str(out)!r}), workers={workers})")
    return seconds, rss


def import_file(path: Path, db: Path, workers: int = 1) -> tuple[float, int, str]:
    return run(
        "from pathlib import Path; from engine.io.storage import open_db, db_url; from engine.io.importer import import_paths\n"
        f"[r] = import_paths(open_db(db_url({str(db)!r})), [Path({str(path)!r})], workers={workers})\n"
        "print(r.imported, r.updated, r.unchanged, len(r.rejected))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--skip-large-import", action="store_true", help="the large import takes minutes")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average now: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="sagsrute-bench-") as tmp:
        work = Path(tmp)
        small, large = work / "small.jsonl", work / "large.jsonl"
        for workers in (1, 2):
            seconds, rss = generate(args.small, small, workers)
            print(f"generate {args.small:>9,} cases, {workers} process(es): {seconds:6.1f} s "
                  f"= {args.small / seconds:8,.0f} cases/s, peak RSS {rss} MB")
        seconds, rss = generate(args.large, large, 2)
        print(f"generate {args.large:>9,} cases, 2 process(es): {seconds:6.1f} s "
              f"= {args.large / seconds:8,.0f} cases/s, peak RSS {rss} MB "
              f"({large.stat().st_size / 1e6:,.0f} MB on disk)")

        db = work / "small.sqlite"
        seconds, rss, counts = import_file(small, db)
        print(f"import   {args.small:>9,} cases (new):       {seconds:6.1f} s = {args.small / seconds:8,.0f} cases/s, "
              f"peak RSS {rss} MB  [imported updated unchanged rejected: {counts}]")
        seconds, rss, counts = import_file(small, db)
        print(f"import   {args.small:>9,} cases (unchanged): {seconds:6.1f} s = {args.small / seconds:8,.0f} cases/s, "
              f"peak RSS {rss} MB  [{counts}]")
        seconds, rss, counts = import_file(small, work / "small-2.sqlite", workers=2)
        print(f"import   {args.small:>9,} cases (new, 2 workers): {seconds:6.1f} s = {args.small / seconds:8,.0f} "
              f"cases/s, peak RSS {rss} MB  [{counts}]")
        seconds, rss, out = run(
            "import time; from engine.io.storage import open_db, db_url, iter_stored_json, iter_stored_cases\n"
            f"db = open_db(db_url({str(db)!r})); t = time.perf_counter(); n = sum(1 for _ in iter_stored_json(db))\n"
            "t1 = time.perf_counter(); m = sum(1 for _ in iter_stored_cases(db)); t2 = time.perf_counter()\n"
            "print(f'{n / (t1 - t):,.0f} JSON rows/s, {m / (t2 - t1):,.0f} validated cases/s')")
        print(f"read back {args.small:,} stored cases: {out}, peak RSS {rss} MB")
        if not args.skip_large_import:
            seconds, rss, counts = import_file(large, work / "large.sqlite")
            print(f"import   {args.large:>9,} cases (new):       {seconds:6.1f} s = {args.large / seconds:8,.0f} cases/s, "
                  f"peak RSS {rss} MB  [{counts}]")


if __name__ == "__main__":
    main()
