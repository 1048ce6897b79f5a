"""The kit behaves like the platform: the same scenarios, the same answers, on both sides.

Each test runs once on the SDK's kit and once on a started platform over HTTP (the ``side``
fixture), with the conformance module of this directory, and asserts what a module's caller
sees: the status, the problem type and the fields it names, the charge as the gateway left
it, and the module's own rows.
"""

from __future__ import annotations

from typing import Any

from conformance_sides import Side


def cny(fen: int) -> dict[str, Any]:
    return {"amount": fen, "currency": "CNY"}


def order(side: Side, ref: str, fen: int = 10_000, **extra: Any) -> dict[str, Any]:
    """An order paying the leader's share to the leader and the rest to the operator."""
    payees = {"leader": side.id("leader"), "supplier": side.id("operator")}
    return {"order_ref": ref, "amount": cny(fen), "payees": payees, **extra}


async def order_refs(side: Side) -> list[str]:
    answer = await side.call("orders", {})
    assert answer.status == 200, answer.body
    refs: list[str] = answer.body["order_refs"]
    return refs


async def heard(side: Side) -> list[str]:
    """The settlement events the module was told of (``captured:o-1``...), once delivered."""
    await side.deliver()
    answer = await side.call("orders", {})
    assert answer.status == 200, answer.body
    told: list[str] = answer.body["heard"]
    return told


async def bought(side: Side, ref: str, fen: int = 10_000, **extra: Any) -> str:
    answer = await side.call("buy", order(side, ref, fen, **extra))
    assert answer.status == 200, answer.body
    charge_id: str = answer.body["id"]
    return charge_id


async def test_a_charge_that_names_no_payee_for_a_share_is_refused(side: Side) -> None:
    payees = {"supplier": side.id("operator")}  # nobody for the leader's share
    answer = await side.call("buy", {**order(side, "o-1"), "payees": payees})

    assert (answer.status, answer.problem) == (422, "invalid-input")
    assert answer.body["party"] == "leader"
    assert await order_refs(side) == []  # the order row went with the refused call


async def test_a_new_charge_is_pending_in_its_call_and_captured_after_it(side: Side) -> None:
    answer = await side.call("buy", order(side, "o-1"))

    assert answer.status == 200, answer.body
    assert (answer.body["status"], answer.body["parts"]) == ("pending", {})
    charge = await side.charge(answer.body["id"])
    assert charge["status"] == "captured"
    assert charge["parts"] == {
        "platform": cny(500),
        "leader": cny(1000),
        "community_fund": cny(100),
        "supplier": cny(8400),
    }
    assert await order_refs(side) == ["o-1"]


async def test_an_authorisation_is_captured_or_voided_after_the_call_that_asks(
    side: Side,
) -> None:
    held = await bought(side, "o-1", capture=False)
    dropped = await bought(side, "o-2", capture=False)
    assert (await side.charge(held))["status"] == "authorized"

    taken = await side.call("capture", {"charge_id": held}, who="leader")
    released = await side.call("void", {"charge_id": dropped}, who="leader")

    assert (taken.status, taken.body["status"]) == (200, "authorized")  # asked, not yet done
    assert (released.status, released.body["status"]) == (200, "authorized")
    assert (await side.charge(held))["status"] == "captured"
    assert (await side.charge(dropped))["status"] == "voided"
    again = await side.call("capture", {"charge_id": dropped}, who="leader")
    assert (again.status, again.problem) == (409, "conflict")
    undo = await side.call("void", {"charge_id": held}, who="leader")
    assert (undo.status, undo.problem) == (409, "conflict")


