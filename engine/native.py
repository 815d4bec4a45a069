"""The engine's compiled modules: which they are, and a guard so a stale one never runs.

The modules in COMPILED evaluate the rules for every case of an audit. setup.py compiles them with
mypyc into C extensions when the package is installed (README, "How it works"); the extension of a
module sits beside its source, and Python's import prefers it. That makes an edit to one of these
sources invisible until the next install, and tests would pass on the old code without a word.
So, before any of them is imported, `guard` compares each source with the hash recorded when it was
compiled (BUILD_RECORD, written by setup.py) and, if any differs, imports all of them from their
sources: all, because compiled modules call one another directly in C, past the Python module.
Extensions that are current but do not load (their shared library gone) fall back the same way.

Set SAGSRUTE_PURE_PYTHON=1 to run the sources whatever was compiled (tracebacks with lines,
profilers, the tests that compare both).

This module must stay importable on its own with no side effects: setup.py reads COMPILED from it.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Optional

ENGINE = Path(__file__).resolve().parent
ROOT = ENGINE.parent
KINDS_DIR = ENGINE / "core" / "kinds"


def _kind_modules() -> tuple[str, ...]:
    """Every requirement kind's module (engine/core/kinds/*.py but the package's __init__), read from
    the directory listing, never imported: a new kind is compiled without an entry here."""
    return tuple(f"engine.core.kinds.{p.stem}" for p in sorted(KINDS_DIR.glob("*.py")) if p.stem != "__init__")


# The hot path of an audit: periods and profiles, the duties and their kinds, run per period, rule
# and event. Not audit.py, check.py or routing.py: their code runs once per case or less, and they
# hold the multiprocessing, storage and reporting code, which gains nothing from compiling.
COMPILED = ("engine.core.dates", "engine.core.profile", "engine.core.duty", *_kind_modules())

BUILD_RECORD = "compiled-sources.json"  # in engine/: {module: sha256 of the source compiled}
PURE_ENV = "SAGSRUTE_PURE_PYTHON"

_state = "not checked"


def source_path(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def build_record(root: Path = ROOT) -> Path:
    """Where a build records the sources it compiled (setup.py writes it, ``stale_sources`` reads it)."""
    return root / "engine" / BUILD_RECORD


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extension_beside(source: Path) -> Optional[Path]:
    """The compiled extension that would shadow this source on import, if there is one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return None


def stale_sources(root: Path = ROOT) -> Optional[list[str]]:
    """None when nothing is compiled; else the compiled modules whose source differs from the one
    compiled (all of them when the build record is missing or unreadable), in COMPILED's order."""
    if not any(extension_beside(source_path(m, root)) for m in COMPILED):
        return None
    try:
        recorded = json.loads(build_record(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    stale = []
    for module in COMPILED:
        source = source_path(module, root)
        if source.exists() and recorded.get(module) != source_hash(source):
            stale.append(module)
    return stale


class _SourcesFirst:
    """A meta path finder that imports the named modules from their .py files."""

    def __init__(self, modules: tuple[str, ...], root: Path):
        self.sources = {m: source_path(m, root) for m in modules}

    def find_spec(self, name, path=None, target=None):
        source = self.sources.get(name)
        return importlib.util.spec_from_file_location(name, source) if source else None


def guard() -> str:
    """Run once, from engine/__init__.py: choose compiled or source modules. Returns the state."""
    global _state
    if _state != "not checked":
        return _state
    stale = stale_sources()
    if stale is None:
        _state = "Python sources (not compiled)"
        return _state
    if os.environ.get(PURE_ENV):
        _state = f"Python sources ({PURE_ENV} is set)"
    elif stale:
        _state = _fall_back(f"{', '.join(m.replace('.', '/') + '.py' for m in stale)} changed since compiled")
    else:
        try:  # the extensions may be current and still not load (a build's shared library gone)
            importlib.import_module(COMPILED[0])
        except ImportError as exc:
            _state = _fall_back(f"the compiled modules do not load ({exc})")
        else:
            _state = "compiled (mypyc)"
            return _state
    sys.meta_path.insert(0, _SourcesFirst(COMPILED, ROOT))
    return _state


def _fall_back(why: str) -> str:
    reason = f"Python sources: {why} (reinstall to compile again: pip install -e .)"
    warnings.warn(f"sagsrute: {reason}", RuntimeWarning, stacklevel=3)
    return reason


def state() -> str:
    """How the engine's hot modules run in this process: compiled, or Python sources and why."""
    return _state
