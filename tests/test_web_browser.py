"""The pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright, never its
own browser download) against a real `sagsrute serve` process: worklist → case → another as-of
date → the next step → dashboard figure → the duties behind it → the case. And a checklist of basic
accessibility on every page: labels, headings, the language, keyboard focus, contrast.

Screenshots go to out/screenshots/ (docs/web.md shows them)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app as cli
from tests.test_access_helpers import bearer, sign_in_context

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "out" / "screenshots"
LAUNCH_ARGS = ["--disable-gpu", "--disable-quic",
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]  # nothing leaves the machine
AS_OF = "2021-08-16"
DATABASES: dict[str, str] = {}  # the server's base URL → its database

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("browser") / "cases.sqlite")
    result = CliRunner().invoke(cli, ["import", str(ROOT / "samples" / "caseload" / "caseload.jsonl"),
                                      str(ROOT / "samples" / "cases"), "--db", db])
    assert result.exit_code == 0, result.output
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", db, "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=1) as answer:  # public (issue 17)
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start: " + process.stdout.read1().decode(errors="replace"))
        DATABASES[base] = db  # issue 17: the tests sign in (tests/test_access_helpers.py)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        # both versions printed, so a Debian update that breaks the pairing is plain in the log
        print(f"chromium {chromium.version}, playwright {_playwright_version()}")
        yield chromium
        chromium.close()


def _playwright_version() -> str:
    from importlib.metadata import version

    return version("playwright")


@pytest.fixture
def page(browser, server):
    context = sign_in_context(browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK"),
                              server, DATABASES[server])
    tab = context.new_page()
    yield tab
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def api(base: str, path: str, body=None):
    """A GET, or with ``body`` a POST of it as JSON, with a token."""
    headers = bearer(DATABASES[base]) | ({"Content-Type": "application/json"} if body is not None else {})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def test_worklist_case_as_of_next_step_dashboard_and_back(server, page):
    page.goto(f"{server}/?as_of={AS_OF}")
    assert page.locator("h1").inner_text() == "Arbejdsliste"
    shot(page, "1-worklist")
    # filter by team, keyboard only: the select and the button are reached and used without a mouse
    page.select_option("#f-team", "voksen")
    page.locator("#f-team").focus()
    page.keyboard.press("Tab")  # caseworker
    page.keyboard.press("Tab")  # status
    page.keyboard.press("Tab")  # within
    page.keyboard.press("Tab")  # the button
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url("**team=voksen**")
    teams = set(page.locator("tbody tr td:nth-child(5)").all_inner_texts())
    assert teams == {"voksen"}
    shot(page, "2-worklist-voksen")

    first = page.locator("tbody tr").first
    case_id = first.locator("td").first.inner_text()
    listed_next = first.locator("td").nth(1).inner_text()
    first.locator("a").first.click()
    page.wait_for_url(f"**/cases/{case_id}**")
    assert page.locator("h1").inner_text() == f"Sag {case_id}"
    assert listed_next in page.locator("#next-step").inner_text()
    shot(page, "3-case")

    # another as-of date: the next step is the API's for that date
    later = "2021-12-31"
    page.fill("#c-as-of", later)
    page.locator("form.filters button").click()
    page.wait_for_url(f"**as_of={later}**")
    expected = api(server, f"/api/v1/case-search?as_of={later}", {"q": case_id})["cases"][0]
    next_text = page.locator("#next-step").inner_text()
    if expected["next_title"]:
        assert expected["next_title"] in next_text and expected["due"] in next_text
    else:
        assert next_text == "Ingen åbne pligter."
    page.locator("details summary").first.click()  # the reasons, with the legal source and the seed's quote
    assert page.locator("details[open] blockquote").count() == 1
    assert page.locator("figure.timeline svg title").count() > 5
    shot(page, "4-case-later-with-reasons")

    # the dashboard: a rule's overdue figure → the duties behind it → a case
    page.goto(f"{server}/dashboard?as_of={later}")
    shot(page, "5-dashboard")
    cell = page.locator("section:has(#rules-h) tbody td.overdue a").first
    figure = int(cell.inner_text().replace(".", ""))
    cell.click()
    page.wait_for_url("**/dashboard/duties**")
    rows = page.locator("tbody tr")
    assert rows.count() == min(figure, 500)
    assert set(page.locator("tbody td:nth-child(3)").all_inner_texts()) == {"overskredet"}
    shot(page, "6-duties-behind-a-figure")
    target = rows.first.locator("a").inner_text()
    rows.first.locator("a").click()
    page.wait_for_url(f"**/cases/{target}**")
    assert page.locator("h1").inner_text() == f"Sag {target}"

    # the English switch keeps the page and its date
    page.locator("nav.top li.lang a").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("h1").inner_text() == f"Case {target}" and f"as_of={later}" in page.url
    shot(page, "7-case-english")


PAGES = ["/?as_of=2021-08-16", "/cases/SMP-2021-0104?as_of=2021-10-01", "/dashboard?as_of=2021-12-31",
         "/dashboard/duties?as_of=2021-12-31&rule=contact-course-4-conversations", "/rules", "/?lang=en",
         "/cases/NO-SUCH-CASE", "/dashboard/forecast?as_of=2021-06-30"]

# The checklist, run in the page: what fails comes back as text.
CHECKLIST = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  const h1 = document.querySelectorAll("h1");
  if (h1.length !== 1) problems.push(`${h1.length} h1 headings`);
  let level = 1;
  for (const h of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) {
    const n = +h.tagName[1];
    if (n > level + 1) problems.push(`heading ${h.tagName} after h${level}: ${h.textContent}`);
    level = n;
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]),select,textarea")) {
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest("label") ||
                     el.getAttribute("aria-label");
    if (!labelled) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.getAttribute("role") !== "img" || !svg.querySelector("title")) problems.push("an svg without role=img and a title");
  }
  for (const a of document.querySelectorAll("a")) if (!a.textContent.trim()) problems.push(`an empty link ${a.href}`);
  // contrast (WCAG AA): every element with its own text against the first opaque background behind it
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= .03928 ? x / 12.92 : ((x + .055) / 1.055) ** 2.4; });
                     return .2126 * v[0] + .7152 * v[1] + .0722 * v[2]; };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                               if (c.length === 3 || c[3] > .5) return c; } return [255, 255, 255]; };
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || !el.offsetParent && el.tagName !== "BODY") continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || +style.opacity === 0) continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + .05) / (Math.min(a, b) + .05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}: ${el.tagName} "${el.textContent.trim().slice(0, 40)}"`);
  }
  return problems;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_accessibility_checklist(server, page, path):
    page.goto(server + path)
    assert page.evaluate(CHECKLIST) == []
    # keyboard: the first Tab reaches the skip link, and a focused element shows a visible outline
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline


def test_the_case_id_search_is_posted_and_never_in_the_url(server, page):
    """Part of an id lists the cases that hold it, the whole id opens the case: the id goes in the
    form's body, and no URL the browser asked for carries it in its query."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{server}/?as_of={AS_OF}&lang=en")
    page.fill("#f-q", "EX-100")
    page.locator("#f-q").press("Enter")
    page.wait_for_load_state()
    ids = set(page.locator("tbody tr td:first-child").all_inner_texts())
    assert ids == {"EX-1001", "EX-1002", "EX-1003", "EX-1004"}
    assert page.locator("#f-q").input_value() == "EX-100"  # the search shown again, from the body
    page.fill("#f-q", "EX-1002")
    page.locator("form.search button").click()
    page.wait_for_url("**/cases/EX-1002?**")
    assert page.locator("h1").inner_text() == "Case EX-1002"
    queries = [urllib.parse.urlsplit(url).query for url in asked]
    assert asked and not [q for q in queries if "EX-" in q or "q=" in q], asked


