"""User text made safe to show: what a case, a file name or an override file says is printed as
text, never as terminal control (ANSI escapes, carriage returns, bidi overrides) or markup, never
as a spreadsheet formula, and never with a CPR number in it (models/privacy.py: the input layer
refuses or masks them; a file name or an unknown key that reaches a message is masked here).
Every renderer (terminal, HTML, Excel, CSV, web) goes through here."""

from __future__ import annotations

from html import escape

from models.privacy import mask_cpr

# C0 controls, DEL and C1 controls as \xNN; the bidi embedding/override/isolate marks as \uNNNN
# (they reorder what follows them on screen: "Trojan source").
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_VISIBLE.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
# A lone surrogate (a file name that is not UTF-8, read with surrogateescape) cannot be encoded
# for the terminal or a file: shown as \udcxx like the others.
_VISIBLE.update({c: f"\\u{c:04x}" for c in range(0xD800, 0xE000)})
_VISIBLE_KEEP_LINES = {c: v for c, v in _VISIBLE.items() if c != 0x0A}

# A cell longer than this is cut with an ellipsis in the terminal (a 20 MB team name would stall
# the table layout); the CSV and Excel files keep the whole value.
TERMINAL_LIMIT = 200

# Excel and LibreOffice read a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@")


def visible(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), so that nothing the
    user wrote can move the cursor, recolour the terminal or hide what follows; CPR numbers masked."""
    return mask_cpr(str(text)).translate(_VISIBLE_KEEP_LINES if keep_newlines else _VISIBLE)


def clip(text: object, limit: int = TERMINAL_LIMIT) -> str:
    """``visible(text)`` cut to ``limit`` characters with an ellipsis."""
    shown = visible(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def spreadsheet_text(value: object) -> object:
    """A value for a CSV or Excel cell a person opens: text with its control characters visible
    (openpyxl refuses most of them) and a leading ``'`` where the text would start a formula;
    numbers, dates and booleans unchanged."""
    if not isinstance(value, str):
        return value
    shown = visible(value)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown


def html_text(text: object) -> str:
    """Text for an HTML page: escaped, with its control characters visible."""
    return escape(visible(text), quote=True)
