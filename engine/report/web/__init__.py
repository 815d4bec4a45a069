"""The web pages: Jinja templates that hold markup only (every word comes from engine/texts.py
``WEB``), the one stylesheet (engine/report/style.py) and the helpers the templates call. The web
app serves them; ``sagsrute check --html`` writes the case page as one self-contained file."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from engine import texts
from engine.report.safe import visible
from engine.report.style import CSS, WEB_CSS

STYLESHEET = CSS + WEB_CSS  # the one stylesheet of every page (served, or inlined in a file)


def _finalize(value: Any) -> Any:
    # What a case or a rule file says is shown as text: control characters made visible, then
    # escaped by autoescape. Markup (the SVG timeline, built escaped) passes as it is.
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return "" if value is None else value


_env = Environment(loader=PackageLoader("engine.report.web", "templates"), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, finalize=_finalize, trim_blocks=True, lstrip_blocks=True)


def days_left(due: Optional[date], as_of: date, lang: str) -> str:
    """'45 tilbage', '3 over', 'i dag' (the check command's words)."""
    if due is None:
        return ""
    w = texts.words(texts.CHECK, lang)
    delta = (due - as_of).days
    if delta == 0:
        return w["today"]
    return w["left"].format(n=delta) if delta > 0 else w["over"].format(n=-delta)


def render(template: str, lang: str, inline_css: bool = False, **context: Any) -> str:
    """A page in ``lang``. ``inline_css``: the stylesheet inside the page (a file that stands alone)."""
    return _env.get_template(template).render(
        w=texts.words(texts.WEB, lang), lang=lang, texts=texts, inline_css=inline_css,
        css=Markup(STYLESHEET), days_left=days_left, **context)
