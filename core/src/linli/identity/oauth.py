"""The OAuth 2.0 authorization server, built on Authlib's server components.

Each request runs in three steps (:mod:`.oauth_store`): what the grant will ask for is loaded,
Authlib validates the request and builds the response against that snapshot, then the changes
it recorded are applied in one transaction.

Grants: authorization code with PKCE (S256, required) for public frontends; client
credentials for providers' back ends; refresh tokens with rotation and reuse detection.
Endpoints: token, revocation (RFC 7009), metadata (RFC 8414) and JWKS.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.errors import InvalidRequestError  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload  # type: ignore[import-untyped]
from authlib.oauth2.rfc7009 import RevocationEndpoint  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # type: ignore[import-untyped]

from .oauth_models import SCOPES, Client, Code, Grantee, Refresh
from .oauth_store import Lost, Snapshot, apply_effects, load_snapshot
from .service import IdentityService
from .tables import OAuthClient
from .tokens import issue_access_token

__all__ = ["Grantee", "OAuthResult", "authorize", "metadata", "revoke", "token"]


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.snapshot = snapshot
        self.register_grant(_CodeGrant, [_S256(required=True)])
        self.register_grant(_ClientCredentialsGrant)
        self.register_grant(_RefreshGrant)
        self.register_endpoint(_Revocation)
        self.register_token_generator("default", self._generate)

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # already built by _request

    def query_client(self, client_id: str) -> Client | None:
        return self.snapshot.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        pass  # refresh tokens are recorded as the generator makes them

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def handle_response(self, status: int, body: Any, headers: Any) -> OAuthResult:
        return OAuthResult(status, body, dict(headers))

    def _generate(
        self,
        grant_type: str,
        client: Client,
        user: Grantee | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        settings = self.snapshot.service.settings
        scopes = frozenset((scope or "").split())
        if user is None:
            subject, community = f"client:{client.client_id}", client.community or ""
        else:
            subject, community = f"member:{user.member_id}", user.community
        ttl = settings.identity_access_token_ttl
        refreshable = include_refresh_token and user is not None
        # The sign-in (refresh family) every token of this authorization belongs to.
        family = (self.snapshot.family or uuid.uuid4().hex) if refreshable else None
        issued: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": issue_access_token(
                self.snapshot.keys.signing,
                subject=subject,
                community=community,
                scopes=scopes,
                client_id=client.client_id,
                ttl=ttl,
                sign_in=family,
            ),
            "expires_in": ttl,
            "scope": " ".join(sorted(scopes)),
        }
        if family is not None:
            refresh = secrets.token_urlsafe(32)
            self.snapshot.effects.append(("save_refresh", (refresh, family, client, user, scope)))
            issued["refresh_token"] = refresh
        return issued


class _S256(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 only, and required of every authorization request.

    Authlib's ``required`` is checked only at the token endpoint; refusing a request without a
    challenge up front means no code is issued that could never be exchanged.
    """

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send a code_challenge (S256)")
        super().validate_code_challenge(grant, redirect_uri)


