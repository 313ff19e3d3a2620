"""When a device was created and last used."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["TimestampMixin"]


class TimestampMixin(models.Model):
    created_at = models.DateTimeField(
        _("created at"), auto_now_add=True, null=True, help_text=_("When the device was added.")
    )
    last_used_at = models.DateTimeField(
        _("last used at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a token of this device was last accepted."),
    )

    class Meta:
        abstract = True

    def set_last_used_timestamp(self, commit: bool = True) -> None:
        """Stamp ``last_used_at`` now (django-otp's name); ``commit`` saves that field.

        The verification path stamps it itself; this is for code that accepts
        a device's use by other means.
        """
        self.last_used_at = timezone.now()
        if commit:
            self.save(update_fields=["last_used_at"])
