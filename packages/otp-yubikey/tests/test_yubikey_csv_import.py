"""otp_yubikey_import_csv: keys from the YubiKey Personalization Tool's CSV log."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from otp_core.verification import verify
from otp_yubikey.models import YubikeyDevice

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("otp_yubikey_import_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def traditional(key) -> str:
    return (
        f"Yubico OTP,12/01/26 09:15,1,{key.public_id},{key.uid},{key.aes},,,0,0,0,0,0,0,0,0,0,0\n"
    )


def yubico_format(key, serial=4711) -> str:
    return f"{serial},{key.public_id},{key.uid},{key.aes},000000000000,2026-12-01T09:15:00,\n"


def test_both_layouts_are_loaded_and_their_otps_verify(tmp_path, user, make_key):
    first, second = make_key("vvccccdfhnfk"), make_key("vvccccdfhnfl")
    path = tmp_path / "configuration_log.csv"
    path.write_text(
        "LOGGING START,12/01/26 09:14\n"
        + traditional(first)
        + "Static Password,12/01/26 09:16,2,,,,,,\n"
        + "\n"
        + yubico_format(second)
    )
    out, err = run(str(path), "--user", "alice")
    assert out.strip() == "created=2, skipped=0, invalid=0, unassigned=0"
    assert err == ""
    for key in (first, second):
        device = YubikeyDevice.objects.get(public_id=key.public_id)
        assert device.user == user
        assert verify(device, key.otp()).accepted


def test_running_again_skips_known_keys_and_dry_run_rolls_back(tmp_path, user, key):
    path = tmp_path / "log.csv"
    path.write_text(traditional(key))
    assert run(str(path), "--user", "alice", "--dry-run")[0].startswith("[dry run] created=1")
    assert not YubikeyDevice.objects.exists()
    run(str(path), "--user", "alice")
    assert run(str(path), "--user", "alice")[0].strip().startswith("created=0, skipped=1")


def test_bad_rows_are_reported_by_line_without_the_key(tmp_path, user, make_key):
    good, bad = make_key("vvccccdfhnfk"), make_key("vvccccdfhnfl")
    bad.aes = bad.aes[:-2]  # 15 bytes
    path = tmp_path / "log.csv"
    path.write_text(traditional(good) + traditional(bad))
    out, err = run(str(path), "--user", "alice")
    assert "created=1" in out
    assert "invalid=1" in out
    assert err.startswith("line 2: ")
    assert bad.aes not in err


def test_map_file_assigns_keys_to_users(tmp_path, user, other_user, make_key):
    first, second, third = (
        make_key("vvccccdfhnfk"),
        make_key("vvccccdfhnfl"),
        make_key("vvccccdfhnfn"),
    )
    log = tmp_path / "log.csv"
    log.write_text(yubico_format(first) + yubico_format(second) + yubico_format(third))
    mapping = tmp_path / "owners.csv"
    mapping.write_text(f"{first.public_id},alice\n{second.public_id},bob\n")
    out, _err = run(str(log), "--map", str(mapping))
    assert out.strip() == "created=2, skipped=0, invalid=0, unassigned=1"
    assert YubikeyDevice.objects.get(public_id=second.public_id).user == other_user


@pytest.mark.parametrize(
    "args",
    [
        ("missing.csv", "--user", "alice"),
        ("{log}", "--user", "nobody"),
        ("{log}", "--map", "missing.csv"),
    ],
)
def test_command_errors(tmp_path, user, key, args):
    log = tmp_path / "log.csv"
    log.write_text(traditional(key))
    with pytest.raises(CommandError):
        run(
            *(
                a.format(log=log) if "{" in a else str(tmp_path / a) if a.endswith(".csv") else a
                for a in args
            )
        )


def test_binary_file_is_a_command_error(tmp_path, user):
    path = tmp_path / "log.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError):
        run(str(path), "--user", "alice")
