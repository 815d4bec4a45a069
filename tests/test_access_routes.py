"""Authorisation on every route (issue 17), generated from the app's route table: a route that is
not declared here with the roles it allows fails the test; every declared route is refused without
credentials, after a wrong password, with an expired session, with a revoked token and to every
role it does not allow, and answers another team's user without that team's cases. A case outside
the user's teams answers byte for byte as an unknown case; each case view is logged exactly once
with the right user; the log survives a restart and no route changes it; CSRF, the security
headers, the cookies and the trusted-header mode. In process (FastAPI's test client), on SQLite
and on a real PostgreSQL."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import update

from engine.access import log
from engine.access.crypto import csrf_for_session
from engine.access.sessions import create_session
from engine.access.settings import load_settings
from engine.access.tokens import create_token, revoke_token
from engine.access.users import add_user, get_user, set_disabled
from engine.io.importer import import_paths
from engine.io.storage import db_url, open_db
from models.access import WebSession
from tests.test_access import CHEAP, postgres_server  # noqa: F401 (the PostgreSQL fixtures)
from tests.test_storage import postgres_url  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note that it would rather have httpx2
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
# The test client speaks plain http; throttling has its own tests (here it would stop the wrong-password runs).
CONFIG = load_settings(**CHEAP, cookie_secure=False, login_max_failures=10000, login_max_failures_per_address=10000)

# -- the route table: every route of the app with the principals it allows ----------------------------

USERS = {"anna": ("caseworker", ["nord"]), "sven": ("caseworker", ["syd"]), "tove": ("teamlead", ["nord"]),
         "tor": ("teamlead", ["syd"]), "pia": ("policy", []), "root": ("admin", [])}
EVERYONE = frozenset(USERS) | {"token"}
PEOPLE = frozenset(USERS)
CASES = frozenset({"anna", "tove", "token"})  # who may see case A-1 (team nord)
CASE_READERS = frozenset({"anna", "sven", "tove", "tor", "token"})
FIGURES = frozenset({"tove", "tor", "pia"})


@dataclass(frozen=True)
class Spec:
    allowed: frozenset  # the principals that get an answer (a case route: for a case of their team)
    kind: str = "any"  # case (one case of team nord), list (cases), figures, any, public, session


ROUTES = {
    ("POST", "/api/v1/check"): Spec(EVERYONE),  # a posted timeline: nothing stored is read
    ("GET", "/api/v1/cases/{case_id}"): Spec(CASES, "case"),
    ("GET", "/api/v1/cases"): Spec(CASE_READERS, "list"),
    ("POST", "/api/v1/case-search"): Spec(CASE_READERS, "list"),
    ("GET", "/api/v1/rules"): Spec(EVERYONE),
    ("GET", "/api/v1/rules/{rule_id}"): Spec(EVERYONE),
    ("GET", "/api/v1/audit"): Spec(FIGURES, "figures"),
    ("GET", "/api/v1/health"): Spec(EVERYONE, "public"),
    ("GET", "/api/v1/openapi.json"): Spec(EVERYONE),
    ("GET", "/api/docs"): Spec(EVERYONE),
    ("GET", "/static/sagsrute.css"): Spec(EVERYONE, "public"),
    ("GET", "/"): Spec(CASE_READERS - {"token"}, "list"),
    ("POST", "/"): Spec(CASE_READERS - {"token"}, "list"),  # the case-id search, in the form body
    ("GET", "/cases/{case_id}"): Spec(CASES - {"token"}, "case"),
    ("GET", "/dashboard"): Spec(FIGURES, "figures"),
    ("GET", "/dashboard/duties"): Spec(FIGURES, "figures"),
    ("GET", "/dashboard/forecast"): Spec(FIGURES, "figures"),
    ("GET", "/rules"): Spec(PEOPLE),
    ("GET", "/login"): Spec(EVERYONE, "public"),
    ("POST", "/login"): Spec(EVERYONE, "public"),
    ("POST", "/logout"): Spec(PEOPLE, "session"),
    ("GET", "/admin/access-log"): Spec(frozenset({"root"})),
    ("POST", "/admin/access-log"): Spec(frozenset({"root"})),
}


def flat_routes(routes, prefix: str = ""):
    """(path, methods) of every route, through the included routers (FastAPI keeps them nested)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from flat_routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, getattr(route, "methods", None) or ()


