"""The audit as one self-contained HTML page: inline CSS and inline SVG charts drawn here (no
scripts, no fonts or files fetched), so it opens from disk in any browser and can be mailed."""

from __future__ import annotations

from typing import Optional

from engine.report.safe import html_text as escape  # escaped, control characters visible
from engine.batch.totals import PASSIVITY_MONTHS, STAR_MIN_POPULATION, STAR_THRESHOLD, AuditTotals
from engine.report import (RULE_COLUMNS, AuditMeta, across_rules, group_label, heading, late_histogram,
                           overall, passivity_rows, rule_rows, star_rows, title_of, words)
from engine.report.drilldown import caseworker_section, drilldown_section, linked
from engine.report.style import BAD, GOOD, GREY, INK, MUTED, WARN, page_head
from engine.texts import number, percent

def _colour(value: Optional[float]) -> str:
    if value is None:
        return GREY
    return GOOD if value >= STAR_THRESHOLD else WARN if value >= 0.6 else BAD


def _short(text: str, limit: int = 46) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(chart_id: str, width: int, height: int) -> str:
    # scales down to its box (viewBox), never wider than drawn
    return (f'<svg id="{chart_id}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="100%" '
            f'style="max-width:{width}px" viewBox="0 0 {width} {height}">')


def bar_chart(items: list[tuple[str, Optional[float], str]], w, chart_id: str, lang: str, width: int = 560,
              label_w: int = 150) -> str:
    """Horizontal bars of a share (0–1) per label with the 80 % line; ``items`` = (label, share, note)."""
    bar_w, row_h, top = width - label_w - 110, 22, 22
    height = top + row_h * len(items) + 28
    limit = max(label_w // 7, 8)
    out = [_svg_open(chart_id, width, height)]
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = label_w + bar_w * tick
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="#e3e7ec"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="10" fill="{MUTED}" text-anchor="middle">'
                   f'{int(tick * 100)} %</text>')
    for i, (label, value, note) in enumerate(items):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="{INK}">'
                   f'<title>{escape(label)}</title>{escape(_short(label, limit))}</text>')
        if value is None:
            out.append(f'<text x="{label_w + 4}" y="{y + 15}" font-size="11" fill="{GREY}">–</text>')
        else:
            out.append(f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{max(bar_w * value, 1):.1f}" height="{row_h - 8}" '
                       f'rx="2" fill="{_colour(value)}"><title>{escape(label)}: {percent(value, lang)} ({escape(note)})</title></rect>')
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="11" fill="{INK}">{percent(value, lang)}'
                       f'<tspan fill="{MUTED}"> {escape(note)}</tspan></text>')
    x80 = label_w + bar_w * STAR_THRESHOLD
    out.append(f'<line class="threshold" x1="{x80:.1f}" y1="{top - 4}" x2="{x80:.1f}" y2="{height - 24}" '
               f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="5,3"/>')
    out.append(f'<text x="{x80:.1f}" y="{height - 10}" font-size="10" text-anchor="middle" fill="{INK}">'
               f'{escape(w["threshold"])}</text>')
    out.append("</svg>")
    return "".join(out)


def histogram(bins: list[tuple[str, int]], w, lang: str, width: int = 560, height: int = 240) -> str:
    left, bottom, top = 44, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    step = _nice_step(max([n for _, n in bins] + [1]) / 4)
    peak = step * 4
    slot = plot_w / max(len(bins), 1)
    out = [_svg_open("chart-days-late", width, height)]
    for frac in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e3e7ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
                   f'{number(round(peak * frac), lang)}</text>')
    for i, (label, n) in enumerate(bins):
        h = plot_h * n / peak
        x = left + i * slot + slot * 0.15
        out.append(f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                   f'rx="2" fill="#c0504d"><title>{escape(label)} {escape(w["days"])}: {number(n, lang)}</title></rect>')
        if n:
            out.append(f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h - h - 4:.1f}" font-size="10" '
                       f'text-anchor="middle" fill="{INK}">{number(n, lang)}</text>')
        out.append(f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h + 16:.1f}" font-size="11" text-anchor="middle" '
                   f'fill="{INK}">{escape(label)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" fill="#4a5561">'
               f'{escape(w["days"])}</text>')
    out.append("</svg>")
    return "".join(out)


