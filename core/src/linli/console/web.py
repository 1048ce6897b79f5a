"""What every console page shares: the guard, the page response, commands, errors.

`console_guard` runs before each handler: it finds the session behind the cookie, checks the
CSRF token of every POST, resolves the community and the caller as the API does
(`linli.console.operators.acting_in`) and checks the handler's `linli.http.access.Access`
with the API's own `linli.identity.auth.check_caller`. The handler finds all of it in
``request.state.visit``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from linli_sdk import Caller, Community, Forbidden, InvalidInput, LinliError, Role
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from ..http.access import Access
from ..idempotency import Outcome
from ..identity.auth import PLATFORM_ROLES, check_caller
from ..platform import Platform
from ..unit_of_work import UnitOfWork
from .operators import Operator, acting_in, operator_of
from .sessions import COOKIE, Session, find_session

__all__ = [
    "CSP",
    "FORM_COOKIE",
    "HEADERS",
    "PREFIX",
    "SignInNeeded",
    "Visit",
    "act",
    "command",
    "console_guard",
    "error_page",
    "form_of",
    "once",
    "page",
    "parsed",
    "see",
    "submit",
    "visit_of",
]

T = TypeVar("T")

PREFIX = "/console"
"""Where the console is mounted."""

FORM_COOKIE = "linli_console_form"
"""Before signing in: the double-submit CSRF token of the sign-in forms."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The console's policy: scripts, styles and images from the platform itself only."""

HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


class SignInNeeded(Exception):
    """The page needs a signed-in operator (answered with the sign-in page)."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One console request: the session, the operator and, on community pages, where and who.

    Attributes:
        platform: The running platform (its services).
        session: The signed-in session (``None`` on the sign-in pages).
        operator: The signed-in operator (``None`` on the sign-in pages).
        where: The community of the page, if it has one.
        caller: Who the operator is there (as the API would see their token).
        csrf: The token every form of the page carries.
    """

    platform: Platform
    session: Session | None
    operator: Operator | None
    where: Community | None
    caller: Caller | None
    csrf: str

    @property
    def community(self) -> Community:
        """The page's community (community pages only)."""
        assert self.where is not None
        return self.where

    @property
    def platform_operator(self) -> bool:
        """Whether the operator runs the whole platform."""
        return self.operator is not None and self.operator.platform


def visit_of(request: Request[Any, Any, Any]) -> Visit:
    """The visit `console_guard` resolved for ``request``."""
    visit: Visit = request.state.visit
    return visit


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The request's form fields (text only), the CSRF token taken out."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}


async def _sent_csrf(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    sent = (await request.form()).get("csrf")
    return sent if isinstance(sent, str) else ""


async def console_guard(request: Request[Any, Any, Any], handler: Any) -> None:
    """Sign-in, CSRF, community and access checks of a console route (see the module)."""
    platform: Platform = request.app.state.platform
    if handler.opt.get("console") == "open":  # the sign-in pages
        expected = request.cookies.get(FORM_COOKIE) or ""
        csrf = expected or secrets.token_urlsafe(24)
        session = operator = None
    else:
        session = await find_session(request.cookies.get(COOKIE))
        if session is None:
            raise SignInNeeded
        operator = await operator_of(platform.identity, session.account)
        if operator is None:
            raise Forbidden("you operate no community any more: sign out")
        expected = csrf = session.csrf
    if request.method == "POST":
        sent = await _sent_csrf(request)
        if not (expected and hmac.compare_digest(sent, expected)):
            raise Forbidden("the form is out of date (CSRF check): reload the page and try again")
    where = caller = None
    access: Access = handler.opt["access"]
    if operator is not None:
        if "community" in request.path_params:
            where, caller = await acting_in(operator, request.path_params["community"])
        else:
            roles = PLATFORM_ROLES if operator.platform else frozenset({Role.MEMBER})
            caller = Caller(member_id=None, roles=roles)
        check_caller(access, caller)
    request.state.visit = Visit(platform, session, operator, where, caller, csrf)


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status: int = 200,
    error: LinliError | None = None,
    **context: Any,
) -> Template:
    """A console page: ``template`` with the visit, a notice, an error and ``context``."""
    visit = visit_of(request)
    cookies = []
    if visit.session is None and not request.cookies.get(FORM_COOKIE):
        cookies.append(_form_cookie(visit, request))
    return Template(
        template_name=template,
        context={
            "visit": visit,
            "prefix": PREFIX,
            "notice": request.query_params.get("notice"),
            "error": _problem(error) if error else None,
            **context,
        },
        status_code=error.status if error else status,
        headers=HEADERS,
        cookies=cookies,
    )


