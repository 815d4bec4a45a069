"""Build step beyond pyproject.toml: compile the engine's hot modules with mypyc (README, "How it
works").

The modules are listed in engine/native.py (COMPILED). Each is compiled to a C extension; once the
extensions are built, the hash of every source compiled is recorded in
engine/compiled-sources.json, which engine/native.py's guard reads so that an edited source is never
shadowed by its stale extension.

SAGSRUTE_COMPILE=0 at install time builds the pure-Python package.
"""

import json
import os
import runpy
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
native = runpy.run_path(str(HERE / "engine" / "native.py"))
sources = {module: native["source_path"](module, HERE) for module in native["COMPILED"]}


class BuildAndRecord(build_ext):
    """build_ext, then the record of the sources compiled: written only once the extensions are
    built, so a failed build after an edit leaves no record claiming the old extensions are current."""

    hashes: dict = {}

    def run(self):
        target = native["build_record"](HERE if self.inplace else Path(self.build_lib))  # editable: beside the sources
        target.unlink(missing_ok=True)
        super().run()
        if self.hashes:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(self.hashes, indent=1) + "\n", encoding="utf-8")


if os.environ.get("SAGSRUTE_COMPILE", "1") == "0":
    ext_modules = []
    # An editable build compiles in place: remove what an earlier one left beside the sources, which
    # would shadow them (without this build's shared library, it would not even load).
    for path in [*(p.with_suffix(suffix) for p in sources.values() for suffix in EXTENSION_SUFFIXES),
                 *(p for suffix in EXTENSION_SUFFIXES for p in HERE.glob(f"*__mypyc{suffix}")),
                 native["build_record"](HERE)]:
        path.unlink(missing_ok=True)
else:
    from mypyc.build import mypycify

    # mypycify translates the sources to C now: these are the sources the extensions are built from
    BuildAndRecord.hashes = {m: native["source_hash"](path) for m, path in sources.items()}
    paths = [str(path.relative_to(HERE)) for path in sources.values()]
    # --follow-imports=silent: the modules compiled are type-checked strictly, the ones they import
    # (models/, engine/rulebook/ruleset.py, which stay Python) are read for their types only
    ext_modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *paths], opt_level="3")

setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildAndRecord})