def app_routes(app) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in flat_routes(app.routes) for method in methods if method != "HEAD"}


def undeclared(app, table=ROUTES) -> set[tuple[str, str]]:
    return app_routes(app) ^ set(table)


# -- the world: three cases in two teams, six users, two tokens ---------------------------------------


def case(case_id: str, team) -> dict:
    citizen = {"birth_date": "1990-01-01", "education": "grundskole", "caseworker": "AB"}
    if team is not None:
        citizen["team"] = team
    return {"case_id": case_id, "citizen": citizen,
            "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04"}],
            "events": [{"type": "conversation", "date": "2021-01-05"}]}


class World:
    def __init__(self, url: str, folder: Path):
        from engine.web.app import create_app
        from engine.web.service import Settings

        self.url = url
        self.db = open_db(url)
        cases = folder / "cases.jsonl"
        cases.write_text("\n".join(json.dumps(case(c, t)) for c, t in
                                   (("A-1", "nord"), ("A-2", "nord"), ("B-1", "syd"), ("U-1", None))),
                         encoding="utf-8")
        import_paths(self.db, [cases])
        for name, (role, teams) in USERS.items():
            add_user(self.db, CONFIG, name, role, teams, PASSWORD)
        add_user(self.db, CONFIG, "gone", "caseworker", ["nord"], PASSWORD)
        _, self.token = create_token(self.db, "momentum", ["nord"])
        _, self.syd_token = create_token(self.db, "momentum-syd", ["syd"])
        revoked, self.revoked_token = create_token(self.db, "old", ["nord"])
        revoke_token(self.db, revoked.id)
        self.app = create_app(Settings(db=url))
        self.app.state.access_settings = CONFIG
        self.rule_id = self.app.state.service.ruleset.rules[0].id
        self.clients: dict[str, TestClient] = {}

    def client(self, **kwargs) -> TestClient:
        return TestClient(self.app, follow_redirects=False, **kwargs)

    def signed_in(self, name: str) -> TestClient:
        """A client signed in through the login form (one per user, reused)."""
        if name not in self.clients:
            client = self.client()
            response = login(client, name, PASSWORD)
            assert response.status_code == 303, response.text
            self.clients[name] = client
        return self.clients[name]

    def as_principal(self, who: str) -> TestClient:
        if who == "token":
            return self.client(headers={"Authorization": f"Bearer {self.token}"})
        return self.signed_in(who)

    def fresh_session(self, name: str) -> TestClient:
        client = self.client()
        login(client, name, PASSWORD)
        return client


def login(client: TestClient, name: str, password: str, lang: str = "da"):
    form = client.get(f"/login?lang={lang}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/login", data={"user": name, "password": password, "csrf": csrf, "lang": lang})


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("routes")
    url = db_url(str(folder / "w.sqlite")) if request.param == "sqlite" else request.getfixturevalue("postgres_server")()
    made = World(url, folder)
    yield made
    made.db.dispose()


def call(world: World, client: TestClient, method: str, path: str):
    """One request to a route, its path filled in (case A-1 of team nord), with the CSRF token a
    signed-in browser's page would carry."""
    url = path.replace("{case_id}", "A-1").replace("{rule_id}", world.rule_id)
    cookie = client.cookies.get("sagsrute_session")
    csrf = csrf_for_session(cookie) if cookie else "none"
    if method == "GET":
        return client.get(url)
    if path == "/api/v1/check":
        return client.post(url, json=case("A-1", "nord"), headers={"X-CSRF-Token": csrf})
    if path == "/api/v1/case-search":
        return client.post(url, json={"q": "-"}, headers={"X-CSRF-Token": csrf})
    if path == "/login":
        return login(client, "anna", PASSWORD)
    return client.post(url, data={"csrf": csrf, "lang": "da"})


