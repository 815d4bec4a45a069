"""The what-if report as CSV (one row per changed duty) and as one self-contained HTML page
(inline CSS and SVG, no scripts, nothing fetched), for people who do not use a terminal."""

from __future__ import annotations

import io
import math

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.batch.whatif import NONE, CaseDiff, DutyChange, RoutingChange, WhatIfReport
from engine.report.safe import html_text as escape  # escaped, control characters visible
from engine.report.safe import visible
from engine.report.style import BAD, GOOD, STATUS_STYLE, page_head
from engine.report.tables import CsvFormat
from engine.texts import number, signed

CSV_COLUMNS = ["case_id", "rule", "benefit", "anchor", "change", "baseline_status", "candidate_status",
               "baseline_due", "candidate_due", "days_moved", "baseline_progress", "candidate_progress", "why"]


def _missing(status: str) -> str:
    return "" if status == NONE else status  # no duty on that side: an empty cell


def csv_row(change: DutyChange) -> dict:
    b, c = change.baseline, change.candidate
    return {
        "case_id": change.case_id, "rule": change.rule, "benefit": change.benefit or "", "anchor": str(change.anchor),
        "change": change.kind, "baseline_status": _missing(change.status_from), "candidate_status": _missing(change.status_to),
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
               baseline_status=_missing(change.before), candidate_status=_missing(change.after), why=" | ".join(change.why))
    return row


def case_rows(case: CaseDiff) -> list[dict]:
    return [csv_row(c) for c in case.changes] + [routing_row(r) for r in case.routing]


class CsvStream:
    """Writes the CSV row by row as changed cases are found, so no case is kept for it (dialects:
    engine/report/tables.py)."""

    def __init__(self, handle, lang: str = "en", dialect: str = "plain"):
        self.format = CsvFormat(dialect, lang)
        self.lang = lang
        self.writer = self.format.writer(handle, CSV_COLUMNS)

    def __call__(self, case: CaseDiff) -> None:
        for row in case_rows(case):
            if self.format.excel:
                row = self._in_words(row)
            self.writer.writerow(self.format.cells(CSV_COLUMNS, row))

    def _in_words(self, row: dict) -> dict:
        w = texts.words(texts.WHATIF, self.lang)
        out = dict(row, change=w[row["change"] + "_kind"])
        for side in ("baseline_status", "candidate_status"):
            if row["change"] != "routing" and row[side]:
                out[side] = texts.status_label(row[side], self.lang)
        return out


def render_csv(report: WhatIfReport, lang: str = "en", dialect: str = "plain") -> str:
    out = io.StringIO()
    stream = CsvStream(out, lang, dialect)
    for case in report.changed:
        stream(case)
    return out.getvalue()


def _status(value: str, lang: str) -> str:
    return f'<span class="{escape(value)}">{escape(texts.status_label(value, lang))}</span>'


def _cls(n) -> str:
    return "up" if n > 0 else "down" if n < 0 else "dim"


def _bars(per_month: dict[str, int], lang: str) -> str:
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
        colour = BAD if value > 0 else GOOD
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 4, 2):.1f}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{escape(month)}: {signed(value, lang)}</title></rect>')
        if i % math.ceil(48 / step) == 0:  # a label is about 45 px wide: never let two overlap
            parts.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="10">{escape(month)}</text>')
    parts.append(f'<text x="2" y="{pad - 8}" font-size="10">{signed(peak, lang)}</text>'
                 f'<text x="2" y="{height - pad + 12}" font-size="10">−{number(peak, lang)}</text></svg>')
    return "".join(parts)


def _side(change: DutyChange, which: str, lang: str) -> str:
    action = change.baseline if which == "b" else change.candidate
    if action is None:
        return '<span class="dim">—</span>'
    return f'{_status(action.status.value, lang)} {action.due} ({action.progress.done}/{action.progress.required})'


def _section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def _kpi(value: str, label: str, cls: str = "") -> str:
    return f'<div class="kpi"><b class="{cls}">{escape(value)}</b><small>{escape(label)}</small></div>'


