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
_env.filters["id"] = id  # a duty's per-page facts (milestone label, missed) are keyed by the object


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


def routing_rows(routing, lang: str) -> list[tuple[str, str]]:
    """The case page's routing block: (label, value) pairs, the words of check's routing block."""
    w = texts.words(texts.WEB, lang)
    rows = [(w["benefit"], texts.name(texts.BENEFIT_NAMES, routing.benefit_route, lang))]
    if routing.rate:
        rows.append((w["rate"], texts.name(texts.RATE_NAMES, routing.rate, lang)))
    if routing.track:
        rows.append((w["track"], texts.routing_value("track", routing.track, lang)))
    if routing.categories:
        current = (texts.name(texts.CATEGORY_NAMES, routing.current_category, lang) if routing.current_category
                   else texts.words(texts.CHECK, lang)["not_assessed"])
        if routing.category_valid is False:
            current += f" — {texts.words(texts.CHECK, lang)['invalid']}"
        rows.append((w["category"], current))
        rows.append((w["categories"], texts.routing_value("categories", routing.categories, lang)))
    if routing.labour_market_distance:
        rows.append((w["distance"], texts.routing_value("labour_market_distance", routing.labour_market_distance, lang)))
    if routing.akasse_trial:
        rows.append((w["trial"], texts.routing_value("akasse_trial", routing.akasse_trial, lang)))
    rows.append((w["decided_on"], str(routing.decided_on)))
    return rows


def render_case_page(case, result, lang: str, ruleset, inline_css: bool = False, other_lang_url: str = "",
                     other_lang: str = "") -> str:
    """The case page: routing, the next step, every duty with its status, due date, progress and
    (folded) reasons with the legal source and the seed's quote, and the timeline picture. The next
    step and the order of the duties are check's (engine/report/check.py)."""
    from engine.report.check import milestone_labels, missed, next_step, shown_actions
    from engine.report.timeline import legend_items, timeline_svg

    quotes = {(r.id, r.source.cite()): r.source.quote for r in ruleset.rules}
    actions, _ = shown_actions(result.actions, show_all=True)
    milestones = milestone_labels(result.actions, texts.words(texts.CHECK, lang))
    w = texts.words(texts.WEB, lang)
    return render("case.html", lang, inline_css=inline_css, title=w["case_title"].format(case_id=case.case_id),
                  page="case", case=case, result=result, as_of=result.as_of, next=next_step(result.actions),
                  actions=actions, milestones={id(a): milestones.get(id(a), "") for a in actions},
                  missed={id(a): missed(a) for a in actions}, quotes=quotes,
                  routing=routing_rows(result.routing, lang) if result.routing else [],
                  routing_mismatch=(result.routing is not None and not result.routing.benefit_matches_route),
                  routing_benefit=texts.name(texts.BENEFIT_NAMES, result.routing.benefit, lang) if result.routing else "",
                  timeline=Markup(timeline_svg(case, result, lang)), legend=legend_items(lang),
                  other_lang_url=other_lang_url, other_lang=other_lang, rules_version=result.rules_version)