def _nice_step(raw: float) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above ``raw`` (axis ticks people can read)."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if m * scale >= raw:
                return m * scale
        scale *= 10


def _legend(w: dict) -> str:
    return (f'<div class="legend"><i style="background:{GOOD}"></i>≥ 80 %<i style="background:{WARN}"></i>60–80 %'
            f'<i style="background:{BAD}"></i>&lt; 60 %<i class="line"></i>{escape(w["threshold"])}</div>')


def _kind(share: Optional[float]) -> str:
    return "" if share is None else "good" if share >= STAR_THRESHOLD else "bad"


def _kpi(label: str, value: str, kind: str = "") -> str:
    return f'<div class="kpi {kind}"><b>{escape(value)}</b><small>{escape(label)}</small></div>'


def _share_cell(value: Optional[float], flag: bool, population: int, w, lang: str) -> str:
    if value is None:
        return '<td class="n dim">–</td>'
    if flag:
        return f'<td class="n flag" title="{escape(w["flag"])}">{percent(value, lang)} ⚑</td>'
    if population < STAR_MIN_POPULATION:
        return f'<td class="n dim" title="{escape(w["not_judged"].format(n=STAR_MIN_POPULATION))}">{percent(value, lang)}</td>'
    return f'<td class="n {"ok" if value >= STAR_THRESHOLD else ""}">{percent(value, lang)}</td>'