def render_html(report: WhatIfReport, lang: str = "en") -> str:
    w = texts.words(texts.WHATIF, lang)
    n = lambda value: number(value, lang)  # noqa: E731
    sign = lambda value: signed(value, lang)  # noqa: E731
    totals = report.totals()
    conv = totals["conversations"]
    over = totals["overdue_cases"]["difference"]
    out = [page_head(f'{w["title"]}: {report.candidate}', lang),
           f'<header><h1>{escape(w["title"])} — {escape(report.candidate)}</h1><div class="meta">'
           f'<span>{escape(w["baseline"])}: <code>{escape(report.baseline)}</code></span>'
           f'<span>{escape(w["candidate"])}: <code>{escape(report.candidate)}</code></span>'
           f'<span>{escape(w["as_of"])} {report.as_of}</span></div></header><main>',
           '<div class="kpis">' + _kpi(n(totals["cases"]), w["cases"]) + _kpi(n(totals["changed_cases"]), w["changed"])
           + _kpi(sign(over), w["overdue"], _cls(over))
           + _kpi(sign(conv["average_per_month"]), w["conv"], _cls(conv["average_per_month"]))
           + (_kpi(n(totals["bad_cases"]), w["bad"], "up") if totals["bad_cases"] else "") + "</div>"]

    summaries = report.rule_summaries()
    if not summaries:
        out.append(_section(w["rules"], f'<p>{escape(w["none"])}</p>', "rules"))
    else:
        rows = [f'<table><tr><th>{w["rule"]}</th><th class="n">{w["added"]}</th><th class="n">{w["removed"]}</th>'
                f'<th class="n">{w["moved"]}</th><th class="n">{w["moved_days"]}</th><th class="n">{w["required"]}</th>'
                f'<th class="n">{w["counted"]}</th></tr>']
        for s in summaries:
            m = s.moved_stats()
            days = f'{n(m["min"])} / {n(m["median"])} / {n(m["max"])}' if m else "—"
            rows.append(f'<tr><td>{escape(s.title)}<br><span class="dim">{escape(s.rule)}</span></td>'
                        f'<td class="n">{n(s.added)}</td><td class="n">{n(s.removed)}</td><td class="n">{n(m["count"] if m else 0)}</td>'
                        f'<td class="n">{days}</td><td class="n">{n(s.required_changed)}</td><td class="n">{n(s.counted_changed)}</td></tr>')
        out.append(_section(w["rules"], "".join(rows) + "</table>", "rules"))
        rows = [f'<table><tr><th>{w["rule"]}</th><th>{w["from"]}</th><th>{w["to"]}</th><th class="n">{w["count"]}</th></tr>']
        for s in summaries:
            for (f, t), count in sorted(s.transitions.items()):
                rows.append(f'<tr><td>{escape(s.title)}</td><td>{_status(f, lang)}</td>'
                            f'<td>{_status(t, lang)}</td><td class="n">{n(count)}</td></tr>')
        out.append(_section(w["transitions"], "".join(rows) + "</table>", "transitions"))

    if report.routing:
        rows = [f'<table><tr><th>{w["aspect"]}</th><th>{w["from"]}</th><th>{w["to"]}</th><th class="n">{w["cases_word"]}</th></tr>']
        for (aspect, before, after), count in sorted(report.routing.items()):
            rows.append(f'<tr><td>{escape(texts.name(texts.ASPECT_NAMES, aspect, lang))}</td>'
                        f'<td>{escape(texts.routing_value(aspect, before, lang))}</td>'
                        f'<td>{escape(texts.routing_value(aspect, after, lang))}</td><td class="n">{n(count)}</td></tr>')
        out.append(_section(w["routing"], "".join(rows) + "</table>", "routing"))
    average = f' / {n(conv["months"])} = {sign(conv["average_per_month"])}' if conv["months"] else ""
    out.append(_section(w["months"], f'<p>{sign(conv["difference"])} ({n(conv["baseline"])} → {n(conv["candidate"])})'
                        f'{average}</p>{_bars(conv["per_month"], lang)}', "conversations"))

    cases = []
    if report.changed_cases > len(report.changed):
        cases.append(f'<p class="dim">{escape(w["shown"].format(shown=n(len(report.changed)), total=n(report.changed_cases)))}</p>')
    for case in report.changed:
        gist = "; ".join([f"{d.title} ({texts.status_label(d.status_from, lang)} → {texts.status_label(d.status_to, lang)})"
                          for d in case.changes]
                         + [f"{texts.name(texts.ASPECT_NAMES, r.aspect, lang)} ({texts.routing_value(r.aspect, r.before, lang)} → "
                            f"{texts.routing_value(r.aspect, r.after, lang)})" for r in case.routing])
        cases.append(f'<details><summary><b>{escape(case.case_id)}</b> — {escape(gist)}</summary><table>'
                     f'<tr><th>{w["rule"]}</th><th></th><th>{w["baseline"]}</th><th>{w["candidate"]}</th>'
                     f'<th class="n">{w["days"]}</th></tr>')
        for change in case.changes:
            days = "" if change.days_moved is None else sign(change.days_moved)
            why = "".join(f"<li>{escape(line)}</li>" for line in change.why)
            benefit = texts.name(texts.BENEFIT_NAMES, change.benefit, lang) if change.benefit else ""
            cases.append(f'<tr><td>{escape(change.title)}<br><span class="dim">{escape(benefit)} '
                         f'{change.anchor}</span></td><td>{w[change.kind + "_kind"]}</td><td>{_side(change, "b", lang)}</td>'
                         f'<td>{_side(change, "c", lang)}</td><td class="n">{days}</td></tr>'
                         f'<tr><td colspan="5"><ul class="why">{why}</ul></td></tr>')
        for change in case.routing:
            why = "".join(f"<li>{escape(line)}</li>" for line in change.why)
            cases.append(f'<tr><td>{escape(w["routing_kind"])}: {escape(texts.name(texts.ASPECT_NAMES, change.aspect, lang))}</td>'
                         f'<td></td><td>{escape(texts.routing_value(change.aspect, change.before, lang))}</td>'
                         f'<td>{escape(texts.routing_value(change.aspect, change.after, lang))}</td><td></td></tr>'
                         f'<tr><td colspan="5"><ul class="why">{why}</ul></td></tr>')
        cases.append("</table></details>")
    out.append(_section(f'{w["per_case"]} ({n(report.changed_cases)})', "".join(cases), "cases"))
    if report.errors:
        out.append(f'<section id="errors"><h2>{escape(w["errors"])}</h2><ul class="errors">'
                   + "".join(f"<li>{escape(e)}</li>" for e in report.errors) + "</ul></section>")
    out.append("</main></body></html>")
    return "\n".join(out)


