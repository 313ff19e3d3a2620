"""What two-factor-ui keeps per user: the method asked first.

Remembered browsers are otp-core's signed-in browser rows
(:class:`otp_core.models.SignedInBrowser`, ``remembered_at`` set); migration
0002 moved this package's former ``RememberedBrowser`` rows there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["PreferredDevice"]


class PreferredDevice(models.Model):
    """The device a user chose to be asked for first when signing in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_preferred_device",
        verbose_name=_("user"),
    )
    device_id = models.CharField(
        _("device"), max_length=255, help_text=_("Persistent id of the device asked first.")
    )

    class Meta:
        verbose_name = _("preferred device")
        verbose_name_plural = _("preferred devices")

    def __str__(self) -> str:
        return self.device_id
