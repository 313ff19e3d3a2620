"""Key helpers of the OATH device mixin (otp_core.models.oath)."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from otp_core.models import OATHDeviceMixin
from otp_core.models.oath import grouped_base32, hex_key_validator, random_hex_key


def test_random_key_is_20_random_bytes():
    keys = {random_hex_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(len(bytes.fromhex(k)) == 20 for k in keys)


@pytest.mark.parametrize("value", ["00", "ab" * 20, "AB" * 40])
def test_validator_accepts_hex_up_to_40_bytes(value):
    hex_key_validator(value)


@pytest.mark.parametrize("value", ["", "abc", "zz" * 10, "ab" * 41, None])
def test_validator_rejects(value):
    with pytest.raises(ValidationError):
        hex_key_validator(value)


def test_grouped_base32_round_trips():
    key = bytes(range(20))
    grouped = grouped_base32(key)
    groups = grouped.split(" ")
    assert all(len(g) == 4 for g in groups)
    assert base64.b32decode("".join(groups)) == key
    # Padding is dropped and the last group may be short.
    odd = grouped_base32(b"\x01\x02\x03")
    assert "=" not in odd
    assert base64.b32decode(odd.replace(" ", "") + "===") == b"\x01\x02\x03"


def test_mixin_is_abstract_with_shared_fields():
    assert OATHDeviceMixin._meta.abstract
    names = {f.name for f in OATHDeviceMixin._meta.get_fields()}
    assert {"key", "digits", "algorithm"} <= names
    key = OATHDeviceMixin._meta.get_field("key")
    assert not key.editable
    assert key.default is random_hex_key
