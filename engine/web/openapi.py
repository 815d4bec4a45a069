"""``python -m engine.web.openapi > docs/openapi.json``: the API's OpenAPI document as checked in
(tests/test_web_api.py fails when it differs from the app's)."""

from __future__ import annotations

import json

from engine.web.app import build_openapi, create_app
from engine.web.service import Settings


def document() -> str:
    app = create_app(Settings(db="sqlite://"))  # an empty in-memory database: the document needs none
    return json.dumps(build_openapi(app), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document(), end="")
