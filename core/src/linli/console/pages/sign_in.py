"""Signing in to the console: phone and one-time code (the identity service's), and out.

The same code flow as the OAuth sign-in page (`linli.identity.sign_in_routes`): the code is
sent by the identity service's SMS sender and checked by it, with its rate limits. Only a
person who operates the platform or a community gets a session.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Forbidden, LinliError
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Template

from ...http.access import Access
from ...identity import accounts
from ..operators import operator_of
from ..sessions import COOKIE, SESSION_TTL, close_session, open_session
from ..web import FORM_COOKIE, PREFIX, form_of, page, see, visit_of

__all__ = ["sign_in_routes"]

_OPEN = {**Access.public().opt, "console": "open"}


def _address(request: Request[Any, Any, Any]) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


@get("/sign-in", opt=_OPEN)
async def sign_in_form(request: Request[Any, Any, Any]) -> Template:
    """The sign-in form: phone, a button that sends a code, the code."""
    return page(request, "sign_in.html", phone="")


@post("/sign-in/code", opt=_OPEN, status_code=200)
async def send_code(request: Request[Any, Any, Any]) -> Template:
    """Send a one-time code to the phone typed (through the identity service)."""
    form = await form_of(request)
    service = visit_of(request).platform.identity
    fragment = request.headers.get("hx-request") == "true"
    try:
        await accounts.request_sign_in_code(service, form.get("phone", ""), _address(request))
    except LinliError as exc:
        if fragment:
            return page(request, "code_sent.html", error=exc)
        return page(request, "sign_in.html", phone=form.get("phone", ""), error=exc)
    if fragment:
        return page(request, "code_sent.html", sent=True)
    return page(request, "sign_in.html", phone=form.get("phone", ""), sent=True)


@post("/sign-in", opt=_OPEN, status_code=303)
async def sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check the code; an operator gets a session cookie and the console, anyone else a 403."""
    form = await form_of(request)
    visit = visit_of(request)
    phone = form.get("phone", "")
    try:
        account = await accounts.sign_in_with_code(
            visit.platform.identity, phone, form.get("otp", ""), _address(request)
        )
        if await operator_of(visit.platform.identity, account) is None:
            raise Forbidden("this console is for the platform's and communities' operators only")
    except LinliError as exc:
        return page(request, "sign_in.html", phone=phone, error=exc)
    token, _ = await open_session(account)
    secure = visit.platform.settings.base_url.startswith("https://")
    cookie = Cookie(
        key=COOKIE,
        value=token,
        path=PREFIX,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        secure=secure,
        samesite="strict",
    )
    return see("/", cookies=[cookie, Cookie(key=FORM_COOKIE, value="", path=PREFIX, max_age=0)])


@post("/sign-out", opt=Access.member().opt, status_code=303)
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    """End the session: the cookie is forgotten and the session row deleted."""
    await close_session(request.cookies.get(COOKIE))
    return see("/sign-in", "Signed out.", [Cookie(key=COOKIE, value="", path=PREFIX, max_age=0)])


def sign_in_routes() -> list[Any]:
    """The sign-in, code and sign-out handlers."""
    return [sign_in_form, send_code, sign_in, sign_out]
