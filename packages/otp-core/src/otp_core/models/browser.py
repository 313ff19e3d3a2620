"""A signed-in browser: the server-side record each signed-in session refers to.

The session holds a random id; this row holds its SHA-256 digest, who signed
in, when, a short browser name and address prefix, and a copy of the
session's verifications for the account page. Deleting the row signs that
browser out: the next request of it that asks about two-factor finds no row
and ends the session, whatever ``SESSION_ENGINE`` keeps it (signed cookies
included). A remembered browser (two-factor-ui's remember-this-browser) is a
row that outlives its session, with ``remembered_at`` set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SignedInBrowser"]


class SignedInBrowser(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="otp_signed_in_browsers",
        verbose_name=_("user"),
    )
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(
        _("last seen at"),
        default=timezone.now,
        help_text=_("The last request that asked about two-factor (updated every few minutes)."),
    )
    user_agent = models.CharField(
        _("browser"), max_length=64, blank=True, default="", help_text=_("e.g. Chrome on Android")
    )
    ip_prefix = models.CharField(
        _("network"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The client address with its last part zeroed: /24 (IPv4) or /48 (IPv6)."),
    )
    signed_in = models.BooleanField(
        _("signed in"),
        default=True,
        help_text=_("False for a remembered browser whose session has ended."),
    )
    verifications = models.JSONField(
        _("verifications"),
        default=list,
        blank=True,
        help_text=_("A copy of the session's verified factors: device, kind, time."),
    )
    password_stamp = models.CharField(
        _("password stamp"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_("Changes with the password: a record from before a change is stale."),
    )
    remembered_at = models.DateTimeField(_("remembered at"), null=True, blank=True)
    remembered_device_id = models.CharField(
        _("remembered through"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("Persistent id of the device that verified the sign-in it remembers."),
    )

    class Meta:
        verbose_name = _("signed-in browser")
        verbose_name_plural = _("signed-in browsers")
        ordering = ("-last_seen_at", "-pk")
        indexes = [models.Index(fields=["user", "last_seen_at"], name="otp_core_browser_user_seen")]

    def __str__(self) -> str:
        return self.user_agent or str(_("Unknown browser"))
