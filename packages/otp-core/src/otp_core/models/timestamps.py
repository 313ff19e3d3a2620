"""When a device was created and last used."""

from __future__ import annotations

from django.db import models
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
