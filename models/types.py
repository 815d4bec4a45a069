"""Field types shared by the case and rule models."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Case and rule dates lie in this range; anything outside it is a typing error, and deadlines
# computed from it would leave Python's date range (year 9999 + 16 months).
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def _parse_iso_date(value: Any) -> Any:
    """Accept only ISO ``YYYY-MM-DD`` strings (or real dates); never numbers or other formats."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not ISO_DATE.match(text):
            raise ValueError(f"not a date in the form YYYY-MM-DD: {value!r}")
        try:
            parsed = date.fromisoformat(text)
        except ValueError as exc:  # e.g. 2023-02-29
            raise ValueError(f"impossible date {value!r} ({exc})") from None
        if not EARLIEST <= parsed <= LATEST:
            raise ValueError(f"date {value!r} is outside {EARLIEST.year}–{LATEST.year}")
        return parsed
    raise ValueError(f"expected a date in the form YYYY-MM-DD, got {type(value).__name__}")


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]
