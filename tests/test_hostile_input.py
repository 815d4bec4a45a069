"""Hostile input (issue 13.2): every input of the fuzz corpus (tests/fuzz/, one hostile input per
file; ``python tests/fuzz/make_corpus.py`` writes it) run through check, import, audit, whatif and
test-rules gives exit 1, a ``file: field: problem`` line naming it, no traceback, and ends within a
bound: each run is a process of its own, killed at the timeout (a hang is a failure, not a slow
test). Rule files from the corpus are given as --rules and --candidate. Hypothesis adds junk.

Runs are forked from this process (the modules are loaded once; a fresh interpreter costs about a
second a run), with their stdout and stderr on files of their own, so anything a worker prints
is seen too. test_the_corpus_in_real_processes runs the real command over the whole corpus."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli.app  # noqa: F401 — loaded here, once: every forked run starts with it
import engine.io.importer  # noqa: F401
import engine.io.storage  # noqa: F401
import engine.report.tables  # noqa: F401
from engine.io.loading import InputError, LoadedCase, label, parse_jsonl_line
from engine.io.sources import read_sources
from engine.report.safe import visible

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "tests" / "fuzz"
CASE_INPUTS = sorted((FUZZ / "cases").iterdir())
RULE_INPUTS = sorted((FUZZ / "rules").iterdir())
TIMEOUT = 60  # seconds a run may take on a loaded machine; each takes well under one alone
AS_OF = "2021-08-16"
SAMPLE = ROOT / "samples" / "cases" / "kontanthjaelp-jobparat-2021.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "contract-kontanthjaelp-jobparat-2021.yaml"
CANDIDATE = ROOT / "samples" / "overrides" / "six-conversations.yaml"

TALLY = {"runs": 0, "clear": 0, "tracebacks": 0, "hangs": 0}


@dataclass
class Run:
    code: int
    out: str
    err: str
    hung: bool = False


def run_isolated(args: list, timeout: float = TIMEOUT) -> Run:
    """``sagsrute ARGS`` in a forked child with its own stdout/stderr files; killed at ``timeout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.environ["COLUMNS"] = "120"
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
                from cli.app import app

                try:
                    app([str(a) for a in args], prog_name="sagsrute")
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 — what escaped the boundary: shown to the parent
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        deadline = time.monotonic() + timeout
        hung = False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                hung, status = True, 0
                break
            time.sleep(0.01)
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status) if not hung else -9
        return Run(code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), hung)


def problem_line(run: Run, path: Path) -> bool:
    """Whether stderr names ``path`` in a ``file: field: problem`` (or ``file:line: ...``) line."""
    where = re.escape(visible(label(path)))
    return re.search(rf"^error: {where}(:\d+(-\d+)?)?( scenarios\[\d+\])?: \S.*\S", run.err, re.M) is not None


def expect_clear_error(args: list, path: Path) -> None:
    run = run_isolated(args)
    text = run.out + run.err
    TALLY["runs"] += 1
    TALLY["hangs"] += run.hung
    TALLY["tracebacks"] += "Traceback" in text
    assert not run.hung, f"{args}: no answer within {TIMEOUT} s"
    assert "Traceback" not in text, f"{args}:\n{text}"
    assert "\x1b" not in text, f"{args}: a raw escape reached the terminal"
    assert "internal error" not in text, f"{args}:\n{text}"
    assert run.code == 1, f"{args}: exit {run.code}\n{text}"
    assert problem_line(run, path), f"{args}: no 'file: field: problem' line for {path}\n{run.err}"
    TALLY["clear"] += 1


def case_commands(path: Path, db: Path) -> dict[str, list]:
    return {
        "check": ["check", path, "--as-of", AS_OF],
        "import": ["import", path, "--db", db],
        "audit": ["audit", path, "--as-of", AS_OF],
        "whatif": ["whatif", path, "--candidate", CANDIDATE, "--as-of", AS_OF],
        "test-rules": ["test-rules", path],
    }


@pytest.fixture(scope="module")
def large_inputs(tmp_path_factory) -> list[Path]:
    """Inputs too large to keep in the repository: a 20 MB team name in JSON, JSON Lines and CSV,
    a 1.5 MB JSON Lines line, and a file name holding an escape and markup."""
    folder = tmp_path_factory.mktemp("large")
    team = "t" * (20 * 1024 * 1024)
    case = {"case_id": "FZ-BIG", "citizen": {"birth_date": "1988-10-31", "education": "none", "team": team},
            "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04"}]}
    (folder / "team-20mb.json").write_text(json.dumps(case))
    (folder / "team-20mb.jsonl").write_text(json.dumps(case) + "\n")
    (folder / "team-20mb.csv").write_text(f"case_id,record,birth_date,education,type,date,team\n"
                                          f"FZ-BIG,benefit,1988-10-31,none,kontanthjaelp,2021-01-04,{team}\n")
    case["citizen"]["team"] = "t" * (1536 * 1024)
    (folder / "line-1500kb.jsonl").write_text(json.dumps(case) + "\n")
    (folder / "bad\x1b[31m[x]name.json").write_text("{broken")
    return sorted(folder.iterdir())


@pytest.mark.parametrize("path", CASE_INPUTS, ids=lambda p: p.name)
def test_every_case_input_is_a_clear_error_in_every_command(path, tmp_path):
    for name, args in case_commands(path, tmp_path / "fuzz.sqlite").items():
        expect_clear_error(args, path)


