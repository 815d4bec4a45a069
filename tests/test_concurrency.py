"""Concurrency and interruption (issue 13.3), on SQLite and on a real PostgreSQL (a throw-away
cluster, as tests/test_storage.py starts it; with CI=1 a missing PostgreSQL fails, not skips):

- an audit of the database reads one snapshot and waits, bounded and saying so, while an import
  holds the write lock (its rule-set snapshot is a write), instead of failing "database is locked";
- a writer that cannot get the lock in time says the database is busy (never "locked", never a
  raw "duplicate key"); two imports at once wait their turn and store each case once;
- Ctrl-C (SIGINT to the process group, as a terminal sends it) stops an import or an audit with
  exit 130, no traceback, no worker left, the database as before the file or with all of it;
- an interrupted or killed audit run stays unfinished, and audit-compare refuses it unless
  --allow-unfinished (then it warns).

Every command is a real process; waits are bounded by timeouts, nothing is timed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from engine.io.generate import generate_cases

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2021-12-31"
PG_LOCK = 0x5A675275  # engine/io/storage.py _PG_LOCK
STOP_TIMES: list[tuple[str, float]] = []


def write_jsonl(path: Path, count: int, seed: int) -> Path:
    with path.open("w") as handle:
        for record in generate_cases(count, seed, date(2021, 12, 31)):
            handle.write(json.dumps(record) + "\n")
    return path


def env(**extra) -> dict:
    return {**os.environ, "COLUMNS": "120", **{k: str(v) for k, v in extra.items()}}


def sagsrute(*args, timeout: float = 600, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, env=env(**extra),
                          capture_output=True, text=True, timeout=timeout)


def start(*args, **extra) -> tuple[subprocess.Popen, Path]:
    """A command in a session of its own (its process group gets the SIGINT), stderr to a file."""
    err = Path(os.environ.get("TMPDIR", "/tmp")) / f"sagsrute-concurrency-{os.getpid()}-{time.monotonic_ns()}.err"
    handle = err.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, env=env(**extra),
                            stdout=subprocess.PIPE, stderr=handle, text=True, start_new_session=True)
    handle.close()
    return proc, err


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    members.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return members


def clean_text(text: str) -> None:
    assert "Traceback" not in text, text
    assert "database is locked" not in text, text
    assert "duplicate key" not in text.lower(), text


# -- the databases ---------------------------------------------------------------------------


class Sqlite:
    name = "sqlite"

    def __init__(self, folder: Path):
        self.path = folder / "team.sqlite"
        self.db = str(self.path)

    def count(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return conn.execute("select count(*) from case_record").fetchone()[0]

    def duplicates(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return conn.execute("select count(*) - count(distinct case_id) from case_record").fetchone()[0]

    def hold_write_lock(self):
        """What an import holds while it writes a file: the write lock and an uncommitted case."""
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("insert into case_record (case_id, content_hash, data, benefit_types, source, import_batch, "
                     "imported_at, updated_at) select 'HELD-1', content_hash, data, benefit_types, 'held', 'held', "
                     "imported_at, updated_at from case_record limit 1")
        return conn

    def integrity(self) -> str:
        with sqlite3.connect(self.path) as conn:
            return conn.execute("pragma integrity_check").fetchone()[0]


class Postgres:
    name = "postgresql"

    def __init__(self, url: str):
        self.db = url
        self.plain = url.replace("postgresql+psycopg://", "postgresql://")

    def _conn(self):
        import psycopg

        host = self.plain.split("host=")[1]
        name = self.plain.split("@/")[1].split("?")[0]
        return psycopg.connect(dbname=name, user="postgres", host=host)

    def count(self) -> int:
        with self._conn() as conn:
            return conn.execute("select count(*) from case_record").fetchone()[0]

    def duplicates(self) -> int:
        with self._conn() as conn:
            return conn.execute("select count(*) - count(distinct case_id) from case_record").fetchone()[0]

    def hold_write_lock(self):
        conn = self._conn()
        conn.execute("select pg_advisory_xact_lock(%s)", (PG_LOCK,))
        conn.execute("insert into case_record (case_id, content_hash, data, benefit_types, source, import_batch, "
                     "imported_at, updated_at) select 'HELD-1', content_hash, data, benefit_types, 'held', 'held', "
                     "imported_at, updated_at from case_record limit 1")
        return conn

    def integrity(self) -> str:
        return "ok"


def _postgres_binaries():
    from tests.test_storage import _postgres_binaries as find

    return find()


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory):
    """A throw-away PostgreSQL cluster; missing PostgreSQL is a skip, or a failure where CI=1."""
    import pwd
    import shutil
    import tempfile

    def missing(why: str):
        if os.environ.get("CI") == "1":
            pytest.fail(f"CI=1 and {why}: .ci/run installs PostgreSQL")
        pytest.skip(why)

    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("the PostgreSQL driver (psycopg) is not installed")
    bindir = _postgres_binaries()
    if bindir is None:
        missing("PostgreSQL (initdb) is not installed")
    as_user = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing("running as root and there is no 'postgres' user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="sagsrute-pg-"))
    if as_user:
        shutil.chown(base, "postgres")
    data = base / "data"
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                              "-o", f"-k {base} -c listen_addresses=''", "start"], check=True, capture_output=True)
    try:
        yield base, bindir, as_user
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty database of each kind (PostgreSQL: a fresh database in the module's cluster)."""
    if request.param == "sqlite":
        return Sqlite(tmp_path)
    base, bindir, as_user = request.getfixturevalue("postgres_server")
    name = f"t{time.monotonic_ns()}"
    subprocess.run(as_user + [str(bindir / "createdb"), "-h", str(base), "-U", "postgres", name], check=True,
                   capture_output=True)
    return Postgres(f"postgresql+psycopg://postgres@/{name}?host={base}")


