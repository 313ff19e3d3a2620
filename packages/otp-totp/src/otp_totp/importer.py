"""Import of django-otp's TOTP devices (table ``otp_totp_totpdevice``)."""

from __future__ import annotations

from otp_core.importing import import_devices

from .models import MAX_TOLERANCE, TOTPDevice

__all__ = ["import_from_django_otp"]

TABLE = "otp_totp_totpdevice"
COLUMNS = ("key", "step", "t0", "digits", "tolerance", "drift", "last_t")


def import_from_django_otp(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy each django-otp TOTP device not imported before; returns counts."""
    # A wider tolerance than this package allows is imported at its bound.
    maxima = {"tolerance": MAX_TOLERANCE}
    return import_devices(TOTPDevice, TABLE, COLUMNS, using=using, dry_run=dry_run, maxima=maxima)
