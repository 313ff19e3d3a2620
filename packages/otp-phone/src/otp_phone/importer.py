"""Import of django-two-factor-auth's phone devices (table ``two_factor_phonedevice``).

Carried over: owner, number, method (``sms`` or ``call``), name, confirmation
and throttling state. django-two-factor-auth names the phone that signs a
user in ``default`` and extra phones ``backup``; so does this package (the
set-up wizard and the "add a backup phone" page), so the name is kept and
``default`` rows are created first, so the login asks for them before a
backup phone. The number is stored in E.164 form (django-phonenumber-field
may have stored another notation). Its ``key`` (the TOTP seed the sent code
was derived from) is not needed: codes here are random and single-use.
Idempotent through ``PhoneDevice.django_otp_id``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from otp_core.importing import import_devices

from .models import PhoneDevice
from .numbers import to_e164

__all__ = ["TABLE", "import_from_django_two_factor"]

TABLE = "two_factor_phonedevice"
COLUMNS = ("number", "method")


def _prepare(values: dict[str, Any]) -> dict[str, Any] | None:
    try:
        values["number"] = to_e164(values.get("number") or "")
    except ValidationError:
        return None
    if values.get("method") not in (PhoneDevice.SMS, PhoneDevice.CALL):
        return None
    return values


def _order(row: dict[str, Any]) -> tuple[bool, int]:
    return (row.get("name") != "default", row["id"])


def import_from_django_two_factor(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy each django-two-factor-auth phone device not imported before; returns counts."""
    return import_devices(
        PhoneDevice,
        TABLE,
        COLUMNS,
        using=using,
        dry_run=dry_run,
        prepare=_prepare,
        order=_order,
    )
