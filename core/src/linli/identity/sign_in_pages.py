"""The sign-in pages a person sees: the form, the form again saying what went wrong, errors.

Every value on a page is escaped. The one script (sending a code by SMS) is allowed by its
hash in the page's ``Content-Security-Policy``, so no other script can run on it; the pages
cannot be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``) and are not cached.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping
from typing import Any

from litestar import Response

__all__ = ["PAGE_CSP", "error_page", "form_page", "oauth_error_page"]

_SEND_CODE = """
document.getElementById("send-code").onclick = async () => {
  const phone = document.querySelector("input[name=phone]").value;
  const answer = await fetch("/v1/identity/sign-in-codes", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({phone})});
  const problem = answer.ok ? null : await answer.json();
  document.getElementById("sent").textContent =
    answer.ok ? "Code sent by SMS." : (problem.detail || problem.title);
};
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SEND_CODE.encode()).digest()).decode()

PAGE_CSP = (
    f"default-src 'self'; script-src 'sha256-{_SCRIPT_HASH}'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""The sign-in pages' policy: their own origin only, the one hashed script, never framed.

(No ``form-action``: the form's answer redirects to the client's own address, which browsers
would check against it.)"""

_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}

_SHELL = """<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{body}</html>"""

_FORM = """<h1>Sign in to Linli</h1>
<p>{client} asks to act for you in community <b>{community}</b>.</p>
{message}<form method="post">{hidden}
<p><label>Phone <input name="phone" type="tel" autocomplete="tel" value="{phone}"></label>
<button type="button" id="send-code">Send code</button> <span id="sent" role="status"></span></p>
<p><label>Code <input name="otp" inputmode="numeric" autocomplete="one-time-code"></label></p>
<p>or <label>Username <input name="username" value="{username}"></label>
<label>Password <input name="password" type="password"></label></p>
<button id="sign-in">Sign in</button></form>
<script>{script}</script>"""

_ERROR = """<h1>{heading}</h1>
<p role="alert" id="error">{detail}</p>
<p>{advice}</p>
{retry}"""


def _html(title: str, body: str, status: int, headers: Mapping[str, str] | None) -> Response[str]:
    page = _SHELL.format(title=html.escape(title), body=body)
    return Response(
        page, status_code=status, media_type="text/html", headers={**_HEADERS, **(headers or {})}
    )


def form_page(
    *,
    client: str,
    community: str,
    oauth: Mapping[str, str],
    filled: Mapping[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    """The sign-in form for one authorization request.

    Args:
        client: Who asks (the client's name or id).
        community: The community's name.
        oauth: The authorization request's parameters, carried in hidden fields.
        filled: What the person typed before (phone, username), shown again; never secrets.
        message: What went wrong on the last try, shown above the form.
        status: The HTTP status (the problem's, when the last try failed).
        headers: More headers (e.g. ``Retry-After``).
    """
    filled = filled or {}
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in oauth.items()
    )
    shown = f'<p role="alert" id="error">{html.escape(message)}</p>\n' if message else ""
    body = _FORM.format(
        client=html.escape(client),
        community=html.escape(community),
        message=shown,
        hidden=hidden,
        phone=html.escape(filled.get("phone", "")),
        username=html.escape(filled.get("username", "")),
        script=_SEND_CODE,
    )
    title = "Sign in to Linli" + (" — try again" if message else "")
    return _html(title, body, status, headers)


def error_page(
    heading: str, detail: str, *, advice: str, retry: str | None, status: int = 400
) -> Response[str]:
    """A page saying why signing in cannot go on and what the person can do about it.

    Args:
        heading: What happened, in a few words.
        detail: The particular reason.
        advice: What to do next.
        retry: An address to try again at (the same request), if trying again may help.
        status: The HTTP status.
    """
    link = f'<p><a href="{html.escape(retry)}">Try again</a></p>' if retry else ""
    body = _ERROR.format(
        heading=html.escape(heading),
        detail=html.escape(detail),
        advice=html.escape(advice),
        retry=link,
    )
    return _html(heading, body, status, None)


def oauth_error_page(error: Any, retry: str | None) -> Response[str]:
    """The page for an authorization request the server refuses (RFC 6749 error body)."""
    body = error if isinstance(error, Mapping) else {}
    code = str(body.get("error", "invalid_request"))
    detail = str(body.get("error_description") or code.replace("_", " "))
    return error_page(
        "This sign-in link does not work",
        f"{detail[:1].upper()}{detail[1:].rstrip('.')}.",
        advice=(
            "Go back to the app or site that sent you here and start signing in from there "
            f"again. If this keeps happening, tell the app's makers (error: {code})."
        ),
        retry=retry,
    )
