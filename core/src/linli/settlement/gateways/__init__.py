"""Payment gateways: the `Gateway` protocol, the sandbox (`sandbox`) and Stripe (`stripe`)."""

from .base import Gateway, GatewayOutcome, GatewayStatus
from .sandbox import SandboxGateway

__all__ = ["Gateway", "GatewayOutcome", "GatewayStatus", "SandboxGateway"]
