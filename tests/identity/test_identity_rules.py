"""The pure rules of personal data and tokens: sealing, rotation, blind index, masks, limits."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli.identity.personal_data import (
    DataKeys,
    mask_national_id,
    mask_phone,
    normalise_national_id,
    normalise_phone,
    redact_numbers,
)
from linli.identity.service import RateLimiter
from linli_sdk import InvalidInput


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


OLD = DataKeys.parse(f"k1:{(k1 := _key())}", _key())
NEW = DataKeys.parse(f"k2:{_key()},k1:{k1}", base64.b64encode(OLD.index_key).decode())


@given(st.text(min_size=1, max_size=40))
def test_sealed_values_open_and_never_contain_the_value(value):
    sealed = OLD.seal(value, "phone")
    assert OLD.open(sealed, "phone") == value
    assert sealed.startswith("k1.")
    assert len(value) < 4 or value not in sealed


def test_a_sealed_value_is_bound_to_its_purpose():
    sealed = OLD.seal("13812341234", "phone")
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        OLD.open(sealed, "national_id")


def test_rotation_opens_old_data_and_reseals_with_the_new_key():
    sealed = OLD.seal("13812341234", "phone")
    assert NEW.open(sealed, "phone") == "13812341234"
    resealed = NEW.reseal(sealed, "phone")
    assert resealed.startswith("k2.") and NEW.open(resealed, "phone") == "13812341234"
    assert NEW.reseal(resealed, "phone") == resealed


def test_the_blind_index_is_stable_and_keyed():
    assert OLD.blind_index("13812341234", "phone") == NEW.blind_index("13812341234", "phone")
    other = DataKeys.parse(f"k1:{_key()}", _key())
    assert other.blind_index("13812341234", "phone") != OLD.blind_index("13812341234", "phone")
    assert OLD.blind_index("13812341234", "phone") != OLD.blind_index("13812341234", "id")


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("13812341234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
    ],
)
def test_phones_are_normalised(raw, phone):
    assert normalise_phone(raw) == phone
    assert mask_phone(phone) == "138****1234"


@pytest.mark.parametrize("raw", ["12345", "+1 415 555 0100", "not a phone"])
def test_other_numbers_are_refused(raw):
    with pytest.raises(InvalidInput):
        normalise_phone(raw)


def test_national_ids_are_checked_and_masked():
    assert normalise_national_id("11010519491231002x") == "11010519491231002X"
    assert mask_national_id("11010519491231002X") == "1****************X"
    with pytest.raises(InvalidInput):
        normalise_national_id("110105194912310021")


@pytest.mark.parametrize("bad", ["", "k1", "k1:" + base64.b64encode(b"short").decode()])
def test_bad_key_settings_are_refused(bad):
    with pytest.raises(ValueError):
        DataKeys.parse(bad, _key())


def test_numbers_in_free_text_are_masked():
    said = "Chen 13812341234 (ID 11010519491231002x), order 202611220001, ref A13812341234"
    assert redact_numbers(said) == (
        "Chen 138****1234 (ID 1****************x), order 202611220001, ref A138****1234"
    )


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text(max_size=20))
def test_no_phone_survives_redaction(phone, noise):
    assert phone not in redact_numbers(f"{noise} {phone} {noise}")


def test_the_rate_limiter_counts_per_key_and_window():
    limiter = RateLimiter(limit=2, window=10)
    assert [limiter.allow("a", now=0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("b", now=1)
    assert limiter.allow("a", now=10.5)


async def test_purge_drops_only_what_has_expired(start_platform):
    from datetime import UTC, datetime, timedelta

    from linli.identity.housekeeping import purge_expired
    from linli.identity.tables import OneTimeCode, RevokedToken

    async with start_platform():
        now = datetime.now(UTC)
        for jti, when in (("old", now - timedelta(hours=1)), ("new", now + timedelta(hours=1))):
            await RevokedToken.insert(RevokedToken(jti=jti, expires_at=when))
        await OneTimeCode.insert(
            OneTimeCode(
                phone_index="x",
                code_hash="y",
                expires_at=now - timedelta(minutes=1),
                created_at=now,
            )
        )
        assert await purge_expired() == {
            "sign_in_codes": 1,
            "authorization_codes": 0,
            "refresh_tokens": 0,
            "revoked_access_tokens": 1,
        }
        assert [r["jti"] for r in await RevokedToken.select(RevokedToken.jti)] == ["new"]
