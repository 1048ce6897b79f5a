"""The per-call lookups (caller, module state, revenue-share overrides) are cached per process.

A change made through this process is seen by the next call; a change made by another process
(written straight to the table here) is seen once the entry's time to live has passed.
"""

from __future__ import annotations

import pytest
from linli.auth import authenticate
from linli.db import cache
from linli.enablement import set_module
from linli.identity.verification import add_unit, issue_invitation, redeem_invitation
from linli.tables import Member, ModuleSetting
from linli_sdk import Role

LIVE = "/v1/communities/home/modules/group_buying"


class Clock:
    """``time.monotonic`` for the caches, moved on by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(cache.time, "monotonic", ticking)
    return ticking


async def test_a_repeated_caller_is_not_looked_up_again(start_platform, clock) -> None:
    async with start_platform() as running:
        token = f"Bearer {running.people['resident'].token}"
        _, caller = await authenticate(token, "home", None)
        # Another process takes the member's roles away: this process sees it within the TTL.
        await Member.update({Member.roles: ["member"]}).where(Member.id == caller.member_id)
        _, cached = await authenticate(token, "home", None)
        assert cached.has_role(Role.RESIDENT)
        clock.now += cache.LOOKUP_TTL_SECONDS + 0.1
        _, fresh = await authenticate(token, "home", None)
        assert not fresh.has_role(Role.RESIDENT)


async def test_a_role_granted_in_this_process_counts_on_the_next_call(start_platform) -> None:
    async with start_platform() as running:
        newcomer = running.people["newcomer"]
        token = f"Bearer {newcomer.token}"
        _, before = await authenticate(token, "home", None)
        assert not before.has_role(Role.RESIDENT)
        unit = await add_unit(running.home, "3", "301")
        code = await issue_invitation(running.home, unit["id"], None, uses=1, days=1)
        await redeem_invitation(running.home, newcomer.id, code)
        _, after = await authenticate(token, "home", None)
        assert after.has_role(Role.RESIDENT)


async def test_a_module_disabled_is_refused_on_the_next_call(start_platform, clock) -> None:
    async with start_platform(plugins_allow=["group_buying"]) as running:
        leader, home = running.auth("leader"), running.home
        board = f"{LIVE}/my-live-orders"
        assert (await running.client.get(board, headers=leader)).status_code == 404
        await set_module(running.platform, home, "group_buying", enabled=True)
        assert (await running.client.get(board, headers=leader)).status_code == 200
        await set_module(running.platform, home, "group_buying", enabled=False)
        assert (await running.client.get(board, headers=leader)).status_code == 404
        # Enabled by another process: seen once the cached state has expired.
        await ModuleSetting.update({ModuleSetting.enabled: True}).where(
            ModuleSetting.scope_key == f"{home.id}:group_buying"
        )
        assert (await running.client.get(board, headers=leader)).status_code == 404
        clock.now += cache.LOOKUP_TTL_SECONDS + 0.1
        assert (await running.client.get(board, headers=leader)).status_code == 200


async def test_overrides_set_in_this_process_apply_to_the_next_charge(start_platform) -> None:
    async with start_platform(plugins_allow=["group_buying"]) as running:
        settlement = running.platform.settlement
        home = running.home
        declared = await settlement.rules_for(home.id, "group_buying")
        leader = next(s for s in declared.shares if s.party == "leader")
        assert leader.basis_points == 1000
        await settlement.set_overrides(home, "group_buying", {"leader": 1200})
        rules = await settlement.rules_for(home.id, "group_buying")
        assert next(s for s in rules.shares if s.party == "leader").basis_points == 1200
