"""Personal data: sealed at rest, masked to others, exported, erased, never logged."""

from __future__ import annotations

import re
import sqlite3

import pytest
from identity_helpers import (
    REDIRECT,
    authorization_code,
    captured_logs,
    exchange,
    resident_token,
    sign_in_code,
)
from linli.identity.clients import register_client

pytestmark = pytest.mark.usefixtures("fixture_plugins")

PHONE = "13912345678"  # resident_token's default
NATIONAL_ID = "11010519491231002X"
IN_CLEAR = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|\d{17}[\dX])(?![0-9A-Za-z])")


def dump(database_url: str) -> str:
    """Every row of the SQLite database as SQL text."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return "\n".join(db.iterdump())


async def test_personal_data_is_sealed_masked_exported_and_erased(start_platform, database_url):
    async with start_platform() as running:
        with captured_logs() as logs:  # after the app is made: Litestar resets the root logger
            http = running.client
            me = await resident_token(http)
            profile = (await http.get("/v1/communities/home/me", headers=me)).json()
            assert profile["phone"] == PHONE
            member_id = profile["id"]

            as_leader = await http.get(
                f"/v1/communities/home/members/{member_id}", headers=running.auth("leader")
            )
            assert as_leader.json()["phone"] == "139****5678"
            as_operator = await http.get(
                f"/v1/communities/home/members/{member_id}", headers=running.auth("operator")
            )
            assert as_operator.json()["phone"] == PHONE
            as_resident = await http.get(
                f"/v1/communities/home/members/{member_id}", headers=running.auth("resident")
            )
            assert as_resident.status_code == 403

            no_consent = await http.put(
                "/v1/communities/home/me/national-id", json={"number": NATIONAL_ID}, headers=me
            )
            assert no_consent.status_code == 403 and "consent" in no_consent.json()["detail"]
            consent = await http.post(
                "/v1/communities/home/me/consents", json={"purpose": "national_id"}, headers=me
            )
            assert consent.status_code == 201
            bad = await http.put(
                "/v1/communities/home/me/national-id",
                json={"number": "110105194912310021"},
                headers=me,
            )
            assert bad.status_code == 422
            stored = await http.put(
                "/v1/communities/home/me/national-id", json={"number": NATIONAL_ID}, headers=me
            )
            assert stored.json() == {"national_id": "1****************X"}

            exported = (await http.get("/v1/communities/home/me/export", headers=me)).json()
            assert exported["account"]["phone"] == PHONE
            assert exported["account"]["national_id"] == NATIONAL_ID
            withdrawn = await http.delete(
                "/v1/communities/home/me/consents/national_id", headers=me
            )
            assert withdrawn.json() == {"purpose": "national_id", "withdrawn": True}
            after_withdrawal = await http.get("/v1/communities/home/me/export", headers=me)
            assert after_withdrawal.json()["account"]["national_id"] is None
            again = await http.put(
                "/v1/communities/home/me/national-id", json={"number": NATIONAL_ID}, headers=me
            )
            assert again.status_code == 403  # consent is asked for anew
            await http.post(
                "/v1/communities/home/me/consents", json={"purpose": "national_id"}, headers=me
            )
            await http.put(
                "/v1/communities/home/me/national-id", json={"number": NATIONAL_ID}, headers=me
            )
            assert exported["memberships"][0]["community"] == "home"

            at_rest = dump(database_url)
            assert PHONE not in at_rest and NATIONAL_ID not in at_rest
            assert IN_CLEAR.findall(at_rest) == []

            erased = await http.delete("/v1/communities/home/me", headers=me)
            assert erased.json()["erased"] is True
            assert erased.json()["memberships"] == 1
            after = await http.get(
                f"/v1/communities/home/members/{member_id}", headers=running.auth("operator")
            )
            assert after.json()["display_name"] == f"erased member {member_id}"
            assert after.json()["phone"] is None
            gone = dump(database_url)
            assert "139****5678" not in gone and "1****************X" not in gone

    logged = "\n".join(logs.lines)
    assert "sign-in code" in logged  # the demo's SMS went to the log...
    assert PHONE not in logged and NATIONAL_ID not in logged  # ...but no number did
    assert IN_CLEAR.findall(logged) == []


async def test_a_phone_signs_in_to_one_account_across_communities(start_platform):
    async with start_platform() as running:
        http = running.client
        home = await resident_token(http)
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        code, verifier = await authorization_code(
            http, frontend.client_id, phone=PHONE, otp=otp, community="other"
        )
        other = await exchange(http, frontend.client_id, code, verifier)
        bearer = {"Authorization": f"Bearer {other['access_token']}"}
        exported = (await http.get("/v1/communities/other/me/export", headers=bearer)).json()
        assert sorted(m["community"] for m in exported["memberships"]) == ["home", "other"]
        assert (await http.get("/v1/communities/home/me", headers=home)).status_code == 200


async def test_code_requests_and_sign_ins_are_rate_limited(start_platform):
    async with start_platform() as running:
        statuses = [
            (
                await running.client.post(
                    "/v1/identity/sign-in-codes", json={"phone": "13700000001"}
                )
            ).status_code
            for _ in range(7)
        ]
        assert statuses[:5] == [202] * 5 and statuses[5:] == [429, 429]
        many = [
            (
                await running.client.post(
                    "/v1/identity/sign-in-codes", json={"phone": f"1370000{n:04d}"}
                )
            ).status_code
            for n in range(2, 100)
        ]
        assert many.count(202) == 95 and many[-1] == 429  # 100 per address, whatever the phone
        bad_phone = await running.client.post("/v1/identity/sign-in-codes", json={"phone": "12345"})
        assert bad_phone.status_code in (422, 429)


async def test_a_wrong_code_does_not_sign_in(start_platform):
    async with start_platform() as running:
        http = running.client
        frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
        otp = await sign_in_code(http, PHONE)
        wrong = "000000" if otp != "000000" else "111111"
        with pytest.raises(AssertionError):
            await authorization_code(http, frontend.client_id, phone=PHONE, otp=wrong)
        code, _ = await authorization_code(http, frontend.client_id, phone=PHONE, otp=otp)
        assert code


async def test_plugins_see_residents_masked_through_the_member_lookup(start_platform):
    from linli.modules.host import CoreHost

    async with start_platform() as running:
        me = await resident_token(running.client)
        profile = (await running.client.get("/v1/communities/home/me", headers=me)).json()
        host = CoreHost(running.platform, running.home, "probe")
        seen = await host.members.get(profile["id"])
        assert seen is not None and seen.phone_masked == "139****5678"
        assert PHONE not in seen.model_dump_json()
        assert (
            await CoreHost(running.platform, running.other, "probe").members.get(profile["id"])
            is None
        )


async def test_rotating_the_data_key_reseals_every_number(start_platform, database_url):
    import base64
    import os

    from linli.identity.privacy import export, reseal_personal_data
    from linli.identity.service import IdentityService
    from linli.identity.tables import Account
    from linli.settings import Settings

    old, new, index = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))
    async with start_platform(identity_data_keys=f"k1:{old}", identity_index_key=index) as running:
        me = await resident_token(running.client)
        member_id = (await running.client.get("/v1/communities/home/me", headers=me)).json()["id"]
        rotated = IdentityService(
            Settings(
                database_url=database_url,
                identity_data_keys=f"k2:{new},k1:{old}",
                identity_index_key=index,
            )
        )
        assert await reseal_personal_data(rotated) == 1
        (row,) = await Account.select(Account.phone_sealed)
        assert row["phone_sealed"].startswith("k2.")
        assert await reseal_personal_data(rotated) == 0
        assert (await export(rotated, member_id))["account"]["phone"] == PHONE
        # the blind index did not change: the phone still finds the same account
        from linli.identity.accounts import account_by_phone

        assert await account_by_phone(rotated, PHONE, create=False) is not None
