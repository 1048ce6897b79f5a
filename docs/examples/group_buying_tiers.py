"""A tiered group buy worked through the module's pure rules: price, refunds, each party's share.

Run it: ``uv run python docs/examples/group_buying_tiers.py``.
"""

from linli_group_buying.plugin import REVENUE_SHARE
from linli_group_buying.pricing import Measure, Tier, final_unit_price, tier_refund
from linli_sdk import Money, refund, split


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


base = cny(1990)  # CNY 19.90 a box of strawberries
tiers = [Tier(10, cny(1790)), Tier(20, cny(1690))]  # cheaper from 10 and 20 buyers
orders = {"Chen": 2, "Liu": 1, "Zhou": 3} | {f"Neighbour {n}": 1 for n in range(9)}

final = final_unit_price(base, tiers, Measure.BUYERS, len(orders), sum(orders.values()))
assert final == cny(1790)  # 12 buyers: the first tier

for buyer, quantity in list(orders.items())[:3]:
    paid = base * quantity  # authorised at the base price when joining
    back = tier_refund(base, final, quantity)  # refunded after the capture at close
    parts = split(REVENUE_SHARE, paid)
    taken = refund(parts, back)
    kept = {party: parts[party] - taken[party] for party in parts}
    assert sum(m.amount for m in kept.values()) == (final * quantity).amount
    shares = ", ".join(f"{party} {money}" for party, money in kept.items())
    print(f"{buyer}: paid {paid}, refunded {back} -> {shares}")
