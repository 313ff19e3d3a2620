"""Secrets at rest and keyed code hashes: otp_core.crypto and EncryptedSecretField."""

from __future__ import annotations

import base64
import hmac
import secrets

import pytest
from django.db import connection
from otp_example.models import ExampleDevice

from otp_core import crypto
from otp_core.models.fields import EncryptedSecretField, SealedSecret, open_sealed

OLD = "old-key-material-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW = "new-key-material-9876543210-zyxwvutsrqponmlkjihgfedcba"
PLAINTEXT = "3132333435363738393031323334353637383930"


def _spellings(text: str) -> list[str]:
    """Ways a secret could leak into a string: as is, and common encodings."""
    raw = text.encode()
    return [
        text,
        raw.hex(),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b32encode(raw).decode().rstrip("="),
    ]


def _assert_no_leak(haystack: str, *secrets_: str) -> None:
    for secret in secrets_:
        for spelling in _spellings(secret):
            assert spelling not in haystack


# -- encrypt / decrypt -------------------------------------------------------


def test_round_trip(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    for text in [PLAINTEXT, "x", "ünïcödé ✓", "a" * 1000]:
        assert crypto.decrypt(crypto.encrypt(text)) == text


def test_ciphertext_is_randomised_and_hides_the_plaintext(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    ciphertexts = {crypto.encrypt(PLAINTEXT) for _ in range(20)}
    assert len(ciphertexts) == 20
    for ciphertext in ciphertexts:
        assert ciphertext.isascii()
        _assert_no_leak(ciphertext, PLAINTEXT, OLD)


def test_single_string_is_one_key(settings):
    settings.OTP_ENCRYPTION_KEYS = OLD
    assert crypto.configured_keys() == (OLD,)
    ciphertext = crypto.encrypt(PLAINTEXT)
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    assert crypto.decrypt(ciphertext) == PLAINTEXT


def test_bytes_keys_work(settings):
    settings.OTP_ENCRYPTION_KEYS = [secrets.token_bytes(32)]
    assert crypto.decrypt(crypto.encrypt(PLAINTEXT)) == PLAINTEXT


def test_first_key_encrypts_every_key_decrypts(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    under_old = crypto.encrypt(PLAINTEXT)
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    under_new = crypto.encrypt(PLAINTEXT)
    assert crypto.decrypt(under_old) == PLAINTEXT
    assert crypto.decrypt(under_new) == PLAINTEXT
    # The new value needs only the first key; the old one only the old key.
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(under_new) == PLAINTEXT
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(under_old)
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    assert crypto.decrypt(under_old) == PLAINTEXT
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(under_new)


def test_reencrypt_moves_to_the_first_key(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    ciphertext = crypto.encrypt(PLAINTEXT)
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    rotated = crypto.reencrypt(ciphertext)
    assert rotated != ciphertext
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(rotated) == PLAINTEXT
    with pytest.raises(crypto.DecryptionError) as info:
        crypto.reencrypt(ciphertext)
    _assert_no_leak(str(info.value), PLAINTEXT, OLD, NEW, ciphertext)


def test_removed_key_error_holds_no_secret(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    ciphertext = crypto.encrypt(PLAINTEXT)
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt(ciphertext)
    message = str(info.value)
    assert "OTP_ENCRYPTION_KEYS" in message
    _assert_no_leak(message, PLAINTEXT, OLD, NEW, ciphertext)
    _assert_no_leak(repr(info.value), PLAINTEXT, OLD, NEW, ciphertext)
    # The cryptography exception is not chained (its context could carry data).
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "é" * 10, "\x00" * 5])
def test_garbage_gives_decryption_error(settings, garbage):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(garbage)


def test_tampered_ciphertext_is_refused(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    raw = bytearray(base64.urlsafe_b64decode(crypto.encrypt(PLAINTEXT)))
    raw[-40] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_default_keys_come_from_secret_key(settings):
    settings.OTP_ENCRYPTION_KEYS = None
    settings.SECRET_KEY = "first-secret-key-" + "a" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert crypto.keys_from_secret_key()
    assert crypto.configured_keys() == (settings.SECRET_KEY,)
    ciphertext = crypto.encrypt(PLAINTEXT)
    code_hash = crypto.hash_code("123456")
    _assert_no_leak(ciphertext, settings.SECRET_KEY)
    old_secret = settings.SECRET_KEY

    # Django's own rotation: a new SECRET_KEY with the old one as a fallback.
    settings.SECRET_KEY = "second-secret-key-" + "b" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert crypto.configured_keys() == (settings.SECRET_KEY, old_secret)
    assert crypto.decrypt(ciphertext) == PLAINTEXT
    assert crypto.check_code("123456", code_hash)
    assert crypto.decrypt(crypto.encrypt(PLAINTEXT)) == PLAINTEXT

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext)
    assert not crypto.check_code("123456", code_hash)

    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert not crypto.keys_from_secret_key()


def test_encryption_and_hash_keys_are_separate(settings):
    # One key string feeds two purposes through HKDF; neither output is the
    # plain HMAC of the configured material.
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    plain_hmac = hmac.new(OLD.encode(), b"123456", "sha256").hexdigest()
    assert plain_hmac not in crypto.hash_code("123456")


# -- code hashes -------------------------------------------------------------


def test_hash_code_is_keyed_and_stable(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    first = crypto.hash_code("123456")
    assert first == crypto.hash_code("123456")
    assert first != crypto.hash_code("123457")
    assert first.startswith("hmac-sha256$")
    assert "123456" not in first
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert crypto.hash_code("123456") != first


def test_check_code(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    stored = crypto.hash_code("abcd-efgh")
    assert crypto.check_code("abcd-efgh", stored)
    assert not crypto.check_code("abcd-efgi", stored)
    assert not crypto.check_code("", stored)
    assert not crypto.check_code("abcd-efgh", "")
    assert not crypto.check_code("abcd-efgh", stored.upper())


@pytest.mark.parametrize("stored", ["é", "hmac-sha256$ä", "\ud800", "\x00"])
def test_check_code_with_damaged_stored_value_is_false(settings, stored):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    assert crypto.check_code("123456", stored) is False


def test_hash_of_lone_surrogate_does_not_raise(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    stored = crypto.hash_code("12\ud80034")
    assert crypto.check_code("12\ud80034", stored)
    assert not crypto.check_code("1234", stored)


def test_code_hashes_survive_rotation(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    stored = crypto.hash_code("424242")
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    hashes = crypto.code_hashes("424242")
    assert len(hashes) == 2
    assert hashes[0] == crypto.hash_code("424242") != stored
    assert hashes[1] == stored
    assert crypto.check_code("424242", stored)
    assert crypto.check_code("424242", crypto.hash_code("424242"))
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert not crypto.check_code("424242", stored)


def test_check_code_compares_in_constant_time_under_every_key(settings, monkeypatch):
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD, "third-key-material-xxxxxxxxxxxxxxxxxxxx"]
    stored = crypto.hash_code("777777")
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    # A spy that delegates: proves the compare goes through compare_digest,
    # and that a match under the first key does not end the loop early.
    monkeypatch.setattr(crypto.hmac, "compare_digest", spy)
    assert crypto.check_code("777777", stored)
    assert len(calls) == 3
    calls.clear()
    assert not crypto.check_code("000000", stored)
    assert len(calls) == 3


# -- the model field ---------------------------------------------------------


def _raw_key(device) -> str:
    table = connection.ops.quote_name(ExampleDevice._meta.db_table)
    column = connection.ops.quote_name(ExampleDevice._meta.get_field("key").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [device.pk])
        (value,) = cursor.fetchone()
    return value


@pytest.mark.django_db
def test_column_holds_no_plaintext(settings, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    key = secrets.token_hex(20)
    device = ExampleDevice.objects.create(user=user, name="phone", key=key)
    raw = _raw_key(device)
    assert raw != key
    _assert_no_leak(raw, key, OLD)
    assert crypto.decrypt(raw) == key
    # The ORM gives the plaintext back, from a fresh read too.
    assert ExampleDevice.objects.get(pk=device.pk).key == key
    assert ExampleDevice.objects.filter(pk=device.pk).values_list("key", flat=True).get() == key
    # Saving again writes fresh ciphertext.
    device.save()
    assert _raw_key(device) != raw


@pytest.mark.django_db
def test_repr_and_str_of_device_hold_no_key(settings, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    key = secrets.token_hex(20)
    device = ExampleDevice.objects.create(user=user, name="phone", key=key)
    fetched = ExampleDevice.objects.get(pk=device.pk)
    for obj in (device, fetched):
        for text in (repr(obj), str(obj)):
            _assert_no_leak(text, key, _raw_key(device))
    assert "phone" in str(fetched)


def test_field_passes_empty_values_and_is_not_editable(settings):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    field = EncryptedSecretField()
    assert field.editable is False
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, connection) is None
    prepared = field.get_prep_value(PLAINTEXT)
    assert prepared != PLAINTEXT
    # Loaded sealed (issue 15: no decryption until the secret is read), opened on use.
    loaded = field.from_db_value(prepared, None, connection)
    assert isinstance(loaded, SealedSecret)
    assert PLAINTEXT not in repr(loaded)
    assert open_sealed(loaded) == PLAINTEXT
    # Migrations do not repeat the default editable=False.
    _, path, _, kwargs = field.deconstruct()
    assert path == "otp_core.models.fields.EncryptedSecretField"
    assert "editable" not in kwargs


@pytest.mark.django_db
def test_reading_a_row_after_its_key_was_removed_is_unreadable_not_an_error(settings, user, caplog):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    key = secrets.token_hex(20)
    device = ExampleDevice.objects.create(user=user, name="phone", key=key)
    raw = _raw_key(device)
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    with caplog.at_level("ERROR", logger="otp_core"):
        fetched = ExampleDevice.objects.get(pk=device.pk)
    # Loading the row works (a page listing devices is no 500); the value is marked.
    assert isinstance(fetched.key, crypto.UnreadableSecret)
    with pytest.raises(ValueError, match="non-hexadecimal"):
        bytes.fromhex(fetched.key)  # never an empty key by accident
    assert "otp_example.ExampleDevice.key" in caplog.text
    assert "otp_core.E015" in caplog.text
    _assert_no_leak(caplog.text, key, OLD, NEW)
    # Saving the row keeps the ciphertext: with the old key back, the secret returns.
    fetched.name = "renamed"
    fetched.save()
    assert _raw_key(device) == raw
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    assert ExampleDevice.objects.get(pk=device.pk).key == key
