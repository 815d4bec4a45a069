"""Access control against a real `sagsrute serve` process on loopback (issue 17): login throttling
under a bounded burst of wrong passwords across two worker processes, and a real Chromium
(Debian's, driven by Playwright) that signs in, sees only its own team's worklist, signs out, and
finds no case data behind the back button."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from engine.access import log
from engine.access.settings import load_settings
from engine.access.users import add_user
from engine.io.importer import import_paths
from engine.io.storage import db_url, open_db
from tests.test_access import CHEAP

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--disable-gpu", "--disable-quic",
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
PASSWORD = "correct horse battery staple"
BURST = 40  # wrong passwords, 16 at a time: bounded in count and time
LIMIT = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def case(case_id: str, team: str) -> dict:
    return {"case_id": case_id,
            "citizen": {"birth_date": "1990-01-01", "education": "grundskole", "team": team, "caseworker": "AB"},
            "benefits": [{"type": "kontanthjaelp", "start": "2021-01-04"}],
            "events": [{"type": "conversation", "date": "2021-01-05"}]}


def start_server(folder: Path, workers: int, **env) -> tuple[subprocess.Popen, str, object]:
    """A database with cases of two teams and two users, and `sagsrute serve` on it."""
    path = folder / "serve.sqlite"
    db = open_db(db_url(str(path)))
    cases = folder / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(case(c, t)) for c, t in
                               (("NORD-1", "nord"), ("NORD-2", "nord"), ("SYD-1", "syd"))), encoding="utf-8")
    import_paths(db, [cases])
    config = load_settings(**CHEAP)
    add_user(db, config, "anna", "caseworker", ["nord"], PASSWORD)
    add_user(db, config, "sven", "caseworker", ["syd"], PASSWORD)
    port = free_port()
    environment = {**os.environ, "SAGSRUTE_ARGON2_TIME_COST": "1", "SAGSRUTE_ARGON2_MEMORY_KIB": "8",
                   "SAGSRUTE_ARGON2_PARALLELISM": "1", "SAGSRUTE_LOGIN_MAX_FAILURES": str(LIMIT), **env}
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", str(path), "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=1) as answer:
                if answer.status == 200:
                    return process, base, db
        except OSError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.terminate()
    pytest.fail("the server did not start: " + process.stdout.read().decode(errors="replace"))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def try_login(base: str, name: str, password: str) -> int:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        return client.post("/login", data={"user": name, "password": password, "csrf": csrf}).status_code


def test_login_throttling_holds_under_a_burst_across_two_workers(tmp_path):
    process, base, db = start_server(tmp_path, workers=2, SAGSRUTE_COOKIE_SECURE="false")
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(lambda n: try_login(base, "anna", f"guess {n}"), range(BURST)))
        took = time.monotonic() - started
        assert codes.count(401) <= LIMIT and codes.count(401) + codes.count(429) == BURST, codes
        assert try_login(base, "anna", PASSWORD) == 429  # the right password waits out the window too
        assert try_login(base, "sven", PASSWORD) == 303  # another user is not held
    finally:
        stop(process)
    failed = log.query(db, user="anna", action="login_failed")
    refused = log.query(db, user="anna", action="login_refused")
    assert len(failed) == codes.count(401) and len(refused) == codes.count(429) + 1
    print(f"burst of {BURST} wrong passwords in {took:.1f} s: {codes.count(401)} checked, "
          f"{codes.count(429)} refused unchecked")


# -- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI: Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def test_sign_in_see_own_team_sign_out_and_the_back_button_shows_no_case(tmp_path, browser):
    # The cookies are Secure as in production: Chromium keeps them for http://127.0.0.1 (a
    # potentially trustworthy origin), so the test needs no TLS.
    process, base, db = start_server(tmp_path, workers=1)
    try:
        context = browser.new_context(locale="da-DK")
        page = context.new_page()
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/login")  # not signed in: the login page
        page.fill("#l-user", "anna")
        page.fill("#l-password", "not the password")
        page.click("form.login button")
        assert "Forkert brugernavn eller adgangskode." in page.inner_text("main")
        page.fill("#l-user", "anna")
        page.fill("#l-password", PASSWORD)
        page.click("form.login button")
        page.wait_for_url(f"{base}/?lang=da")
        worklist = page.inner_text("main")
        assert "NORD-1" in worklist and "NORD-2" in worklist and "SYD-1" not in worklist
        assert "Logget ind som anna" in page.inner_text("nav.top")
        cookies = {c["name"]: c for c in context.cookies()}
        session = cookies["sagsrute_session"]
        assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax" and session["expires"] > time.time()
        assert page.evaluate("document.cookie") == ""  # no script can read the session
        page.click("text=NORD-1")
        page.wait_for_url(re.compile(r".*/cases/NORD-1.*"))
        assert "NORD-1" in page.inner_text("h1")
        page.goto(f"{base}/cases/SYD-1")
        assert "SYD-1" not in page.inner_text("main")  # another team's case: as if it did not exist
        page.go_back()
        page.click("nav.top form.logout button")
        page.wait_for_url(re.compile(r".*/login\?.*signed_out=1"))
        assert "Du er logget ud." in page.inner_text("main")
        assert "sagsrute_session" not in {c["name"] for c in context.cookies()}
        for _ in range(2):  # back to the case page, then the worklist: each asks again, and is sent to log in
            page.go_back()
            page.wait_for_load_state()
            shown = page.content()
            assert "NORD-1" not in shown and "NORD-2" not in shown, page.url
            assert page.url.startswith(f"{base}/login"), page.url
        # further back is the failed login's form post: the browser will not re-send it on its own
        context.close()
    finally:
        stop(process)
    views = [(e.user_name, e.what) for e in log.query(db, action="view_case")]
    # Opened once, and once more by the back button from SYD-1 (no-store: the page is asked for
    # again, and that look is logged too); the refused SYD-1 is no view, nor the back after sign-out.
    assert views == [("anna", "NORD-1"), ("anna", "NORD-1")]
