"""Problem documents (RFC 9457): what a refusal looks like to a client."""

from __future__ import annotations

import json

from linli.http.problems import problem


def test_an_extension_named_like_a_standard_member_cannot_replace_it():
    answer = problem(409, "the booking is closed", slug="conflict", extensions={"status": "done"})

    body = json.loads(answer.render(answer.content, answer.media_type))
    assert body["status"] == 409
    assert body["extension_status"] == "done"
    assert body["detail"] == "the booking is closed"
