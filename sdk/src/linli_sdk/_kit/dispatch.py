"""The kit's dispatch port: jobs kept by reference, pick lists printed as CSV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..documents import csv_document
from ..errors import CapabilityUnavailable
from ..host import GoodsOrder, JobRequest, JobTicket
from ..operations import Document


class KitDispatch:
    """The dispatch port: jobs by reference and the goods orders each printout covered."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[JobRequest, JobTicket]] = {}
        self.goods: list[tuple[GoodsOrder, ...]] = []

    async def submit(self, job: JobRequest) -> JobTicket:
        if job.ref not in self.jobs:
            ticket = JobTicket(id=f"job_{len(self.jobs) + 1}", ref=job.ref, status="pending")
            self.jobs[job.ref] = (job, ticket)
        return self.jobs[job.ref][1]

    async def goods_documents(
        self,
        kind: str,
        orders: Sequence[GoodsOrder],
        *,
        format: str = "pdf",
        grid_of: Mapping[str, str] | None = None,
        truck_capacity: int = 1000,
    ) -> Document:
        # The kit prints pick lists as CSV (the platform also does manifests and PDF).
        if kind != "pick-lists" or format != "csv":
            raise CapabilityUnavailable(f"the kit prints pick-lists as csv, not {kind} as {format}")
        self.goods.append(tuple(orders))
        rows = [
            (order.pickup_point, order.ref, order.member, line.sku, line.name, line.quantity)
            for order in sorted(orders, key=lambda o: (o.pickup_point, o.ref))
            for line in order.lines
        ]
        header = ("pickup point", "order", "member", "sku", "item", "quantity")
        return csv_document([header, *rows], filename=f"{kind}.csv", bom=False)
