"""Terminal layout: every table reads at 80 columns. Identifiers, dates and figures are never cut
or folded (a cut "0.…" or "vok" says nothing); titles wrap between words; where the columns do not
fit side by side, a table gives way to a narrower set of columns, saying what it left out, or to a
listing of one block per row."""

from __future__ import annotations

import io
from typing import Iterable

from rich.console import Console, RenderableType

WIDE = 120  # from this width the tables show every column side by side


def is_narrow(console: Console) -> bool:
    return console.width < WIDE


def fits(width: int, renderable: RenderableType, whole: Iterable[str]) -> bool:
    """Whether ``renderable`` at ``width`` columns keeps every string of ``whole`` on one line."""
    scratch = Console(file=io.StringIO(), width=width, color_system=None, markup=False, emoji=False,
                      highlight=False, legacy_windows=False)
    scratch.print(renderable)
    lines = scratch.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return all(any(value in line for line in lines) for value in whole if value)
