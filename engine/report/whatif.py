"""The what-if report as CSV (one row per changed duty) and as one self-contained HTML page
(inline CSS and SVG, no scripts, nothing fetched), for people who do not use a terminal."""

from __future__ import annotations

import csv
import io
import math

from engine.report.safe import html_text as escape  # escaped, control characters visible
from engine import texts
from engine.batch.whatif import NONE, CaseDiff, DutyChange, RoutingChange, WhatIfReport
from engine.texts import number, signed

CSV_COLUMNS = ["case_id", "rule", "benefit", "anchor", "change", "baseline_status", "candidate_status",
               "baseline_due", "candidate_due", "days_moved", "baseline_progress", "candidate_progress", "why"]


def csv_row(change: DutyChange) -> dict:
    b, c = change.baseline, change.candidate
    return {
        "case_id": change.case_id, "rule": change.rule, "benefit": change.benefit or "", "anchor": str(change.anchor),
        "change": change.kind, "baseline_status": change.status_from, "candidate_status": change.status_to,
        "baseline_due": str(b.due) if b else "", "candidate_due": str(c.due) if c else "",
        "days_moved": "" if change.days_moved is None else change.days_moved,
        "baseline_progress": f"{b.progress.done}/{b.progress.required}" if b else "",
        "candidate_progress": f"{c.progress.done}/{c.progress.required}" if c else "",
        "why": " | ".join(change.why),
    }


def routing_row(change: RoutingChange) -> dict:
    """A routing change as a CSV row: ``change`` is ``routing``, ``rule`` names the aspect."""
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(case_id=change.case_id, rule=f"routing:{change.aspect}", change="routing",
               baseline_status=change.before, candidate_status=change.after, why=" | ".join(change.why))
    return row


def case_rows(case: CaseDiff) -> list[dict]:
    return [csv_row(c) for c in case.changes] + [routing_row(r) for r in case.routing]


class CsvStream:
    """Writes the CSV row by row as changed cases are found, so no case is kept for it."""

    def __init__(self, handle):
        self.writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.writer.writeheader()

    def __call__(self, case: CaseDiff) -> None:
        self.writer.writerows(case_rows(case))


