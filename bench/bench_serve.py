"""Benchmark of `sagsrute serve` (issue 16 item 5): real uvicorn processes on loopback over a generated
caseload of imported cases. Prints figures, asserts nothing.

    .venv/bin/python bench/bench_serve.py [--cases 100000] [--requests 100000] [--seconds 150]

Figures:
- in process: `Engine.check` of the same cases the server is asked about (p50, p99);
- `POST /api/v1/check` and `GET /api/v1/cases/{id}` with one client and with 32 concurrent clients
  (each run bounded in requests and in seconds): p50, p99, requests/s;
- throughput of 2 workers against 1 at 32 clients (the same mix of both requests);
- errors (any answer but 200) and the RSS of each worker after 10,000 and after all requests;
- the worklist of a team of about 5,000 cases: the first request (which fills the worklist table)
  and then p50 of its first, a middle and its last page, and of page 1 of every case: the pages
  cost the same wherever they are, because the database pages (LIMIT/OFFSET on an index), not Python.

The clients run in this process (asyncio, one keep-alive connection each) on the same 2 cores as
the server: read the figures as ratios. The caseload is generated and imported once into
out/bench-serve/ and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "out" / "bench-serve"
AS_OF = "2021-12-31"
LENGTH = re.compile(rb"content-length: *(\d+)", re.I)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def caseload(count: int) -> Path:
    db = OUT / f"cases-{count}.sqlite"
    if db.exists():
        return db
    OUT.mkdir(parents=True, exist_ok=True)
    jsonl = OUT / f"cases-{count}.jsonl"
    sagsrute = [sys.executable, "-m", "cli"]
    started = time.perf_counter()
    subprocess.run([*sagsrute, "samples", "generate", str(count), "--out", str(jsonl), "--workers", "2"], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([*sagsrute, "import", str(jsonl), "--db", str(db), "--workers", "2"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    print(f"caseload: {count:,} cases generated and imported in {time.perf_counter() - started:.0f} s")
    return db


def sample_cases(db: Path, n: int, seed: int = 16) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT case_id FROM case_record")]
        chosen = random.Random(seed).sample(ids, min(n, len(ids)))
        return [(i, conn.execute("SELECT data FROM case_record WHERE case_id = ?", (i,)).fetchone()[0]) for i in chosen]


def team_near(db: Path, size: int) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        teams = conn.execute("SELECT team, count(*) FROM case_record WHERE team IS NOT NULL GROUP BY team").fetchall()
    return min(teams, key=lambda t: abs(t[1] - size))


# -- the server ----------------------------------------------------------------------------------------

class Server:
    def __init__(self, db: Path, workers: int):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", str(db), "--port", str(self.port),
                                         "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.workers = workers
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(authorised(f"http://127.0.0.1:{self.port}/api/v1/health"), timeout=2):
                    pass
                if len(self.worker_pids()) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        time.sleep(1)  # every worker up: the health answer came from one of them

    def worker_pids(self) -> list[int]:
        if self.workers == 1:  # uvicorn serves in its own process
            return [self.process.pid]
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        # uvicorn's workers are spawned processes; the resource tracker beside them is not one
        return [int(p) for p in text.split()
                if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def rss_mb(self) -> list[float]:
        out = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return out

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


# -- the clients ---------------------------------------------------------------------------------------

# issue 17: every request carries a read-only API token of every team, made for the run (the
# benchmark measures the service as a case system calls it, authentication included).
AUTH = ""


def use_token(db: Path) -> None:
    global AUTH
    from engine.access.tokens import create_token
    from engine.io.storage import db_url, open_db

    engine = open_db(db_url(str(db)))
    _, value = create_token(engine, "bench", ["*"], created_by="bench_serve")
    engine.dispose()
    AUTH = f"Authorization: Bearer {value}\r\n"


def authorised(url: str) -> urllib.request.Request:
    name, _, value = AUTH.strip().partition(": ")
    return urllib.request.Request(url, headers={name: value} if AUTH else {})


def post_check(body: str) -> bytes:
    data = body.encode()
    return (f"POST /api/v1/check?as_of={AS_OF} HTTP/1.1\r\nHost: bench\r\n{AUTH}Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{AUTH}\r\n".encode()


class Run:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors = 0
        self.seconds = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"p50 {ms(pct(self.latencies, .5))}  p99 {ms(pct(self.latencies, .99))}  "
                f"{self.rate:,.0f} req/s  ({len(self.latencies):,} requests, {self.errors} errors)")


async def _drive(port: int, requests, clients: int, limit: int, seconds: float, run: Run, on_count=None) -> None:
    deadline = time.perf_counter() + seconds
    done = 0

    async def client() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while done < limit and time.perf_counter() < deadline:
                request = next(requests)
                done += 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(int(LENGTH.search(head).group(1)))
                run.latencies.append(time.perf_counter() - started)
                if head[9:12] != b"200":
                    run.errors += 1
                if on_count is not None:
                    on_count(done)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    run.seconds = time.perf_counter() - started


def _merged(runs: list[Run]) -> Run:
    out = Run()
    for run in runs:
        out.latencies += run.latencies
        out.errors += run.errors
        out.seconds += run.seconds
    return out


def drive(port: int, requests: list[bytes], clients: int, limit: int, seconds: float, on_count=None) -> Run:
    run = Run()
    asyncio.run(_drive(port, _forever(requests), clients, limit, seconds, run, on_count))
    return run


def _forever(items: list):
    while True:
        yield from items


# -- the figures -----------------------------------------------------------------------------------------

def in_process(cases: list[tuple[str, str]]) -> list[float]:
    from engine.core.check import Engine
    from models.case import Case

    engine = Engine.from_directory()
    day = date.fromisoformat(AS_OF)
    parsed = [Case.model_validate_json(data) for _, data in cases]
    for case in parsed[:200]:
        engine.check(case, day)  # warm: the profile cache
    times = []
    for case in parsed:
        started = time.perf_counter()
        engine.check(case, day)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100_000, help="requests of the memory run")
    parser.add_argument("--seconds", type=float, default=150, help="the bound in time of each run")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 1 worker against 2")
    parser.add_argument("--round-seconds", type=float, default=12)
    args = parser.parse_args()

    db = caseload(args.cases)
    use_token(db)
    with sqlite3.connect(db) as conn:  # the first worklist request below fills the table from nothing
        conn.execute("DELETE FROM worklist_entry")
        conn.execute("DELETE FROM worklist_fill")
    cases = sample_cases(db, 5000)
    posts = [post_check(data) for _, data in cases]
    gets = [get(f"/api/v1/cases/{case_id}?as_of={AS_OF}") for case_id, _ in cases]
    mix = [r for pair in zip(posts, gets) for r in pair]
    print(f"sagsrute serve over {args.cases:,} imported cases (as of {AS_OF}); clients and server share this machine "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

    local = in_process(cases)
    p50_local = pct(local, .5)
    print(f"in process   Engine.check            p50 {ms(p50_local)}  p99 {ms(pct(local, .99))}  ({len(local):,} cases)")

    server, two = Server(db, 1), None
    try:
        team, size = team_near(db, 5000)
        started = time.perf_counter()
        with urllib.request.urlopen(authorised(f"http://127.0.0.1:{server.port}/api/v1/cases?as_of={AS_OF}&team={team}"),
                                    timeout=600) as r:
            total = json.load(r)["total"]
        fill = time.perf_counter() - started
        runs = {}
        for name, requests in (("POST /check", posts), ("GET /cases/{id}", gets)):
            drive(server.port, requests, 1, 300, 30)  # warm
            runs[(name, 1)] = drive(server.port, requests, 1, 3000, args.seconds)
            runs[(name, 32)] = drive(server.port, requests, 32, 20000, args.seconds)
        for (name, clients), run in runs.items():
            print(f"1 worker     {name:<16} {clients:>2} client{'s' if clients > 1 else ' '} {run.line()}")
        post_1 = pct(runs[("POST /check", 1)].latencies, .5)
        print(f"             one client's POST p50 is {ms(post_1 - p50_local)} above in process (target: within 1.5 ms)")

        # the worklist of a team of about 5,000 cases
        pages = -(-total // 50)
        print(f"worklist     team {team} ({size:,} cases): first request {fill:.2f} s (evaluates the team into the "
              f"worklist table)")
        for label, path in (("page 1", f"/?as_of={AS_OF}&team={team}"),
                            (f"page {pages // 2}", f"/?as_of={AS_OF}&team={team}&page={pages // 2}"),
                            (f"page {pages} (last)", f"/?as_of={AS_OF}&team={team}&page={pages}"),
                            ("API page 1", f"/api/v1/cases?as_of={AS_OF}&team={team}")):
            run = drive(server.port, [get(path)], 1, 300, 60)
            print(f"             {label:<16} p50 {ms(pct(run.latencies, .5))}  ({run.errors} errors)")

        # 1 worker against 2, in alternating rounds: the machine's other work changes from minute
        # to minute, and each round's pair sees about the same of it
        two = Server(db, 2)
        drive(two.port, mix, 32, 2000, 30)  # warm both workers
        ratios, ones, twos = [], [], []
        for _ in range(args.rounds):
            one_worker = drive(server.port, mix, 32, 10000, args.round_seconds)
            two_workers = drive(two.port, mix, 32, 20000, args.round_seconds)
            ones.append(one_worker)
            twos.append(two_workers)
            ratios.append(two_workers.rate / one_worker.rate)
        print(f"1 worker     mix of both      32 clients {_merged(ones).line()}")
        print(f"2 workers    mix of both      32 clients {_merged(twos).line()}")
        print(f"             2 workers / 1 worker throughput: median {statistics.median(ratios):.2f}x over {len(ratios)} "
              f"rounds of {args.round_seconds:.0f} s ({', '.join(f'{r:.2f}' for r in ratios)}; target ≥ 1.6x)")
    except BaseException:
        if two is not None:
            two.stop()
        raise
    finally:
        server.stop()

    server = two
    try:
        marks: dict[int, list[float]] = {}

        def mark(done: int) -> None:
            if done in (10_000, args.requests) and done not in marks:
                marks[done] = server.rss_mb()

        memory = drive(server.port, mix, 32, args.requests, max(args.seconds, 600), mark)
        marks.setdefault(len(memory.latencies), server.rss_mb())
        after_10k = marks.get(10_000, [])
        last = max(marks)
        print(f"memory       {len(memory.latencies):,} requests at 32 clients, {memory.errors} errors; "
              f"{memory.line()}")
        for n, (a, b) in enumerate(zip(after_10k, marks[last]), start=1):
            print(f"             worker {n}: RSS {a:.0f} MB after 10,000, {b:.0f} MB after {last:,} "
                  f"({b / a:.2f}x; target ≤ 1.2x)")
        print(f"             load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