def refused(response) -> bool:
    if response.status_code == 303:
        return response.headers["location"].startswith("/login")
    return response.status_code in (401, 403, 404) and "A-2" not in response.text


def guarded(world):
    return [(m, p) for (m, p), spec in ROUTES.items() if spec.kind != "public"]


# -- the tests -----------------------------------------------------------------------------------------


def test_every_route_is_declared_with_the_roles_it_allows(world):
    assert undeclared(world.app) == set(), "a route of the app is not in ROUTES (declare who may call it)"
    assert not any(m in ("PUT", "PATCH", "DELETE") for m, _ in app_routes(world.app))  # nothing edits


def test_a_new_route_without_a_check_is_caught(world):
    """The two ways a new route could slip through: not declared, or declared but not checked."""
    from fastapi import Depends

    from engine.web.app import create_app
    from engine.web.deps import get_principal
    from engine.web.service import Settings

    app = create_app(Settings(db=world.url))
    app.state.access_settings = CONFIG

    @app.get("/api/v1/cases-export", dependencies=[Depends(get_principal)])
    def export():
        return {"cases": ["A-1", "A-2"]}

    assert undeclared(app) == {("GET", "/api/v1/cases-export")}
    # Declared for caseworkers, it still answers an admin: the role check below flags it.
    client = TestClient(app, follow_redirects=False)
    login(client, "root", PASSWORD)
    assert not refused(client.get("/api/v1/cases-export"))
    anonymous = TestClient(app, follow_redirects=False).get("/api/v1/cases-export")
    assert anonymous.status_code == 401  # the gate holds even for an unchecked route


@pytest.mark.parametrize("credentials", ["none", "wrong password", "expired session", "revoked token",
                                         "disabled user"])