def render_csv(report: WhatIfReport) -> str:
    out = io.StringIO()
    stream = CsvStream(out)
    for case in report.changed:
        stream(case)
    return out.getvalue()


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:inline-block;margin:0 1.5em 1em 0;padding:.6em 1em;background:#f7f7f7;border-radius:6px}
.kpi b{display:block;font-size:1.6em}.up{color:#b00020}.down{color:#1b7a2e}.dim{color:#777}
details{margin:.3em 0}summary{cursor:pointer}ul.why{margin:.2em 0 .6em 1.2em;color:#444}
.overdue{color:#b00020;font-weight:600}.open{color:#a06000}.met{color:#1b7a2e}.met_late{color:#8a2be2}.exempt{color:#777}
"""

def _status(value: str, lang: str) -> str:
    return f'<span class="{escape(value)}">{escape(texts.status_label(value, lang))}</span>'


def routing_value(aspect: str, value: str, lang: str) -> str:
    """A routing value in words: a benefit, category, rate, track, distance or trial by its name."""
    if value == NONE:
        return value
    table = _ROUTING_VALUE_NAMES.get(aspect)
    if aspect == "categories":
        return ", ".join(texts.name(texts.CATEGORY_NAMES, c, lang) for c in value.split(", "))
    if aspect == "category_valid":
        return texts.name(texts.YES_NO, "yes" if value == "true" else "no", lang)
    return texts.name(table, value, lang) if table else value


_ROUTING_VALUE_NAMES = {"benefit_route": texts.BENEFIT_NAMES, "rate": texts.RATE_NAMES, "track": texts.TRACK_NAMES,
                        "labour_market_distance": texts.DISTANCE_NAMES, "akasse_trial": texts.TRIAL_NAMES}


def _cls(n) -> str:
    return "up" if n > 0 else "down" if n < 0 else "dim"


def _bars(per_month: dict[str, int]) -> str:
    """A bar chart in SVG: one bar per month, above the line for more conversations, below for fewer."""
    if not per_month:
        return ""
    width, height, pad = max(600, 28 * len(per_month)), 200, 28
    peak = max(1, max(abs(v) for v in per_month.values()))
    mid = height / 2
    scale = (mid - pad) / peak
    step = (width - 2 * pad) / len(per_month)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<line x1="{pad}" y1="{mid}" x2="{width - pad}" y2="{mid}" stroke="#999"/>']
    for i, (month, value) in enumerate(per_month.items()):
        x = pad + i * step + 2
        h = abs(value) * scale
        y = mid - h if value > 0 else mid
        colour = "#b00020" if value > 0 else "#1b7a2e"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 4, 2):.1f}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{escape(month)}: {signed(value, "en")}</title></rect>')
        if i % math.ceil(48 / step) == 0:  # a label is about 45 px wide: never let two overlap
            parts.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="10">{escape(month)}</text>')
    parts.append(f'<text x="2" y="{pad - 8}" font-size="10">+{peak}</text>'
                 f'<text x="2" y="{height - pad + 12}" font-size="10">−{peak}</text></svg>')
    return "".join(parts)


def _side(change: DutyChange, which: str, lang: str) -> str:
    action = change.baseline if which == "b" else change.candidate
    if action is None:
        return '<span class="dim">—</span>'
    return f'{_status(action.status.value, lang)} {action.due} ({action.progress.done}/{action.progress.required})'


def render_html(report: WhatIfReport, lang: str = "en") -> str:
    w = texts.words(texts.WHATIF, lang)
    n = lambda value: number(value, lang)  # noqa: E731
    sign = lambda value: signed(value, lang)  # noqa: E731
    totals = report.totals()
    conv = totals["conversations"]
    over = totals["overdue_cases"]["difference"]
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{w["title"]}: '
           f'{escape(report.candidate)}</title><style>{CSS}</style></head><body>',
           f'<h1>{w["title"]} — {escape(report.candidate)}</h1>',
           f'<p>{w["baseline"]}: <code>{escape(report.baseline)}</code> · {w["candidate"]}: '
           f'<code>{escape(report.candidate)}</code> · {w["as_of"]} {report.as_of}</p>',
           f'<div class="kpi"><b>{n(totals["cases"])}</b>{w["cases"]}</div>',
           f'<div class="kpi"><b>{n(totals["changed_cases"])}</b>{w["changed"]}</div>',
           f'<div class="kpi"><b class="{_cls(over)}">{sign(over)}</b>{w["overdue"]}</div>',
           f'<div class="kpi"><b class="{_cls(conv["average_per_month"])}">{sign(conv["average_per_month"])}</b>{w["conv"]}</div>']
    if totals["bad_cases"]:
        out.append(f'<div class="kpi"><b class="up">{n(totals["bad_cases"])}</b>{w["bad"]}</div>')

    out.append(f'<h2>{w["rules"]}</h2>')
    summaries = report.rule_summaries()
    if not summaries:
        out.append(f'<p>{w["none"]}</p>')
    else:
        out.append(f'<table><tr><th>{w["rule"]}</th><th>{w["added"]}</th><th>{w["removed"]}</th>'
                   f'<th>{w["moved"]}</th><th>{w["moved_days"]}</th><th>{w["required"]}</th><th>{w["counted"]}</th></tr>')
        for s in summaries:
            m = s.moved_stats()
            days = f'{n(m["min"])} / {n(m["median"])} / {n(m["max"])}' if m else "—"
            out.append(f'<tr><td><b>{escape(s.rule)}</b><br><span class="dim">{escape(s.title)}</span></td>'
                       f'<td class="n">{n(s.added)}</td><td class="n">{n(s.removed)}</td><td class="n">{n(m["count"] if m else 0)}</td>'
                       f'<td class="n">{days}</td><td class="n">{n(s.required_changed)}</td><td class="n">{n(s.counted_changed)}</td></tr>')
        out.append("</table>")
        out.append(f'<h2>{w["transitions"]}</h2><table><tr><th>{w["rule"]}</th><th>{w["from"]}</th>'
                   f'<th>{w["to"]}</th><th>{w["count"]}</th></tr>')
        for s in summaries:
            for (f, t), count in sorted(s.transitions.items()):
                out.append(f'<tr><td>{escape(s.rule)}</td><td>{_status(f, lang)}</td>'
                           f'<td>{_status(t, lang)}</td><td class="n">{n(count)}</td></tr>')
        out.append("</table>")

    if report.routing:
        out.append(f'<h2>{w["routing"]}</h2><table><tr><th>{w["aspect"]}</th><th>{w["from"]}</th>'
                   f'<th>{w["to"]}</th><th>{w["cases_word"]}</th></tr>')
        for (aspect, before, after), count in sorted(report.routing.items()):
            out.append(f'<tr><td>{escape(texts.name(texts.ASPECT_NAMES, aspect, lang))}</td>'
                       f'<td>{escape(routing_value(aspect, before, lang))}</td><td>{escape(routing_value(aspect, after, lang))}</td>'
                       f'<td class="n">{n(count)}</td></tr>')
        out.append("</table>")
    out.append(f'<h2>{w["months"]}</h2>')
    average = f' / {n(conv["months"])} = {sign(conv["average_per_month"])}' if conv["months"] else ""
    out.append(f'<p>{sign(conv["difference"])} ({n(conv["baseline"])} → {n(conv["candidate"])}){average}</p>')
    out.append(_bars(conv["per_month"]))

    out.append(f'<h2>{w["per_case"]} ({report.changed_cases})</h2>')
    if report.changed_cases > len(report.changed):
        out.append(f'<p class="dim">{w["shown"].format(shown=len(report.changed), total=report.changed_cases)}</p>')
    for case in report.changed:
        gist = "; ".join([f"{d.rule} ({texts.status_label(d.status_from, lang)} → {texts.status_label(d.status_to, lang)})"
                          for d in case.changes]
                         + [f"{texts.name(texts.ASPECT_NAMES, r.aspect, lang)} ({routing_value(r.aspect, r.before, lang)} → "
                            f"{routing_value(r.aspect, r.after, lang)})" for r in case.routing])
        out.append(f'<details><summary><b>{escape(case.case_id)}</b> — {escape(gist)}</summary><table>'
                   f'<tr><th>{w["rule"]}</th><th></th><th>{w["baseline"]}</th><th>{w["candidate"]}</th><th>{w["days"]}</th></tr>')
        for change in case.changes:
            days = "" if change.days_moved is None else sign(change.days_moved)
            why = "".join(f"<li>{escape(line)}</li>" for line in change.why)
            out.append(f'<tr><td>{escape(change.rule)}<br><span class="dim">{escape(change.benefit or "")} '
                       f'{change.anchor}</span></td><td>{w[change.kind + "_kind"]}</td><td>{_side(change, "b", lang)}</td>'
                       f'<td>{_side(change, "c", lang)}</td><td class="n">{days}</td></tr>'
                       f'<tr><td colspan="5"><ul class="why">{why}</ul></td></tr>')
        for change in case.routing:
            why = "".join(f"<li>{escape(line)}</li>" for line in change.why)
            out.append(f'<tr><td>{escape(w["routing_kind"])}: {escape(texts.name(texts.ASPECT_NAMES, change.aspect, lang))}</td>'
                       f'<td></td><td>{escape(routing_value(change.aspect, change.before, lang))}</td>'
                       f'<td>{escape(routing_value(change.aspect, change.after, lang))}</td><td></td></tr>'
                       f'<tr><td colspan="5"><ul class="why">{why}</ul></td></tr>')
        out.append("</table></details>")
    if report.errors:
        out.append(f'<h2>{w["errors"]}</h2><ul>' + "".join(f"<li>{escape(e)}</li>" for e in report.errors) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)
