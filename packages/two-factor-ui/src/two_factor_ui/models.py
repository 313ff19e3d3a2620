"""What two-factor-ui keeps per user: remembered browsers and the method asked first."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["PreferredDevice", "RememberedBrowser"]


class RememberedBrowser(models.Model):
    """A browser whose remember cookie stands in for the token step.

    The cookie carries a random id; this row holds only its SHA-256 digest
    (``key_digest``), so a copy of the table gives nobody a usable cookie.
    Deleting the row forgets the browser: its cookie then works nowhere.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_remembered_browsers",
        verbose_name=_("user"),
    )
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    device_id = models.CharField(
        _("verified by"),
        max_length=255,
        help_text=_("Persistent id of the device that verified the sign-in it remembers."),
    )
    user_agent = models.CharField(
        _("browser"), max_length=64, blank=True, default="", help_text=_("e.g. Chrome on Android")
    )
    created_at = models.DateTimeField(_("remembered at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remembered browser")
        verbose_name_plural = _("remembered browsers")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.user_agent or str(_("Unknown browser"))


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
