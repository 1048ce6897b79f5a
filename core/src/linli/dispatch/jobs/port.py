"""The host's ``dispatch`` port: a module's jobs submitted, followed and finished; goods printed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from linli_sdk import Community, Document, GoodsOrder, InvalidInput, JobRequest, JobTicket

from linli.dispatch.jobs import service
from linli.dispatch.logistics import goods
from linli.dispatch.logistics.documents import render_goods

__all__ = ["JobDispatch"]


class JobDispatch:
    """The host's ``dispatch`` port for one module in one community."""

    def __init__(self, community: Community, module: str) -> None:
        self._community, self._module = community, module

    async def submit(self, job: JobRequest) -> JobTicket:
        """Ask for a worker for ``job``; the same ``ref`` returns the same ticket."""
        return await service.submit(self._community, self._module, job)

    async def get(self, job_id: str) -> JobTicket:
        """One of the module's jobs as dispatch has it now (``NotFound`` for any other)."""
        return await service.job_ticket(self._community, self._module, job_id)

    async def complete(self, job_id: str, at: datetime | None = None) -> JobTicket:
        """The job's accepted worker finished it at ``at`` (now); on time judged by its window."""
        return await service.finish(
            self._community, self._module, job_id, datetime.now(UTC) if at is None else at
        )

    async def goods_documents(
        self,
        kind: str,
        orders: Sequence[GoodsOrder],
        *,
        format: str = "pdf",
        grid_of: Mapping[str, str] | None = None,
        truck_capacity: int = 1000,
    ) -> Document:
        """Pick lists or manifests of confirmed orders, printed (changes nothing).

        Raises:
            InvalidInput: An unknown kind or format, or orders the network cannot route.

        """
        routed = [
            goods.GoodsOrder(
                o.ref,
                o.member,
                o.pickup_point,
                tuple(goods.OrderLine(ln.sku, ln.name, ln.quantity) for ln in o.lines),
            )
            for o in orders
        ]
        try:
            body, media = render_goods(kind, routed, grid_of or {}, truck_capacity, format)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        filename = f"{self._community.slug}-{self._module}-{kind}.{format}"
        return Document(content=body, media_type=media, filename=filename)