async def test_a_refused_charge_fails_after_its_call_and_the_module_is_told_once(
    side: Side,
) -> None:
    side.decline_next()

    answer = await side.call("buy", order(side, "o-1"))
    await side.deliver()

    assert (answer.status, answer.body["status"]) == (200, "pending")
    charge = await side.charge(answer.body["id"])
    assert (charge["status"], charge["parts"]) == ("failed", {})
    assert await order_refs(side) == ["o-1", "failed:o-1"]
    again = await side.call("buy", order(side, "o-1"))
    assert (again.body["id"], again.body["status"]) == (answer.body["id"], "failed")
    refund = {"charge_id": answer.body["id"], "amount": cny(1), "ref": "r"}
    assert (await side.call("refund", refund, "leader")).problem == "conflict"


async def test_charging_an_order_again_returns_its_first_charge(side: Side) -> None:
    first = await bought(side, "o-1")

    again = await side.call("buy", order(side, "o-1", 5_000))

    assert (again.status, again.body["id"]) == (200, first)
    assert again.body["status"] == "captured"
    assert again.body["amount"] == cny(10_000)


async def test_a_refund_ref_is_scoped_to_its_charge(side: Side) -> None:
    first, second = await bought(side, "o-1"), await bought(side, "o-2")

    one = await side.call("refund", {"charge_id": first, "amount": cny(300), "ref": "r"}, "leader")
    two = await side.call("refund", {"charge_id": second, "amount": cny(500), "ref": "r"}, "leader")
    replay = await side.call(
        "refund", {"charge_id": first, "amount": cny(300), "ref": "r"}, "leader"
    )

    assert (one.status, two.status) == (200, 200), (one.body, two.body)
    assert (two.body["charge_id"], two.body["amount"]) == (second, cny(500))
    assert two.body["id"] != one.body["id"]
    assert replay.body == one.body
    assert (await side.charge(first))["refunded"] == cny(300)
    assert (await side.charge(second))["refunded"] == cny(500)


async def test_a_refund_is_split_back_pro_rata(side: Side) -> None:
    charge_id = await bought(side, "o-1")

    half = await side.call(
        "refund", {"charge_id": charge_id, "amount": cny(5_000), "ref": "half"}, "leader"
    )

    assert half.status == 200, half.body
    assert half.body["parts"] == {
        "platform": cny(250),
        "leader": cny(500),
        "community_fund": cny(50),
        "supplier": cny(4200),
    }
    assert (await side.charge(charge_id))["status"] == "captured"


async def test_a_fully_refunded_charge_refuses_another_refund_as_exceeding_what_is_held(
    side: Side,
) -> None:
    charge_id = await bought(side, "o-1")
    everything = {"charge_id": charge_id, "amount": cny(10_000), "ref": "all"}
    assert (await side.call("refund", everything, "leader")).status == 200
    assert (await side.charge(charge_id))["status"] == "refunded"

    more = await side.call("refund", {**everything, "amount": cny(1), "ref": "more"}, "leader")

    assert (more.status, more.problem) == (422, "refund-exceeds-held")


async def test_refunding_more_than_was_charged_is_refused(side: Side) -> None:
    charge_id = await bought(side, "o-1")

    answer = await side.call(
        "refund", {"charge_id": charge_id, "amount": cny(10_001), "ref": "r"}, "leader"
    )

    assert (answer.status, answer.problem) == (422, "refund-exceeds-held")
    assert (await side.charge(charge_id))["refunded"] == cny(0)


async def test_an_authorisation_cannot_be_refunded(side: Side) -> None:
    charge_id = await bought(side, "o-1", capture=False)

    answer = await side.call(
        "refund", {"charge_id": charge_id, "amount": cny(1), "ref": "r"}, "leader"
    )

    assert (answer.status, answer.problem) == (409, "conflict")


async def test_an_unknown_charge_is_not_found(side: Side) -> None:
    answer = await side.call("capture", {"charge_id": "ch_404"}, who="leader")

    assert (answer.status, answer.problem) == (404, "not-found")


async def test_invalid_input_is_a_422_naming_each_field(side: Side) -> None:
    answer = await side.call("buy", {"order_ref": "", "payees": {}})

    assert (answer.status, answer.problem) == (422, "invalid-input")
    assert answer.fields == ["amount", "order_ref"]


