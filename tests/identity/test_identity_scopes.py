"""Member scopes on the platform: an operator grants a module a scope it declares, per
community; the host's member lookup unseals only granted fields; every ID number shown to a
module is in the audit log the member exports and operators list."""

from __future__ import annotations

import pytest
from identity_helpers import verified_resident
from linli.modules.host import CoreHost

pytestmark = pytest.mark.usefixtures("scope_probe")

PHONE, ID_NUMBER = "13912345678", "11010519491231002X"
ADMIN = {"Authorization": "Bearer adm"}
SCOPES = "/v1/communities/home/member-scopes"
CARD = "/v1/communities/home/modules/scope_probe/member-card"


async def test_a_module_sees_only_what_an_operator_granted_here(start_platform):
    async with start_platform(admin_token="adm") as running:
        http, operator = running.client, running.auth("operator")
        enabled = await http.put(
            "/v1/communities/home/modules/scope_probe", json={"enabled": True}, headers=ADMIN
        )
        assert enabled.status_code == 200, enabled.text
        me, member_id = await verified_resident(running)

        card = (await http.get(CARD, params={"member_id": member_id}, headers=operator)).json()
        assert card["phone_masked"] == "139****5678" and card["real_name"] is True
        assert (card["phone"], card["unit"], card["national_id"]) == (None, None, None)

        listed = (await http.get(SCOPES, headers=operator)).json()
        mine = [row for row in listed if row["module"] == "scope_probe"]
        assert [(row["module"], row["scope"], row["granted"]) for row in mine] == [
            ("scope_probe", "members.national_id", False),
            ("scope_probe", "members.phone", False),
            ("scope_probe", "members.unit", False),
        ]
        for scope in ("members.unit", "members.national_id"):
            granted = await http.put(
                f"{SCOPES}/scope_probe/{scope}", headers={**operator, "Idempotency-Key": scope}
            )
            assert granted.status_code == 200, granted.text
            assert granted.json()["granted"] is True
            assert granted.json()["granted_by"] == running.people["operator"].id
        again = await http.put(
            f"{SCOPES}/scope_probe/members.unit",
            headers={**operator, "Idempotency-Key": "members.unit"},
        )
        assert again.headers.get("Idempotent-Replayed") == "true"

        card = (
            await http.get(
                CARD,
                params={"member_id": member_id, "purpose": f"appointment 7, {ID_NUMBER}"},
                headers=operator,
            )
        ).json()
        assert (card["unit"], card["national_id"], card["phone"]) == ("3-1201", ID_NUMBER, None)

        # the other community granted nothing: the same module sees nothing of its members
        other = CoreHost(running.platform, running.other, "scope_probe")
        stranger = await other.members.get(running.people["stranger"].id)
        assert stranger is not None and stranger.national_id is None

        revoked = await http.delete(f"{SCOPES}/scope_probe/members.national_id", headers=operator)
        assert revoked.json()["granted"] is False and revoked.json()["revoked_at"]
        card = (await http.get(CARD, params={"member_id": member_id}, headers=operator)).json()
        assert card["national_id"] is None and card["unit"] == "3-1201"

        log = (await http.get("/v1/communities/home/national-id-views", headers=operator)).json()
        assert [(v["member_id"], v["module"]) for v in log] == [(member_id, "scope_probe")]
        assert log[0]["purpose"] == "appointment 7, 1****************X"  # no number in the log
        exported = (await http.get("/v1/communities/home/me/export", headers=me)).json()
        assert [v["purpose"] for v in exported["national_id_views"]] == [log[0]["purpose"]]


async def test_grants_are_refused_for_undeclared_scopes_unknown_modules_and_non_operators(
    start_platform,
):
    async with start_platform() as running:
        http, operator = running.client, running.auth("operator")
        unknown = await http.put(f"{SCOPES}/nosuch/members.phone", headers=operator)
        assert unknown.status_code == 404
        not_a_scope = await http.put(f"{SCOPES}/scope_probe/members.email", headers=operator)
        assert not_a_scope.status_code == 422
        never = await http.delete(f"{SCOPES}/scope_probe/members.phone", headers=operator)
        assert never.status_code == 404
        for who in ("leader", "resident", "stranger"):
            refused = await http.put(
                f"{SCOPES}/scope_probe/members.phone", headers=running.auth(who)
            )
            assert refused.status_code in (403, 404), who
        assert (await http.get(SCOPES, headers=running.auth("resident"))).status_code == 403


def test_the_command_line_grants_revokes_and_lists(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from linli.cli import main

    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{tmp_path}/linli.db")

    def linli(*args: str) -> str:
        done = CliRunner().invoke(main, list(args), prog_name="linli")
        assert done.exit_code == 0, done.output
        return done.output

    linli("demo", "--no-serve")
    assert "scope_probe members.phone: not granted" in linli("identity", "scopes", "sunny-garden")
    granted = linli("identity", "grant", "sunny-garden", "scope_probe", "members.phone")
    assert granted.strip() == "scope_probe members.phone: granted"
    revoked = linli("identity", "revoke", "sunny-garden", "scope_probe", "members.phone")
    assert revoked.strip() == "scope_probe members.phone: revoked"
    refused = CliRunner().invoke(
        main, ["identity", "grant", "sunny-garden", "noticeboard", "members.phone"]
    )
    assert refused.exit_code == 1
    assert "module noticeboard does not declare the scope members.phone" in refused.output
