"""Key rotation with every kind of device present, then the old key removed.

Issue 8: the documented rotation (rotate, then remove the old key) silently
invalidated every backup code, and removing a key too early made every
sign-in a 500. Needs the real plugins (otp-totp, otp-hotp, otp-static,
otp-email, otp-phone) besides otp-core's example plugin, so it lives under
``integration/`` (the matrix sessions run it, the isolation session does not).
"""

from __future__ import annotations

import secrets
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from otp_example.models import (
    ExampleChallengeDevice,
    ExampleDevice,
    ExampleOATHDevice,
    HardwareExampleDevice,
)

from otp_core import crypto, oath
from otp_core.key_checks import check_secrets_readable
from otp_email.models import EmailDevice
from otp_hotp.models import HOTPDevice
from otp_phone.models import PhoneDevice
from otp_static.models import StaticDevice, StaticToken
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

OLD = "rotation-old-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW = "rotation-new-key-9876543210-zyxwvutsrqponmlkjihgfedcba"


def totp_code(device: TOTPDevice) -> str:
    counter = oath.time_step(time.time(), device.step, device.t0)
    return oath.format_token(oath.hotp(device.bin_key, counter, digits=device.digits))


def hotp_code(key_hex: str, counter: int) -> str:
    return oath.format_token(oath.hotp(bytes.fromhex(key_hex), counter))


def make_every_device(user) -> dict:
    """One device of every kind, with what it takes to answer each (under OLD)."""
    made: dict = {}
    made["totp"] = TOTPDevice.objects.create(user=user, name="app")
    made["hotp"] = HOTPDevice.objects.create(user=user, name="token")
    made["static"] = StaticDevice.objects.create(user=user, name="codes")
    made["static_codes"] = made["static"].generate_tokens(count=3)
    # A set made before code keys existed: codes hashed under OLD itself.
    legacy = StaticDevice.objects.create(user=user, name="old codes")
    made["legacy"], made["legacy_codes"] = legacy, ["legacyone1", "legacytwo2"]
    StaticToken.objects.bulk_create(
        StaticToken(device=legacy, token_hash=crypto.hash_code(code))
        for code in made["legacy_codes"]
    )
    email = EmailDevice.objects.create(user=user, name="mail")
    phone = PhoneDevice.objects.create(user=user, name="phone", number="+31612345678")
    for name, device in (("email", email), ("phone", phone)):
        made[name], made[f"{name}_pending"] = device, device.generate_code()
        device.save()
    for model in (ExampleDevice, HardwareExampleDevice):
        made[model.__name__] = model.objects.create(
            user=user, name=model.__name__, key=secrets.token_hex(20)
        )
    made["ExampleOATHDevice"] = ExampleOATHDevice.objects.create(user=user, name="oath")
    made["ExampleChallengeDevice"] = ExampleChallengeDevice.objects.create(user=user, name="sms")
    return made


def rotate(**options) -> str:
    out = StringIO()
    call_command("otp_rotate_keys", stdout=out, **options)
    return out.getvalue()


def fresh(device):
    return type(device).objects.get(pk=device.pk)


def test_rotate_then_remove_the_old_key_loses_nothing(settings, client, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    made = make_every_device(user)

    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    output = rotate(batch_size=2)
    assert "otp_core_static.StaticDevice: 2 code hash(es) made independent" in output
    for label, rows in (
        ("otp_core_totp.TOTPDevice", 1),
        ("otp_core_hotp.HOTPDevice", 1),
        ("otp_core_static.StaticDevice", 2),
        ("otp_example.ExampleDevice", 1),
        ("otp_example.ExampleOATHDevice", 1),
    ):
        assert f"{label}: {rows} of {rows} row(s) re-encrypted" in output
    assert "2 sent code(s) are still pending" in output
    for secret in (made["totp"].key, made["hotp"].key, *made["static_codes"], OLD, NEW):
        assert secret not in output

    # The old key goes: nothing is unreadable, every device still answers.
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert check_secrets_readable(databases=["default"]) == []
    totp = fresh(made["totp"])
    assert totp.verify_token(totp_code(totp))
    hotp = fresh(made["hotp"])
    assert hotp.verify_token(hotp_code(hotp.key, 0))
    static = fresh(made["static"])
    assert static.verify_token(made["static_codes"][0])
    legacy = fresh(made["legacy"])
    assert legacy.verify_token(made["legacy_codes"][0])
    assert legacy.verify_token(made["legacy_codes"][1])
    for name in ("ExampleDevice", "HardwareExampleDevice"):
        device = fresh(made[name])
        assert device.verify_token(hotp_code(device.key, 0))
    oath_device = fresh(made["ExampleOATHDevice"])
    assert oath_device.verify_token(hotp_code(oath_device.key, 0))
    # Codes sent before the rotation were hashed with OLD: refused (the command
    # said so), never an error; the next code sent works.
    for name in ("email", "phone"):
        device = fresh(made[name])
        assert not device.verify_token(made[f"{name}_pending"])
        device.throttle_reset()
        code = device.generate_code()
        device.save()
        assert device.verify_token(code)
    challenge = fresh(made["ExampleChallengeDevice"])
    code = challenge.generate_code()
    challenge.save()
    assert challenge.verify_token(code)

    # Over HTTP: signing in with a backup code.
    response = client.post(
        "/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": static.persistent_id,
            "otp_token": made["static_codes"][1],
        },
    )
    assert response.status_code == 302
    assert client.get("/protected/decorator/").status_code == 200


def test_removing_a_key_before_rotating_is_a_clear_error_not_a_500(settings, client, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    made = make_every_device(user)
    settings.OTP_ENCRYPTION_KEYS = [NEW]

    errors = check_secrets_readable(databases=["default"])
    assert {e.id for e in errors} == {"otp_core.E015"}
    labels = " ".join(e.msg for e in errors)
    for label in ("TOTPDevice", "HOTPDevice", "StaticDevice", "ExampleDevice"):
        assert label in labels
    with pytest.raises(CommandError, match="cannot be decrypted"):
        rotate()

    # Sign-in pages list and check the devices: refusals, no 500.
    totp = fresh(made["totp"])
    assert isinstance(totp.key, crypto.UnreadableSecret)
    response = client.post(
        "/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": totp.persistent_id,
            "otp_token": "123456",
        },
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not fresh(made["hotp"]).verify_token("123456")
    assert not fresh(made["static"]).verify_token(made["static_codes"][0])

    # Nothing was changed: with the key back, rotation finishes and all is well.
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    assert check_secrets_readable(databases=["default"]) == []
    rotate()
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    assert check_secrets_readable(databases=["default"]) == []
    for name in ("totp", "hotp", "ExampleDevice", "ExampleOATHDevice"):
        assert fresh(made[name]).key == made[name].key
    codes = fresh(made["static"]).code_keys
    assert codes
    assert codes == made["static"].code_keys


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one_is_refused(settings, user, batch_size):
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    with pytest.raises(CommandError, match="--batch-size"):
        rotate(batch_size=batch_size)
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("otp_rotate_keys", f"--batch-size={batch_size}", stdout=StringIO())
