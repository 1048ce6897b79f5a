"""The OpenAPI document is the same every time the app is built.

Client generators and reviewers diff it between releases, so it must not change by itself.
Python randomises string hashing per process, and with it the order of any set the document is
built from; two processes with different hash seeds must still print the same document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRINT_DOCUMENT = """
import json, os, sys, tempfile
os.environ["LINLI_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/openapi.db"
from linli.http.app import create_app
json.dump(create_app().openapi_schema.to_schema(), sys.stdout, sort_keys=True, default=str)
"""


def _document(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_DOCUMENT], env=env, capture_output=True, check=True, text=True
    )
    return json.loads(printed.stdout)


def test_the_openapi_document_does_not_depend_on_the_hash_seed() -> None:
    first, second, third = (_document(seed) for seed in ("1", "3", "5"))
    assert first["components"]["schemas"]["Role"] == second["components"]["schemas"]["Role"]
    assert first == second == third
