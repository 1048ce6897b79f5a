"""The sign-in pages as a browser gets them: errors a person can act on, security headers, CORS."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from identity_helpers import REDIRECT, pkce, sign_in_code
from linli.identity.clients import register_client

pytestmark = pytest.mark.usefixtures("fixture_plugins")

PHONE = "13812341234"


def authorize_params(client_id: str, **changes: str) -> dict[str, str]:
    _, challenge = pkce()
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "read",
        "state": "st<ate>",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "community": "home",
        **changes,
    }


def assert_html_page(response) -> str:
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    # Every inline script is allowed by its hash, and only those.
    for script in re.findall(r"<script>(.*?)</script>", response.text, re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    return response.text


async def test_a_bad_sign_in_link_shows_a_page_saying_what_to_do(start_platform):
    async with start_platform() as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        for changes, reason in (
            ({"client_id": "<b>cl_unknown</b>"}, "invalid_client"),
            ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, "redirect"),
            ({"code_challenge": ""}, "PKCE is required"),
            ({"community": "<nowhere>"}, "No community is called"),
        ):
            params = {**authorize_params(frontend.client_id), **changes}
            page = await http.get("/oauth/authorize", params=params)
            assert page.status_code == 400, (changes, page.text)
            text = assert_html_page(page)
            assert "{'error'" not in text and "&#x27;error&#x27;" not in text  # no dict repr
            assert "<h1>" in text and reason in text.replace("&#x27;", "'"), text
            assert "<b>cl_unknown</b>" not in text and "<nowhere>" not in text  # escaped
            assert 'href="http://' in text and ">Try again</a>" in text
            assert "location" not in page.headers


async def test_a_wrong_code_shows_the_form_again_with_the_message(start_platform):
    async with start_platform() as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        wrong = "000000" if otp != "000000" else "111111"
        params = authorize_params(frontend.client_id)
        answer = await http.post("/oauth/authorize", data={**params, "phone": PHONE, "otp": wrong})
        assert answer.status_code == 401
        text = assert_html_page(answer)
        assert not text.lstrip().startswith("{")  # not the problem's JSON
        assert '<p role="alert" id="error">the sign-in code is not right</p>' in text
        assert f'name="phone" type="tel" autocomplete="tel" value="{PHONE}"' in text
        assert '<input type="hidden" name="state" value="st&lt;ate&gt;">' in text
        challenge = params["code_challenge"]
        assert f'<input type="hidden" name="code_challenge" value="{challenge}">' in text
        assert wrong not in text  # the code typed is not echoed
        # The kept form still works: the right code signs in.
        right = await http.post("/oauth/authorize", data={**params, "phone": PHONE, "otp": otp})
        assert right.status_code == 302, right.text


async def test_every_answer_carries_the_security_headers(start_platform):
    async with start_platform() as running:
        http = running.client
        for answer in (
            await http.get("/v1/ready"),
            await http.get("/v1/communities/home/me"),  # a 401 problem
            await http.get("/no/such/route"),
        ):
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["x-frame-options"] == "DENY"
            policy = answer.headers["content-security-policy"]
            assert policy == "default-src 'none'; frame-ancestors 'none'"
        docs = await http.get("/docs/api/swagger")
        assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert docs.headers["x-frame-options"] == "DENY"


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


async def test_a_cors_preflight_from_a_foreign_origin_is_refused(start_platform):
    allowed = "http://127.0.0.1:5173"
    async with start_platform(cors_origins=[allowed]) as running:
        http = running.client
        path = "/v1/identity/sign-in-codes"
        ok = await http.options(path, headers={"Origin": allowed, **PREFLIGHT})
        assert ok.status_code == 204
        assert ok.headers["access-control-allow-origin"] == allowed
        foreign = await http.options(path, headers={"Origin": "http://evil.example", **PREFLIGHT})
        assert foreign.status_code == 400 and "Disallowed CORS Origin" in foreign.text
        assert not [h for h in foreign.headers if h.startswith("access-control-allow")]
        assert foreign.headers["x-content-type-options"] == "nosniff"
        # The call itself from there carries no permission for the browser to read it.
        called = await http.post(
            path, json={"phone": PHONE}, headers={"Origin": "http://evil.example"}
        )
        assert "access-control-allow-origin" not in called.headers


async def test_without_cors_origins_no_origin_is_allowed(start_platform):
    async with start_platform() as running:  # no LINLI_CORS_ORIGINS
        foreign = await running.client.options(
            "/v1/identity/sign-in-codes", headers={"Origin": "http://evil.example", **PREFLIGHT}
        )
        assert "access-control-allow-origin" not in foreign.headers
