"""The HTML report's drill-down: a per-caseworker section, and lists of the overdue duties behind
a rule's or a caseworker's figure, reached by anchors within the one file (no script).

The lists hold the duties of the report's list of the most overdue (``--top N``, each with its
reason); a figure counting more says how many more there are (``--overdue-csv`` lists them all)."""

from __future__ import annotations

import hashlib

from engine import texts
from engine.batch.totals import AuditTotals, OverdueDuty
from engine.report import AuditMeta, across_rules, group_label, title_of, words
from engine.report.safe import html_text as escape
from engine.texts import number, percent


def anchor(kind: str, value: str) -> str:
    """A stable fragment id for a rule or caseworker (any text: hashed, so never unsafe in a URL)."""
    return f"duties-{kind}-{hashlib.sha1(value.encode()).hexdigest()[:10]}"


def _dw(lang: str):
    return texts.words(texts.DRILL, lang)


def linked(value: int, kind: str, key: str, lang: str) -> str:
    """A count linked to the list of duties behind it (a plain number where it is zero)."""
    shown = number(value, lang)
    return f'<a href="#{anchor(kind, key)}">{shown}</a>' if value else shown


def caseworker_section(totals: AuditTotals, lang: str) -> str:
    dw, w = _dw(lang), words(lang)
    rows = []
    for caseworker, tally in across_rules(totals, "caseworker").items():
        rows.append(f'<tr><td>{escape(group_label("caseworker", caseworker, lang))}</td>'
                    f'<td class="n">{number(tally.population, lang)}</td>'
                    f'<td class="n flag">{linked(tally.overdue_now, "caseworker", caseworker, lang)}</td>'
                    f'<td class="n">{number(tally.missed, lang)}</td><td class="n">{number(tally.open, lang)}</td>'
                    f'<td class="n">{percent(tally.on_time_share, lang)}</td></tr>')
    return (f'<section id="per-caseworker"><h2>{escape(dw["per_caseworker"])}</h2><table><thead><tr>'
            f'<th>{escape(w["caseworker"])}</th><th class="n">{escape(w["duties"])}</th>'
            f'<th class="n">{escape(w["overdue_now"])}</th><th class="n">{escape(w["missed"])}</th>'
            f'<th class="n">{escape(texts.status_label("open", lang))}</th><th class="n">{escape(w["on_time_share"])}</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table><p class="legend">{escape(dw["hint"])}</p></section>')


def _list(title: str, ident: str, duties: list[OverdueDuty], total: int, meta: AuditMeta, lang: str) -> str:
    dw, w = _dw(lang), words(lang)
    rows = "".join(
        f'<tr><td class="id">{escape(d.case_id)}</td><td>{escape(title_of(meta, d.rule, lang))}</td>'
        f'<td class="n">{d.due}</td><td class="n flag">{number(d.days_overdue, lang)}</td>'
        f'<td>{escape(group_label("caseworker", d.caseworker, lang))}</td><td class="why">{escape(d.why)}</td></tr>'
        for d in duties)
    more = total - len(duties)
    note = f'<p class="dim">{escape(dw["more"].format(n=number(more, lang)))}</p>' if more > 0 else ""
    return (f'<div class="drill" id="{ident}"><h3>{escape(title)} ({number(total, lang)})</h3><table><thead><tr>'
            f'<th>{escape(w["case"])}</th><th>{escape(w["rule"])}</th><th class="n">{escape(w["due"])}</th>'
            f'<th class="n">{escape(w["days_overdue"])}</th><th>{escape(w["caseworker"])}</th><th>{escape(w["why"])}</th>'
            f'</tr></thead><tbody>{rows}</tbody></table>{note}<p><a href="#top">{escape(dw["back"])}</a></p></div>')


def drilldown_section(totals: AuditTotals, meta: AuditMeta, lang: str) -> str:
    """Every rule's and caseworker's overdue-now duties from the list of the most overdue."""
    dw = _dw(lang)
    duties = totals.overdue_list()
    parts = []
    for rule, tally in totals.by_rule.items():
        if tally.overdue_now:
            mine = [d for d in duties if d.rule == rule]
            parts.append(_list(title_of(meta, rule, lang), anchor("rule", rule), mine, tally.overdue_now, meta, lang))
    for caseworker, tally in across_rules(totals, "caseworker").items():
        if tally.overdue_now:
            mine = [d for d in duties if d.caseworker == caseworker]
            parts.append(_list(group_label("caseworker", caseworker, lang), anchor("caseworker", caseworker), mine,
                               tally.overdue_now, meta, lang))
    return f'<section id="drilldown"><h2>{escape(dw["title"])}</h2>{"".join(parts)}</section>'