async def test_invalid_settings_are_a_422_naming_each_field(side: Side) -> None:
    out_of_bounds = await side.enable({"limit": 50})
    typo = await side.enable({"limt": 3})

    assert (out_of_bounds.status, out_of_bounds.problem) == (422, "invalid-input")
    assert out_of_bounds.fields == ["settings.limit"]
    assert (typo.status, typo.problem) == (422, "invalid-input")
    assert typo.fields == ["settings.limt"]
    assert (await side.enable({"limit": 3})).status == 200


async def test_a_community_override_splits_the_charges_made_after_it(side: Side) -> None:
    before = await bought(side, "o-1")

    assert (await side.override({"leader": 1200, "platform": 0})).status == 200
    after = await bought(side, "o-2")

    assert (await side.charge(before))["parts"]["leader"] == cny(1000)
    parts = (await side.charge(after))["parts"]
    assert (parts["leader"], parts["platform"], parts["supplier"]) == (cny(1200), cny(0), cny(8700))


async def test_an_override_outside_the_declared_bounds_is_refused(side: Side) -> None:
    answer = await side.override({"leader": 2000})

    assert (answer.status, answer.problem) == (422, "share-out-of-bounds")
    charge_id = await bought(side, "o-1")
    assert (await side.charge(charge_id))["parts"]["leader"] == cny(1000)


async def test_a_call_that_raises_leaves_none_of_its_rows_and_no_charge(side: Side) -> None:
    answer = await side.call("buy", order(side, "o-1", fail_after=True))

    assert (answer.status, answer.problem) == (409, "conflict")
    assert await order_refs(side) == []
    again = await side.call("buy", order(side, "o-1"))  # the order ref is free again
    assert (again.status, again.body["status"]) == (200, "pending")
    assert await order_refs(side) == ["o-1"]


async def test_a_caller_without_the_role_is_forbidden(side: Side) -> None:
    answer = await side.call("buy", order(side, "o-1"), who="newcomer")

    assert (answer.status, answer.problem) == (403, "forbidden")
    assert await order_refs(side) == []


async def test_a_charge_reads_back_as_the_ledger_has_it(side: Side) -> None:
    charge_id = await bought(side, "o-1")
    assert (
        await side.call(
            "refund", {"charge_id": charge_id, "amount": cny(300), "ref": "r"}, "leader"
        )
    ).status == 200

    read = await side.call("charge", {"charge_id": charge_id})

    assert read.status == 200, read.body
    assert (read.body["status"], read.body["refunded"]) == ("captured", cny(300))
    assert read.body["parts"] == (await side.charge(charge_id))["parts"]
    assert (read.body["deposit"], read.body["expires_at"]) == (False, None)
    unknown = await side.call("charge", {"charge_id": "ch_404"})
    assert (unknown.status, unknown.problem) == (404, "not-found")


async def test_captured_and_refunded_reach_the_module_once_after_the_call(side: Side) -> None:
    charge_id = await bought(side, "o-1")
    held = await bought(side, "o-2", capture=False)
    assert await heard(side) == ["captured:o-1"]  # an authorisation takes nothing

    refund = {"charge_id": charge_id, "amount": cny(300), "ref": "r"}
    assert (await side.call("refund", refund, "leader")).status == 200
    assert (await side.call("refund", refund, "leader")).status == 200  # the same ref: no more
    assert (await side.call("capture", {"charge_id": held}, who="leader")).status == 200

    assert await heard(side) == ["captured:o-1", "refunded:o-1:r", "captured:o-2"]
    assert await heard(side) == ["captured:o-1", "refunded:o-1:r", "captured:o-2"]


async def test_a_call_that_raises_tells_the_module_nothing(side: Side) -> None:
    answer = await side.call("buy", order(side, "o-1", fail_after=True))

    assert (answer.status, answer.problem) == (409, "conflict")
    assert await heard(side) == []


