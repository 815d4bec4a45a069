"""The case's timeline as one inline SVG (no script): benefit periods as bars, each conversation,
offer (with its duration), education order, test and assessment as marks, exemptions and
postponements shaded, each duty's due date as a flag coloured by its status, the as-of date as a
line. Used by the web case page and by ``sagsrute check CASE --html FILE``.

Only what exists on the as-of date is drawn (later events do not exist for that evaluation). Every
mark has a ``<title>`` (a tooltip, and what a screen reader reads)."""

from __future__ import annotations

from datetime import date, timedelta

from engine import texts
from engine.report.safe import html_text as esc
from engine.report.style import ACCENT, BAD, GOOD, GREY, INK, LATE, MUTED, WARN
from models.actions import CheckResult
from models.case import Case

STATUS_COLOUR = {"met": GOOD, "met_late": LATE, "overdue": BAD, "open": WARN, "exempt": GREY}
WIDTH, LEFT, RIGHT = 960, 150, 20
LANES = ("benefit", "conversation", "offer", "other", "due")  # top to bottom
LANE_H = 34
TOP = 28


def _span(case: Case, result: CheckResult) -> tuple[date, date]:
    as_of = result.as_of
    starts = [b.first_contact or b.start for b in case.benefits] + [b.first_sick_day or b.start for b in case.benefits]
    start = min([*starts, *(e.date for e in case.events if e.date <= as_of)], default=as_of)
    ends = [as_of, *(a.due for a in result.actions)]
    end = max(ends)
    end = min(end, as_of + timedelta(days=400))  # a far cadence window does not squash the picture
    start = max(start, end - timedelta(days=365 * 6))
    pad = max(7, (end - start).days // 40)
    return start - timedelta(days=pad), end + timedelta(days=pad)


def timeline_svg(case: Case, result: CheckResult, lang: str) -> str:
    w = texts.words(texts.WEB, lang)
    start, end = _span(case, result)
    as_of = result.as_of
    days = max(1, (end - start).days)
    inner = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        clipped = min(max(day, start), end)
        return round(LEFT + inner * (clipped - start).days / days, 1)

    lane_y = {lane: TOP + i * LANE_H for i, lane in enumerate(LANES)}
    height = TOP + len(LANES) * LANE_H + 26
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
           f'role="img" aria-labelledby="tl-title"><title id="tl-title">'
           f'{esc(w["tl_caption"].format(start=start, end=end))}</title>']
    # exemptions and postponements: shaded behind everything, the whole height
    for ex in case.exemptions:
        if ex.start > as_of:
            continue
        ex_end = min(ex.end or as_of, end)
        out.append(f'<rect x="{x(ex.start)}" y="{TOP - 6}" width="{max(2, x(ex_end) - x(ex.start))}" '
                   f'height="{len(LANES) * LANE_H}" fill="{GREY}" fill-opacity=".18"><title>'
                   f'{esc(texts.name(texts.EXEMPTION_NAMES, ex.kind, lang))}: {ex.start} – {texts.open_end(ex.end, lang)}'
                   f'</title></rect>')
    # the lanes' names and the axis
    for lane in LANES:
        label = {"benefit": w["tl_benefit"], "conversation": w["tl_conversation"], "offer": w["tl_offer"],
                 "other": w["tl_other"], "due": w["tl_due"]}[lane]
        out.append(f'<text x="8" y="{lane_y[lane] + 15}" font-size="12" fill="{INK}">{esc(label)}</text>')
    axis_y = TOP + len(LANES) * LANE_H
    out.append(f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="{MUTED}"/>')
    month = date(start.year, start.month, 1)
    step = max(1, round(days / 30 / 12))  # about a dozen ticks
    n = 0
    while month <= end:
        if month >= start and n % step == 0:
            out.append(f'<line x1="{x(month)}" y1="{axis_y}" x2="{x(month)}" y2="{axis_y + 4}" stroke="{MUTED}"/>'
                       f'<text x="{x(month)}" y="{axis_y + 16}" font-size="10" text-anchor="middle" fill="#4a5561">'
                       f'{month.year}-{month.month:02d}</text>')
        n += 1
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    # benefit periods
    for b in case.benefits:
        if b.start > as_of:
            continue
        b_end = min(b.end or as_of, as_of)
        name = texts.name(texts.BENEFIT_NAMES, b.type.value, lang)
        out.append(f'<rect x="{x(b.start)}" y="{lane_y["benefit"] + 4}" width="{max(3, x(b_end) - x(b.start))}" height="18" '
                   f'rx="3" fill="{ACCENT}"><title>{esc(name)}: {b.start} – {texts.open_end(b.end, lang)}</title></rect>')
        if x(b_end) - x(b.start) > 70:
            out.append(f'<text x="{x(b.start) + 5}" y="{lane_y["benefit"] + 17}" font-size="11" fill="#fff">{esc(name)}</text>')
    # events
    for e in case.events:
        if e.date > as_of:
            continue
        cx = x(e.date)
        if e.type == "conversation":
            y = lane_y["conversation"] + 13
            out.append(f'<circle cx="{cx}" cy="{y}" r="6" fill="#fff" stroke="{ACCENT}" stroke-width="2.5"><title>'
                       f'{esc(w["tl_conversation"])} {e.date} ({esc(e.kind)}, {esc(e.by)})</title></circle>')
        elif e.type == "offer":
            y = lane_y["offer"] + 6
            o_end = min(e.end or as_of, as_of)
            name = texts.name(texts.OFFER_NAMES, e.offer, lang)
            out.append(f'<rect x="{cx}" y="{y}" width="{max(4, x(o_end) - cx)}" height="14" rx="2" fill="{GOOD}" '
                       f'fill-opacity=".75"><title>{esc(name)}: {e.date} – {texts.open_end(e.end, lang)}</title></rect>')
        else:
            y = lane_y["other"] + 13
            if e.type == "education_order":
                shape = f'<path d="M{cx} {y - 7} L{cx + 7} {y} L{cx} {y + 7} L{cx - 7} {y} Z" fill="{LATE}">'
                label = w["tl_education_order"]
            elif e.type == "literacy_test":
                shape = f'<path d="M{cx} {y - 7} L{cx + 7} {y + 6} L{cx - 7} {y + 6} Z" fill="{WARN}">'
                label = w["tl_test"]
            else:
                shape = f'<rect x="{cx - 5}" y="{y - 5}" width="10" height="10" fill="{MUTED}">'
                label = e.type.replace("_", " ")
            tag = "path" if shape.startswith("<path") else "rect"
            out.append(f'{shape}<title>{esc(label)} {e.date}</title></{tag}>')
    for a in case.assessments:
        if a.date > as_of:
            continue
        cx, y = x(a.date), lane_y["other"] + 13
        out.append(f'<rect x="{cx - 5}" y="{y - 5}" width="10" height="10" fill="#fff" stroke="{INK}" stroke-width="2">'
                   f'<title>{esc(w["tl_assessment"])} {a.date}: {esc(texts.name(texts.CATEGORY_NAMES, a.category.value, lang))}'
                   f'</title></rect>')
    # each duty's due date: a flag coloured by its status
    for a in result.actions:
        fx, y = x(a.due), lane_y["due"]
        colour = STATUS_COLOUR[a.status.value]
        out.append(f'<g><line x1="{fx}" y1="{y + 2}" x2="{fx}" y2="{y + 26}" stroke="{colour}" stroke-width="2"/>'
                   f'<path d="M{fx} {y + 2} L{fx + 11} {y + 7} L{fx} {y + 12} Z" fill="{colour}"/>'
                   f'<title>{esc(a.title)}: {esc(w["tl_due"])} {a.due}, {esc(texts.status_label(a.status.value, lang))}'
                   f'</title></g>')
    # the as-of date
    ax = x(as_of)
    out.append(f'<line x1="{ax}" y1="{TOP - 12}" x2="{ax}" y2="{axis_y}" stroke="{INK}" stroke-width="2" '
               f'stroke-dasharray="5 3"><title>{esc(w["tl_as_of"])} {as_of}</title></line>'
               + (f'<text x="{ax + 4}" y="{TOP - 14}" font-size="11" fill="{INK}">' if ax < WIDTH - 110 else  # near the
                  f'<text x="{ax - 4}" y="{TOP - 14}" font-size="11" fill="{INK}" text-anchor="end">')  # edge: left of it
               + f'{esc(w["tl_as_of"])} {as_of}</text>')
    out.append("</svg>")
    return "".join(out)


def legend_items(lang: str) -> list[tuple[str, str, str]]:
    """(css colour, shape, label) of the picture's legend, drawn by the page in HTML."""
    w = texts.words(texts.WEB, lang)
    return [(ACCENT, "bar", w["tl_benefit"]), (ACCENT, "ring", w["tl_conversation"]), (GOOD, "bar", w["tl_offer"]),
            (LATE, "diamond", w["tl_education_order"]), (WARN, "triangle", w["tl_test"]),
            (INK, "outline", w["tl_assessment"]), (MUTED, "square", w["tl_other"]), (GREY, "shade", w["tl_exemption"]),
            *((STATUS_COLOUR[s], "flag", f'{w["tl_due"]}: {texts.status_label(s, lang)}') for s in STATUS_COLOUR),
            (INK, "line", w["tl_as_of"])]
