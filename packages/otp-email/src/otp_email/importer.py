"""Import of django-otp's e-mail devices (table ``otp_email_emaildevice``).

Carried over: owner, name, confirmation, throttling state, time stamps and
the address. django-otp leaves ``email`` null to mean "the user's own
address"; here that is the blank address, which means the same. A pending
code (``token``, ``valid_until``) is not carried over: the user asks for a
new one. Idempotent through ``EmailDevice.django_otp_id``.
"""

from __future__ import annotations

from otp_core.importing import import_devices

from .models import EmailDevice

__all__ = ["TABLE", "import_from_django_otp"]

TABLE = "otp_email_emaildevice"
COLUMNS = ("email",)


def import_from_django_otp(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy each django-otp e-mail device not imported before; returns counts."""
    return import_devices(EmailDevice, TABLE, COLUMNS, using=using, dry_run=dry_run)
