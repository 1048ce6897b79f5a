"""The composition root: the platform builds each service once, with the parts it is given."""

from __future__ import annotations

from linli.platform import Platform
from linli.settings import Settings
from linli.settlement.gateways import SandboxGateway


class KeptSms:
    """An SMS sender that keeps what it would send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_every_service_is_built_once_from_the_settings(database_url):
    platform = Platform.from_settings(Settings(database_url=database_url))
    assert platform.settlement.gateway.name == "sandbox"
    assert platform.identity.settings is platform.settings
    assert platform.credit.model.base == platform.settings.credit_base_score
    assert platform.worker.platform is platform
    assert platform.settlement is platform.settlement  # a field, not a lookup


async def test_the_parts_a_platform_is_built_with_serve_its_requests(start_platform):
    sms, gateway = KeptSms(), SandboxGateway(fee_basis_points=123)
    async with start_platform(sms=sms, gateway=gateway) as running:
        assert running.platform.settlement.gateway is gateway
        sent = await running.client.post(
            "/v1/identity/sign-in-codes", json={"phone": "13800000042"}
        )
        assert sent.status_code == 202, sent.text
        assert [phone for phone, _ in sms.sent] == ["13800000042"]  # not the default sender
