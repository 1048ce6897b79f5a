"""Remarks are cleaned of what could reach or recognise their author, and of nothing else."""

from __future__ import annotations

import pytest
from linli.insights.remarks import REMOVED, clean


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("电话13800138000谢谢", f"电话{REMOVED}谢谢"),
        ("call me on 138 0013 8000 please", f"call me on {REMOVED} please"),
        ("+86 (10) 6552-9988 after six", f"{REMOVED} after six"),
        ("my ID is 11010519491231002X", f"my ID is {REMOVED}"),
        ("write to chen.li+milk@example.com.cn", f"write to {REMOVED}"),
    ],
)
def test_phone_numbers_id_numbers_and_addresses_are_removed(text: str, kept: str) -> None:
    assert clean(text) == kept


@pytest.mark.parametrize(
    "text", ["希望增加低糖选项", "500g packs, 3 a box", "price 12.50 is fine", "买了 2 盒 900 克"]
)
def test_an_ordinary_remark_is_kept_as_written(text: str) -> None:
    assert clean(text) == text


def test_whitespace_is_collapsed() -> None:
    assert clean("  too \n\n sweet\t ") == "too sweet"
