"""Migrate this site's database and create the benchmark users (with a TOTP device).

``python -m sites.seed <site> <count>`` with ``DJANGO_SETTINGS_MODULE=sites.<site>``;
prints one line per user: ``name hexkey`` (the client computes codes with pyotp).
"""

from __future__ import annotations

import secrets
import sys


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    site, count = sys.argv[1], int(sys.argv[2])
    call_command("migrate", verbosity=0, interactive=False)
    users = get_user_model().objects
    for n in range(count):
        name = f"user{n}"
        user = users.create_user(name, f"{name}@example.com", "password")
        key = secrets.token_hex(20)
        if site == "ours":
            from otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=user, name="app", key=key, confirmed=True)
        elif site == "peers":
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=user, name="default", key=key, confirmed=True)
        print(name, key)


if __name__ == "__main__":
    main()