@pytest.fixture(scope="module")
def caseloads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("caseloads")
    return {"base": write_jsonl(folder / "base.jsonl", 300, 1),
            "a": write_jsonl(folder / "a.jsonl", 2000, 2),
            "big": write_jsonl(folder / "big.jsonl", 30000, 3)}


def _pg_count(store) -> int:
    return store.count()


# -- tests -------------------------------------------------------------------------------------


def test_an_audit_reads_one_snapshot_and_waits_for_a_writing_import(store, caseloads):
    imported = sagsrute("import", caseloads["base"], "--db", store.db)
    assert imported.returncode == 0, imported.stderr
    held = store.hold_write_lock()
    try:
        proc, err = start("audit", "--db", store.db, "--as-of", AS_OF, "--lang", "en", SAGSRUTE_DB_WAIT=120)
        wait_until(lambda: "waiting for the database" in err.read_text(), 120, "the audit saying it waits")
        held.commit()  # the import's file lands while the audit waits
    finally:
        held.close()
    out, _ = proc.communicate(timeout=300)
    text = out + err.read_text()
    clean_text(text)
    assert proc.returncode == 0, text
    # it audited the snapshot it counted: the 300 cases, not the one committed meanwhile
    assert "Cases audited: 300" in out, out
    assert store.count() == 301


def test_a_writer_that_cannot_get_the_lock_says_the_database_is_busy(store, caseloads):
    assert sagsrute("import", caseloads["base"], "--db", store.db).returncode == 0
    held = store.hold_write_lock()
    try:
        result = sagsrute("import", caseloads["a"], "--db", store.db, "--lang", "en", SAGSRUTE_DB_WAIT=2)
    finally:
        held.rollback()
        held.close()
    text = result.stdout + result.stderr
    clean_text(text)
    assert result.returncode == 1, text
    assert "waiting for the database: another import is writing to it" in result.stderr
    assert "the database is busy: another import (or audit) has been writing to it" in result.stderr
    assert store.count() == 300  # nothing of the refused import


def test_two_imports_at_once_wait_their_turn_and_store_each_case_once(store, caseloads, tmp_path):
    assert sagsrute("import", caseloads["base"], "--db", store.db).returncode == 0
    one = start("import", caseloads["a"], caseloads["base"], "--db", store.db, "--lang", "en", SAGSRUTE_DB_WAIT=300)
    two = start("import", caseloads["base"], caseloads["a"], "--db", store.db, "--lang", "en", SAGSRUTE_DB_WAIT=300)
    for proc, err in (one, two):
        out, _ = proc.communicate(timeout=600)
        text = out + err.read_text()
        clean_text(text)
        assert proc.returncode == 0, text
    assert store.count() == 2300 and store.duplicates() == 0