async def test_a_deposit_checks_the_payees_of_the_deposit_rules_and_splits_by_them(
    side: Side,
) -> None:
    deposit = {"order_ref": "d-1", "amount": cny(20_000), "payees": {}}
    refused = await side.call("hold", deposit)
    assert (refused.status, refused.problem) == (422, "invalid-input")
    assert refused.body["party"] == "owner"  # the deposit rules' party, not the sale rules'

    held = await side.call("hold", {**deposit, "payees": {"owner": side.id("leader")}})
    assert (held.status, held.body["status"], held.body["deposit"]) == (200, "pending", True)
    assert (await side.charge(held.body["id"]))["status"] == "authorized"
    kept = await side.call("capture", {"charge_id": held.body["id"]}, who="leader")
    assert kept.status == 200, kept.body

    charge = await side.charge(held.body["id"])
    assert charge["parts"] == {"community_fund": cny(2_000), "owner": cny(18_000)}
    assert await heard(side) == ["captured:d-1"]
    assert await order_refs(side) == ["d-1"]


async def test_a_job_is_followed_then_completed_once_on_time(side: Side) -> None:
    booked = await side.call("book-job", {"ref": "visit-1"})
    assert booked.status == 200, booked.body
    job_id = booked.body["id"]
    assert (booked.body["status"], booked.body["worker_member_id"]) == ("pending", None)
    early = await side.call("finish-job", {"job_id": job_id}, who="worker")
    assert (early.status, early.problem, early.body["reason"]) == (409, "conflict", "not_accepted")

    worker = await side.accept("visit-1", job_id)
    seen = await side.call("job", {"job_id": job_id})
    assert (seen.body["status"], seen.body["worker_member_id"]) == ("accepted", worker)
    assert (seen.body["completed_at"], seen.body["on_time"]) == (None, None)
    done = await side.call("finish-job", {"job_id": job_id}, who="worker")
    assert done.status == 200, done.body
    assert (done.body["status"], done.body["on_time"]) == ("completed", True)
    assert done.body["completed_at"] is not None
    again = await side.call("finish-job", {"job_id": job_id}, who="worker")
    assert (again.status, again.body) == (200, done.body)  # the first completion stands
    assert (await side.call("job", {"job_id": job_id})).body == done.body


async def test_a_job_completed_after_its_window_is_late(side: Side) -> None:
    booked = await side.call("book-job", {"ref": "visit-1", "ends_in_minutes": -60})
    assert booked.status == 200, booked.body
    await side.accept("visit-1", booked.body["id"])
    done = await side.call("finish-job", {"job_id": booked.body["id"]}, who="worker")
    assert (done.status, done.body["status"], done.body["on_time"]) == (200, "completed", False)


async def test_a_job_the_module_did_not_submit_is_not_found(side: Side) -> None:
    for job_id in ("999999", "not-a-job"):
        answer = await side.call("job", {"job_id": job_id})
        assert (answer.status, answer.problem) == (404, "not-found")


async def test_written_sql_answers_the_same_rows_in_the_calls_transaction(side: Side) -> None:
    """``linli_sdk.sql.fetch``: the kit runs ``Table.raw``, the platform its own engine's path."""
    first = await side.call("write-sql", {"order_ref": "s-1"})
    assert first.status == 200, first.body
    assert first.body == {
        "returned": [{"id": 1, "order_ref": "s-1"}],
        "found": [{"id": 1, "order_ref": "s-1"}],
    }
    undone = await side.call("write-sql", {"order_ref": "s-2", "fail_after": True})
    assert (undone.status, undone.problem) == (409, "conflict")
    second = await side.call("write-sql", {"order_ref": "s-3"})
    assert second.status == 200, second.body
    assert [row["order_ref"] for row in second.body["found"]] == ["s-1", "s-3"]
    assert await order_refs(side) == ["s-1", "s-3"]  # s-2 went with the call that raised