def render_html(totals: AuditTotals, meta: AuditMeta, lang: str = "da", series=None) -> str:
    """The page; ``series`` (engine/batch/series.py SeriesTotals) adds the monthly trend."""
    w = words(lang)
    everything = overall(totals)
    rules = rule_rows(totals, meta, lang)
    teams = across_rules(totals, "team")
    star = totals.star
    parts = [page_head(f'{w["title"]} {meta.as_of}', lang)]
    run = f'<span>{escape(w["run"])} #{meta.run_id}</span>' if meta.run_id is not None else ""
    parts.append(f'<header><h1>{escape(w["title"])} — {escape(w["as_of"].lower())} {meta.as_of}</h1>'
                 f'<div class="meta"><span>{escape(w["rules"])}: <b>{escape(meta.rules_label)}</b></span>'
                 f'<span>{escape(w["source"])}: {escape(_short(meta.source, 80))}</span>{run}</div></header><main>')
    parts.append('<div class="kpis">'
                 + _kpi(w["cases"], number(totals.cases, lang))
                 + _kpi(w["duties"], number(everything.population, lang))
                 + _kpi(w["on_time_share"], percent(everything.on_time_share, lang), _kind(everything.on_time_share))
                 + _kpi(w["overdue_now"], number(everything.overdue_now, lang), "bad" if everything.overdue_now else "")
                 + _kpi(w["missed"], number(everything.missed, lang))
                 + _kpi(w["star_conv"], percent(star.conversation_share, lang), _kind(star.conversation_share))
                 + _kpi(w["star_offer"], percent(star.offer_share, lang), _kind(star.offer_share))
                 + _kpi(w["bad"], number(totals.bad, lang), "bad" if totals.bad else "")
                 + "</div>")
    rule_items = [(r["title"], r["on_time_share"], f"n={number(r['met'] + r['met_late'] + r['overdue'], lang)}") for r in rules]
    team_items = [(group_label("team", team, lang), t.on_time_share, f"n={number(t.decided, lang)}") for team, t in teams.items()]
    parts.append(f'<section id="per-rule-chart"><h2>{escape(w["per_rule_chart"])}</h2>'
                 f'{bar_chart(rule_items, w, "chart-rules", lang, 1040, 420)}{_legend(w)}</section>')
    parts.append('<div class="grid">')
    parts.append(f'<section id="per-team-chart"><h2>{escape(w["per_team"])}</h2>'
                 f'{bar_chart(team_items, w, "chart-teams", lang, 520, 130)}{_legend(w)}</section>')
    parts.append(f'<section id="days-late"><h2>{escape(w["histogram"])}</h2>{histogram(late_histogram(totals), w, lang)}</section>')
    parts.append('</div>')
    if series is not None:
        from engine.report.series import series_section
        parts.append(series_section(series, lang))
    parts.append(_star_section(totals, w, lang))
    parts.append(_passivity_section(totals, w, lang))
    from engine.report.measures import measures_section
    parts.append(measures_section(totals, lang))
    parts.append(_rules_table(rules, w, lang))
    parts.append(caseworker_section(totals, lang))
    parts.append(_overdue_section(totals, meta, w, lang))
    parts.append(drilldown_section(totals, meta, lang))
    if totals.bad_messages:
        items = "".join(f"<li>{escape(m)}</li>" for m in totals.bad_messages)
        more = totals.bad - len(totals.bad_messages)
        extra = f'<p class="dim">{escape(w["more_errors"].format(n=number(more, lang)))}</p>' if more > 0 else ""
        parts.append(f'<section id="errors"><h2>{escape(w["errors"])} ({number(totals.bad, lang)})</h2>'
                     f'<ul class="errors">{items}</ul>{extra}</section>')
    parts.append(f'<section id="definitions"><h2>{escape(w["definitions"])}</h2><dl class="defs">'
                 f'<dt>{escape(w["on_time_share"])}</dt><dd>{escape(w["def_share"])}</dd>'
                 f'<dt>{escape(w["median_days_late"])}</dt><dd>{escape(w["def_late"])}</dd>'
                 + f'<dt>{escape(w["overdue_now"])} / {escape(w["missed"])}</dt><dd>{escape(w["def_overdue"])}</dd>' +
                 f'<dt>STAR</dt><dd>{escape(w["def_star"])}</dd>'
                 f'<dt>{escape(w["passivity"])}</dt><dd>{escape(w["def_passive"])}</dd></dl></section>')
    parts.append(f'</main><footer>{escape(w["generated"])}</footer></body></html>')
    return "".join(parts)


def _star_section(totals: AuditTotals, w, lang: str) -> str:
    rows = []
    for r in star_rows(totals):
        team = f"<b>{escape(w['all'])}</b>" if r["team"] is None else escape(group_label("team", r["team"], lang))
        rows.append(f'<tr><td>{team}</td><td class="n">{number(r["cohort"], lang)}</td>'
                    f'<td class="n">{number(r["four_conversations"], lang)}</td>'
                    f'{_share_cell(r["conversation_share"], r["conversation_flag"], r["cohort"], w, lang)}'
                    f'<td class="n">{number(r["with_offer"], lang)} / {number(r["offer_required"], lang)}</td>'
                    f'{_share_cell(r["offer_share"], r["offer_flag"], r["offer_required"], w, lang)}</tr>')
    return (f'<section id="star"><h2>{escape(w["star"])}</h2><table><thead><tr><th>{escape(w["team"])}</th>'
            f'<th class="n">{escape(w["cohort"])}</th><th class="n">{escape(w["star_conv"])}</th>'
            f'<th class="n">{escape(w["share"])}</th><th class="n">{escape(w["star_offer"])}</th>'
            f'<th class="n">{escape(w["share"])}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="legend">⚑ {escape(w["flag"])} · {escape(w["not_judged"].format(n=STAR_MIN_POPULATION))}</p></section>')


