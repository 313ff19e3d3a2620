"""Server time of a passkey sign-in against py_webauthn's own check, and its queries.

Sets up the test project on a throwaway SQLite file, registers a software
authenticator's passkey (``packages/otp-webauthn/tests/authenticator.py``,
ES256) through the ``register-*`` ceremonies, then, in the same run:

* times ``authenticate-complete`` (Django's test client, the whole view:
  JSON parsing, challenge, credential lookup, otp-core's verification path
  with its row locks, Django's ``login()``, the session record);
* times ``webauthn.verify_authentication_response`` alone on assertions of
  the same shape (the signature and parsing cost any server pays);
* prints the ratio of the medians, and the SQL statements of one passkey
  sign-in (``authenticate-begin`` + ``authenticate-complete``, data
  statements apart from transaction control).

Run from the repository root: ``python tools/bench/bench_webauthn.py [rounds]``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTROL = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE|COMMIT|ROLLBACK|START TRANSACTION)\b", re.I)
#: Statements of one passkey sign-in (begin + complete) measured when written:
#: more means a regression worth a look.
TARGET_STATEMENTS = 19


def setup_django(db_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "test_project.settings"
    os.environ["OTP_DB"] = "sqlite"
    os.environ["OTP_DB_NAME"] = db_path
    os.environ["OTP_WEBAUTHN_RP_ID"] = "example.com"
    os.environ["OTP_WEBAUTHN_ALLOWED_ORIGINS"] = "https://example.com"
    sys.path.insert(0, str(ROOT / "test_project"))
    sys.path.insert(0, str(ROOT / "packages" / "otp-webauthn" / "tests"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def main(rounds: int) -> int:
    # In memory (tmpfs) where there is one: on a disk, SQLite's fsync at each
    # COMMIT (a sign-in has four) would be most of what is measured.
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        print(f"database: SQLite file in {'tmpfs' if shm else 'the temp directory'}")
        setup_django(str(Path(folder) / "bench.sqlite3"))
        return run(rounds)


def run(rounds: int) -> int:
    from authenticator import Authenticator  # the tests' software authenticator
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from webauthn import verify_authentication_response

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_WEBAUTHN_THROTTLE_FACTOR = 0
    settings.ALLOWED_HOSTS = ["*"]

    def post(client: Client, name: str, body: dict) -> dict:
        response = client.post(
            reverse(f"otp_webauthn:{name}"), json.dumps(body), content_type="application/json"
        )
        if response.status_code != 200:
            raise SystemExit(f"{name}: {response.status_code} {response.content[:200]!r}")
        return response.json()

    user = get_user_model().objects.create_user("bench", password="bench")
    key = Authenticator(synced=True)
    client = Client()
    client.force_login(user)
    post(client, "register-complete", key.create(post(client, "register-begin", {})))
    from otp_webauthn.models import WebAuthnDevice

    device = WebAuthnDevice.objects.get(user=user)

    view_times, check_times = [], []
    statements: list[str] = []
    for index in range(rounds + 5):
        visitor = Client()
        with CaptureQueriesContext(connection) as begin_queries:
            options = post(visitor, "authenticate-begin", {})
        answer = key.get(options)
        with CaptureQueriesContext(connection) as complete_queries:
            started = time.perf_counter()
            post(visitor, "authenticate-complete", answer)
            elapsed = time.perf_counter() - started
        # The same assertion shape, checked by py_webauthn alone.
        alone = key.get(options)
        from webauthn.helpers import base64url_to_bytes

        challenge = base64url_to_bytes(options["challenge"])
        started = time.perf_counter()
        verify_authentication_response(
            credential=alone,
            expected_challenge=challenge,
            expected_rp_id="example.com",
            expected_origin="https://example.com",
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
        checked = time.perf_counter() - started
        if index >= 5:  # warm-up rounds are not counted
            view_times.append(elapsed)
            check_times.append(checked)
        statements = [q["sql"] for q in [*begin_queries, *complete_queries]]

    view_ms = statistics.median(view_times) * 1000
    check_ms = statistics.median(check_times) * 1000
    ratio = view_ms / check_ms
    data = [sql for sql in statements if not CONTROL.match(sql)]
    print(f"rounds: {rounds} passkey sign-ins (after 5 warm-up rounds), SQLite")
    print(f"authenticate-complete (whole view, median): {view_ms:.3f} ms")
    print(f"verify_authentication_response alone (median): {check_ms:.3f} ms")
    # No target for the ratio: the view is a whole Django request (two sessions
    # rotated, login(), the ORM), py_webauthn's check one signature.
    print(f"ratio view / py_webauthn (same run): {ratio:.1f}")
    print(
        f"statements per passkey sign-in (begin + complete): {len(data)} data, "
        f"{len(statements) - len(data)} transaction control"
    )
    for sql in data:
        print(f"  {sql[:110]}")
    if len(data) > TARGET_STATEMENTS:
        print(f"MISSED: more than {TARGET_STATEMENTS} data statements per passkey sign-in")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
