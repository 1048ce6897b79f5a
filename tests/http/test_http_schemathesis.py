"""Schemathesis over the whole OpenAPI document of a running ``linli demo``.

The demo serves on a loopback port (as an operator starts it); every operation is called with
generated input, the community pinned to the demo's, once as its operator and once as a
resident. No answer may be a server error, and every answer must match what the document
says of it: status code, media type and schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_cli import free_port

LINLI = [sys.executable, "-m", "linli.cli"]
DEMO = "sunny-garden"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class Demo:
    """``linli demo`` on a loopback port, with its operator's and a resident's tokens."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "LINLI_PORT": str(self.port),
            "LINLI_DATABASE_URL": f"sqlite:///{tmp}/demo.db",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = tmp / "demo.log"
        with self.log.open("w") as log:  # a file, never a pipe nobody drains
            self.process = subprocess.Popen(
                [*LINLI, "demo"], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while "Resident Chen" not in self.log.read_text():  # tokens print before serving
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the demo printed no tokens within 90 s"
            time.sleep(0.2)
        lines = self.log.read_text().splitlines()
        self.tokens = {
            who: next(line for line in lines if name in line).split()[-1]
            for who, name in (("operator", "Operator Zhou"), ("resident", "Resident Chen"))
        }
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/v1/ready", timeout=2).close()
                break
            except OSError:
                assert self.process.poll() is None, "the demo stopped"
                assert time.monotonic() < deadline, "the demo did not start serving within 90 s"
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("schemathesis"))
    yield running
    running.stop()


EXAMPLES = 3
"""Examples per operation and caller: enough to cross every operation in a couple of minutes."""


def test_no_server_errors_and_every_answer_as_documented(demo: Demo) -> None:
    schema = schemathesis.openapi.from_url(f"{demo.url}/docs/api/openapi.json")
    # Erasing the caller's own account would end the run's tokens; identity tests cover it.
    schema = schema.exclude(method="DELETE", path="/v1/communities/{community}/me")
    # A stream answers for as long as the client listens; its own tests read it.
    schema = schema.exclude(
        func=lambda ctx: "text/event-stream" in str(ctx.operation.definition.raw)
    )
    failures: dict[str, str] = {}
    answered: Counter[int] = Counter()  # by class: 2 for 2xx, 4 for 4xx
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # a failure is reported as found
        )
        def call(case: schemathesis.Case) -> None:
            if "community" in (case.path_parameters or {}):
                case.path_parameters["community"] = DEMO
            for who in ("operator", "resident"):
                answer = case.call_and_validate(
                    base_url=demo.url,
                    headers={"Authorization": f"Bearer {demo.tokens[who]}"},
                    checks=CHECKS,
                )
                answered[answer.status_code // 100] += 1

        started = time.monotonic()
        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is reported
            failures[operation.label] = str(exc)[:2000]
        print(f"{operation.label}: {time.monotonic() - started:.1f} s", flush=True)
    print(f"{operations} operations, answers by class: {dict(answered)}")
    assert operations > 130
    assert answered[2] > 50, answered  # real calls, not only refusals
    assert not failures, "\n\n".join(f"{label}: {why}" for label, why in failures.items())
