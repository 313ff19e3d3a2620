"""Where a device came from, for devices imported from django-otp's tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DjangoOTPImportMixin"]


class DjangoOTPImportMixin(models.Model):
    """The id of the django-otp row a device was imported from.

    Unique, so running ``otp_import_django_otp`` again finds the rows it
    already imported and creates nothing twice (encrypted keys cannot be
    matched on, since every encryption is randomised).
    """

    django_otp_id = models.BigIntegerField(
        _("django-otp id"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Id of the django-otp row this device was imported from."),
    )

    class Meta:
        abstract = True
