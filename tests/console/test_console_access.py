"""Who gets into the operator console, and what each operator may open there."""

from __future__ import annotations

import httpx
from console_helpers import (
    HOME_OPERATOR_PHONE,
    PLATFORM_PHONE,
    RESIDENT_PHONE,
    console_sign_in,
    csrf_of,
    give_phones,
)


async def test_a_resident_is_refused_and_gets_no_session(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        refused = await console_sign_in(http, RESIDENT_PHONE, expect=403)
        assert "operators only" in refused.text
        assert "linli_console=" not in refused.headers.get("set-cookie", "")
        again = await http.get("/console/")
        assert again.status_code == 303
        assert again.headers["location"] == "/console/sign-in"


async def test_a_community_operator_cannot_open_another_community(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        signed = await console_sign_in(http, HOME_OPERATOR_PHONE)
        assert signed.headers["location"] == "/console/"
        home = await http.get("/console/")
        assert "Home Garden" in home.text and "Other Court" not in home.text
        assert "Create a community" not in home.text  # the platform operator's only
        assert (await http.get("/console/c/home")).status_code == 200
        other = await http.get("/console/c/other")
        assert other.status_code == 403
        assert "you are not a member of community &#39;other&#39;" in other.text
        csrf = csrf_of(home.text)
        renamed = await http.post(
            "/console/c/other/rename", data={"name": "Taken over", "csrf": csrf}
        )
        assert renamed.status_code == 403
        created = await http.post("/console/communities", data={"slug": "x", "csrf": csrf})
        assert created.status_code == 403
        own = await http.get("/console/c/home")
        assert "Archive home" not in own.text  # the platform operator's only, and refused:
        archived = await http.post("/console/c/home/archive", data={"csrf": csrf})
        assert archived.status_code == 403 and "platform operator" in archived.text
        from linli.identity.communities import get_record

        assert (await get_record("other"))["name"] == "Other Court"
        assert (await http.get("/console/c/nowhere")).status_code == 403  # existence not told


async def test_every_post_needs_the_session_csrf_token(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        forged = await http.post("/console/c/home/rename", data={"name": "Forged"})
        assert forged.status_code == 403 and "CSRF" in forged.text
        page = await http.get("/console/c/home")
        ok = await http.post(
            "/console/c/home/rename", data={"name": "Home Gardens", "csrf": csrf_of(page.text)}
        )
        assert ok.status_code == 303
        assert "Home Gardens" in (await http.get("/console/c/home")).text


async def test_the_session_cookie_is_strict_and_pages_allow_own_scripts_only(start_platform):
    overrides = {"public_url": "https://linli.example.com", "dispatch_worker": False}
    async with start_platform(platform_operators=[PLATFORM_PHONE], **overrides) as running:
        # A browser keeps Secure cookies for https pages only: the same app, over https.
        transport = running.client._transport
        async with httpx.AsyncClient(transport=transport, base_url="https://linli.test") as http:
            await _strict_cookie_and_policy(http)


async def _strict_cookie_and_policy(http: httpx.AsyncClient) -> None:
    signed = await console_sign_in(http, PLATFORM_PHONE)
    cookie = next(
        c for c in signed.headers.get_list("set-cookie") if c.startswith("linli_console=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=strict", "path=/console"} <= flags
    form = await http.get("/console/sign-in")
    policy = form.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


async def test_the_platform_operator_creates_a_community_and_signs_out(start_platform):
    async with start_platform(platform_operators=[PLATFORM_PHONE], dispatch_worker=False) as r:
        http = r.client
        await console_sign_in(http, PLATFORM_PHONE)
        home = await http.get("/console/")
        assert "Home Garden" in home.text and "Other Court" in home.text
        csrf = csrf_of(home.text)
        bad = await http.post(
            "/console/communities",
            data={"slug": "River View", "name": "River", "csrf": csrf},
        )
        assert bad.status_code == 422 and "lower-case letters" in bad.text
        made = await http.post(
            "/console/communities",
            data={"slug": "river-view", "name": "河景苑", "timezone": "Asia/Shanghai",
                  "currency": "CNY", "csrf": csrf},
        )  # fmt: skip
        assert made.headers["location"].startswith("/console/c/river-view")
        assert "河景苑" in (await http.get("/console/c/river-view")).text
        out = await http.post("/console/sign-out", data={"csrf": csrf})
        assert out.status_code == 303
        assert (await http.get("/console/")).status_code == 303


async def test_an_expired_session_signs_the_operator_out_and_the_purge_drops_it(start_platform):
    from datetime import UTC, datetime, timedelta

    from linli.console.tables import ConsoleSession
    from linli.upkeep import purge

    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        assert (await http.get("/console/c/home")).status_code == 200
        past = datetime.now(UTC) - timedelta(minutes=1)
        await ConsoleSession.update({ConsoleSession.expires_at: past}).where(ConsoleSession.id > 0)
        gone = await http.get("/console/c/home")
        assert gone.status_code == 303 and gone.headers["location"] == "/console/sign-in"
        counts = await purge(running.platform.settings, datetime.now(UTC))
        assert counts["console_sessions"] == 1
        assert await ConsoleSession.count() == 0


async def test_htmx_and_the_style_are_served_by_the_platform_and_pages_stay_out_of_the_api(
    start_platform,
):
    async with start_platform(dispatch_worker=False) as running:
        http = running.client
        htmx = await http.get("/console/static/htmx.min.js")
        assert htmx.status_code == 200 and htmx.text.startswith("var htmx=")
        assert "javascript" in htmx.headers["content-type"]
        style = await http.get("/console/static/console.css")
        assert style.status_code == 200 and "text/css" in style.headers["content-type"]
        form = (await http.get("/console/sign-in")).text
        assert '<script src="/console/static/htmx.min.js"' in form and "cdn" not in form.lower()
        schema = (await http.get("/docs/api/openapi.json")).json()
        assert not [path for path in schema["paths"] if path.startswith("/console")]


async def test_after_the_platform_operator_archives_a_community_its_operator_is_refused(
    start_platform,
):
    from console_helpers import OTHER_OPERATOR_PHONE

    async with start_platform(platform_operators=[PLATFORM_PHONE], dispatch_worker=False) as r:
        await give_phones(r)
        transport = r.client._transport
        async with httpx.AsyncClient(transport=transport, base_url="http://linli.test") as theirs:
            await console_sign_in(theirs, OTHER_OPERATOR_PHONE)  # signed in before
            assert (await theirs.get("/console/c/other")).status_code == 200
            platform_op = r.client
            await console_sign_in(platform_op, PLATFORM_PHONE)
            page = await platform_op.get("/console/c/other")
            assert "Archive other" in page.text
            archived = await platform_op.post(
                "/console/c/other/archive", data={"csrf": csrf_of(page.text)}
            )
            assert archived.status_code == 303
            assert "archived" in (await platform_op.get("/console/")).text
            # Their session holds no longer: the next click is refused, and so is signing in.
            assert (await theirs.get("/console/c/other")).status_code == 403
            refused = await console_sign_in(theirs, OTHER_OPERATOR_PHONE, expect=403)
            assert "operators only" in refused.text
