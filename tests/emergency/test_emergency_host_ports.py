"""The core's ``host.emergency`` and ``host.vault`` ports, as a module's host serves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linli.emergency import service
from linli.modules.host import CoreHost
from linli_sdk import InvalidInput


async def test_host_emergency_reads_only_its_own_community_and_what_is_in_force(start_platform):
    async with start_platform() as running:
        platform, home, other = running.platform, running.home, running.other
        now = datetime.now(UTC)
        await service.declare(
            platform, ["home"], kind="flood", starts_at=now + timedelta(hours=1), reference="f"
        )
        await service.declare(platform, ["other"], kind="epidemic", reference="e")
        at_home = CoreHost(platform, home, "probe").emergency
        assert await at_home.current() is None  # declared, not started
        assert (await at_home.get("f")).kind == "flood"
        assert await at_home.get("e") is None  # another community's
        assert (await CoreHost(platform, other, "probe").emergency.current()).kind == "epidemic"
        await service.amend(platform, "f", now + timedelta(hours=2))
        assert (await at_home.get("f")).ends_at == now + timedelta(hours=2)


async def test_host_vault_opens_only_for_the_module_community_and_purpose_that_sealed(
    start_platform,
):
    async with start_platform() as running:
        platform, home, other = running.platform, running.home, running.other
        vault = CoreHost(platform, home, "emergency_supply").vault
        token = await vault.seal("disability", "vulnerability")
        assert "disability" not in token
        assert await vault.seal("disability", "vulnerability") != token  # a fresh nonce
        assert await vault.open(token, "vulnerability") == "disability"
        for wrong in (
            CoreHost(platform, home, "charity").vault,
            CoreHost(platform, other, "emergency_supply").vault,
        ):
            with pytest.raises(InvalidInput):
                await wrong.open(token, "vulnerability")
        with pytest.raises(InvalidInput):
            await vault.open(token, "phone")
        with pytest.raises(InvalidInput):
            await vault.open("not-a-token", "vulnerability")
