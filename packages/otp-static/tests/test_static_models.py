"""StaticDevice: generation, storage as hashes, single use, normalisation, throttling."""

from __future__ import annotations

from io import StringIO

import pytest
from django.db import connection

from otp_core.verification import verify
from otp_static.codes import entropy_bits, format_code, normalize_code
from otp_static.models import StaticDevice, StaticToken

pytestmark = pytest.mark.django_db

DEFAULT_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def test_generation_returns_distinct_codes_of_the_configured_shape(static_device):
    codes = static_device.generate_tokens()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(DEFAULT_ALPHABET)
    assert static_device.remaining == 10
    assert StaticToken.objects.filter(device=static_device).count() == 10


def test_generation_follows_the_settings(settings, static_device):
    settings.OTP_STATIC_TOKEN_COUNT = 25
    settings.OTP_STATIC_TOKEN_LENGTH = 16
    settings.OTP_STATIC_TOKEN_ALPHABET = "0123456789"
    codes = static_device.generate_tokens()
    assert len(set(codes)) == 25
    assert all(len(c) == 16 and c.isdigit() for c in codes)
    assert len(static_device.generate_tokens(count=3)) == 3
    assert static_device.remaining == 3


def test_the_default_codes_have_more_than_40_bits():
    assert entropy_bits() == pytest.approx(10 * 4.954, abs=0.01)
    assert entropy_bits() >= 40


def test_generation_replaces_the_previous_codes(static_device):
    old = static_device.generate_tokens()
    new = static_device.generate_tokens()
    assert not set(old) & set(new)
    assert static_device.remaining == len(new)
    assert not static_device.verify_token(old[0])
    static_device.throttle_reset()
    assert static_device.verify_token(new[0])


def test_add_tokens_keeps_the_others(static_device):
    first = static_device.generate_tokens(count=2)
    more = static_device.add_tokens(count=3)
    assert static_device.remaining == 5
    assert not set(first) & set(more)
    assert static_device.verify_token(first[1])
    assert static_device.verify_token(more[2])


@pytest.mark.parametrize("count", [0, -1, True, 2.5, "3"])
def test_bad_counts_are_refused(static_device, count):
    with pytest.raises(ValueError, match="whole number"):
        static_device.generate_tokens(count=count)


def test_no_plaintext_code_is_stored_anywhere(static_device):
    codes = static_device.generate_tokens()
    static_device.add_token("Manual-Code-42")
    spellings = {variant for code in codes for variant in (code, code.upper(), format_code(code))}
    spellings |= {"manualcode42", "Manual-Code-42"}
    tables = [StaticDevice._meta.db_table, StaticToken._meta.db_table]
    with connection.cursor() as cursor:
        dumped = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dumped += [str(value) for row in cursor.fetchall() for value in row]
    assert len(dumped) > len(codes)
    blob = "\n".join(dumped)
    for spelling in spellings:
        assert spelling not in blob
    # What is stored is the keyed hash of the canonical code, under the set's code key.
    assert all(
        h.startswith("hmac-sha256-k$")
        for h in static_device.token_set.values_list("token_hash", flat=True)
    )


def test_codes_are_accepted_in_any_order_and_each_once(static_device):
    codes = static_device.generate_tokens(count=5)
    for position, code in enumerate(reversed(codes), start=1):
        assert static_device.verify_token(code)
        assert static_device.remaining == 5 - position
        static_device.throttle_reset()
        assert not static_device.verify_token(code)
        static_device.throttle_reset()
    assert static_device.remaining == 0


@pytest.mark.parametrize(
    "spell",
    [
        lambda c: c.upper(),
        lambda c: format_code(c),
        lambda c: format_code(c).upper(),
        lambda c: f"  {c[:5]} {c[5:]}  ",
        lambda c: "-".join(c),
        lambda c: f"{c[:3]}\u2013{c[3:]}",  # an en dash from a word processor
    ],
)
def test_separators_and_case_are_ignored(static_device, spell):
    code = static_device.generate_tokens(count=1)[0]
    assert static_device.verify_token(spell(code))
    assert static_device.remaining == 0


def test_mixed_case_alphabets_keep_case(settings, static_device):
    settings.OTP_STATIC_TOKEN_ALPHABET = "ABCDEFGHJKabcdefghjk"
    assert normalize_code("aB-c d") == "aBcd"
    code = static_device.add_token("AbCdEfGhJk")
    assert code == "AbCdEfGhJk"
    assert not static_device.verify_token("abcdefghjk")
    static_device.throttle_reset()
    assert static_device.verify_token("AbCdE-fGhJk")


def test_a_wrong_code_counts_a_failure_through_the_shared_path(static_device):
    codes = static_device.generate_tokens(count=2)
    result = verify(static_device, "nope-nope")
    assert not result.accepted
    assert result.reason == "mismatch"
    static_device.refresh_from_db()
    assert static_device.throttling_failure_count == 1
    assert verify(static_device, "nope-nope").reason == "mismatch"  # the first was free
    # Throttled now: even a right code is refused until the delay has passed.
    refused = verify(static_device, codes[0])
    assert refused.reason == "N_FAILED_ATTEMPTS"
    assert static_device.remaining == 2