def _form_cookie(visit: Visit, request: Request[Any, Any, Any]) -> Cookie:
    secure = visit.platform.settings.base_url.startswith("https://")
    return Cookie(
        key=FORM_COOKIE,
        value=visit.csrf,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def _problem(error: LinliError) -> dict[str, Any]:
    errors = error.extensions.get("errors") if isinstance(error.extensions, dict) else None
    return {"title": error.title, "status": error.status, "detail": error.detail, "errors": errors}


def see(path: str, notice: str | None = None, cookies: list[Cookie] | None = None) -> Redirect:
    """Send the browser on to console page ``path`` (303, after a POST), with a notice."""
    target = PREFIX + path + (f"?notice={quote(notice)}" if notice else "")
    return Redirect(target, status_code=303, headers=HEADERS, cookies=cookies)


async def command(visit: Visit, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` as one unit of work in the page's community, as the API runs a command."""
    done = await _unit(visit, None, work, ())
    return done[0]


async def once(
    visit: Visit, key: str | None, work: Callable[[], Awaitable[T]], *what: Any
) -> T | None:
    """`command` under an idempotency key (the form's own): ``None`` when it already ran."""
    done = await _unit(visit, key, work, what)
    return done[0] if done else None


async def _unit(
    visit: Visit, key: str | None, work: Callable[[], Awaitable[T]], what: tuple[Any, ...]
) -> list[T]:
    """What ``work`` answered, in a list: empty when its key replayed an earlier run."""
    done: list[T] = []

    async def run() -> Outcome:
        done.append(await work())
        return Outcome(200, "text/plain", b"")

    await UnitOfWork(visit.platform, visit.where, visit.caller, key, what).run(run)
    return done


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The console's answer to an error: the sign-in page, or a page saying what went wrong."""
    if isinstance(exc, SignInNeeded):
        target = f"{PREFIX}/sign-in"
        if request.headers.get("hx-request"):
            return Response(b"", status_code=204, headers={**HEADERS, "HX-Redirect": target})
        return Redirect(target, status_code=303, headers=HEADERS)
    if isinstance(exc, LinliError):
        status, title, detail = exc.status, exc.title, exc.detail
    elif isinstance(exc, HTTPException):
        status, title, detail = exc.status_code, "Error", str(exc.detail)
    else:  # pragma: no cover - only the types above are routed here
        status, title, detail = 500, "Error", "the console failed to answer"
    return Template(
        template_name="error.html",
        context={"prefix": PREFIX, "title": title, "detail": detail, "status": status},
        status_code=status,
        headers=HEADERS,
    )


M = TypeVar("M", bound=BaseModel)


def parsed(model: type[M], form: Mapping[str, Any], what: str) -> M:
    """A form read into the API's own input model: a field left empty is not given.

    Raises:
        InvalidInput: Naming each field the model refuses, as the API answers it.
    """
    try:
        return model.model_validate({k: v for k, v in form.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput.from_validation(exc, what) from exc


Again = Callable[[Request[Any, Any, Any], LinliError], Awaitable[Response[Any]]]
"""A page shown again with the problem a form's command answered."""


async def act(
    request: Request[Any, Any, Any],
    work: Callable[[], Awaitable[T]],
    *,
    again: Again,
    to: str,
    notice: Callable[[T], str],
) -> Response[Any]:
    """Run ``work`` as a `command`, then on to page ``to`` with the ``notice`` of its answer.

    A problem it raises is shown on the page ``again`` answers instead.
    """
    try:
        answer = await command(visit_of(request), work)
    except LinliError as exc:
        return await again(request, exc)
    return see(to, notice(answer))


async def submit(
    request: Request[Any, Any, Any],
    model: type[M],
    what: str,
    work: Callable[[M], Awaitable[T]],
    *,
    again: Again,
    to: str,
    notice: Callable[[M, T], str],
    form: Mapping[str, str] | None = None,
) -> Response[Any]:
    """`act` on a form (the request's, unless ``form``) read into the API's ``model``.

    A form the model refuses is shown on the page ``again`` answers, as a problem of ``work``.
    """
    try:
        data = parsed(model, await form_of(request) if form is None else form, what)
    except LinliError as exc:
        return await again(request, exc)
    return await act(
        request, lambda: work(data), again=again, to=to, notice=lambda answer: notice(data, answer)
    )
