"""CPR numbers: the one place that decides what one looks like.

Case ids, teams, caseworkers and a-kasser are identifiers and must be pseudonyms: a CPR-shaped
value is refused. Free text (an exemption's reason, a scenario's name) is masked before it is
stored. Every message and every rendering masks whatever slipped through (a file name, an unknown
key), so no CPR number is ever printed, logged or stored.

What counts as CPR-shaped: a day and month that exist (0101 to 3112; 29 February is a real day),
two year digits and four more, not part of a longer number, written

- ``0101901234``, ``010190-1234``, ``010190 1234``, ``010190/1234``;
- with any dash (hyphen, en or em dash, minus sign, non-breaking hyphen) or a dot, with spaces
  around it (``010190 - 1234``);
- with the date parts separated too (``01.01.90-1234``, ``01-01-90-1234``, ``01 01 90 1234``);
- anywhere inside other text (``unge (010190-1234)``, ``LTK0101901234``).

Unicode digits other than 0-9 are not read as digits (Python's ``\\d`` would take Arabic-Indic ones).
"""

from __future__ import annotations

import re
from typing import Match

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
# Between the date parts: one dash, dot, slash or space, or nothing.
_INNER = f"[{_DASH}./ ]?"
# Before the serial number: the same, optionally with spaces around it, or spaces alone.
_LAST = f"(?:[ \\t\u00a0]*[{_DASH}./][ \\t\u00a0]*|[ \\t\u00a0]+)?"
CPR_SHAPE = re.compile(
    f"(?<![0-9])(?P<day>[0-3][0-9]){_INNER}(?P<month>[01][0-9]){_INNER}[0-9]{{2}}{_LAST}[0-9]{{4}}(?![0-9])")
MASK = "[CPR-shaped number hidden]"

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the year is not known: 29 Feb allowed


def _is_date(match: Match[str]) -> bool:
    day, month = int(match["day"]), int(match["month"])
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def looks_like_cpr(text: str) -> bool:
    """Whether ``text`` holds a CPR-shaped number (or a number already masked), anywhere in it."""
    if MASK in text:
        return True
    return any(_is_date(m) for m in CPR_SHAPE.finditer(text))


def mask_cpr(text: str) -> str:
    """The text with every CPR-shaped number replaced, so a message can echo user input."""
    if not _HAS_DIGIT_RUN.search(text):
        return text  # the common case (no two digits in a row) without the full pattern
    return CPR_SHAPE.sub(lambda m: MASK if _is_date(m) else m.group(0), text)


_HAS_DIGIT_RUN = re.compile(r"[0-9]{2}")
