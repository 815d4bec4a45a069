"""CPR numbers: case ids are pseudonyms, and no message may ever repeat a CPR number."""

from __future__ import annotations

import re

# DDMMYY-SSSS, the separator optional or a slash or space; not part of a longer number.
CPR_SHAPE = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[-/ ]?\d{4}(?!\d)")
MASK = "[CPR-shaped number hidden]"


def looks_like_cpr(text: str) -> bool:
    return bool(CPR_SHAPE.search(text))


def mask_cpr(text: str) -> str:
    """The text with every CPR-shaped number replaced, so an error message can echo user input."""
    return CPR_SHAPE.sub(MASK, text)
