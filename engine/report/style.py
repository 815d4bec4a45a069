"""One look for every report: the status colours of the terminal and the stylesheet of the HTML
pages (the audit and the what-if, and the web page later), from one palette."""

from __future__ import annotations

from engine.report.safe import html_text as escape

GOOD, WARN, BAD, GREY = "#2e7d32", "#e09b00", "#c62828", "#9e9e9e"  # ≥ 80 %, 60–80 %, < 60 %, no value
INK, MUTED, ACCENT, LATE = "#1d2733", "#7a8590", "#1f4e79", "#8e24aa"

# The terminal's colour for each status (check, what-if) and for a missing duty ("—").
STATUS_STYLE = {"overdue": "bold red", "open": "yellow", "met": "green", "met_late": "magenta", "exempt": "dim",
                "—": "dim"}

CSS = f"""
*{{box-sizing:border-box}}
body{{font:14px/1.45 "Segoe UI",system-ui,-apple-system,Helvetica,Arial,sans-serif;margin:0;color:{INK};background:#f3f5f8}}
header{{background:{ACCENT};color:#fff;padding:1.4em 2em 1.2em}}
header h1{{margin:0 0 .3em;font-size:1.7em;font-weight:600}}
header .meta{{opacity:.9}}header .meta span{{margin-right:1.6em;white-space:nowrap}}
header code{{color:#fff}}
main{{max-width:78em;margin:0 auto;padding:1.2em 2em 3em}}
section{{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:1em 1.4em 1.2em;margin:1.2em 0}}
h2{{font-size:1.15em;margin:.2em 0 .8em;color:{ACCENT}}}
.kpis{{display:flex;flex-wrap:wrap;gap:.8em}}
.kpi{{flex:1 1 9em;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:.8em 1em}}
.kpi b{{display:block;font-size:1.7em;font-weight:600;font-variant-numeric:tabular-nums}}
.kpi small{{color:#5b6773}}.kpi.bad b{{color:{BAD}}}.kpi.good b{{color:{GOOD}}}
.grid{{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.2em}}.grid section{{margin:0;min-width:0}}
@media (max-width:900px){{.grid{{grid-template-columns:minmax(0,1fr)}}}}
table{{border-collapse:collapse;width:100%}}
th,td{{padding:.35em .6em;border-bottom:1px solid #e6e9ed;text-align:left;vertical-align:top}}
th{{background:#f0f3f7;font-weight:600;font-size:.92em}}
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums}}td.n{{white-space:nowrap}}
td.why{{color:#4a5561;font-size:.9em}}td.id{{white-space:nowrap}}
.flag{{color:{BAD};font-weight:600}}.ok{{color:{GOOD}}}.dim{{color:{MUTED}}}
.up{{color:{BAD}}}.down{{color:{GOOD}}}
.overdue{{color:{BAD};font-weight:600}}.open{{color:{WARN}}}.met{{color:{GOOD}}}.met_late{{color:{LATE}}}.exempt{{color:{MUTED}}}
.legend{{font-size:.88em;color:#4a5561;margin-top:.4em}}
.legend i{{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin:0 .3em -.1em 1em;vertical-align:baseline}}
.legend i.line{{width:1.4em;height:0;border-top:2px dashed {INK};border-radius:0;margin-bottom:.2em}}
ul.errors{{color:{BAD};font-family:ui-monospace,monospace;font-size:.88em}}
dl.defs dt{{font-weight:600;margin-top:.5em}}dl.defs dd{{margin:0 0 0 1em;color:#4a5561}}
details{{margin:.3em 0}}summary{{cursor:pointer}}ul.why{{margin:.2em 0 .6em 1.2em;color:#4a5561}}
footer{{color:{MUTED};font-size:.85em;text-align:center;padding:1em}}
svg text{{font-family:inherit}}
"""


def page_head(title: str, lang: str) -> str:
    """The start of a self-contained page: no scripts, no fonts or files fetched."""
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<title>{escape(title)}</title><style>{CSS}</style></head><body>')

# The web pages (sagsrute serve, check --html) add to the reports' sheet: the navigation, forms,
# the status of a worklist row, keyboard focus and the timeline. Colours checked for contrast
# (4.5:1 on white) by tests/test_web_browser.py.
WEB_CSS = f"""
.skip{{position:absolute;left:-999px;top:0;background:#fff;color:{ACCENT};padding:.5em 1em}}
.skip:focus{{left:1em;z-index:9}}
nav.top{{background:#173b5c}}nav.top ul{{list-style:none;margin:0 auto;padding:0 2em;display:flex;gap:1.5em;max-width:78em}}
nav.top a{{color:#fff;display:inline-block;padding:.6em 0;text-decoration:none}}nav.top a[aria-current=page]{{border-bottom:3px solid #fff}}
nav.top li.lang{{margin-left:auto}}
nav.top li.who{{color:#fff;padding:.6em 0}}nav.top form.logout{{margin:.25em 0}}
nav.top form.logout button{{background:#fff;color:#173b5c;border-color:#fff;padding:.15em .6em}}
form.login{{display:flex;flex-direction:column;gap:.8em;max-width:22em}}form.login label{{display:flex;flex-direction:column;gap:.2em}}
a{{color:{ACCENT}}}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{{outline:3px solid #e09b00;outline-offset:2px}}
form.filters{{display:flex;flex-wrap:wrap;gap:.8em 1.2em;align-items:flex-end}}
form.filters label{{display:flex;flex-direction:column;font-size:.9em;color:#3d4852;gap:.2em}}
input,select,button{{font:inherit;padding:.3em .5em;border:1px solid #8a96a3;border-radius:4px;background:#fff;color:{INK}}}
button{{background:{ACCENT};color:#fff;border-color:{ACCENT};cursor:pointer}}
.st-overdue{{color:{BAD};font-weight:600}}.st-open{{color:#8a5a00}}.st-none,.st-error{{color:#5b6773}}
td.open,span.open{{color:#8a5a00}}td.exempt,span.exempt{{color:#5b6773}}
.next{{font-size:1.15em;border-left:5px solid {ACCENT};padding:.6em 1em;background:#f0f4f9}}
.next.overdue-step{{border-color:{BAD}}}
.pager{{display:flex;gap:1em;align-items:center;margin-top:.8em}}
dl.routing{{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.2em;margin:0}}dl.routing dt{{font-weight:600}}dl.routing dd{{margin:0}}
.warn{{color:{BAD};font-weight:600}}
blockquote{{margin:.3em 0 .6em 1em;padding-left:.8em;border-left:3px solid #c9d1da;color:#3d4852}}
figure.timeline{{margin:0;overflow-x:auto}}figure.timeline figcaption{{font-size:.88em;color:#4a5561}}
.meta-line{{color:#3d4852}}
footer,.dim,td.exempt,.kpi small{{color:#56616d}}
"""
