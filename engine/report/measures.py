"""STAR's active-effort passivity windows and Jobindsats' time to first offer (engine/batch/totals.py
``ActiveEffortTally``, ``FirstOfferTally``) as rows, terminal tables and HTML sections, each with
its definition beside it."""

from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.totals import ACTIVE_EFFORT_WINDOWS, FIRST_OFFER_WITHIN, AuditTotals
from engine.report import group_label, words
from engine.report.safe import clip, html_text as escape
from engine.texts import NO_VALUE, number, percent

ALL = "(all)"  # tables.ALL_GROUPS: the rows over every group
EFFORT_FIELDS = ["team", "window", "population", "passive", "share"]
FIRST_OFFER_FIELDS = ["benefit", "team", "interval", "followed", "within", "first_offer_share"]


def _mw(lang: str):
    return texts.words(texts.MEASURES, lang)


def effort_rows(totals: AuditTotals) -> list[dict]:
    """One row per team (``(all)`` first) and window."""
    out = []
    for team, tally in [(ALL, totals.active_effort), *sorted(totals.active_effort_by_team.items())]:
        row = tally.row()
        for label, _, _ in ACTIVE_EFFORT_WINDOWS:
            out.append({"team": team, "window": label, "population": tally.population,
                        "passive": tally.passive[label], "share": row[f"passive_share_{label}m"]})
    return out


def first_offer_groups(totals: AuditTotals) -> list[tuple[str, str, object]]:
    """(benefit, team, tally): everyone, then per benefit, then per team."""
    out = [(ALL, ALL, totals.first_offer)]
    out += [(value, ALL, t) for (dim, value), t in sorted(totals.first_offer_by.items()) if dim == "benefit"]
    out += [(ALL, value, t) for (dim, value), t in sorted(totals.first_offer_by.items()) if dim == "team"]
    return out


def first_offer_rows(totals: AuditTotals) -> list[dict]:
    out = []
    for benefit, team, tally in first_offer_groups(totals):
        row = tally.row()
        for label, _, _ in FIRST_OFFER_WITHIN:
            out.append({"benefit": benefit, "team": team, "interval": label, "followed": tally.followed[label],
                        "within": tally.within[label], "first_offer_share": row[f"share_{label}"]})
    return out


def measure_tables(totals: AuditTotals) -> list[tuple[str, list[str], list[dict]]]:
    return [("active_effort", EFFORT_FIELDS, effort_rows(totals)),
            ("first_offer", FIRST_OFFER_FIELDS, first_offer_rows(totals))]


def _whole(value: Optional[float], sign: str = " %") -> str:
    """A share in whole per cent, for the terminal's narrow columns (the files keep the decimals)."""
    return NO_VALUE if value is None else f"{round(value * 100)}{sign}"


def _table(title: str, caption: str) -> Table:
    return Table(title=title, caption=caption, caption_justify="left", box=box.SIMPLE_HEAD, title_justify="left",
                 title_style="bold", pad_edge=False)


def render_measures(console: Console, totals: AuditTotals, lang: str) -> None:
    mw, w = _mw(lang), words(lang)
    effort = _table(mw["effort"], mw["effort_def"])
    effort.add_column(w["team"], no_wrap=True)
    effort.add_column(w["cohort"], justify="right", no_wrap=True)
    for label, _, _ in ACTIVE_EFFORT_WINDOWS:
        effort.add_column(mw[label], justify="right", no_wrap=True)
    for team, tally in [(None, totals.active_effort), *sorted(totals.active_effort_by_team.items())]:
        row = tally.row()
        effort.add_row(Text(w["all"], style="bold") if team is None else clip(group_label("team", team, lang)),
                       number(tally.population, lang),
                       *(_whole(row[f"passive_share_{label}m"]) for label, _, _ in ACTIVE_EFFORT_WINDOWS))
    console.print(effort)
    first = _table(mw["first"], mw["t_key"] + mw["first_def"])
    first.add_column(mw["group"], no_wrap=True)
    first.add_column(mw["t_spells"], justify="right", no_wrap=True)
    for label, _, _ in FIRST_OFFER_WITHIN:
        first.add_column(mw[f"t_{label}"], justify="right", no_wrap=True)
    for benefit, team, tally in first_offer_groups(totals):
        row = tally.row()
        name = (Text(w["all"], style="bold") if benefit == ALL and team == ALL else
                clip(group_label("benefit", benefit, lang) if team == ALL else group_label("team", team, lang)))
        first.add_row(name, number(tally.spells, lang), *(_whole(row[f"share_{label}"], "") for label, _, _ in FIRST_OFFER_WITHIN))
    console.print(first)


def measures_section(totals: AuditTotals, lang: str) -> str:
    """Both measures as HTML tables, each with its definition under it."""
    mw, w = _mw(lang), words(lang)
    head = "".join(f'<th class="n">{escape(mw[label])}</th>' for label, _, _ in ACTIVE_EFFORT_WINDOWS)
    rows = []
    for team, tally in [(None, totals.active_effort), *sorted(totals.active_effort_by_team.items())]:
        row = tally.row()
        label = f"<b>{escape(w['all'])}</b>" if team is None else escape(group_label("team", team, lang))
        cells = "".join(f'<td class="n" title="{number(tally.passive[key], lang)}">{percent(row[f"passive_share_{key}m"], lang)}</td>'
                        for key, _, _ in ACTIVE_EFFORT_WINDOWS)
        rows.append(f'<tr><td>{label}</td><td class="n">{number(tally.population, lang)}</td>{cells}</tr>')
    effort = (f'<section id="active-effort"><h2>{escape(mw["effort"])}</h2><table><thead><tr><th>{escape(w["team"])}</th>'
              f'<th class="n">{escape(w["cohort"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
              f'<p class="dim definition">{escape(mw["effort_def"])}</p></section>')
    head = "".join(f'<th class="n">{escape(mw[label])}</th>' for label, _, _ in FIRST_OFFER_WITHIN)
    rows = []
    for benefit, team, tally in first_offer_groups(totals):
        row = tally.row()
        label = (f"<b>{escape(w['all'])}</b>" if benefit == ALL and team == ALL else
                 escape(group_label("benefit", benefit, lang) if team == ALL else f'{w["team"]} {group_label("team", team, lang)}'))
        cells = "".join(f'<td class="n" title="{number(tally.within[key], lang)} / {number(tally.followed[key], lang)}">'
                        f'{percent(row[f"share_{key}"], lang)}</td>' for key, _, _ in FIRST_OFFER_WITHIN)
        rows.append(f'<tr><td>{label}</td><td class="n">{number(tally.spells, lang)}</td>{cells}</tr>')
    first = (f'<section id="first-offer"><h2>{escape(mw["first"])}</h2><table><thead><tr><th>{escape(mw["group"])}</th>'
             f'<th class="n">{escape(mw["spells"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
             f'<p class="dim definition">{escape(mw["first_def"])}</p></section>')
    return effort + first
