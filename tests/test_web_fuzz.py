"""A schema-driven fuzz of the API (schemathesis over the app's own OpenAPI document): whatever it
sends, no 500, and every answer matches the document (status codes, content types, schemas).
Against a real server too: bench/bench_serve.py runs one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from cli.app import app as cli
from engine.web.app import create_app
from engine.web.deps import Principal, get_principal
from engine.web.service import Settings

ROOT = Path(__file__).resolve().parent.parent


def _app():
    # schemathesis reads the schema when the module is collected: the app (on a database of the
    # samples, in a folder of its own) is made then
    db = str(Path(tempfile.mkdtemp(prefix="sagsrute-fuzz-")) / "cases.sqlite")
    result = CliRunner().invoke(cli, ["import", str(ROOT / "samples" / "cases"), "--db", db])
    assert result.exit_code == 0, result.output
    app = create_app(Settings(db=db))
    # issue 17: the fuzz is about the API's answers, as a team lead of every team
    app.dependency_overrides[get_principal] = lambda: Principal("fuzz", "teamlead", None)
    return app


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case):
    # A case can be valid by the JSON schema and still be refused with a 422 (a birth date after
    # the benefit, overlapping periods: checks no JSON schema expresses): that is not a failure.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
