"""k-anonymity: an aggregate is answered only over at least k distinct residents.

Every figure the insights give a supplier is a *cell*: one item at one pickup point (demand),
one item (repurchase rate, feedback). A cell is answered only when at least ``k`` distinct
residents (members) contributed to it; below that it is *suppressed*: left out, with only the
number of suppressed cells said, never their keys, values or residents. ``k`` is set per
community by its operator (`DEFAULT_K` unless set, never below `MIN_K`).

What is guaranteed, and tested with Hypothesis over random data
(``tests/insights/test_insights_anonymity.py``):

1. every answered cell has at least ``k`` distinct residents behind it;
2. no answered figure depends on a suppressed cell: change anything in a suppressed cell (its
   quantities, its days, remove its residents) and every answer stays the same. In particular a
   total (an item's demand over its pickup points) is the sum of the *answered* cells only, so
   subtracting answered cells from a total, or one answer from another made from the same
   facts, yields nothing about a suppressed cell.

What is not claimed: protection against someone who already knows all but one of a cell's
residents' purchases (a group of ``k - 1`` colluding residents), nor against comparing answers
made from different facts. Answers read complete days only (up to yesterday), so they change
once a day, not with each purchase; see ``docs/insights.md``.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["DEFAULT_K", "MAX_K", "MIN_K", "Answered", "k_anonymous"]

DEFAULT_K = 10
"""The smallest crowd an aggregate is answered over, unless the operator sets another."""

MIN_K = 5
"""The operator cannot set ``k`` lower: with two or three residents in a cell, each of them
learns nearly everything about the others from the total."""

MAX_K = 1000
"""The largest ``k`` an operator may set."""

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Answered(Generic[K]):
    """Which cells may be answered.

    Attributes:
        keys: The cells with at least ``k`` distinct residents, in the order given.
        residents: How many distinct residents each answered cell has.
        suppressed: How many cells were held back (their keys are not told).
    """

    keys: list[K]
    residents: dict[K, int]
    suppressed: int


def k_anonymous(contributors: Mapping[K, Collection[int]], k: int) -> Answered[K]:
    """The cells of ``contributors`` (cell -> the ids of its residents) over at least ``k``.

    Raises:
        ValueError: ``k`` is below `MIN_K`.
    """
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}, not {k}")
    counts = {key: len(set(members)) for key, members in contributors.items()}
    answered = [key for key, n in counts.items() if n >= k]
    return Answered(answered, {key: counts[key] for key in answered}, len(counts) - len(answered))