def test_the_static_throttle_factor_applies(settings, static_device):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    codes = static_device.generate_tokens(count=1)
    for _ in range(3):  # past the one free failure: still no delay
        assert not static_device.verify_token("wrong")
    assert static_device.verify_token(codes[0])
    settings.OTP_STATIC_THROTTLE_FACTOR = 3
    assert static_device.get_throttle_factor() == 3


@pytest.mark.parametrize("token", ["", "   ", "--", "x" * 65, None, 12345])
def test_junk_input_is_refused_without_error(static_device, token):
    static_device.generate_tokens(count=1)
    assert not static_device.verify_token(token)
    assert static_device.remaining == 1


def test_codes_survive_a_key_rotation(settings, static_device):
    old_key = settings.OTP_ENCRYPTION_KEYS[0]
    codes = static_device.generate_tokens(count=2)
    settings.OTP_ENCRYPTION_KEYS = ["a-new-first-key-that-is-long-enough-0123456789", old_key]
    assert static_device.verify_token(codes[0])
    settings.OTP_ENCRYPTION_KEYS = ["a-new-first-key-that-is-long-enough-0123456789"]
    static_device.throttle_reset()
    assert not static_device.verify_token(codes[1])


def test_remaining_and_the_low_flag(settings, static_device):
    codes = static_device.generate_tokens(count=4)
    assert static_device.remaining == 4
    assert not static_device.low_on_codes
    static_device.verify_token(codes[0])
    assert not static_device.low_on_codes
    static_device.verify_token(codes[1])
    assert static_device.remaining == 2
    assert static_device.low_on_codes
    settings.OTP_STATIC_LOW_CODES = 1
    assert not static_device.low_on_codes


def test_add_token_refuses_empty_and_overlong_codes(static_device):
    with pytest.raises(ValueError, match="1 to 64"):
        static_device.add_token(" - ")
    with pytest.raises(ValueError, match="1 to 64"):
        static_device.add_token("a" * 65)
    assert static_device.remaining == 0


def test_the_device_is_a_recovery_factor_and_hides_codes(static_device):
    codes = static_device.generate_tokens(count=1)
    assert StaticDevice.factor_kind == "recovery"
    assert static_device.persistent_id == f"otp_core_static.staticdevice/{static_device.pk}"
    token = static_device.token_set.get()
    for text in (str(static_device), repr(static_device), str(token), repr(token)):
        assert codes[0] not in text
        assert token.token_hash not in text
    assert set(StaticToken.random_token()) <= set(DEFAULT_ALPHABET)


def test_format_code_groups_for_reading():
    assert format_code("abcdefghjk") == "abcde-fghjk"
    assert format_code("abcdefgh") == "abcd-efgh"
    assert format_code("ABCD-EFGH-JKMN") == "abcd-efgh-jkmn"
    assert format_code("abc") == "abc"


OLD_KEY = "static-old-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW_KEY = "static-new-key-9876543210-zyxwvutsrqponmlkjihgfedcba"


def test_codes_survive_rotation_and_removal_of_the_old_key(settings, static_device):
    # Issue 8: rotate, then remove the old key, and every backup code was gone.
    from django.core.management import call_command

    settings.OTP_ENCRYPTION_KEYS = [OLD_KEY]
    codes = static_device.generate_tokens(count=2)
    settings.OTP_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("otp_rotate_keys", stdout=StringIO())
    settings.OTP_ENCRYPTION_KEYS = [NEW_KEY]
    device = StaticDevice.objects.get(pk=static_device.pk)
    assert device.verify_token(codes[0])
    assert device.verify_token(codes[1])


def test_codes_hashed_by_earlier_versions_are_migrated_by_rotation(settings, static_device):
    # Sets made before code keys: hashed under the encryption key itself. They
    # work while that key is configured, and rotation makes them independent of it.
    from otp_core import crypto

    settings.OTP_ENCRYPTION_KEYS = [OLD_KEY]
    StaticToken.objects.create(device=static_device, token_hash=crypto.hash_code("oldcode1"))
    StaticToken.objects.create(device=static_device, token_hash=crypto.hash_code("oldcode2"))
    settings.OTP_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert static_device.verify_token("oldcode1")
    assert StaticDevice.migrate_code_hashes() == 1
    assert StaticDevice.migrate_code_hashes() == 0  # nothing left to migrate
    stored = StaticToken.objects.get(device=static_device).token_hash
    assert stored.startswith(crypto.CODE_KEY_HASH_PREFIX)
    settings.OTP_ENCRYPTION_KEYS = [NEW_KEY]
    device = StaticDevice.objects.get(pk=static_device.pk)
    assert device.verify_token("oldcode2")
