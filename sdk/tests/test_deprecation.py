import asyncio
import warnings

import pytest
from linli_sdk import LinliDeprecationWarning, deprecated


@deprecated("1.3", use="new_total()")
def old_total(a: int, b: int) -> int:
    """Add two numbers (the old way)."""
    return a + b


@deprecated("1.2")
async def old_lookup(key: str) -> str:
    return key.upper()


@deprecated("1.4", use="Money")
class OldAmount:
    def __init__(self, value: int) -> None:
        self.value = value


def test_a_deprecated_function_still_works_and_warns_at_the_callers_line() -> None:
    with pytest.warns(LinliDeprecationWarning) as caught:
        assert old_total(2, 3) == 5
    (warning,) = caught
    assert str(warning.message) == (
        "linli_sdk: old_total is deprecated since 1.3 and will be removed in 2.0; "
        "use new_total() instead"
    )
    assert warning.filename == __file__  # the module author sees their own line
    assert issubclass(LinliDeprecationWarning, DeprecationWarning)
    assert old_total.__name__ == "old_total"
    assert old_total.__doc__ == "Add two numbers (the old way)."


def test_a_deprecated_coroutine_function_warns_when_called_and_still_awaits() -> None:
    with pytest.warns(LinliDeprecationWarning, match="old_lookup is deprecated since 1.2"):
        assert asyncio.run(old_lookup("drill")) == "DRILL"


def test_a_deprecated_class_warns_on_instantiation() -> None:
    with pytest.warns(LinliDeprecationWarning, match="use Money instead"):
        assert OldAmount(5).value == 5


def test_a_module_can_turn_sdk_deprecations_into_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", LinliDeprecationWarning)
        with pytest.raises(LinliDeprecationWarning):
            old_total(1, 1)


@pytest.mark.parametrize("since", ["0.9", "soon", ""])
def test_the_policy_starts_at_1_0_and_needs_a_version(since: str) -> None:
    with pytest.raises(ValueError, match="deprecated since"):
        deprecated(since)
