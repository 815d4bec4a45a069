"""Running the audit: the items of a source folded in this process, or spread over worker processes
forked from a fork server, each with its own engine; their totals merged at the end."""

from __future__ import annotations

import multiprocessing
import queue
import signal
import traceback
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, Optional

from engine.batch.fold import Auditor
from engine.batch.totals import CHUNK, TOP_OVERDUE, AuditTotals
from engine.core.check import Engine
from engine.core.durable_backend import DurableRulesFault
from engine.io.loading import InputError
from engine.io.loading import parse_jsonl_line
from engine.io.sources import decode
from engine.rulebook.ruleset import RuleSet


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------
# Running: in this process, or spread over worker processes

# Cases decoded before any of them is checked. Decoding sixteen and then checking the sixteen was
# faster than decoding one case and checking it, in turn, in every paired measurement (both ways
# taking turns in one process): by 5–9 % on slices of 2,000 generated cases, by 1–9 % on whole
# audits of 30,000 (a shared machine: the spread is its noise). Presumably each stage's code and
# tables stay in the processor's caches for a run of cases. 8 did as well; 24 or more lost it again
# (presumably the decoded cases no longer stay there until they are checked). Sixteen cases are a
# few hundred kB at most.
DECODE_GROUP = 16


def _audit_items(auditor: Auditor, first: int, chunk: list) -> None:
    add = auditor.add
    for start in range(0, len(chunk), DECODE_GROUP):
        group = []
        for position, item in enumerate(chunk[start:start + DECODE_GROUP], start=first + start):
            if item[0] == "json":  # nearly every item: one line, one case (decode without its generator)
                group.append((position, parse_jsonl_line(item[2], item[1])))
            else:
                group += [(position, loaded) for loaded in decode(item)]
        for position, loaded in group:
            add(loaded, position)


def _worker_main(ruleset: RuleSet, as_of: date, lang: str, keep_rows: bool, keep_overdue: bool, top_limit: int,
                 tasks, results) -> None:
    """One worker process: its own Engine, its own running totals; rows go back a chunk at a time,
    the totals once at the end (so the parent merges N totals, not one per chunk)."""
    # Ctrl-C reaches the whole process group: the parent stops the workers (no traceback from
    # one, none killed half-way through a queue operation).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        auditor = Auditor(Engine(ruleset), as_of, lang, keep_rows, keep_overdue, top_limit)
        while True:
            task = tasks.get()
            if task is None:
                break
            first, chunk = task
            _audit_items(auditor, first, chunk)
            results.put(("chunk", len(chunk), *auditor.take_rows()))
        results.put(("done", auditor.finish()))
    except DurableRulesFault as exc:  # the parent raises it again: the CLI's exit 3, not a crash
        results.put(("fault", str(exc)))
    except BaseException:  # noqa: BLE001 — reported to the parent, which stops the run
        results.put(("failed", traceback.format_exc()))


@dataclass
class AuditOptions:
    as_of: date
    lang: str = "da"
    workers: int = 1
    chunk_size: int = CHUNK
    top_limit: int = TOP_OVERDUE
    on_rows: Optional[Callable[[list[dict]], None]] = None  # per-action rows, a chunk at a time
    on_overdue: Optional[Callable[[list[dict]], None]] = None  # every overdue duty, a chunk at a time
    on_progress: Optional[Callable[[int], None]] = None  # items done since the last call


def run_audit(ruleset: RuleSet, items: Iterable[tuple], options: AuditOptions,
              engine: Optional[Engine] = None) -> AuditTotals:
    """Audit every item; one worker runs here (reusing ``engine`` when given), more run in processes."""
    keep_rows, keep_overdue = options.on_rows is not None, options.on_overdue is not None

    def deliver(done: int, rows: list[dict], overdue: list[dict]) -> None:
        if rows and options.on_rows:
            options.on_rows(rows)
        if overdue and options.on_overdue:
            options.on_overdue(overdue)
        if options.on_progress:
            options.on_progress(done)

    chunks = _chunks(items, options.chunk_size)
    if options.workers <= 1:
        auditor = Auditor(engine or Engine(ruleset), options.as_of, options.lang, keep_rows, keep_overdue,
                          options.top_limit)
        first = 0
        for chunk in chunks:
            _audit_items(auditor, first, chunk)
            first += len(chunk)
            deliver(len(chunk), *auditor.take_rows())
        return auditor.finish()
    return _run_parallel(ruleset, chunks, options, deliver)


def _run_parallel(ruleset: RuleSet, chunks: Iterator[list], options: AuditOptions, deliver) -> AuditTotals:
    # Not fork: a child forked from this process would inherit its durable_rules host half-used.
    # The fork server is a fresh process that has only imported the engine (no host yet): each
    # worker forked from it starts with the modules loaded, where a spawned one would import them
    # again (half a second per worker). The server stays up for the next audit in this process.
    # Where there is no fork server (Windows), workers are spawned.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["engine.batch.runner"])
    else:
        context = multiprocessing.get_context("spawn")
    tasks = context.Queue(maxsize=2 * options.workers)  # bounded: the input is read as the workers go
    results = context.Queue()
    keep_rows, keep_overdue = options.on_rows is not None, options.on_overdue is not None
    workers = [context.Process(target=_worker_main, daemon=True,
                               args=(ruleset, options.as_of, options.lang, keep_rows, keep_overdue,
                                     options.top_limit, tasks, results))
               for _ in range(options.workers)]
    for worker in workers:
        worker.start()
    totals = AuditTotals(top_limit=options.top_limit)
    finished = 0

    def handle(message) -> None:
        nonlocal finished
        if message[0] == "chunk":
            deliver(*message[1:])
        elif message[0] == "done":
            totals.merge(message[1])
            finished += 1
        elif message[0] == "fault":
            raise DurableRulesFault(f"in an audit worker: {message[1]}")
        else:
            raise RuntimeError(f"an audit worker failed:\n{message[1]}")

    def drain(wait: float) -> None:
        try:
            handle(results.get(timeout=wait) if wait else results.get_nowait())
            while True:
                handle(results.get_nowait())
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                raise RuntimeError("an audit worker died (exit codes "
                                   f"{[w.exitcode for w in workers]}); the audit is incomplete") from None

    def put(task) -> None:
        while True:
            try:
                tasks.put(task, timeout=0.05)
                return
            except queue.Full:
                drain(0)

    completed = False
    try:
        first = 0
        for chunk in chunks:
            put((first, chunk))
            first += len(chunk)
            drain(0)
        for _ in workers:
            put(None)
        while finished < len(workers):
            drain(1.0)
        completed = True
    finally:
        # Interrupted (Ctrl-C) or failed: the workers are stopped at once, not waited for.
        for worker in workers:
            if not completed:
                worker.terminate()
        for worker in workers:
            worker.join(timeout=5 if completed else 1)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=1)
        if not completed:
            for channel in (tasks, results):  # their feeder threads must not block the exit
                channel.cancel_join_thread()
                channel.close()
    return totals
