"""otp_core.fernet_reader against cryptography's Fernet, the oracle."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from hypothesis import given, settings
from hypothesis import strategies as st

from otp_core import crypto, fernet_reader

pytestmark = pytest.mark.skipif(
    not fernet_reader.available(), reason="libcrypto is not mapped here (not Linux)"
)


def _key() -> bytes:
    return os.urandom(32)


def _fernet(raw: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(raw))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_opens_what_fernet_writes(plaintext):
    key = _key()
    token = _fernet(key).encrypt(plaintext)
    assert fernet_reader.open_token(token, [key]) == plaintext


def test_the_first_key_that_authenticates_opens_it():
    old, new, other = _key(), _key(), _key()
    token = _fernet(old).encrypt(b"JBSWY3DPEHPK3PXP")
    assert fernet_reader.open_token(token, [new, old]) == b"JBSWY3DPEHPK3PXP"
    assert fernet_reader.open_token(token, [new, other]) is None
    assert fernet_reader.open_token(token, []) is None


@pytest.mark.parametrize("position", [0, 1, 9, 25, 40, -33, -1])
def test_any_changed_byte_is_refused(position):
    key = _key()
    data = bytearray(base64.urlsafe_b64decode(_fernet(key).encrypt(b"a secret of 20 bytes")))
    data[position] ^= 0x01
    assert fernet_reader.open_token(base64.urlsafe_b64encode(bytes(data)), [key]) is None


@pytest.mark.parametrize(
    "token",
    [b"", b"not base64 at all!", b"gAAAAA==", base64.urlsafe_b64encode(b"\x80" * 56)],
)
def test_malformed_tokens_are_refused(token):
    assert fernet_reader.open_token(token, [_key()]) is None


def test_a_token_with_the_right_mac_but_bad_padding_is_refused():
    """Only a key holder could make one; OpenSSL still checks the padding."""
    import hashlib
    import hmac

    key = _key()
    header = b"\x80" + bytes(8) + os.urandom(16)
    body = header + os.urandom(32)  # random "ciphertext": its padding is almost surely bad
    mac = hmac.new(key[:16], body, hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(body + mac)
    try:
        expected = _fernet(key).decrypt(token)
    except InvalidToken:
        expected = None
    assert fernet_reader.open_token(token, [key]) == expected


def test_a_key_of_the_wrong_size_is_a_programming_error():
    token = _fernet(_key()).encrypt(b"x")
    with pytest.raises(ValueError, match="32 bytes"):
        fernet_reader.open_token(token, [b"short"])


def test_crypto_reads_the_same_with_and_without_the_reader(settings, monkeypatch):
    settings.OTP_ENCRYPTION_KEYS = ["the first key, long enough", "an older key"]
    written = crypto.encrypt("JBSWY3DPEHPK3PXP")
    assert crypto.decrypt(written) == "JBSWY3DPEHPK3PXP"
    assert crypto.encrypted_under_first_key(written)
    monkeypatch.setattr(fernet_reader, "available", lambda: False)
    assert crypto.decrypt(written) == "JBSWY3DPEHPK3PXP"
    assert crypto.encrypted_under_first_key(written)
    for bad in ("garbage", "gAAAAABn" + "A" * 100, "ünïcode"):
        for reader in (True, False):
            monkeypatch.setattr(fernet_reader, "available", lambda r=reader: r)
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(bad)
            assert not crypto.encrypted_under_first_key(bad)


def test_signing_in_never_loads_cryptography():
    """A worker that only reads secrets keeps the extension out of memory."""
    code = (
        "import django, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'test_project.settings')\n"
        "django.setup()\n"
        "from django.test.utils import override_settings\n"
        "from otp_core import crypto\n"
        "token = crypto._fernet(crypto.configured_keys()).encrypt(b'JBSWY3DPEHPK3PXP')\n"
        "for name in [m for m in sys.modules if m.startswith('cryptography')]:\n"
        "    del sys.modules[name]\n"
        "assert crypto.decrypt(token.decode()) == 'JBSWY3DPEHPK3PXP'\n"
        "print(sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=os.path.join(root, "test_project"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "system"),
    [
        ("libcrypto.so.3", True),
        ("libcrypto.so.1.1", True),
        ("libcrypto.so", True),
        ("libcrypto-3a0647ea.so.3", False),  # a copy bundled in a wheel (psycopg-binary)
        ("libcrypto.so.3.bak", False),
        ("libssl.so.3", False),
    ],
)
def test_only_the_system_libcrypto_is_used(name, system):
    """hashlib's own library: its tables are built already; a bundled copy's are not."""
    assert bool(fernet_reader._SYSTEM_NAME.fullmatch(name)) is system


def test_the_library_found_is_the_one_hashlib_mapped():
    path = fernet_reader._loaded_libcrypto()
    assert path is not None
    assert fernet_reader._SYSTEM_NAME.fullmatch(path.rpartition("/")[2])
    with open("/proc/self/maps", encoding="utf-8") as maps:
        assert path in maps.read()