# -- the terminal ----------------------------------------------------------------------------------

def _status_text(value: str, lang: str) -> Text:
    return Text(texts.status_label(value, lang), style=STATUS_STYLE[value])


def _side_text(action, lang: str) -> Text:
    if action is None:
        return Text(NONE, style="dim")
    return Text.assemble(_status_text(action.status.value, lang), f" {action.due} {action.progress.done}/{action.progress.required}")


def _rule_tables(console: Console, summaries, w, lang: str) -> None:
    """Per rule: its title (wrapping between words), then figures that are never cut."""
    n = lambda value: number(value, lang)  # noqa: E731
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["rules"], title_justify="left")
    table.add_column(w["rule"], ratio=1, min_width=16)
    for col in ("added", "removed", "moved", "moved_days", "required", "counted"):
        table.add_column(w["short_" + col], justify="right", no_wrap=True)
    for s in summaries:
        m = s.moved_stats()
        table.add_row(visible(s.title), n(s.added), n(s.removed), n(m["count"] if m else 0),
                      f"{n(m['min'])}/{n(m['median'])}/{n(m['max'])}" if m else "—", n(s.required_changed),
                      n(s.counted_changed))
    console.print(table)
    transitions = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["transitions"], title_justify="left")
    transitions.add_column(w["rule"], ratio=1)
    for col in ("from", "to"):
        transitions.add_column(w[col], no_wrap=True)
    transitions.add_column(w["count"], justify="right", no_wrap=True)
    for s in summaries:
        for (f, to), count in sorted(s.transitions.items()):
            transitions.add_row(visible(s.title), _status_text(f, lang), _status_text(to, lang), n(count))
    if transitions.row_count:
        console.print(transitions)


