"""Member scopes in the SDK: the manifest declares them, the test kit honours grants like the
platform does (the platform's side is in test_identity_scopes.py)."""

from __future__ import annotations

import importlib

import pytest
from linli_sdk import MEMBER_SCOPES, InvalidInput, Manifest, MemberView, Role
from linli_sdk.testing import PluginKit
from pydantic import ValidationError

PHONE, ID_NUMBER = "13812341234", "11010519491231002X"


def probe(scope_probe: object) -> object:
    return importlib.import_module("linli_identity_scope_probe")


def test_a_manifest_declares_only_known_member_scopes():
    assert MEMBER_SCOPES == {"members.phone", "members.unit", "members.national_id"}
    base = {"name": "mm", "version": "1", "sdk": ">=0.1", "title": "M"}
    assert Manifest(**base).member_scopes == frozenset()
    with pytest.raises(ValidationError, match=r"unknown member scopes members\.email"):
        Manifest(**base, member_scopes=frozenset({"members.email", "members.phone"}))


def test_a_member_view_without_grants_is_minimal():
    view = MemberView(id=1, display_name="Chen", roles=frozenset({Role.MEMBER}), verified=True)
    assert (view.phone, view.unit, view.national_id, view.real_name) == (None, None, None, False)


async def test_the_kit_shows_only_granted_fields_and_records_id_number_views(scope_probe):
    kit = PluginKit(probe(scope_probe), granted_scopes={"members.unit"})
    staff = kit.add_member("Station", Role.OPERATOR)
    chen = kit.add_member("Chen", Role.RESIDENT, phone=PHONE, unit="3-1201", national_id=ID_NUMBER)
    assert chen.phone_masked == "138****1234" and chen.real_name

    card = await kit.call("member-card", {"member_id": chen.id}, as_=staff)
    assert card.model_dump() == {
        "id": chen.id,
        "display_name": "Chen",
        "phone_masked": "138****1234",
        "phone": None,
        "unit": "3-1201",
        "national_id": None,
        "real_name": True,
    }
    assert kit.host.members.national_id_views == []

    kit.grant("members.national_id", "members.phone")
    card = await kit.call(
        "member-card", {"member_id": chen.id, "purpose": "appointment 7"}, as_=staff
    )
    assert (card.phone, card.national_id) == (PHONE, ID_NUMBER)
    assert kit.host.members.national_id_views == [(chen.id, "appointment 7")]

    kit.revoke("members.national_id")
    card = await kit.call("member-card", {"member_id": chen.id}, as_=staff)
    assert card.national_id is None and card.phone == PHONE
    assert len(kit.host.members.national_id_views) == 1


def test_the_kit_refuses_a_grant_the_manifest_does_not_declare():
    manifest = Manifest(name="plain", version="1", sdk=">=0.1", title="Plain")
    kit = PluginKit(type("Plain", (), {"manifest": manifest})())
    with pytest.raises(InvalidInput, match=r"does not declare the member scopes members\.phone"):
        kit.grant("members.phone")
