"""sagsrute serve's JSON API in process (FastAPI's test client) over a real SQLite database, and
over a real PostgreSQL: the contract's JSON for every sample, identical to `check --format json`;
the CLI's bad-input messages; one 404 for unknown, CPR-shaped and out-of-scope case ids; the
worklist paged and filtered in SQL; the audit's numbers; the checked-in OpenAPI document."""

from __future__ import annotations

import csv
import html
import json
import logging
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.app import app as cli
from engine.web.app import MaskCpr, build_openapi, create_app
from engine.web.deps import Principal, get_principal
from engine.web.service import Settings
from tests.test_access_helpers import signed_in
from tests.test_storage import postgres_url  # noqa: F401 — the throw-away PostgreSQL cluster fixture

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "cases").glob("*.yaml"))
CASELOAD = ROOT / "samples" / "caseload" / "caseload.jsonl"
AS_OF = re.compile(r"--as-of (\d{4}-\d{2}-\d{2})")
CPR = "010190-1234"


def sample_as_of(path: Path) -> str:
    return AS_OF.search(path.read_text(encoding="utf-8")).group(1)


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def import_samples(db: str) -> None:
    result = CliRunner().invoke(cli, ["import", str(CASELOAD), str(ROOT / "samples" / "cases"), "--db", db])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("web") / "cases.sqlite")
    import_samples(path)
    return path


@pytest.fixture(scope="module")
def client(db_path) -> TestClient:
    return signed_in(TestClient(create_app(Settings(db=db_path))))  # issue 17: a team lead of every team


def as_principal(client: TestClient, principal: Principal):
    client.app.dependency_overrides[get_principal] = lambda: principal


@pytest.fixture
def scoped(client):
    as_principal(client, Principal("kw-03", "caseworker", frozenset({"voksen"})))
    yield client
    client.app.dependency_overrides.clear()


# -- the contract, as check prints it ----------------------------------------------------------------

@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_post_check_and_stored_case_are_check_format_json(client, sample):
    day = sample_as_of(sample)
    expected = cli_json("check", str(sample), "--as-of", day)
    case = yaml.safe_load(sample.read_text(encoding="utf-8"))
    posted = client.post(f"/api/v1/check?as_of={day}", content=json.dumps(case, default=str))
    assert posted.status_code == 200, posted.text
    assert posted.json() == expected
    stored = client.get(f"/api/v1/cases/{case['case_id']}?as_of={day}")
    assert stored.status_code == 200, stored.text
    assert stored.json() == expected
    assert cli_json("check", "--case", case["case_id"], "--db", str(client.app.state.service.settings.db),
                    "--as-of", day) == expected


def test_several_cases_in_one_call_are_a_list_like_checking_a_batch(client):
    day = "2021-12-31"
    expected = cli_json("check", str(CASELOAD), "--as-of", day, "--lang", "en")
    body = "[" + ",".join(line for line in CASELOAD.read_text(encoding="utf-8").splitlines() if line.strip()) + "]"
    got = client.post(f"/api/v1/check?as_of={day}&lang=en", content=body)
    assert got.status_code == 200
    assert got.json() == expected


