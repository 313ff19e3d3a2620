"""Import of django-otp's HOTP devices (table ``otp_hotp_hotpdevice``)."""

from __future__ import annotations

from otp_core.importing import import_devices

from .models import MAX_TOLERANCE, HOTPDevice

__all__ = ["import_from_django_otp"]

TABLE = "otp_hotp_hotpdevice"
COLUMNS = ("key", "digits", "tolerance", "counter")


def import_from_django_otp(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy each django-otp HOTP device not imported before; returns counts."""
    # A wider tolerance than this package allows is imported at its bound.
    maxima = {"tolerance": MAX_TOLERANCE}
    return import_devices(HOTPDevice, TABLE, COLUMNS, using=using, dry_run=dry_run, maxima=maxima)