def test_every_guarded_route_refuses_bad_credentials(world, credentials):
    failures = []
    for method, path in guarded(world):
        if credentials == "none":
            client = world.client()
        elif credentials == "wrong password":
            client = world.client()
            assert login(client, "anna", "not the password").status_code == 401
        elif credentials == "revoked token":
            client = world.client(headers={"Authorization": f"Bearer {world.revoked_token}"})
        elif credentials == "expired session":
            client = world.client()
            cookie = create_session(world.db, CONFIG, get_user(world.db, "anna").id)
            with world.db.begin() as conn:
                conn.execute(update(WebSession).where(WebSession.expires_at > datetime.now(timezone.utc))
                             .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
            client.cookies.set("sagsrute_session", cookie)
        else:
            client = world.fresh_session("gone")
            set_disabled(world.db, "gone")
        response = call(world, client, method, path)
        if credentials == "disabled user":
            set_disabled(world.db, "gone", False)
        if not refused(response):
            failures.append((method, path, response.status_code))
    assert failures == [], f"answered with {credentials}: {failures}"


def test_every_route_answers_only_the_roles_it_allows(world):
    wrong = []
    for (method, path), spec in ROUTES.items():
        if spec.kind in ("public", "session"):
            continue
        for who in sorted(EVERYONE):
            response = call(world, world.as_principal(who), method, path)
            allowed = who in spec.allowed
            if allowed and response.status_code != 200 or not allowed and not refused(response):
                wrong.append((method, path, who, response.status_code))
    assert wrong == []


def test_another_teams_user_sees_none_of_that_teams_cases(world):
    for who in ("sven", "tor"):
        client = world.as_principal(who)
        assert client.get("/api/v1/cases/A-1").status_code == 404
        assert client.get("/cases/A-1").status_code == 404
        listed = client.get("/api/v1/cases").json()
        assert [c["case_id"] for c in listed["cases"]] == ["B-1"]
        page = client.get("/")
        assert page.status_code == 200 and "B-1" in page.text and "A-1" not in page.text
        nord = client.get("/?team=nord")
        assert "A-1" not in nord.text and "A-2" not in nord.text
    token = world.client(headers={"Authorization": f"Bearer {world.syd_token}"})
    assert token.get("/api/v1/cases/A-1").status_code == 404
    figures = world.as_principal("tor").get("/api/v1/audit").json()
    assert figures["cases"] == 1  # the syd team lead's figures are syd's alone
    assert world.as_principal("tove").get("/api/v1/audit").json()["cases"] == 2
    assert world.as_principal("pia").get("/api/v1/audit").json()["cases"] == 4  # with the unassigned U-1
    duties = world.as_principal("tor").get("/dashboard/duties?team=nord")  # another team's figures: refused
    assert duties.status_code == 403 and "A-1" not in duties.text and "A-2" not in duties.text
    assert world.as_principal("tor").get("/dashboard/duties?team=syd").status_code == 200


def test_another_teams_case_answers_exactly_as_an_unknown_case(world):
    """Identical but for the id the client itself sent (the page's language link repeats its URL): the
    same length, so the same headers."""
    for who, prefixes in (("anna", ("/api/v1/cases/", "/cases/")), ("token", ("/api/v1/cases/",))):
        client = world.as_principal(who)
        for prefix in prefixes:
            theirs, unknown = client.get(prefix + "B-1"), client.get(prefix + "Z-9")
            assert theirs.status_code == unknown.status_code == 404
            assert theirs.content.replace(b"B-1", b"{id}") == unknown.content.replace(b"Z-9", b"{id}")
            assert {k: v for k, v in theirs.headers.items() if k != "date"} == \
                   {k: v for k, v in unknown.headers.items() if k != "date"}


def test_each_case_view_is_logged_exactly_once_with_the_right_user(world):
    for path in ("/cases/A-1", "/api/v1/cases/A-1"):
        for who in sorted(EVERYONE):
            before = log.query(world.db, case="A-1", action="view_case")
            response = world.as_principal(who).get(path)
            after = log.query(world.db, case="A-1", action="view_case")
            new = after[len(before):]
            if response.status_code == 200:
                name = "token:momentum#1" if who == "token" else who
                assert [(e.user_name, e.route) for e in new] == [(name, f"GET {path.replace('A-1', '{case_id}')}")]
                assert new[0].address == "testclient"
            else:
                assert new == [], (path, who)
    # a refused look at another team's case is no view of it
    world.as_principal("sven").get("/cases/A-1")
    assert not [e for e in log.query(world.db, case="A-1") if e.user_name == "sven"]


def test_the_duties_behind_a_figure_are_logged_as_an_export_once_per_view(world):
    """The drill-down lists case rows: each view is one export entry of the user who saw it; a
    refused one (a caseworker, another team's figures) is none."""
    for who, path, shown in (("tove", "/dashboard/duties?as_of=2021-03-01", True),
                             ("pia", "/dashboard/duties?as_of=2021-03-01&status=overdue", True),
                             ("anna", "/dashboard/duties", False), ("tor", "/dashboard/duties?team=nord", False)):
        before = log.query(world.db, action="export")
        response = world.as_principal(who).get(path)
        new = log.query(world.db, action="export")[len(before):]
        assert response.status_code == (200 if shown else 403), (who, response.status_code)
        if shown:
            assert [(e.user_name, e.what, e.route) for e in new] == [(who, "dashboard duties", "GET /dashboard/duties")]
        else:
            assert new == [], who


def test_the_worklist_search_is_a_form_post_with_the_csrf_token(world):
    """The case id goes in the body, never the URL; an exact id of the user's teams opens the case,
    another team's id is no match; without the session's token the post is refused."""
    anna = world.as_principal("anna")
    csrf = csrf_for_session(anna.cookies.get("sagsrute_session"))
    found = anna.post("/?as_of=2021-03-01&lang=en", data={"csrf": csrf, "q": "A-"})
    assert found.status_code == 200 and "A-1" in found.text and "A-2" in found.text and "B-1" not in found.text
    assert 'method="post" action="/?as_of=2021-03-01&amp;lang=en"' in found.text
    exact = anna.post("/?as_of=2021-03-01&lang=en", data={"csrf": csrf, "q": " A-1 "})
    assert exact.status_code == 303 and exact.headers["location"] == "/cases/A-1?as_of=2021-03-01&lang=en"
    theirs = anna.post("/", data={"csrf": csrf, "q": "B-1"})
    assert theirs.status_code == 200 and "B-1" not in theirs.text.split("<main", 1)[1].replace('value="B-1"', "")
    assert anna.post("/", data={"q": "A-1"}).status_code == 403
    assert anna.post("/", data={"csrf": "forged", "q": "A-1"}).status_code == 403
    assert not [e for e in log.query(world.db, action="view_case") if e.route.startswith("POST")]


def test_logins_failures_and_logouts_are_logged(world):
    client = world.client()
    assert login(client, "tove", "wrong password here").status_code == 401
    assert login(client, "tove", PASSWORD).status_code == 303
    csrf = csrf_for_session(client.cookies.get("sagsrute_session"))
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    actions = [(e.user_name, e.action, e.route) for e in log.query(world.db, user="tove")][-3:]
    assert actions == [("tove", "login_failed", "POST /login"), ("tove", "login", "POST /login"),
                       ("tove", "logout", "POST /logout")]
    assert client.get("/").status_code == 303  # the session is gone


def test_the_log_survives_a_restart_and_no_route_changes_it(world):
    from engine.web.app import create_app
    from engine.web.service import Settings

    world.as_principal("anna").get("/cases/A-2")
    count = len(log.query(world.db))
    app = create_app(Settings(db=world.url))  # a new process's app on the same database
    app.state.access_settings = CONFIG
    admin = TestClient(app, follow_redirects=False)
    login(admin, "root", PASSWORD)
    for method in ("PUT", "PATCH", "DELETE"):
        assert admin.request(method, "/admin/access-log").status_code == 405
    csrf = csrf_for_session(admin.cookies.get("sagsrute_session"))
    page = admin.post("/admin/access-log", data={"csrf": csrf, "case": "A-2", "user": "anna"})
    assert page.status_code == 200 and "A-2" in page.text and "GET /cases/{case_id}" in page.text
    entries = log.query(world.db)
    assert len(entries) == count + 2  # the admin's login and the admin's reading: nothing removed
    assert entries[-1].action == "view_log" and entries[-1].what == "A-2"


def test_the_admin_page_is_the_admins_alone_and_filters_in_the_body(world):
    assert world.as_principal("anna").get("/admin/access-log").status_code == 403
    admin = world.as_principal("root")
    page = admin.get("/admin/access-log")
    assert page.status_code == 200 and 'method="post" action="/admin/access-log"' in page.text
    assert admin.post("/admin/access-log", data={"case": "A-1"}).status_code == 403  # no CSRF token


def test_csrf_guards_every_write_by_a_session(world):
    client = world.fresh_session("anna")
    cookie = client.cookies.get("sagsrute_session")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    body = case("A-1", "nord")
    assert client.post("/api/v1/check", json=body).status_code == 403
    assert client.post("/api/v1/check", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/v1/check", json=body, headers={"X-CSRF-Token": csrf_for_session(cookie)}).status_code == 200
    assert client.post("/api/v1/check", json=body, headers={"X-CSRF-Token": csrf_for_session(cookie),
                                                            "Origin": "https://evil.example"}).status_code == 403
    token = world.client(headers={"Authorization": f"Bearer {world.token}"})
    assert token.post("/api/v1/check", json=body).status_code == 200  # a token is not sent by a browser
    bare = world.client()
    bare.get("/login")
    assert bare.post("/login", data={"user": "anna", "password": PASSWORD, "csrf": "guess"}).status_code == 403


def test_the_session_cookie_is_httponly_samesite_secure_with_an_expiry(world):
    from engine.web.app import create_app
    from engine.web.service import Settings

    app = create_app(Settings(db=world.url))
    app.state.access_settings = CONFIG.model_copy(update={"cookie_secure": True})  # the default: Secure
    client = TestClient(app, follow_redirects=False, base_url="https://testserver")
    response = login(client, "anna", PASSWORD)
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("sagsrute_session="))
    assert {"secure", "httponly", "samesite=lax", "path=/", "max-age=28800"} <= {p.strip().lower() for p in cookie.split(";")}
    assert response.headers["location"] == "/?lang=da"
    assert "strict-transport-security" in response.headers


def test_every_answer_carries_the_security_headers(world):
    anna = world.as_principal("anna")
    answers = {"case page": anna.get("/cases/A-1"), "worklist": anna.get("/"), "api": anna.get("/api/v1/cases/A-1"),
               "404": anna.get("/cases/NOPE"), "login": world.client().get("/login"),
               "refused": world.client().get("/api/v1/cases"), "redirect": world.client().get("/cases/A-1")}
    for name, response in answers.items():
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "same-origin", name
        assert response.headers["cache-control"] == "no-store", name
    assert "no-store" not in anna.get("/static/sagsrute.css").headers["cache-control"]
    assert "<script" not in answers["case page"].text and "<script" not in answers["login"].text


def test_the_trusted_header_is_taken_only_from_the_proxy(world):
    from engine.web.app import create_app
    from engine.web.service import Settings

    app = create_app(Settings(db=world.url))
    app.state.access_settings = CONFIG.model_copy(update={"trusted_header": "X-Remote-User",
                                                          "trusted_proxies": ["10.0.0.2"]})
    proxy = TestClient(app, follow_redirects=False, client=("10.0.0.2", 40000))
    elsewhere = TestClient(app, follow_redirects=False, client=("10.0.0.9", 40000))
    assert proxy.get("/api/v1/cases/A-1", headers={"X-Remote-User": "anna"}).status_code == 200
    assert proxy.get("/api/v1/cases/A-1", headers={"X-Remote-User": "sven"}).status_code == 404
    assert proxy.get("/api/v1/cases/A-1", headers={"X-Remote-User": "nobody"}).status_code == 401
    assert proxy.get("/api/v1/cases/A-1").status_code == 401
    assert elsewhere.get("/api/v1/cases/A-1", headers={"X-Remote-User": "anna"}).status_code == 401
    page = proxy.get("/", headers={"X-Remote-User": "tove"})
    assert page.status_code == 200 and "tove" in page.text and "A-1" in page.text and "B-1" not in page.text
    assert log.query(world.db, user="anna", case="A-1")[-1].address == "10.0.0.2"


def test_a_token_reads_the_api_but_no_page(world):
    token = world.as_principal("token")
    assert token.get("/api/v1/cases/A-1").status_code == 200
    assert token.get("/cases/A-1").status_code == 303  # a page is for a person, who signs in
    assert world.client(headers={"Authorization": "Basic YW5uYTp4"}).get("/api/v1/cases").status_code == 401


def test_teams_star_is_every_team_and_the_unassigned_cases(world):
    if get_user(world.db, "vis") is None:
        add_user(world.db, CONFIG, "vis", "teamlead", ["*"], PASSWORD)
    client = world.signed_in("vis")
    listed = {c["case_id"] for c in client.get("/api/v1/cases").json()["cases"]}
    assert listed == {"A-1", "A-2", "B-1", "U-1"}
    assert client.get("/cases/U-1").status_code == 200
    assert world.as_principal("anna").get("/cases/U-1").status_code == 404  # no team: not anna's
    _, value = create_token(world.db, "visitation", ["*"])
    assert world.client(headers={"Authorization": f"Bearer {value}"}).get("/api/v1/cases/U-1").status_code == 200