def render_terminal(console: Console, report: WhatIfReport, lang: str, show_cases: int, explain: bool) -> None:
    """The what-if for a terminal: totals, the per-rule tables, routing, conversations per month and
    the first ``show_cases`` changed cases with their reasons."""
    w = texts.words(texts.WHATIF, lang)
    n = lambda value: number(value, lang)  # noqa: E731
    sign = lambda value: signed(value, lang)  # noqa: E731
    t = report.totals()
    conv = t["conversations"]
    console.print(Text(visible(f"{w['title']}: {report.candidate}"), style="bold"))
    console.print(Text(visible(f"{w['baseline']}: {report.baseline}  {w['as_of']} {report.as_of}"), style="dim"))
    console.print(f"{n(t['cases'])} {w['cases']}, {n(t['changed_cases'])} {w['changed']}, "
                  f"{n(t['changes'])} {w['duties_changed']}" + (f", {n(t['bad_cases'])} {w['bad']}" if t["bad_cases"] else ""))
    over = t["overdue_cases"]
    console.print(f"{w['overdue_line']}: {n(over['baseline'])} → {n(over['candidate'])} ({sign(over['difference'])})")
    console.print(f"{w['conv_line']}: {n(conv['baseline'])} → {n(conv['candidate'])} ({sign(conv['difference'])})"
                  + (", " + w["conv_avg"].format(months=n(conv["months"]), avg=sign(conv["average_per_month"]))
                     if conv["months"] else ""))
    summaries = report.rule_summaries()
    if not summaries and not report.routing:
        console.print(w["none"])
        return
    if summaries:
        _rule_tables(console, summaries, w, lang)
    if report.routing:
        routing = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=w["routing"], title_justify="left")
        for col in ("aspect", "from", "to"):
            routing.add_column(w[col], ratio=1)
        routing.add_column(w["cases_word"], justify="right", no_wrap=True)
        for (aspect, before, after), count in sorted(report.routing.items()):
            routing.add_row(texts.name(texts.ASPECT_NAMES, aspect, lang), visible(texts.routing_value(aspect, before, lang)),
                            visible(texts.routing_value(aspect, after, lang)), n(count))
        console.print(routing)
    months = {m: v for m, v in conv["per_month"].items() if v}
    if months:
        console.print(Text(w["months"], style="bold"))
        years = Table.grid(padding=(0, 1), pad_edge=True)  # one row a year keeps the months readable
        years.add_column(no_wrap=True)
        years.add_column(ratio=1)
        for year in sorted({m[:4] for m in months}):
            years.add_row(f" {year}:", "  ".join(f"{m[5:]}: {sign(v)}" for m, v in months.items() if m[:4] == year))
        console.print(years)
    console.print(Text(f"{w['per_case']} ({n(report.changed_cases)})", style="bold"))
    for case in report.changed[:show_cases]:
        console.print(Text(visible(case.case_id), style="bold"), Text(visible(f"  {case.source}"), style="dim"), soft_wrap=True)
        for change in case.changes:
            days = "" if change.days_moved is None else "  " + w["moved_by"].format(days=sign(change.days_moved))
            anchor = str(change.anchor)
            if change.baseline is not None and change.baseline.anchor != change.anchor:
                anchor = f"{change.baseline.anchor} → {change.anchor}"
            benefit = texts.name(texts.BENEFIT_NAMES, change.benefit, lang) if change.benefit else ""
            console.print(Text(visible(f"  {w[change.kind + '_kind']}: {change.title} ({benefit} {anchor})")))
            console.print(Text.assemble("    ", _side_text(change.baseline, lang), " → ", _side_text(change.candidate, lang), days))
            for line in change.why if explain else change.why[-2:]:
                console.print(Text(visible(f"      • {line}"), style="dim"))
        for change in case.routing:
            console.print(Text(visible(f"  {w['routing_kind']} {texts.name(texts.ASPECT_NAMES, change.aspect, lang)}: "
                                       f"{texts.routing_value(change.aspect, change.before, lang)} → "
                                       f"{texts.routing_value(change.aspect, change.after, lang)}")))
            for line in change.why:
                console.print(Text(visible(f"      • {line}"), style="dim"))
    shown = min(show_cases, len(report.changed))
    if report.changed_cases > shown:
        console.print(Text(w["more_cases"].format(n=n(report.changed_cases - shown)), style="dim"))
