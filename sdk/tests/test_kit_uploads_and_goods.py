"""The kit's file store and goods documents: what a plugin's uploads and pick lists meet."""

from __future__ import annotations

import pytest
from linli_sdk import CapabilityUnavailable, GoodsLine, GoodsOrder, Manifest, NotFound, Upload
from linli_sdk.testing import PluginKit
from pydantic import ValidationError


class Plugin:
    manifest = Manifest(name="kit_files", version="1.0", sdk=">=0.1", title="Kit files")


async def test_an_upload_is_kept_by_content_and_read_back() -> None:
    kit = PluginKit(Plugin())
    photo = await kit.upload(b"\xff\xd8\xff photo", filename="a.jpg")
    again = await kit.upload(b"\xff\xd8\xff photo", filename="b.jpg")
    assert isinstance(photo, Upload) and photo.size == 9 and photo.media_type == "image/jpeg"
    assert photo.id == again.id and photo.id.startswith("up_")
    assert await kit.host.files.read(photo.id) == b"\xff\xd8\xff photo"
    with pytest.raises(NotFound):
        await kit.host.files.read("up_missing")


async def test_pick_lists_are_printed_as_csv_and_kept() -> None:
    kit = PluginKit(Plugin())
    orders = [
        GoodsOrder(
            ref="2",
            member="L*",
            pickup_point="B3",
            lines=(GoodsLine(sku="s", name="Rice", quantity=2),),
        ),
        GoodsOrder(
            ref="1",
            member="C*",
            pickup_point="B3",
            lines=(GoodsLine(sku="s", name="Rice", quantity=1),),
        ),
    ]
    document = await kit.host.dispatch.goods_documents("pick-lists", orders, format="csv")
    rows = document.content.decode().splitlines()
    assert rows[1:] == ["B3,1,C*,s,Rice,1", "B3,2,L*,s,Rice,2"]
    assert kit.host.dispatch.goods == [tuple(orders)]
    with pytest.raises(CapabilityUnavailable):
        await kit.host.dispatch.goods_documents("pick-lists", orders, format="pdf")
    with pytest.raises(ValidationError):
        GoodsOrder(ref="x", member="y", pickup_point="z", lines=())


async def test_the_kits_pick_lists_neutralise_formulas() -> None:
    kit = PluginKit(Plugin())
    line = GoodsLine(sku="s", name='=HYPERLINK("http://evil.example")', quantity=1)
    orders = [GoodsOrder(ref="1", member="@x", pickup_point="B3", lines=(line,))]
    document = await kit.host.dispatch.goods_documents("pick-lists", orders, format="csv")
    assert document.content.decode().splitlines()[1] == (
        'B3,1,\'@x,s,"\'=HYPERLINK(""http://evil.example"")",1'
    )
