"""Seeding the insights tests: residents, pickup points and a purchase history before today."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from linli.identity.clients import register_client
from linli.identity.members import add_member
from linli.insights.synthetic import DemandModel, demand, purchases
from linli.profiles.tables import PurchaseFactRow
from linli_sdk import Role


async def residents(running: Any, count: int, prefix: str) -> list[int]:
    """``count`` new verified residents of ``home``; their member ids."""
    made = [await add_member(running.home, f"{prefix} {n}", Role.RESIDENT) for n in range(count)]
    return [m.id for m in made]


async def _added(running: Any, what: str, body: dict[str, Any]) -> int:
    response = await running.client.post(
        f"/v1/communities/home/network/{what}", json=body, headers=running.auth("operator")
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def pickup_point(running: Any, name: str, grid_warehouse: int | None = None) -> int:
    """A new pickup point of ``home``, supplied by ``grid_warehouse`` if given."""
    return await _added(
        running, "pickup-points", {"name": name, "grid_warehouse_id": grid_warehouse}
    )


async def grid_warehouse(running: Any, name: str) -> int:
    """A new grid warehouse of ``home`` (and the central one it hangs from)."""
    central = await _added(running, "warehouses", {"kind": "central", "name": f"{name} central"})
    return await _added(
        running, "warehouses", {"kind": "grid", "name": name, "central_id": central}
    )


async def history(
    running: Any,
    item: str,
    point: int | None,
    buyers: list[int],
    *,
    days: int = 56,
    base: float = 6.0,
    seed: int = 1,
) -> int:
    """``days`` of synthetic purchases of ``item`` at ``point`` ending yesterday, every buyer
    buying at least once; how many units in all."""
    today = running.home.local(datetime.now(UTC)).date()
    first = today - timedelta(days=days)
    rng = random.Random(seed)
    bought = purchases(
        rng, demand(DemandModel(base=base), first, days, rng), first, item, 0, buyers
    )
    rows = [(p.member, p.day, p.quantity) for p in bought]
    rows += [(member, today - timedelta(days=1 + n % 20), 1) for n, member in enumerate(buyers)]
    await insert_facts(running, item, point, rows)
    return sum(q for _, _, q in rows)


async def insert_facts(
    running: Any, item: str, point: int | None, rows: list[tuple[int, date, int]]
) -> None:
    """Purchase facts as modules would have recorded them on those days."""
    now = datetime.now(UTC)
    home = running.home.id
    await PurchaseFactRow.insert(
        *(
            PurchaseFactRow(
                community=home,
                member=member,
                module="group_buying",
                order_ref=f"order-{item}-{point}-{n}",
                item=item,
                item_name=item.title(),
                category="groceries",
                quantity=quantity,
                amount=500 * quantity,
                currency="CNY",
                pickup_point=point,
                day=day,
                recorded_at=now,
                scope_key=f"{home}:group_buying:order-{item}-{point}-{n}:{item}",
            )
            for n, (member, day, quantity) in enumerate(rows)
        )
    )


async def provider_back_end(running: Any) -> dict[str, str]:
    """Headers of a provider's back end acting in ``home`` (client credentials)."""
    client = await register_client("Dairy back end", community=running.home, scopes="read")
    response = await running.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read"},
        auth=(client.client_id, client.client_secret),
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