def test_inputs_too_large_to_keep_are_clear_errors(large_inputs, tmp_path):
    for path in large_inputs:
        for name, args in case_commands(path, tmp_path / "fuzz.sqlite").items():
            if name == "test-rules" and path.suffix != ".json":
                continue  # a scenario file is YAML: the JSON one stands for the size limit
            expect_clear_error(args, path)
    # the 20 MB name never reached the database
    import sqlite3

    if (tmp_path / "fuzz.sqlite").exists():
        with sqlite3.connect(tmp_path / "fuzz.sqlite") as conn:
            assert conn.execute("select count(*) from case_record").fetchone()[0] == 0


@pytest.mark.parametrize("path", RULE_INPUTS, ids=lambda p: p.name)
def test_every_rule_input_is_a_clear_error(path):
    for args in (["check", SAMPLE, "--as-of", AS_OF, "--rules", path],
                 ["whatif", SAMPLE, "--candidate", path, "--as-of", AS_OF],
                 ["test-rules", SCENARIO, "--rules", path],
                 ["audit", SAMPLE, "--as-of", AS_OF, "--rules", path]):
        expect_clear_error(args, path)


def test_user_text_is_shown_literally_in_every_report(tmp_path):
    """Markup-like identifiers ([/], FZ-[/], kw [vikar]) are valid: printed as written, never read
    as rich markup, in the audit's terminal summary, its groups and the most overdue duties."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for n, (case_id, team, worker) in enumerate([("FZ-[/]", "[/]", "kw [vikar]"), ("FZ-[bold]2", "=cmd|x", "@kw")]):
        (cases / f"{n}.json").write_text(json.dumps({
            "case_id": case_id, "citizen": {"birth_date": "1988-10-31", "education": "none", "team": team,
                                            "caseworker": worker},
            "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31"}]}))
    run = run_isolated(["audit", cases, "--as-of", "2021-12-31", "--group-by", "team", "--group-by", "caseworker",
                        "--lang", "en"])
    assert run.code == 0, run.err
    for text in ("FZ-[/]", "[/]", "kw [vikar]", "FZ-[bold]2", "=cmd|x", "@kw"):
        assert text in run.out, (text, run.out)
    run = run_isolated(["check", cases / "0.json", "--as-of", "2021-12-31"])
    assert run.code == 0 and "FZ-[/]" in run.out


def test_the_corpus_in_real_processes(tmp_path):
    """The real command over the whole corpus directory: every file named, no traceback, exit 1."""
    env = {**os.environ, "COLUMNS": "120"}
    folder = FUZZ / "cases"
    for args in (["check", folder, "--as-of", AS_OF], ["audit", folder, "--as-of", AS_OF, "--workers", "2"],
                 ["import", folder, "--db", tmp_path / "all.sqlite", "--workers", "2"],
                 ["whatif", folder, "--candidate", CANDIDATE, "--as-of", AS_OF], ["test-rules", folder]):
        result = subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        text = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in text and "\x1b" not in text, (args, text[-3000:])
        suffixes = (".csv",) if args[0] == "import" else ()
        if args[0] == "audit":
            continue  # the audit lists the first bad cases only (the count says how many)
        for path in CASE_INPUTS:
            if path.suffix in (".yaml", ".yml", ".json", ".jsonl") + suffixes and args[0] != "test-rules" \
                    or args[0] == "test-rules" and path.suffix in (".yaml", ".yml"):
                assert label(path) in result.stderr, (args[0], path.name)


# -- hypothesis: junk the corpus does not hold ---------------------------------------------------

GOOD = {"case_id": "HY-1", "citizen": {"birth_date": "1988-10-31", "education": "none"},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31"}],
        "events": [{"date": "2021-04-01", "type": "conversation"}]}
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
PATHS = [("case_id",), ("citizen",), ("citizen", "team"), ("citizen", "birth_date"), ("benefits",),
         ("benefits", 0), ("benefits", 0, "type"), ("events", 0, "date"), ("events", 0), ("events",),
         ("exemptions",), ("assessments",), ("citizen", "akasse")]


def _put(data: dict, path: tuple, value) -> dict:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


def _assert_one_clear_answer(results: list) -> None:
    for loaded in results:
        assert isinstance(loaded, (InputError, LoadedCase))
        if isinstance(loaded, InputError):
            for problem in loaded.problems:
                assert re.match(r"^\S.*: \S", f"{loaded.source}: {problem}")
                assert len(problem) <= 400


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=JUNK)
def test_junk_in_any_field_is_a_clear_answer(path, value):
    data = _put(json.loads(json.dumps(GOOD)), path, value)
    line = json.dumps(data, allow_nan=True)
    _assert_one_clear_answer([parse_jsonl_line(line, "junk.jsonl:1")])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from([".json", ".yaml", ".jsonl"]), data=st.binary(max_size=300),
       prefix=st.sampled_from([b"", b"\xef\xbb\xbf", json.dumps(GOOD).encode()[:60]]))
def test_junk_bytes_in_any_file_are_a_clear_answer(tmp_path, suffix, data, prefix):
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(prefix + data)
    _assert_one_clear_answer(list(read_sources([path])))


def test_tally(capsys):
    """The closing figures (printed with -s): inputs x commands tried, clear errors, tracebacks, hangs."""
    if TALLY["runs"]:
        with capsys.disabled():
            print(f"\nhostile input: {TALLY['runs']} runs, {TALLY['clear']} clear errors, "
                  f"{TALLY['tracebacks']} tracebacks, {TALLY['hangs']} hangs")
    assert TALLY["tracebacks"] == 0 and TALLY["hangs"] == 0