def test_the_pages_work_without_javascript(server, browser):
    context = sign_in_context(browser.new_context(java_script_enabled=False), server, DATABASES[server])
    tab = context.new_page()
    tab.goto(f"{server}/?as_of={AS_OF}")
    tab.select_option("#f-status", "overdue")
    tab.locator("form.filters[method=get] button").click()
    tab.wait_for_url("**status=overdue**")
    assert tab.locator("tbody tr").count() > 0
    assert set(tab.locator("tbody td:nth-child(2)").evaluate_all("cells => cells.map(c => c.className)")) == {"st-overdue"}
    tab.locator("tbody a").first.click()
    assert tab.locator("#next-step").inner_text()
    context.close()


def test_check_html_writes_the_case_page_as_one_file(tmp_path, browser):
    out = tmp_path / "case.html"
    sample = ROOT / "samples" / "cases" / "kontanthjaelp-ret-og-pligt-postponed-2021.yaml"
    result = CliRunner().invoke(cli, ["check", str(sample), "--as-of", "2021-10-01", "--html", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<link" not in text and "<script" not in text and "<style>" in text
    context = browser.new_context(offline=True)  # one self-contained file: nothing to fetch
    tab = context.new_page()
    tab.goto(out.as_uri())
    assert tab.locator("h1").inner_text() == "Sag SMP-2021-0104"
    assert tab.locator("figure.timeline svg").count() == 1
    shot(tab, "8-check-html")
    context.close()
