"""The two sides the conformance suite runs its scenarios on: the SDK's kit and the platform.

Each side answers a call as the platform answers it over HTTP: a status and a JSON body, the
body a problem document when the call was refused. The kit raises the SDK's errors; its side
turns each into the problem document the core would serve for it, so a scenario compares
what a module's caller would see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from linli.dispatch.jobs.service import register_worker, rematch
from linli.identity.members import add_member
from linli.testing import Running
from linli_sdk import LinliError, Role
from linli_sdk.testing import PluginKit

MODULE = "conformance"
HOME = "/v1/communities/home"
QUERIES = frozenset({"orders", "charge", "job"})
SKILL = "visiting"
"""The skill the conformance module's visits need of a dispatch worker."""


@dataclass(frozen=True)
class Answer:
    """What a caller sees: the status and the JSON body (a problem document when refused)."""

    status: int
    body: dict[str, Any]

    @property
    def problem(self) -> str | None:
        """The problem type's slug (``invalid-input``...), or ``None`` for a success."""
        kind = self.body.get("type", "") if self.status >= 400 else ""
        return kind.removeprefix("urn:linli:problem:") if kind else None

    @property
    def fields(self) -> list[str]:
        """The fields a 422 names in its ``errors`` member."""
        return sorted(error["field"] for error in self.body.get("errors", []))


def problem_document(exc: LinliError) -> dict[str, Any]:
    """The problem document the core serves for an SDK error (`linli.http.problems`)."""
    return {
        "type": f"urn:linli:problem:{exc.slug}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        **exc.extensions,
    }


class KitSide:
    """The module in the SDK's kit, its tables on a migrated temporary SQLite file."""

    name = "kit"

    def __init__(self, kit: PluginKit) -> None:
        self.kit = kit
        self.people = {
            "operator": kit.add_member("Op", Role.OPERATOR),
            "leader": kit.add_member("Lead", Role.LEADER, Role.RESIDENT),
            "resident": kit.add_member("Res", Role.RESIDENT),
            "newcomer": kit.add_member("New"),
            "worker": kit.add_member("Worker", Role.PROVIDER_STAFF),
        }

    def id(self, who: str) -> int:
        """The member id of one of the people (as ``Running.people`` names them)."""
        return self.people[who].id

    async def _answer(self, work: Any) -> Answer:
        try:
            result = await work
        except LinliError as exc:
            return Answer(exc.status, problem_document(exc))
        return Answer(200, result.model_dump(mode="json"))

    async def call(self, operation: str, data: dict[str, Any], who: str = "resident") -> Answer:
        """Call one of the module's operations as ``who``."""
        return await self._answer(self.kit.call(operation, data, as_=self.people[who]))

    def decline_next(self) -> None:
        """Make the gateway refuse the next charge."""
        self.kit.host.payments.decline_next()

    async def deliver(self) -> None:
        """Deliver what is pending (the kit delivers after every call: nothing is)."""
        await self.kit.deliver_events()

    async def charge(self, charge_id: str) -> dict[str, Any]:
        """The charge as it stands once the gateway has answered."""
        return self.kit.host.payments.charges[charge_id].model_dump(mode="json")

    async def override(self, overrides: dict[str, Any]) -> Answer:
        """Set the community's revenue-share overrides for the module, as an operator."""

        async def put() -> Any:
            rules = self.kit.host.payments.set_overrides(overrides)
            return rules

        return await self._answer(put())

    async def enable(self, settings: dict[str, Any]) -> Answer:
        """Enable the module with ``settings``, as an operator."""
        return await self._answer(self.kit.enable(settings))

    def set_now(self, moment: datetime) -> None:
        """Set the clock notifications are decided by."""
        self.kit.clock = moment

    async def opt_out(self, who: str, kind: str) -> None:
        """``who`` opts out of one of the module's notification kinds."""
        self.kit.host.notifications.opt_out(self.id(who), kind)

    async def notification_policy(self, quiet: tuple[str, str], rate_limit: int) -> None:
        """Set the community's quiet hours (``HH:MM``) and rate limit, as an operator."""
        start, end = (time.fromisoformat(t) for t in quiet)
        self.kit.host.notifications.set_policy(
            quiet_start=start, quiet_end=end, rate_limit=rate_limit
        )

    async def notifications(self) -> list[tuple[int, str, str]]:
        """Each notification decided, in order: the member's id, the kind and the status."""
        return [(n.member_id, n.kind, n.status.value) for n in self.kit.host.notifications.sent]

    async def accept(self, ref: str, job_id: str) -> int:
        """The worker takes the module's job: offered and accepted; the worker's member id."""
        await self.kit.accept_job(ref, self.people["worker"])
        return self.people["worker"].id