def test_bad_cases_get_the_clis_messages_and_no_result(client, tmp_path):
    bad = {"case_id": "B-1", "citizen": {"education": "grundskole"},
           "benefits": [{"type": "kontanthjaelp", "start": "2021-13-01"}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    cli_lines = CliRunner().invoke(cli, ["check", str(path), "--as-of", "2021-06-01"]).stderr.splitlines()
    expected = [line.removeprefix("error: ").removeprefix(f"{path}: ") for line in cli_lines]
    one = client.post("/api/v1/check?as_of=2021-06-01", content=json.dumps(bad))
    assert one.status_code == 422
    assert one.json() == {"errors": expected}
    good = yaml.safe_load(SAMPLES[0].read_text(encoding="utf-8"))
    many = client.post("/api/v1/check", content=json.dumps([good, bad], default=str))
    assert many.status_code == 422
    assert many.json() == {"errors": [f"[1]: {line}" for line in expected]}
    for body, problem in ((b"{", "(body): not valid JSON"), (b"[]", "(body): an empty list"), (b"7", "(case): expected")):
        answer = client.post("/api/v1/check", content=body)
        assert answer.status_code == 422 and answer.json()["errors"][0].startswith(problem), answer.text
    # a search body that is not JSON is bad input too (schemathesis found the undocumented 400)
    answer = client.post("/api/v1/case-search", content=b"\xff{", headers={"content-type": "application/json"})
    assert answer.status_code == 422 and answer.json() == {"errors": ["(body): not valid JSON"]}, answer.text


def test_a_cpr_number_in_a_body_is_never_repeated(client):
    answer = client.post("/api/v1/check", content=json.dumps({"case_id": CPR, "citizen": {}, "benefits": []}))
    assert answer.status_code == 422
    assert "1234" not in answer.text


def test_query_problems_are_field_problem_lines(client):
    answer = client.get("/api/v1/cases?as_of=2021-2-3&page=0")
    assert answer.status_code == 422
    assert [line.split(":")[0] for line in answer.json()["errors"]] == ["as_of", "page"]
    assert client.get("/api/v1/cases?as_of=2021-02-30").json() == {"errors": ["as_of: not a date in the form YYYY-MM-DD"]}
    assert client.get("/api/v1/audit?as_of=1800-01-01").json() == {"errors": ["as_of: 1800-01-01 is outside 1900–2199"]}


# -- one answer for every case that cannot be shown ---------------------------------------------------

def test_unknown_cpr_shaped_and_other_teams_cases_get_the_same_404(scoped):
    answers = [scoped.get(f"/api/v1/cases/{case_id}") for case_id in ("NO-SUCH-CASE", CPR, "0101901234", "EX-1003")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert all("1234" not in a.text for a in answers)
    assert scoped.get("/api/v1/cases/EX-1001?as_of=2021-08-16").status_code == 200  # team voksen: in scope
    page = [a.text for a in (scoped.get(f"/cases/{i}") for i in ("NO-SUCH-CASE", CPR, "EX-1003"))]
    assert len(set(page)) == 1 and "1234" not in page[0]


def test_figures_need_a_role_that_sees_them(client):
    as_principal(client, Principal("kw-03", "caseworker", frozenset({"voksen"})))
    try:
        assert client.get("/api/v1/audit").status_code == 403
        assert client.get("/dashboard").status_code == 403
    finally:
        client.app.dependency_overrides.clear()


def test_the_access_log_hides_cpr_shaped_numbers():
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/api/v1/cases/{CPR}", "1.1", 404), None)
    MaskCpr().filter(record)
    assert "1234" not in record.getMessage() and "/api/v1/cases/" in record.getMessage()


# -- the worklist -------------------------------------------------------------------------------------

def test_the_worklist_is_overdue_first_then_by_due_date_and_paged(client):
    day = "2021-08-16"
    first = client.get(f"/api/v1/cases?as_of={day}").json()
    second = client.get(f"/api/v1/cases?as_of={day}&page=2").json()
    assert first["total"] == 75 and first["page_size"] == 50
    rows = first["cases"] + second["cases"]
    assert len(rows) == 75 and len({r["case_id"] for r in rows}) == 75
    rank = {"overdue": 0, "open": 1, "none": 2, "error": 3}
    keys = [(rank[r["status"]], r["due"] or "9999", r["case_id"]) for r in rows]
    assert keys == sorted(keys)
    one = next(r for r in rows if r["case_id"] == "EX-1001")
    check = client.get(f"/api/v1/cases/EX-1001?as_of={day}").json()
    pending = [a for a in check["actions"] if a["status"] in ("open", "overdue") and a.get("actionable", True)]
    nearest = min(pending, key=lambda a: a["due"])
    assert (one["next_rule"], one["due"], one["days_left"]) == (
        nearest["rule"], nearest["due"], (date.fromisoformat(nearest["due"]) - date.fromisoformat(day)).days)


def test_the_worklist_filters(client):
    day = "2021-08-16"
    overdue = client.get(f"/api/v1/cases?as_of={day}&status=overdue&team=Forsikrede").json()
    assert overdue["total"] > 0 and {(r["status"], r["team"]) for r in overdue["cases"]} == {("overdue", "Forsikrede")}
    soon = client.get(f"/api/v1/cases?as_of={day}&due_before=2021-09-30").json()["cases"]
    assert soon and all(r["due"] <= "2021-09-30" for r in soon)
    found = client.post(f"/api/v1/case-search?as_of={day}", json={"q": "EX-100"}).json()["cases"]
    assert {r["case_id"] for r in found} == {"EX-1001", "EX-1002", "EX-1003", "EX-1004"}
    overdue_found = client.post(f"/api/v1/case-search?as_of={day}&status=overdue", json={"q": "EX-100"}).json()
    assert {r["case_id"] for r in overdue_found["cases"]} <= {"EX-1001", "EX-1002", "EX-1003", "EX-1004"}
    assert all(r["status"] == "overdue" for r in overdue_found["cases"])
    # a case id in the URL's query is no filter: the GET worklist has no such parameter
    assert client.get(f"/api/v1/cases?as_of={day}&q=EX-100").json()["total"] == 75
    assert client.post("/api/v1/case-search", json={"q": ""}).status_code == 422
    as_principal(client, Principal("kw-03", "caseworker", frozenset({"voksen"})))
    try:
        mine = client.get(f"/api/v1/cases?as_of={day}").json()
        assert mine["total"] > 0 and {r["team"] for r in mine["cases"]} == {"voksen"}
        assert client.get(f"/api/v1/cases?as_of={day}&team=Forsikrede").json()["total"] == 0
    finally:
        client.app.dependency_overrides.clear()


def test_the_worklist_follows_a_reimport(tmp_path):
    db = str(tmp_path / "one.sqlite")
    sample = ROOT / "samples" / "cases" / "kontanthjaelp-jobparat-2021.yaml"
    assert CliRunner().invoke(cli, ["import", str(sample), "--db", db]).exit_code == 0
    client = signed_in(TestClient(create_app(Settings(db=db))))
    before = client.get("/api/v1/cases?as_of=2021-08-16").json()["cases"][0]
    case = yaml.safe_load(sample.read_text(encoding="utf-8"))
    case["events"].append({"date": "2021-08-02", "type": "conversation", "kind": "individual", "by": "jobcenter"})
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(case, default=str))
    assert CliRunner().invoke(cli, ["import", str(changed), "--db", db]).exit_code == 0
    after = client.get("/api/v1/cases?as_of=2021-08-16").json()["cases"][0]
    assert before["case_id"] == after["case_id"] == "EX-1001"
    assert (before["next_rule"], before["due"]) != (after["next_rule"], after["due"]) or before["open"] != after["open"]


def test_the_worklist_reads_one_page_from_sql_not_every_case(client, monkeypatch):
    """After the fill, a page is read with LIMIT: the engine is not asked again."""
    client.get("/api/v1/cases?as_of=2021-08-17")
    service = client.app.state.service
    monkeypatch.setattr(service.engine, "check", lambda *a, **k: pytest.fail("a filled worklist evaluated a case"))
    assert client.get("/api/v1/cases?as_of=2021-08-17&page=2").json()["total"] == 75


# -- rules, audit, health, the document ----------------------------------------------------------------

def test_rules_have_validity_citation_and_quote(client):
    rules = client.get("/api/v1/rules").json()
    assert rules["rules"] and all(r["source"]["quote"] and r["source"]["cite"] and r["valid_from"] for r in rules["rules"])
    one = client.get("/api/v1/rules/contact-course-4-conversations").json()["rules"]
    assert one and {r["id"] for r in one} == {"contact-course-4-conversations"}
    assert client.get("/api/v1/rules/no-such-rule").status_code == 404


def test_the_audit_gives_the_numbers_of_sagsrute_audit(client, db_path, tmp_path):
    day = "2021-12-31"
    out = tmp_path / "csv"
    result = CliRunner().invoke(cli, ["audit", "--db", db_path, "--as-of", day, "--csv", str(out), "--no-store", "-q"])
    assert result.exit_code == 0, result.output
    with (out / "rules.csv").open(encoding="utf-8") as handle:
        expected = {row["rule"]: row for row in csv.DictReader(handle)}
    got = client.get(f"/api/v1/audit?as_of={day}&group_by=team").json()
    assert {r["rule"] for r in got["rules"]} == set(expected)
    for row in got["rules"]:
        for column in ("population", "met", "met_late", "overdue", "open", "exempt"):
            assert str(row[column]) == expected[row["rule"]][column], (row["rule"], column)
    assert got["groups"]["team"] and got["cases"] == 75


def test_health(client):
    # the supervisor's question: no credentials needed, nothing about the cases in the answer
    assert client.get("/api/v1/health").json() == {"status": "ok", "rules_version": client.app.state.service.label}


def test_the_checked_in_openapi_document_is_the_apps(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served == build_openapi(client.app)
    assert json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")) == served, \
        "docs/openapi.json is stale: python -m engine.web.openapi > docs/openapi.json"


# -- PostgreSQL ----------------------------------------------------------------------------------------

def test_serve_on_postgresql(postgres_url):  # noqa: F811
    import_samples(postgres_url)
    client = signed_in(TestClient(create_app(Settings(db=postgres_url))))
    sample = ROOT / "samples" / "cases" / "kontanthjaelp-jobparat-2021.yaml"
    day = sample_as_of(sample)
    assert client.get(f"/api/v1/cases/EX-1001?as_of={day}").json() == cli_json("check", str(sample), "--as-of", day)
    first = client.get(f"/api/v1/cases?as_of={day}").json()
    assert first["total"] >= 75 and first["cases"][0]["status"] == "overdue"
    assert client.get(f"/api/v1/cases?as_of={day}").json() == first  # filled once, read again
    assert client.get(f"/api/v1/audit?as_of={day}").json()["cases"] == first["total"]
    assert client.get(f"/cases/EX-1001?as_of={day}").status_code == 200


def test_each_dashboard_figure_leads_to_as_many_duties(client):
    """The drill-down: a team's, a caseworker's and a rule's figure, "(none)" included, is the number
    of duties the page behind it lists."""
    day = "2021-12-31"
    groups = client.get(f"/api/v1/audit?as_of={day}&group_by=team&group_by=caseworker").json()["groups"]
    for dimension in ("team", "caseworker"):
        totals: dict = {}
        for row in groups[dimension]:
            totals[row[dimension]] = totals.get(row[dimension], 0) + row["overdue"]
        for value in ("(none)", sorted(v for v in totals if v != "(none)")[0]):
            page = client.get("/dashboard/duties", params={"as_of": day, dimension: value, "status": "overdue"}).text
            assert f"af {totals[value]} pligter vist" in page, (dimension, value)


def test_the_timeline_draws_what_exists_on_the_as_of_date():
    """Benefit bars, one mark per event, one flag per duty, the as-of line; nothing after the date."""
    from engine.core.check import Engine
    from engine.report.timeline import timeline_svg
    from models.case import Case

    sample = ROOT / "samples" / "cases" / "kontanthjaelp-ret-og-pligt-postponed-2021.yaml"
    case = Case.model_validate(yaml.safe_load(sample.read_text(encoding="utf-8")))
    engine = Engine.from_directory()
    for day in ("2021-10-01", "2021-03-01"):
        result = engine.check(case, date.fromisoformat(day), "en")
        svg = timeline_svg(case, result, "en")
        shown = [e for e in case.events if e.date <= result.as_of]
        assert svg.count("<title>conversation ") == sum(e.type == "conversation" for e in shown)
        assert svg.count(": due ") == len(result.actions)
        assert f"as of {day}" in svg
        assert ("virksomhedspraktik" in svg) == any(e.type == "offer" for e in shown)
        assert ("ret og pligt postponed" in svg) == any(x.start <= result.as_of for x in case.exemptions)


# -- no case data in a URL's query (proxies log URLs) ----------------------------------------------------

CASE_KEYS = {"q", "case_id", "case"}


class _Links(HTMLParser):
    """Every URL a page leads to with a query: links, form actions, and the query a GET form builds
    from its fields."""

    def __init__(self):
        super().__init__()
        self.queries: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: Optional[tuple[str, list]] = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.queries.append((a["href"], parse_qsl(urlsplit(a["href"]).query, keep_blank_values=True)))
        elif tag == "form":
            action = a.get("action") or ""
            self.queries.append((action, parse_qsl(urlsplit(action).query, keep_blank_values=True)))
            self._form = (action, []) if a.get("method", "get").lower() == "get" else None
        elif tag in ("input", "select", "textarea") and self._form is not None and a.get("name"):
            self._form[1].append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.queries.append((f"{self._form[0]} (GET form)", self._form[1]))
            self._form = None


def test_no_link_form_or_api_parameter_puts_a_case_id_in_a_query(client):
    """Every link and form of every page (worklist, a search's result, case, dashboard, the duties
    behind a figure, rules, the API's page, an error) and every query parameter of the API: none is
    named q, case_id or case, and no query value holds a stored case's id."""
    day = "2021-08-16"
    ids = {r["case_id"] for n in (1, 2) for r in client.get(f"/api/v1/cases?as_of={day}&page={n}").json()["cases"]}
    csrf = client.headers["X-CSRF-Token"]
    pages = {"worklist": client.get(f"/?as_of={day}&team=voksen&page=1"),
             "search": client.post(f"/?as_of={day}&status=overdue", data={"csrf": csrf, "q": "CL-0"}),
             "search, page 2": client.post(f"/?as_of={day}&page=2", data={"csrf": csrf, "q": "CL-0"}),
             "case": client.get(f"/cases/EX-1001?as_of={day}"),
             "dashboard": client.get(f"/dashboard?as_of={day}"),
             "duties": client.get(f"/dashboard/duties?as_of={day}&status=overdue"),
             "forecast": client.get(f"/dashboard/forecast?as_of={day}"),
             "rules": client.get("/rules?lang=en"), "api": client.get("/api/docs"),
             "error": client.get("/cases/NO-SUCH-CASE")}
    assert "pager" in pages["search"].text and 'name="q" value="CL-0"' in pages["search, page 2"].text
    walked = 0
    for name, response in pages.items():
        assert response.status_code in (200, 404), (name, response.status_code)
        links = _Links()
        links.feed(response.text)
        for url, query in links.queries:
            walked += 1
            assert not CASE_KEYS & {key for key, _ in query}, (name, url)
            assert not [value for _, value in query if any(i in value for i in ids)], (name, url)
    assert walked > 100
    document = client.get("/api/v1/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert not CASE_KEYS & names, (method, path)
    assert '{"q": "…"}' in html.unescape(pages["api"].text.split("POST /api/v1/case-search", 1)[1].split("</section>")[0])
    worklist = {p["name"] for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert worklist == {"as_of", "lang", "team", "caseworker", "status", "due_before", "page"}


def test_the_worklist_search_posts_the_case_id_and_opens_an_exact_match(client):
    csrf = client.headers["X-CSRF-Token"]
    page = client.get("/?as_of=2021-08-16&team=voksen")
    assert re.search(r'<form class="filters search" method="post" action="/\?as_of=2021-08-16&amp;team=voksen">', page.text)
    assert re.search(r'<form class="filters" method="get" action="/">(?:(?!</form>).)*name="q"', page.text, re.S) is None
    found = client.post("/?as_of=2021-08-16", data={"csrf": csrf, "q": "EX-100"})
    assert found.status_code == 200 and "4 sager" in found.text
    exact = client.post("/?as_of=2021-08-16&lang=en", data={"csrf": csrf, "q": "EX-1001"}, follow_redirects=False)
    assert exact.status_code == 303 and exact.headers["location"] == "/cases/EX-1001?as_of=2021-08-16&lang=en"
    cpr = client.post("/", data={"csrf": csrf, "q": CPR}, follow_redirects=False)
    assert cpr.status_code == 200 and "Ingen sager passer." in cpr.text
    assert client.post("/", data={"csrf": csrf, "q": "x" * 201}).status_code == 422


def test_the_texts_say_what_access_control_makes_true(client, tmp_path):
    """serve's help, its refusal, the pages' footer and the docs: loopback unless someone must sign
    in (a user in the database, or single sign-on), no longer "until access control exists"."""
    from engine import texts
    from engine.io.storage import db_url, open_db

    stale = ("until access control exists", "indtil adgangsstyring findes", "loopback only for now")
    help_text = " ".join(CliRunner().invoke(cli, ["serve", "--help"], terminal_width=100).output.split())
    assert "users exist in the database or the trusted-header mode" in help_text
    db = tmp_path / "empty.sqlite"
    open_db(db_url(str(db))).dispose()
    refused = CliRunner().invoke(cli, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "binds to loopback only" in said and "until someone must sign in" in said
    footer = client.get("/rules?lang=en").text.rsplit("<footer>", 1)[1]
    assert texts.words(texts.WEB, "en")["access_note"] in footer
    shown = [help_text, said, footer, (ROOT / "docs" / "web.md").read_text(encoding="utf-8"),
             (ROOT / "README.md").read_text(encoding="utf-8"),
             *(v for table in (texts.WEB, texts.SERVE) for pair in table.values() for v in pair)]
    assert not [s for s in stale for text in shown if s in " ".join(text.split())]


# -- the workload forecast on the dashboard (issue 18) ----------------------------------------------------

_FORECAST_ROW = re.compile(r'<tr data-week="(\d+)">(.*?)</tr>', re.S)
_FORECAST_CELL = re.compile(r'data-kind="(\w+)">([\d,]+)<')


def forecast_tables(page: str) -> dict:
    """{(table id, week): {kind: count}} of every forecast table of the page (English numbers)."""
    found = {}
    for table_id, body in re.findall(r'<table id="(forecast-table[-\d]*)" class="forecast">(.*?)</table>', page, re.S):
        for week, cells in _FORECAST_ROW.findall(body):
            found[(table_id, int(week))] = {k: int(n.replace(",", "")) for k, n in _FORECAST_CELL.findall(cells)}
    return found


def expected_forecast(service, day: date, teams: Optional[list] = None):
    """``sagsrute forecast``'s runner over the stored cases of ``teams`` (None: all of them)."""
    from engine.batch.forecast import run_forecast
    from engine.io.sources import db_items
    from engine.io.storage import iter_stored_json

    if teams is None:
        items = db_items(iter_stored_json(service.db))
    else:
        items = (item for t in teams for item in db_items(iter_stored_json(service.db, team=t)))
    return run_forecast(service.ruleset, items, day)


def assert_page_is(page: str, totals) -> None:
    tables = forecast_tables(page)
    wanted = {}
    ids = {None: "forecast-table", **{g: f"forecast-table-{i}" for i, g in enumerate(totals.groups())}}
    for row in totals.rows():
        wanted[(ids[row["group"]], row["week"])] = {k: row[k] for k in ("conversation", "offer", "other", "total")}
    assert tables == wanted
    assert len(wanted) == (len(totals.groups()) + 1) * 13  # weeks 0 … 12, all and per team


def test_the_dashboards_forecast_is_the_forecast_commands(client):
    """GET /dashboard/forecast (linked from the dashboard) shows engine.batch.forecast's numbers for
    the dashboard's as-of date, overall and per team, each drawn with the HTML report's stacked bars."""
    day = date(2021, 6, 30)
    service = client.app.state.service
    as_principal(client, Principal("pia", "policy", None))
    try:
        assert f'href="/dashboard/forecast?as_of={day}&amp;lang=en"' in client.get(f"/dashboard?as_of={day}&lang=en").text
        page = client.get(f"/dashboard/forecast?as_of={day}&lang=en")
        assert page.status_code == 200
        totals = expected_forecast(service, day)
        assert totals.cell(0) and sum(totals.cell(k) for k in range(1, 13))  # a backlog and weeks to come
        assert_page_is(page.text, totals)
        assert page.text.count('<svg id="chart-forecast') == len(totals.groups()) + 1
        assert f"Cases: {totals.cases}" in page.text
        as_principal(client, Principal("kw-03", "caseworker", frozenset({"voksen"})))
        assert client.get(f"/dashboard/forecast?as_of={day}").status_code == 403
    finally:
        client.app.dependency_overrides.clear()


def test_a_team_lead_sees_the_forecast_of_their_teams_only(client):
    day = date(2021, 6, 30)
    service = client.app.state.service
    as_principal(client, Principal("tl-1", "teamlead", frozenset({"Jobparate", "Unge"})))
    try:
        page = client.get(f"/dashboard/forecast?as_of={day}&lang=en").text
        totals = expected_forecast(service, day, ["Jobparate", "Unge"])
        assert totals.groups() == ["Jobparate", "Unge"] and totals.cases == 24
        assert_page_is(page, totals)
        assert "Forsikrede" not in page and "Sygedagpenge" not in page
        assert client.get(f"/dashboard/forecast?as_of={day}&team=Forsikrede").status_code == 403
    finally:
        client.app.dependency_overrides.clear()
