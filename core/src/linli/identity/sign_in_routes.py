"""The identity service's public routes: OAuth 2.0 endpoints, metadata, sign-in codes.

OAuth endpoints answer as RFC 6749 says (``{"error": ...}`` JSON, ``Cache-Control: no-store``);
the sign-in pages are HTML a person can act on (:mod:`.sign_in_pages`), errors included.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Forbidden, LinliError
from litestar import Request, Response, get, post
from litestar.params import JSONBody

from linli.identity.communities import find_community

from ..http.access import Access
from ..platform import Platform
from . import accounts, oauth, role_invitations
from .keys import published_keys
from .schemas import DOC, CodeSent, PhoneIn
from .service import IdentityService
from .sign_in_pages import error_page, form_page, oauth_error_page

__all__ = ["public_routes", "service_of"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CREDENTIALS = ("phone", "otp", "username", "password")


def service_of(request: Request[Any, Any, Any]) -> IdentityService:
    """The identity service of the platform serving ``request``."""
    platform: Platform = request.app.state.platform
    return platform.identity


def _client_address(request: Request[Any, Any, Any]) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


def _oauth_response(result: oauth.OAuthResult) -> Response[Any]:
    headers = {**result.headers}
    if result.status == 302:
        return Response(b"", status_code=302, headers=headers)
    return Response(result.body, status_code=result.status, headers={**headers, **_NO_STORE})


@get("/.well-known/oauth-authorization-server", opt=Access.public().opt, tags=["identity"])
async def server_metadata(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The authorization server's metadata (RFC 8414)."""
    return oauth.metadata(service_of(request).settings.issuer)


@get("/.well-known/openid-configuration", opt=Access.public().opt, tags=["identity"])
async def openid_configuration(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The same metadata at the OpenID discovery address."""
    return oauth.metadata(service_of(request).settings.issuer)


@get("/.well-known/jwks.json", opt=Access.public().opt, tags=["identity"])
async def jwks(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The public keys access tokens are signed with (JWKS)."""
    await service_of(request).keys()
    return {"keys": await published_keys()}


async def _community_or_page(form: dict[str, str], retry: str | None) -> Any:
    where = await find_community(form.get("community", ""))
    if where is not None:
        return where
    return error_page(
        "There is no such community",
        f"No community is called {form.get('community', '')!r}.",
        advice="Go back to the app that sent you here and choose your community again.",
        retry=retry,
    )


@get("/oauth/authorize", opt=Access.public().opt, tags=["identity"], media_type="text/html")
async def authorize_form(request: Request[Any, Any, Any]) -> Response[str]:
    """The sign-in page of the authorization endpoint (authorization code + PKCE).

    A request that cannot go on (unknown client or community, a redirect address not
    registered, no PKCE challenge) gets a page saying so and what to do, never a redirect.
    """
    form = dict(request.query_params)
    retry = str(request.url)
    result = await oauth.authorize(service_of(request), form, request.headers, None)
    if result.status != 200:
        return oauth_error_page(result.body, retry)
    where = await _community_or_page(form, retry)
    if isinstance(where, Response):
        return where
    return form_page(client=result.body["client_id"], community=where.name, oauth=form)


@post("/oauth/authorize", opt=Access.public().opt, tags=["identity"], status_code=302)
async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
    """Sign in (phone + code, or username + password) and be redirected with a code.

    The form carries the OAuth parameters (``response_type=code``, ``client_id``,
    ``redirect_uri``, ``scope``, ``state``, ``code_challenge``, ``code_challenge_method=S256``)
    and ``community``, the slug of the community the token will be for. A failed sign-in shows
    the form again with the reason (status of the problem: 401 for a wrong code, 429 when
    rate limited...), the request and what was typed (not the code or password) kept.
    """
    service = service_of(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    credentials = {k: form.pop(k, "") for k in _CREDENTIALS}
    checked = await oauth.authorize(service, form, request.headers, None)
    if checked.status != 200:  # a bad client or redirect: no sign-in attempt is spent
        return oauth_error_page(checked.body, None)
    where = await _community_or_page(form, None)
    if isinstance(where, Response):
        return where
    try:
        grantee = await _sign_in(service, credentials, where, _client_address(request))
    except LinliError as exc:
        return form_page(
            client=checked.body["client_id"],
            community=where.name,
            oauth=form,
            filled={"phone": credentials["phone"], "username": credentials["username"]},
            message=exc.detail,
            status=exc.status,
            headers=getattr(exc, "headers", None),
        )
    return _oauth_response(await oauth.authorize(service, form, request.headers, grantee))


async def _sign_in(
    service: IdentityService, credentials: dict[str, str], where: Any, address: str
) -> oauth.Grantee:
    if credentials["username"]:
        account = await accounts.sign_in_with_password(
            service, credentials["username"], credentials["password"], address
        )
        member = await accounts.member_of(account, where)
        if member is None:
            raise Forbidden("this account is not a member of the community")
    else:
        account = await accounts.sign_in_with_code(
            service, credentials["phone"], credentials["otp"], address
        )
        masked = await accounts.masked_phone(account)
        member = await accounts.join(account, where, f"Neighbour {(masked or '')[-4:]}")
        # Holding the phone accepts the roles it was invited to here (a leader, a host...).
        await role_invitations.accept_invitations(service, credentials["phone"], where, member)
    return oauth.Grantee(member, where.id, where.slug)


@post("/oauth/token", opt=Access.public().opt, tags=["identity"], status_code=200)
async def token(request: Request[Any, Any, Any]) -> Response[Any]:
    """The token endpoint: ``authorization_code``, ``client_credentials``, ``refresh_token``."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return _oauth_response(await oauth.token(service_of(request), form, request.headers))


@post("/oauth/revoke", opt=Access.public().opt, tags=["identity"], status_code=200)
async def revoke(request: Request[Any, Any, Any]) -> Response[Any]:
    """Revoke a refresh token (and its rotations) or an access token (RFC 7009)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return _oauth_response(await oauth.revoke(service_of(request), form, request.headers))


@post("/v1/identity/sign-in-codes", opt=Access.public().opt, status_code=202, **DOC)
async def send_code(request: Request[Any, Any, Any], data: JSONBody[PhoneIn]) -> CodeSent:
    """Send a one-time sign-in code to a phone (rate limited per phone and address)."""
    await accounts.request_sign_in_code(service_of(request), data.phone, _client_address(request))
    return CodeSent(sent=True, expires_in=int(accounts.CODE_TTL.total_seconds()))


def public_routes() -> list[Any]:
    """The public route handlers: OAuth 2.0, metadata, JWKS, sign-in codes."""
    return [
        server_metadata,
        openid_configuration,
        jwks,
        authorize_form,
        authorize,
        token,
        revoke,
        send_code,
    ]
