"""Retire a name in a minor release: it keeps working and warns until the next major."""

import warnings

from linli_sdk import LinliDeprecationWarning, Money, deprecated


def charge_total(amounts: list[Money]) -> Money:
    """The new name: the total of several amounts in one currency."""
    total = amounts[0]
    for amount in amounts[1:]:
        total = total + amount
    return total


@deprecated("1.3", use="charge_total()")
def total_of(amounts: list[Money]) -> Money:
    """The old name, kept working through 1.x."""
    return charge_total(amounts)


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    total = total_of([Money(amount=1990, currency="CNY"), Money(amount=50, currency="CNY")])

assert total == Money(amount=2040, currency="CNY")  # the old name still answers
(warning,) = caught
assert warning.category is LinliDeprecationWarning
assert issubclass(LinliDeprecationWarning, DeprecationWarning)
assert str(warning.message) == (
    "linli_sdk: total_of is deprecated since 1.3 and will be removed in 2.0; "
    "use charge_total() instead"
)
assert warning.filename == __file__  # it points at the line that used the old name
print(warning.message)