def _interrupt(proc: subprocess.Popen, members: int, what: str) -> float:
    """SIGINT to the command's process group once its workers run; the seconds until it exited."""
    wait_until(lambda: len(group_members(proc.pid)) >= members or proc.poll() is not None, 120,
               f"{what}: its workers starting")
    time.sleep(1.0)  # well into the work
    assert proc.poll() is None, f"{what} finished before it could be interrupted: make the input larger"
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    stopped = time.monotonic() - sent
    STOP_TIMES.append((what, stopped))
    wait_until(lambda: not group_members(proc.pid), 10, f"{what}: every worker gone")
    return stopped


def test_ctrl_c_stops_an_import_cleanly(store, caseloads):
    assert sagsrute("import", caseloads["base"], "--db", store.db).returncode == 0
    proc, err = start("import", caseloads["big"], "--db", store.db, "--workers", "2", "--lang", "en")
    _interrupt(proc, 3, f"import on {store.name}")
    out = proc.stdout.read()
    text = out + err.read_text()
    assert "Traceback" not in text, text
    assert proc.returncode == 130, text
    assert "interrupted" in err.read_text()
    # the database as it was before the file, or with all of it
    assert store.count() in (300, 30300)
    assert store.integrity() == "ok"


def test_ctrl_c_stops_an_audit_cleanly_and_the_run_stays_unfinished(store, caseloads):
    assert sagsrute("import", caseloads["big"], "--db", store.db, "--workers", "2").returncode == 0
    finished = sagsrute("audit", "--db", store.db, "--as-of", AS_OF, "--quiet")
    assert finished.returncode == 0, finished.stderr
    proc, err = start("audit", "--db", store.db, "--as-of", AS_OF, "--workers", "2", "--lang", "en")
    _interrupt(proc, 4, f"audit on {store.name}")  # the audit, the fork server, two workers
    text = proc.stdout.read() + err.read_text()
    assert "Traceback" not in text, text
    assert proc.returncode == 130, text
    runs = sagsrute("audit-runs", "--db", store.db, "--lang", "en", COLUMNS=400)  # the whole row
    assert "(unfinished)" in runs.stdout, runs.stdout
    refused = sagsrute("audit-compare", "1", "2", "--db", store.db, "--lang", "en")
    assert refused.returncode == 1 and "run #2 did not finish" in refused.stderr, refused.stderr
    allowed = sagsrute("audit-compare", "1", "2", "--db", store.db, "--lang", "en", "--allow-unfinished")
    assert allowed.returncode == 0, allowed.stderr
    assert "warning: run #2 did not finish" in allowed.stderr


def test_a_killed_audit_run_stays_unfinished(store, caseloads):
    assert sagsrute("import", caseloads["big"], "--db", store.db, "--workers", "2").returncode == 0
    proc, err = start("audit", "--db", store.db, "--as-of", AS_OF, "--lang", "en")
    wait_until(lambda: proc.poll() is not None or "(unfinished)" in sagsrute(
        "audit-runs", "--db", store.db, "--lang", "en", COLUMNS=400).stdout,
               120, "the run being recorded")
    assert proc.poll() is None, "the audit finished before it could be killed: make the input larger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for pid in group_members(proc.pid):  # workers of the killed audit, if any, are ours to end
        os.kill(pid, signal.SIGKILL)
    refused = sagsrute("audit-compare", "1", "1", "--db", store.db, "--lang", "en")
    assert refused.returncode == 1 and "run #1 did not finish" in refused.stderr, refused.stderr


def test_stop_times(capsys):
    """The seconds from SIGINT to exit, measured above (printed with -s; bounded by the timeouts)."""
    if STOP_TIMES:
        with capsys.disabled():
            print("\nCtrl-C to exit: " + ", ".join(f"{what} {seconds:.2f} s" for what, seconds in STOP_TIMES))
    assert all(seconds < 60 for _, seconds in STOP_TIMES)