class PlatformSide:
    """The module installed on a started platform, called over HTTP."""

    name = "platform"

    def __init__(self, running: Running) -> None:
        self.running = running

    def id(self, who: str) -> int:
        """The member id of one of the seeded people."""
        return self.running.people[who].id

    async def _answer(self, response: Any) -> Answer:
        await self.running.platform.settlement.idle()  # the gateway answers after commit
        return Answer(response.status_code, response.json())

    async def call(self, operation: str, data: dict[str, Any], who: str = "resident") -> Answer:
        """Call one of the module's operations over HTTP as ``who``."""
        url = f"{HOME}/modules/{MODULE}/{operation}"
        if who == "worker":
            await self._worker()
        auth = self.running.auth(who)
        client = self.running.client
        if operation in QUERIES:
            return await self._answer(await client.get(url, params=data, headers=auth))
        return await self._answer(await client.post(url, json=data, headers=auth))

    def decline_next(self) -> None:
        """Make the sandbox gateway refuse the next charge."""
        self.running.platform.settlement.gateway.decline_next()  # type: ignore[attr-defined]

    async def deliver(self) -> None:
        """Let the dispatch worker deliver the events waiting in the outbox."""
        await self.running.platform.worker.run_once()
        await self.running.platform.settlement.idle()

    async def charge(self, charge_id: str) -> dict[str, Any]:
        """The charge as the ledger has it, read by the operator."""
        url = f"{HOME}/settlement/charges/{charge_id}"
        answer = await self.running.client.get(url, headers=self.running.auth("operator"))
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def override(self, overrides: dict[str, Any]) -> Answer:
        """Set the community's revenue-share overrides for the module, as an operator."""
        url = f"{HOME}/settlement/revenue-share/{MODULE}"
        body = {"overrides": overrides}
        return await self._answer(
            await self.running.client.put(url, json=body, headers=self.running.auth("operator"))
        )

    async def _worker(self) -> int:
        """The provider's worker, a member from the first time a scenario needs them."""
        if "worker" not in self.running.people:
            member = await add_member(self.running.home, "Worker", Role.PROVIDER_STAFF)
            self.running.people["worker"] = member
        return self.running.people["worker"].id

    async def accept(self, ref: str, job_id: str) -> int:
        """The worker joins dispatch, is offered the pending job and accepts it over HTTP.

        Returns the worker's member id.
        """
        member_id = await self._worker()
        now = datetime.now(UTC)
        free = [(now - timedelta(days=1), now + timedelta(days=1))]
        home = self.running.home
        await register_worker(
            home, "Worker", skills=[SKILL], availability=free, member_id=member_id
        )
        await rematch(home)
        url = f"{HOME}/dispatch/jobs/{job_id}/accept"
        answer = await self.running.client.post(url, headers=self.running.auth("worker"))
        assert answer.status_code == 200, answer.text
        return member_id

    async def enable(self, settings: dict[str, Any]) -> Answer:
        """Enable the module with ``settings``, as an operator."""
        url = f"{HOME}/modules/{MODULE}"
        body = {"enabled": True, "settings": settings}
        return await self._answer(
            await self.running.client.put(url, json=body, headers=self.running.auth("operator"))
        )

    def set_now(self, moment: datetime) -> None:
        """Set the clock notifications are decided by."""
        self.running.platform.notifications.clock = lambda: moment

    async def opt_out(self, who: str, kind: str) -> None:
        """``who`` opts out of one of the module's notification kinds, over HTTP."""
        url = f"{HOME}/notifications/kinds/{MODULE}.{kind}"
        answer = await self.running.client.put(
            url, json={"opted_out": True}, headers=self.running.auth(who)
        )
        assert answer.status_code == 200, answer.text

    async def notification_policy(self, quiet: tuple[str, str], rate_limit: int) -> None:
        """Set the community's quiet hours (``HH:MM``) and rate limit, as an operator."""
        body = {"quiet_start": quiet[0], "quiet_end": quiet[1], "rate_limit": rate_limit}
        answer = await self.running.client.put(
            f"{HOME}/notifications/policy", json=body, headers=self.running.auth("operator")
        )
        assert answer.status_code == 200, answer.text

    async def notifications(self) -> list[tuple[int, str, str]]:
        """Each notification decided, in order, as the send log has it (read by the operator)."""
        answer = await self.running.client.get(
            f"{HOME}/notifications/log", headers=self.running.auth("operator")
        )
        assert answer.status_code == 200, answer.text
        decided = [line for line in reversed(answer.json()) if line["channel"] == ""]
        decided = [line for line in decided if line["status"] != "no_channel"]
        return [(line["member_id"], line["kind"], line["status"]) for line in decided]


Side = KitSide | PlatformSide
