"""Signing in to the console over HTTP as a browser would, and reading its pages."""

from __future__ import annotations

import re
from typing import Any

from linli.testing.sign_in import captured_logs

PLATFORM_PHONE = "13900000001"
HOME_OPERATOR_PHONE = "13911110001"
OTHER_OPERATOR_PHONE = "13911110002"
RESIDENT_PHONE = "13911110003"


def csrf_of(html: str) -> str:
    """The CSRF token a console page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def give_phones(running: Any) -> None:
    """Link the test platform's people to phone accounts (operator, stranger, resident)."""
    from linli.identity.demo_accounts import give_phone_accounts

    people = running.people
    await give_phone_accounts(
        running.platform.identity,
        running.home,
        [
            (people["operator"].id, HOME_OPERATOR_PHONE, None),
            (people["resident"].id, RESIDENT_PHONE, None),
        ],
    )
    await give_phone_accounts(
        running.platform.identity,
        running.other,
        [(people["stranger"].id, OTHER_OPERATOR_PHONE, None)],
    )


async def console_sign_in(http: Any, phone: str, *, expect: int = 303) -> Any:
    """Sign ``phone`` in through the console's pages; the last answer."""
    form = await http.get("/console/sign-in")
    assert form.status_code == 200, form.text
    csrf = csrf_of(form.text)
    with captured_logs("linli.identity") as logs:
        sent = await http.post("/console/sign-in/code", data={"phone": phone, "csrf": csrf})
    assert sent.status_code == 200, sent.text
    codes = [c for line in logs.lines for c in re.findall(r"code: (\d{6})", line)]
    answer = await http.post(
        "/console/sign-in", data={"phone": phone, "otp": codes[-1], "csrf": csrf}
    )
    assert answer.status_code == expect, answer.text
    return answer