class _CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.snapshot.effects.append(
            (
                "save_code",
                (
                    code,
                    request.client.client_id,
                    request.user,
                    request.payload.redirect_uri,
                    request.scope or "",
                    data.get("code_challenge", ""),
                    data.get("code_challenge_method") or "S256",
                ),
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = self.server.snapshot.codes.get(code)
        return found if found and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.snapshot.effects.append(("consume_code", authorization_code.row_id))

    def authenticate_user(self, authorization_code: Code) -> Grantee:
        return authorization_code.grantee


class _ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class _RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Refresh | None:
        found: Refresh | None = self.server.snapshot.refresh.get(refresh_token)
        if found is None or found.is_revoked() or found.is_expired():
            return None
        return found

    def authenticate_user(self, refresh_token: Refresh) -> Grantee:
        return refresh_token.grantee

    def revoke_old_credential(self, refresh_token: Refresh) -> None:
        self.server.snapshot.effects.append(("rotate_refresh", refresh_token.row_id))


class _Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        snapshot = self.server.snapshot
        return snapshot.refresh.get(token_string) or snapshot.access.get(token_string)

    def revoke_token(self, token: Any, request: OAuth2Request) -> None:
        if isinstance(token, Refresh):
            self.server.snapshot.effects.append(("revoke_family", token.family))
        else:
            self.server.snapshot.effects.append(("revoke_access", token))


@dataclass(frozen=True)
class OAuthResult:
    """What to answer: a status, a JSON body (or ``""``) and headers."""

    status: int
    body: Any
    headers: dict[str, str]


class _Request(OAuth2Request):  # type: ignore[misc]
    """A request as Authlib reads it: the form (or query) already parsed."""

    def __init__(self, uri: str, form: dict[str, str], headers: Any) -> None:
        super().__init__("POST", uri, headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form = form

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return self._form


def _request(service: IdentityService, path: str, form: dict[str, str], headers: Any) -> Any:
    uri = service.settings.issuer.rstrip("/") + path
    if path == "/oauth/authorize":
        uri += "?" + urlencode(form)
    return _Request(uri, form, headers)


async def _run(
    service: IdentityService, path: str, form: dict[str, str], headers: Any, step: Any
) -> OAuthResult:
    snapshot = await load_snapshot(service, form, headers)
    server = _Server(snapshot)
    result: OAuthResult = step(server, _request(service, path, form, headers))
    if result.status < 400:
        try:
            async with OAuthClient._meta.db.transaction():
                await apply_effects(snapshot)
        except Lost:
            return OAuthResult(
                400,
                {"error": "invalid_grant", "error_description": "the grant was already used"},
                {"Cache-Control": "no-store", "Pragma": "no-cache"},
            )
    return result


async def token(service: IdentityService, form: dict[str, str], headers: Any) -> OAuthResult:
    """The token endpoint: authorization code, client credentials, refresh token."""
    return await _run(
        service, "/oauth/token", form, headers, lambda s, r: s.create_token_response(r)
    )


async def revoke(service: IdentityService, form: dict[str, str], headers: Any) -> OAuthResult:
    """The revocation endpoint (RFC 7009): refresh tokens (their family) and access tokens."""
    return await _run(
        service,
        "/oauth/revoke",
        form,
        headers,
        lambda s, r: s.create_endpoint_response(_Revocation.ENDPOINT_NAME, r),
    )


async def authorize(
    service: IdentityService, form: dict[str, str], headers: Any, grantee: Grantee | None
) -> OAuthResult:
    """The authorization endpoint, once the person signed in: a redirect with a code.

    With ``grantee=None`` only validates the request (the sign-in form is shown then).
    """

    def step(server: _Server, request: Any) -> OAuthResult:
        from authlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]

        try:
            grant = server.get_consent_grant(request)
        except OAuth2Error as error:
            return OAuthResult(400, dict(error.get_body()), {})
        if grantee is None:
            return OAuthResult(200, {"client_id": grant.client.client_id}, {})
        result: OAuthResult = server.create_authorization_response(
            request, grant_user=grantee, grant=grant
        )
        return result

    return await _run(service, "/oauth/authorize", form, headers, step)


def metadata(issuer: str) -> dict[str, Any]:
    """The authorization server's metadata (RFC 8414), validated by Authlib."""
    base = issuer.rstrip("/")
    document = AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": [
                "authorization_code",
                "client_credentials",
                "refresh_token",
            ],
            "token_endpoint_auth_methods_supported": [
                "none",
                "client_secret_basic",
                "client_secret_post",
            ],
            "revocation_endpoint_auth_methods_supported": [
                "none",
                "client_secret_basic",
                "client_secret_post",
            ],
            "code_challenge_methods_supported": ["S256"],
        }
    )
    document.validate()
    return dict(document)
