"""A member's notices in their data export, and no longer theirs once they are erased."""

from __future__ import annotations

from linli_sdk import Role
from linli_sdk.testing import PluginKit


async def test_the_export_lists_the_members_notices_and_erasure_unlinks_them(
    kit: PluginKit,
) -> None:
    wang = kit.add_member("Wang", Role.LEADER)
    li = kit.add_member("Li", Role.LEADER)
    await kit.call("post-notice", {"title": "Water off"}, as_=wang)
    await kit.call("post-notice", {"title": "Lift repair"}, as_=li)

    (section,) = await kit.export_member(wang)
    assert section["kind"] == "notices" and section["description"]
    assert [n["title"] for n in section["records"]] == ["Water off"]

    erased = await kit.erase_member(wang)
    assert erased.erased == 1 and erased.kept

    assert (await kit.export_member(wang))[0]["records"] == []
    listed = await kit.call("list-notices", {}, as_=li)
    authors = {n.title: n.author_id for n in listed.items}  # type: ignore[attr-defined]
    assert authors == {"Water off": None, "Lift repair": li.id}  # the board keeps the notice
    assert (await kit.erase_member(wang)).erased == 0  # running it again changes nothing
