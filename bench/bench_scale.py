"""Benchmark of the audit beyond one process (issue 19): prints figures, asserts nothing.

    .venv/bin/python bench/bench_scale.py                  # 1,000,000 cases (~6 min on 2 cores)
    .venv/bin/python bench/bench_scale.py --cases 100000   # quicker
    .venv/bin/python bench/bench_scale.py --keep out/bench # keep (and reuse) the generated files

Needs the scale extra (pip install -e '.[scale]'). On one generated caseload (JSON Lines) it prints:
(a) the audit with ``--workers N`` (engine/batch/runner.py, forked workers) against the same audit on
    a Dask LocalCluster of N worker processes (engine/batch/distributed.py), in rounds of
    alternating order — the throughput ratio (target ≥ 0.85 × with 2 workers) and the ratio of the
    CPU seconds each spent (workers and parent/client; independent of a shared machine's load) —
    with the cluster's start-up apart, the parts and the cost per part, and that the figures are
    identical;
(b) the merge of 100 exported unit files (audit --export-totals) of cases/100 each: ten slices of
    the caseload folded on the cluster, each exported as ten municipalities of their own (teams and
    caseworkers renamed, as another municipality's are), then read, checked and added up
    (engine/batch/export.py), and ``audit-merge`` end to end to CSV and HTML;
(c) Parquet: the case as JSON text against nested columns on a slice — size, write and read rates;
(d) the model of a national run (docs/scale.md): 30 million benefit periods in 5 minutes.
Figures are wall-clock on a shared machine: run it on an idle one for numbers worth quoting.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_audit import caseload  # noqa: E402  (the same generated caseload, the same seed)
from engine import native  # noqa: E402
from engine.batch.distributed import fold_part, plan_parts, run_dask  # noqa: E402
from engine.batch.export import document, from_document, merge_units, write_document  # noqa: E402
from engine.batch.runner import AuditOptions, run_audit  # noqa: E402
from engine.io.sources import file_items  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402

AS_OF = date(2021, 12, 31)
NATIONAL_PERIODS = 30_000_000
NATIONAL_SECONDS = 300


def periods_per_case(path: Path, sample: int = 20_000) -> float:
    cases = periods = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            periods += len(json.loads(line)["benefits"])
            cases += 1
            if cases >= sample:
                break
    return periods / cases


def _rename(doc: dict, unit: str) -> dict:
    """A unit's document as another municipality's: its own team and caseworker names."""
    totals = doc["totals"]
    for dim in ("team", "caseworker"):
        if dim in totals["groups"]:
            totals["groups"][dim] = [[[rule, f"{unit}/{value}"], tally] for (rule, value), tally in totals["groups"][dim]]
    for name in ("star_by_team", "passivity_by_team"):
        totals[name] = {f"{unit}/{team}": tally for team, tally in totals[name].items()}
    doc["unit"] = unit
    return doc


def parquet_layouts(path: Path, count: int, directory: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from engine.io.loading import parse_jsonl_line
    from engine.io.parquet import parquet_items

    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            lines.append(line)
            if len(lines) >= count:
                break
    cases = [json.loads(line) for line in lines]
    out = {}
    started = time.perf_counter()
    text_file = directory / "layout-json.parquet"
    pq.write_table(pa.table({"case_id": [c["case_id"] for c in cases], "case": [line.rstrip("\n") for line in lines]}),
                   text_file, compression="zstd", row_group_size=20_000)
    out["json"] = [time.perf_counter() - started, text_file]
    started = time.perf_counter()
    nested_file = directory / "layout-nested.parquet"
    pq.write_table(pa.Table.from_struct_array(pa.array(cases)), nested_file, compression="zstd", row_group_size=20_000)
    out["nested"] = [time.perf_counter() - started, nested_file]
    jsonl_size = sum(len(line.encode()) for line in lines)
    print(f"(c) Parquet layouts on {count:,} cases (JSON Lines {jsonl_size / 1e6:.1f} MB):")
    for name, (write_seconds, file) in out.items():
        started = time.perf_counter()
        valid = sum(1 for item in parquet_items(file) if not hasattr(parse_jsonl_line(item[2], item[1]), "problems"))
        read_seconds = time.perf_counter() - started
        print(f"    {name:6}  {file.stat().st_size / 1e6:6.1f} MB  write {count / write_seconds:9,.0f} cases/s  "
              f"read+validate {count / read_seconds:8,.0f} cases/s  ({valid:,} valid)")
    started = time.perf_counter()
    for line in lines:
        parse_jsonl_line(line, "x")
    print(f"    JSON Lines read+validate {count / (time.perf_counter() - started):8,.0f} cases/s (the same parser)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="where to keep (and find) the generated caseload")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (a), in alternating order")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    print(f"engine: {native.state()}; {os.cpu_count()} cores; "
          f"{args.cases:,} cases, {args.workers} workers", flush=True)
    with tempfile.TemporaryDirectory() as temp:
        directory = args.keep or Path(temp)
        directory.mkdir(parents=True, exist_ok=True)
        path = caseload(directory, args.cases)
        ruleset = load_ruleset()
        per_case = periods_per_case(path)

        started = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)
        client = Client(cluster)
        client.run(lambda: __import__("engine.batch.distributed"))  # what a worker imports once
        startup = time.perf_counter() - started

        import psutil  # a dependency of distributed

        me = psutil.Process()

        cluster_pids = set(client.run(os.getpid).values())

        def descendants_cpu(seen: dict) -> None:
            for child in me.children(recursive=True):
                if child.pid in cluster_pids:
                    continue
                try:
                    times = child.cpu_times()
                    seen[child.pid] = times.user + times.system
                except psutil.Error:
                    pass

        def run_local():
            base: dict = {}
            descendants_cpu(base)  # the fork server, from an earlier run
            seen: dict = dict(base)
            cpu, started = time.process_time(), time.perf_counter()
            # the workers' CPU, read as they report chunks (they are gone by the end)
            options = AuditOptions(as_of=AS_OF, workers=args.workers, on_progress=lambda _: descendants_cpu(seen))
            totals = run_audit(ruleset, file_items([path]), options)
            workers_cpu = sum(seen.values()) - sum(base.values())
            return time.perf_counter() - started, totals, None, workers_cpu, time.process_time() - cpu

        def run_cluster():
            before = client.run(time.process_time)
            cpu, started = time.process_time(), time.perf_counter()
            totals, parts, _ = run_dask(client, ruleset, [path], AS_OF)
            seconds, client_cpu = time.perf_counter() - started, time.process_time() - cpu
            after = client.run(time.process_time)
            return seconds, totals, parts, sum(after[w] - before[w] for w in after), client_cpu

        # Rounds in alternating order (local first, then Dask first): on a shared machine the load
        # drifts, and each round's two runs see about the same load. The CPU seconds do not depend
        # on the load: on an idle machine the throughput ratio approaches their ratio.
        ratios, cpu_ratios, worker_cpu, same = [], [], [], True
        for round_number in range(args.rounds):
            order = (run_local, run_cluster) if round_number % 2 == 0 else (run_cluster, run_local)
            runs = {f.__name__: f() for f in order}
            local_seconds, local, _, local_workers, local_parent = runs["run_local"]
            dask_seconds, totals, parts, dask_workers, dask_client = runs["run_cluster"]
            same = same and totals.comparable() == local.comparable()
            ratios.append(local_seconds / dask_seconds)
            cpu_ratios.append((local_workers + local_parent) / (dask_workers + dask_client))
            worker_cpu.append(dask_workers)
            print(f"(a) round {round_number + 1}: --workers {args.workers} {local_seconds:.1f} s "
                  f"({args.cases / local_seconds:,.0f} cases/s; CPU {local_workers:.1f} s workers + {local_parent:.1f} s "
                  f"parent); Dask {args.workers} workers {dask_seconds:.1f} s ({args.cases / dask_seconds:,.0f} cases/s, "
                  f"{parts} parts; CPU {dask_workers:.1f} s workers + {dask_client:.1f} s client); wall ratio "
                  f"{ratios[-1]:.2f} ×, CPU ratio {cpu_ratios[-1]:.2f} ×", flush=True)
        print(f"    Dask / --workers, median of {len(ratios)} rounds: throughput {statistics.median(ratios):.2f} ×, "
              f"CPU efficiency {statistics.median(cpu_ratios):.2f} × (target ≥ 0.85); cluster start-up {startup:.1f} s "
              f"apart; figures identical: {same}", flush=True)
        # the model's rate: cases per CPU second of a Dask worker (the load of a shared machine left out)
        core_rate = args.cases / statistics.median(worker_cpu)
        print(f"    per worker core on the cluster: {core_rate:,.0f} cases per CPU second; a part of "
              f"~{args.cases / parts:,.0f} cases costs {statistics.median(worker_cpu) / parts:.1f} CPU s", flush=True)

        # (b) 100 unit files: ten slices of ~cases/100 folded on the cluster, each exported as ten
        # municipalities of their own (names renamed), so the files have the size of real ones
        unit_parts = plan_parts([path], math.ceil(path.stat().st_size / args.units))[:10]
        shared = client.scatter(ruleset, broadcast=True)
        futures = [client.submit(fold_part, p, i, shared, AS_OF, "da", 100, None, pure=False) for i, p in enumerate(unit_parts)]
        results = client.gather(futures)
        client.close()
        cluster.close()
        units_dir = directory / "units"
        sizes = []
        for i in range(args.units):
            result = results[i % len(results)]
            doc = _rename(json.loads(json.dumps(document(result.totals, AS_OF, ruleset.label, ruleset.digest,
                                                         None, {}, caseworkers=True))), f"kommune-{i + 1:03}")
            write_document(units_dir / f"kommune-{i + 1:03}.json", doc)
            sizes.append((units_dir / f"kommune-{i + 1:03}.json").stat().st_size)
        files = sorted(units_dir.glob("*.json"))
        rounds = []
        for _ in range(3):
            started = time.perf_counter()
            units = [from_document(json.loads(f.read_text(encoding="utf-8")), str(f)) for f in files]
            merged = merge_units(units)
            rounds.append(time.perf_counter() - started)
        print(f"(b) {len(files)} unit files of ~{args.cases / args.units:,.0f} cases ({statistics.median(sizes) / 1e3:.0f} kB "
              f"each, with caseworkers): read + check + merge {statistics.median(rounds):.2f} s (median of 3), "
              f"{merged.totals.cases:,} cases, {len(merged.totals.groups['team']):,} rule × team cells", flush=True)
        import subprocess
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cli", "audit-merge", *map(str, files), "-q", "--csv",
                               str(directory / "merged-csv"), "--html", str(directory / "merged.html")],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode:  # e.g. files written by an older build: refused, not merged as zeros
            print(f"    audit-merge refused the files: {done.stderr.strip().splitlines()[-1]}", flush=True)
        else:
            print(f"    audit-merge of the {len(files)} files to CSV and HTML, end to end: "
                  f"{time.perf_counter() - started:.2f} s", flush=True)

        parquet_layouts(path, min(args.cases, 100_000), directory)

        # (d) the national model
        periods_per_core_second = core_rate * per_case
        merge_per_file = statistics.median(rounds) / len(files)
        print(f"(d) national model: {NATIONAL_PERIODS:,} periods in {NATIONAL_SECONDS} s; "
              f"{per_case:.2f} periods per case here")
        for cores in (2, 16, 64):
            for margin in (0.7,):  # 70 % of the ideal: stragglers, scheduling, the tree merge
                per_machine = periods_per_core_second * cores * margin
                merge_seconds = merge_per_file * 100  # 100 municipalities, merged once at the end
                machines = math.ceil(NATIONAL_PERIODS / (per_machine * (NATIONAL_SECONDS - merge_seconds)))
                print(f"    {cores:3} cores/machine at {margin:.0%}: {per_machine:,.0f} periods/s per machine → "
                      f"{machines} machines ({machines * cores} workers), merge of 100 units {merge_seconds:.1f} s")
        core_seconds = NATIONAL_PERIODS / periods_per_core_second
        print(f"    work: {core_seconds / 60:,.0f} core-minutes; parts of 32 MB (~45,000 cases): "
              f"{math.ceil(NATIONAL_PERIODS / per_case / 45_000)} parts")


if __name__ == "__main__":
    main()