def _passivity_section(totals: AuditTotals, w, lang: str) -> str:
    """One row per team, the 6- and 12-month windows side by side."""
    by_team: dict = {}
    for r in passivity_rows(totals):
        by_team.setdefault(r["team"], []).append(r)
    rows = []
    for team, windows in by_team.items():
        label = f"<b>{escape(w['all'])}</b>" if team is None else escape(group_label("team", team, lang))
        cells = "".join(f'<td class="n">{number(r["population"], lang)}</td><td class="n">{number(r["passive"], lang)}</td>'
                        f'<td class="n"><b>{percent(r["share"], lang)}</b></td>' for r in windows)
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    months = [r["months"] for r in passivity_rows(totals)[:len(PASSIVITY_MONTHS)]]
    top = "".join(f'<th class="n" colspan="3">{escape(w["on_benefit"])} {m} {escape(w["months"])}</th>' for m in months)
    sub = "".join(f'<th class="n">{escape(w["cohort"])}</th><th class="n">{escape(w["passive"])}</th>'
                  f'<th class="n">{escape(w["share"])}</th>' for _ in months)
    return (f'<section id="passivity"><h2>{escape(w["passivity"])}</h2><table><thead>'
            f'<tr><th rowspan="2">{escape(w["team"])}</th>{top}</tr><tr>{sub}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _rules_table(rules: list[dict], w, lang: str) -> str:
    head = "".join(f'<th class="n">{escape(heading(k, lang))}</th>' for k in RULE_COLUMNS)
    rows = []
    for r in rules:
        cells = ""
        for k in RULE_COLUMNS:
            if k == "on_time_share":
                cells += f'<td class="n" style="color:{_colour(r[k])}">{percent(r[k], lang)}</td>'
            elif k == "overdue_now":  # linked to the duties behind it (engine/report/drilldown.py)
                cells += f'<td class="n{" flag" if r[k] else ""}">{linked(r[k], "rule", r["rule"], lang)}</td>'
            else:
                flag = " flag" if k in ("overdue", "overdue_now") and r[k] else ""
                cells += f'<td class="n{flag}">{number(r[k], lang)}</td>'
        rows.append(f'<tr><td>{escape(r["title"])}<br><span class="dim">{escape(r["rule"])}</span></td>{cells}</tr>')
    return (f'<section id="rules"><h2>{escape(w["per_rule"])}</h2><table id="rules-table"><thead><tr>'
            f'<th>{escape(w["rule"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _overdue_section(totals: AuditTotals, meta: AuditMeta, w, lang: str) -> str:
    duties = totals.overdue_list()
    rows = "".join(
        f'<tr><td class="id">{escape(d.case_id)}</td><td>{escape(title_of(meta, d.rule, lang))}<br>'
        f'<span class="dim">{escape(d.rule)}</span></td><td class="n">{d.due}</td>'
        f'<td class="n flag">{number(d.days_overdue, lang)}</td><td>{escape(group_label("team", d.team, lang))}</td>'
        f'<td>{escape(group_label("caseworker", d.caseworker, lang))}</td>'
        f'<td class="n">{escape(d.progress)}</td><td class="why">{escape(d.why)}</td></tr>' for d in duties)
    hidden = totals.overdue_count - len(duties)
    more = f'<p class="dim">{escape(w["more_overdue"].format(n=number(hidden, lang)))}</p>' if hidden > 0 else ""
    return (f'<section id="overdue"><h2>{escape(w["top_overdue_now"])} '
            f'({number(totals.overdue_count, lang)})</h2>'
            f'<table id="overdue-table"><thead><tr><th>{escape(w["case"])}</th><th>{escape(w["rule"])}</th>'
            f'<th class="n">{escape(w["due"])}</th><th class="n">{escape(w["days_overdue"])}</th><th>{escape(w["team"])}</th>'
            f'<th>{escape(w["caseworker"])}</th><th class="n">{escape(w["progress"])}</th><th>{escape(w["why"])}</th>'
            f'</tr></thead><tbody>{rows}</tbody></table>{more}</section>')
