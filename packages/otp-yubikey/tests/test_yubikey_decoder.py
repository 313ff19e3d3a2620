"""The OTP decoder: Yubico's published vectors and the yubiotp package as an oracle."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yubiotp.modhex import modhex as yubiotp_modhex
from yubiotp.otp import OTP, decode_otp, encode_otp

from otp_yubikey import modhex
from otp_yubikey.yubico_otp import CRC_RESIDUE, InvalidOTP, crc16, decrypt, split

# No database (the OTP decoder is a pure function): PostgreSQL and MariaDB cells deselect it.
pytestmark = pytest.mark.engine_independent

# Yubico's test vectors (yubico-c, test-vectors.txt and ykparse(1)).
VECTOR_KEY = bytes.fromhex("ecde18dbe76fbd0c33330f1c354871db")
VECTOR_OTP = "dteffujehknhfjbrjnlnldnhcujvddbikngjrtgh"
VECTOR_PLAIN = bytes.fromhex("8792ebfe26cc130030c20011c89f23c8")
YKPARSE_OTP = "dteffujedcflcindvdbrblehecuitvjkjevvehjd"


def test_modhex_vectors():
    assert modhex.decode("dteffuje") == bytes.fromhex("2d344e83")
    assert modhex.decode("hknhfjbrjnlnldnhcujvddbikngjrtgh") == bytes.fromhex(
        "69b6481c8baba2b60e8f22179b58cd56"
    )
    assert modhex.encode(VECTOR_KEY) == "urtubjtnuihvntcreeeecvbregfjibtn"
    assert modhex.encode(b"test") == "ifhgieif"


def test_crc_residue_of_the_vector():
    assert crc16(VECTOR_PLAIN) == CRC_RESIDUE


def test_published_vector_decodes_to_its_fields():
    decoded = decrypt(VECTOR_OTP, VECTOR_KEY)
    assert decoded.public_id == "dteffuje"
    assert decoded.uid == bytes.fromhex("8792ebfe26cc")
    assert decoded.session == 19
    assert decoded.caps_lock is False
    assert decoded.timestamp == 0x00C230
    assert decoded.counter == 17
    assert decoded.random == 0x9FC8


def test_ykparse_example_decodes_like_yubiotp():
    ours = decrypt(YKPARSE_OTP, VECTOR_KEY)
    public_id, theirs = decode_otp(YKPARSE_OTP.encode(), VECTOR_KEY)
    assert ours.public_id == public_id.decode() == "dteffuje"
    assert (ours.uid, ours.session, ours.counter, ours.timestamp, ours.random) == (
        theirs.uid,
        theirs.session,
        theirs.counter,
        theirs.timestamp,
        theirs.rand,
    )


def test_wrong_key_is_a_crc_failure():
    with pytest.raises(InvalidOTP):
        decrypt(VECTOR_OTP, bytes(16))


@pytest.mark.parametrize(
    "token",
    [
        "",
        "c" * 31,
        "c" * 65,
        VECTOR_OTP.upper()[:-1] + "x",
        VECTOR_OTP[:-1] + "a",  # 'a' is not modhex
        "c" + VECTOR_OTP,  # odd length
        VECTOR_OTP + "\n",
        "ü" * 44,
    ],
)
def test_malformed_tokens_raise_invalid_otp_only(token):
    with pytest.raises(InvalidOTP):
        decrypt(token, VECTOR_KEY)


def test_split_without_public_id():
    assert split(VECTOR_OTP[8:]) == ("", VECTOR_OTP[8:])


@settings(max_examples=200, deadline=None)
@given(
    uid=st.binary(min_size=6, max_size=6),
    session=st.integers(0, 0x7FFF),
    caps=st.booleans(),
    timestamp=st.integers(0, 0xFFFFFF),
    counter=st.integers(0, 0xFF),
    rand=st.integers(0, 0xFFFF),
    public=st.binary(min_size=0, max_size=16),
)
def test_agrees_with_yubiotp(uid, session, caps, timestamp, counter, rand, public):
    key = secrets.token_bytes(16)
    usage = session | (0x8000 if caps else 0)
    token = encode_otp(OTP(uid, usage, timestamp, counter, rand), key, yubiotp_modhex(public))
    ours = decrypt(token.decode(), key)
    public_id, theirs = decode_otp(token, key)
    assert ours.public_id == public_id.decode() == modhex.encode(public)
    assert (ours.uid, ours.counter, ours.timestamp, ours.random) == (
        theirs.uid,
        theirs.counter,
        theirs.timestamp,
        theirs.rand,
    )
    # yubiotp leaves the caps-lock bit in the usage counter; Yubico's
    # specification (yubikey.h: yubikey_counter = ctr & 0x7fff) masks it.
    assert theirs.session == usage
    assert (ours.session, ours.caps_lock) == (session, caps)
