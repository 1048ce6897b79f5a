"""Personal data rules (PIPL): encryption at rest, blind indexes, masking. Pure functions.

A phone or national ID number is stored as an AES-GCM ciphertext tagged with the id of the key
that sealed it (``<kid>.<nonce+ciphertext, base64>``), so keys can rotate: new data is sealed
with the first key, old data opens with whichever key its tag names. It is found through a
blind index, an HMAC of the normalised value, never through the value itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from linli_sdk import InvalidInput
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

__all__ = [
    "DataKeys",
    "mask_national_id",
    "mask_phone",
    "normalise_national_id",
    "normalise_phone",
    "redact_numbers",
]

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def normalise_phone(raw: str) -> str:
    """A mainland China mobile number as its 11 digits; :class:`InvalidInput` otherwise."""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("not a phone number", field="phone") from exc
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise InvalidInput("not a valid mainland China phone number", field="phone")
    return str(number.national_number)


def normalise_national_id(raw: str) -> str:
    """A resident identity card number (18 characters, check digit valid)."""
    try:
        return str(ric.validate(raw.strip().upper()))
    except ValidationError as exc:
        raise InvalidInput("not a valid resident identity card number", field="number") from exc


def mask_phone(phone: str) -> str:
    """``13812341234`` -> ``138****1234``."""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_national_id(number: str) -> str:
    """Only the first and last characters of an ID number: ``1****************X``."""
    return number[0] + "*" * (len(number) - 2) + number[-1]


def redact_numbers(text: str) -> str:
    """``text`` with every phone and ID number in it masked (for free text plugins hand in)."""
    text = _ID_NUMBER.sub(lambda found: mask_national_id(found.group()), text)
    return _PHONE.sub(lambda found: mask_phone(found.group()), text)


@dataclass(frozen=True, slots=True)
class DataKeys:
    """The AES-GCM keys by id (the first seals new data) and the blind-index HMAC key."""

    keys: Mapping[str, bytes]
    current: str
    index_key: bytes

    @classmethod
    def parse(cls, data_keys: str, index_key: str) -> DataKeys:
        """Keys from settings: ``"kid:base64,kid2:base64"`` (first is current) and a base64 key."""
        pairs = [part.strip().split(":", 1) for part in data_keys.split(",") if part.strip()]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise ValueError("identity_data_keys must be 'kid:base64key[,kid:base64key...]'")
        keys = {kid: base64.b64decode(value) for kid, value in pairs}
        if any(len(key) != 32 for key in keys.values()):
            raise ValueError("every identity data key must be 32 bytes (AES-256)")
        return cls(keys=keys, current=pairs[0][0], index_key=base64.b64decode(index_key))

    def seal(self, value: str, purpose: str) -> str:
        """Encrypt ``value``; ``purpose`` (e.g. ``phone``) is bound in as associated data."""
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, value.encode(), purpose.encode())
        return f"{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, purpose: str) -> str:
        """Decrypt what :meth:`seal` made, with the key its tag names."""
        kid, _, body = token.partition(".")
        raw = base64.urlsafe_b64decode(body)
        return AESGCM(self.keys[kid]).decrypt(raw[:12], raw[12:], purpose.encode()).decode()

    def reseal(self, token: str, purpose: str) -> str:
        """The same value sealed with the current key (for key rotation)."""
        if token.partition(".")[0] == self.current:
            return token
        return self.seal(self.open(token, purpose), purpose)

    def blind_index(self, value: str, purpose: str) -> str:
        """The HMAC-SHA256 under which a normalised value is looked up."""
        message = f"{purpose}:{value}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()
