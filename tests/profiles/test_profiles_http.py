"""A resident's profile over HTTP: consent, tags explained, corrected, exported and erased."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from linli.profiles.tables import PersonalisationConsent, PurchaseFactRow, Reminder, Tag
from linli.testing.sign_in import resident_token
from profiles_helpers import bought

BASE = "/v1/communities/home"


async def household(running: Any, me: dict[str, str]) -> int:
    """Verify the signed-in resident for unit 3-1201 by invitation; the unit's id."""
    http, operator = running.client, running.auth("operator")
    unit = await http.post(
        f"{BASE}/units", json={"building": "3", "room": "1201"}, headers=operator
    )
    invited = await http.post(
        f"{BASE}/invitations", json={"unit_id": unit.json()["id"]}, headers=operator
    )
    redeemed = await http.post(
        f"{BASE}/verification/invitation", json={"code": invited.json()["code"]}, headers=me
    )
    assert redeemed.status_code == 200, redeemed.text
    return int(unit.json()["id"])


START = date(2026, 1, 5)


async def test_a_resident_consents_sees_corrects_exports_and_erases_their_tags(start_platform):
    async with start_platform() as running:
        http = running.client
        me = await resident_token(http)
        member = (await http.get(f"{BASE}/me", headers=me)).json()["id"]
        unit = await household(running, me)
        for n, gap in enumerate((0, 18, 35, 54)):
            await bought(running.home, member, "formula", START + timedelta(days=gap), f"order-{n}")
        await bought(running.home, member, "rice", START, "order-9")  # one purchase: no cycle

        assert (await http.get(f"{BASE}/profile/tags", headers=me)).json() == {"items": []}
        households = await PurchaseFactRow.select(PurchaseFactRow.unit).where(
            PurchaseFactRow.member == member
        )
        assert {r["unit"] for r in households} == {unit}  # every fact keyed by the household
        consent = await http.get(f"{BASE}/profile/consent", headers=me)
        assert consent.json()["given"] is False and "withdraw" in consent.json()["wording"]

        given = await http.post(f"{BASE}/profile/consent", headers=me)
        assert given.status_code == 200 and given.json()["given"] is True
        [tag] = (await http.get(f"{BASE}/profile/tags", headers=me)).json()["items"]
        assert (tag["item"], tag["cycle_days"], tag["purchases"]) == ("formula", 18, 4)
        assert tag["last_purchase"] == (START + timedelta(days=54)).isoformat()
        assert tag["orders"] == ["order-0", "order-1", "order-2", "order-3"]
        assert "order-0, order-1, order-2, order-3" in tag["explanation"]

        corrected = await http.patch(
            f"{BASE}/profile/tags/formula", json={"cycle_days": 21}, headers=me
        )
        assert corrected.status_code == 200, corrected.text
        assert (corrected.json()["cycle_days"], corrected.json()["estimated_cycle_days"]) == (
            21,
            18,
        )
        empty = await http.patch(f"{BASE}/profile/tags/formula", json={}, headers=me)
        assert empty.status_code == 422
        missing = await http.patch(
            f"{BASE}/profile/tags/nothing", json={"not_for_me": True}, headers=me
        )
        assert missing.status_code == 404

        exported = (await http.get(f"{BASE}/me/export", headers=me)).json()
        [mine] = exported["profiles"]
        assert [t["item"] for t in mine["tags"]] == ["formula"]
        assert mine["tags"][0]["explanation"] == tag["explanation"]
        assert mine["tags"][0]["cycle_days"] == 21
        assert len(mine["purchases"]) == 5 and mine["consents"][0]["withdrawn_at"] is None

        withdrawn = await http.delete(f"{BASE}/profile/consent", headers=me)
        assert withdrawn.status_code == 200 and withdrawn.json()["given"] is False
        assert (await http.get(f"{BASE}/profile/tags", headers=me)).json() == {"items": []}
        await http.post(f"{BASE}/profile/consent", headers=me)  # the tag comes back, uncorrected
        [again] = (await http.get(f"{BASE}/profile/tags", headers=me)).json()["items"]
        assert again["cycle_days"] == 18 and not again["corrected"]

        erased = await http.delete(f"{BASE}/me", headers=me)
        assert erased.status_code == 200, erased.text
        for table in (PurchaseFactRow, Tag, Reminder, PersonalisationConsent):
            assert not await table.exists().where(table.member == member), table


async def test_deleting_a_tag_erases_the_purchases_it_came_from(start_platform):
    async with start_platform() as running:
        http = running.client
        me = await resident_token(http)
        member = (await http.get(f"{BASE}/me", headers=me)).json()["id"]
        for n in range(3):
            await bought(running.home, member, "eggs", START + timedelta(days=7 * n), f"o-{n}")
        await http.post(f"{BASE}/profile/consent", headers=me)
        deleted = await http.delete(f"{BASE}/profile/tags/eggs", headers=me)
        assert deleted.json() == {"tags": 1, "facts": 3}
        assert (await http.get(f"{BASE}/profile/tags", headers=me)).json() == {"items": []}
        assert (await http.delete(f"{BASE}/profile/tags/eggs", headers=me)).status_code == 404
