"""The compiled engine (engine/native.py, setup.py): the guard that keeps a stale compiled module from
running, and the compiled modules giving the same answers as their sources."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine import native
from engine.io.generate import write_jsonl

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp_path: Path) -> Path:
    """A copy of the compiled modules' sources, laid out as in the repository."""
    for module in native.COMPILED:
        target = native.source_path(module, tmp_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(native.source_path(module).read_bytes())
    return tmp_path


def _record(root: Path) -> None:
    hashes = {m: native.source_hash(native.source_path(m, root)) for m in native.COMPILED}
    native.build_record(root).write_text(json.dumps(hashes), encoding="utf-8")


def _compile_one(root: Path, module: str) -> None:
    """Stand-in for an extension beside a source: the guard only looks whether it is there."""
    native.source_path(module, root).with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0]).write_bytes(b"")


def test_nothing_compiled_means_nothing_to_guard(tmp_path):
    assert native.stale_sources(_tree(tmp_path)) is None


def test_a_build_without_its_record_counts_as_stale_throughout(tmp_path):
    root = _tree(tmp_path)
    _compile_one(root, "engine.core.duty")
    assert native.stale_sources(root) == list(native.COMPILED)


def test_sources_as_compiled_are_not_stale(tmp_path):
    root = _tree(tmp_path)
    _compile_one(root, "engine.core.kinds.cadence")
    _record(root)
    assert native.stale_sources(root) == []


def test_an_edited_source_is_stale(tmp_path):
    root = _tree(tmp_path)
    _compile_one(root, "engine.core.dates")
    _record(root)
    edited = native.source_path("engine.core.kinds.max_gap", root)
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert native.stale_sources(root) == ["engine.core.kinds.max_gap"]


# Run in a fresh interpreter: how the engine's modules were imported, and a digest of everything the
# engine answers for the samples and a generated caseload — `check` with every reason, the audit's
# figures, rows and overdue list — at a date in each regime.
_RUN = r"""
import hashlib, json, sys
from datetime import date
from pathlib import Path
import engine.core.duty, engine.core.kinds.cadence
from engine import native
from engine.batch.runner import AuditOptions, run_audit
from engine.io.sources import file_items
from engine.core.check import Engine
from engine.rulebook.ruleset import load_ruleset
from engine.io.loading import read_cases

samples, generated = Path(sys.argv[1]), Path(sys.argv[2])
ruleset = load_ruleset()
engine_ = Engine(ruleset)
digest = hashlib.sha256()
checked = audited = 0
for as_of in (date(2019, 6, 30), date(2021, 12, 31)):
    for loaded in read_cases([samples, generated]):
        if hasattr(loaded, "case"):
            digest.update(engine_.check(loaded.case, as_of).model_dump_json().encode())
            checked += 1
    rows, overdue = [], []
    totals = run_audit(ruleset, file_items([generated]), AuditOptions(
        as_of=as_of, workers=1, on_rows=rows.extend, on_overdue=overdue.extend))
    row = lambda r: json.dumps(r, default=str, sort_keys=True)
    digest.update(json.dumps([totals.comparable(), sorted(map(row, rows)), sorted(map(row, overdue))],
                             default=str, sort_keys=True).encode())
    audited += len(rows)
print(json.dumps({"state": native.state(), "files": [engine.core.duty.__file__, engine.core.kinds.cadence.__file__],
                  "checked": checked, "audited": audited, "digest": digest.hexdigest()}))
"""


def _environment(**env: str) -> dict:
    """This process's environment without SAGSRUTE_PURE_PYTHON, plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if k != native.PURE_ENV}, **env}


def _run(generated: Path, **env: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _RUN, str(ROOT / "samples" / "cases"), str(generated)],
                          capture_output=True, text=True, env=_environment(**env), cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(native.state() != "compiled (mypyc)",
                    reason=f"the engine's hot modules run as {native.state()}: nothing compiled to compare")
def test_the_compiled_engine_answers_as_its_sources(tmp_path):
    generated = tmp_path / "generated.jsonl"
    write_jsonl(1500, 7, date(2021, 12, 31), generated, workers=1)
    compiled = _run(generated)
    sources = _run(generated, **{native.PURE_ENV: "1"})
    assert compiled["state"] == "compiled (mypyc)"
    assert all(not f.endswith(".py") for f in compiled["files"]), compiled["files"]
    assert sources["state"] == f"Python sources ({native.PURE_ENV} is set)"
    assert all(f.endswith(".py") for f in sources["files"]), sources["files"]
    assert compiled["checked"] >= 2 * 1500 and compiled["audited"] > 1500  # a real workload, both ways
    assert compiled["digest"] == sources["digest"]


_IMPORT = r"""
import sys, warnings
sys.path.insert(0, sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import engine.core.duty
from engine import native
print(native.state()); print(engine.core.duty.__file__); print(len(caught))
"""


def _imported(root: Path) -> list[str]:
    """(the state, engine/core/duty's file, the number of warnings) with ``root`` first on the path."""
    done = subprocess.run([sys.executable, "-c", _IMPORT, str(root)], capture_output=True, text=True,
                          check=True, env=_environment())
    return done.stdout.splitlines()


def _built_copy(tmp_path: Path, library_broken: bool = False) -> Path:
    """A copy of the built tree: the packages with their extensions, and the build's shared library
    (or an empty file in its place: left out, the installed one would be found instead)."""
    copy = tmp_path / "tree"
    for package in ("engine", "models"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    for library in ROOT.glob("*__mypyc*"):  # beside the packages, named by the build
        if library_broken:
            (copy / library.name).write_bytes(b"")
        else:
            shutil.copy(library, copy)
    return copy


needs_a_build = pytest.mark.skipif(native.state() != "compiled (mypyc)",
                                   reason=f"the engine's hot modules run as {native.state()}: no build to guard")


@needs_a_build
def test_an_edit_after_the_build_runs_the_sources_with_a_warning(tmp_path):
    """As built, the copy runs compiled; with one compiled source edited, every compiled module runs
    from its source, and one warning says why."""
    copy = _built_copy(tmp_path)
    state, duty_file, warned = _imported(copy)
    assert (state, warned) == ("compiled (mypyc)", "0") and duty_file.startswith(str(copy))
    assert not duty_file.endswith(".py")

    edited = copy / "engine" / "core" / "kinds" / "max_gap.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit after the build\n", encoding="utf-8")
    state, duty_file, warned = _imported(copy)
    assert state.startswith("Python sources: engine/core/kinds/max_gap.py changed since compiled")
    assert duty_file == str(copy / "engine" / "core" / "duty.py") and warned == "1"


@needs_a_build
def test_extensions_that_do_not_load_fall_back_to_the_sources(tmp_path):
    copy = _built_copy(tmp_path, library_broken=True)
    state, duty_file, warned = _imported(copy)
    assert state.startswith("Python sources: the compiled modules do not load")
    assert duty_file == str(copy / "engine" / "core" / "duty.py") and warned == "1"
