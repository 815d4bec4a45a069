import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core.check import Engine  # noqa: E402
from engine.rulebook.ruleset import load_ruleset  # noqa: E402


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_ruleset())
