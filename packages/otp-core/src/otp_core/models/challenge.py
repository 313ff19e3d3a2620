"""Devices that send a code first (e-mail, text message, voice call).

The code is generated here, stored only as a keyed hash with an expiry, and
cleared when it is used. A cooldown keeps a user from being flooded with codes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import crypto

__all__ = ["GenerateNotAllowed", "SideChannelMixin"]


class GenerateNotAllowed:
    COOLDOWN_DURATION_PENDING = "COOLDOWN_DURATION_PENDING"


class SideChannelMixin(models.Model):
    token_hash = models.CharField(
        _("pending code (hashed)"), max_length=128, blank=True, default="", editable=False
    )
    valid_until = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the pending code expires."),
    )
    last_generated_at = models.DateTimeField(
        _("last code sent at"), null=True, blank=True, editable=False
    )

    verification_fields = ("token_hash", "valid_until")
    challenge_fields = ("token_hash", "valid_until", "last_generated_at")

    class Meta:
        abstract = True

    #: Seconds a generated code stays valid; plugins read their own setting.
    def get_token_validity(self) -> int:
        return 300

    #: Seconds between two codes; 0 disables the cooldown.
    def get_cooldown(self) -> int:
        return 0

    def budget_destination(self) -> tuple[str, str] | None:
        """``(channel, normalised destination)`` that send budgets count this device's messages to.

        Plugins override it with their address (``"tel:+31..."``,
        ``"mailto:..."``), normalised so that two spellings of one destination
        share one budget; the default counts per device.
        """
        return "message", f"device:{self.persistent_id}"

    def generate_is_allowed(self) -> tuple[bool, dict | None]:
        cooldown = self.get_cooldown()
        # The cooldown holds while the last code is pending: once it was used,
        # the next sign-in gets a code at once (a new code needs the old one).
        if cooldown and self.last_generated_at is not None and self.token_hash:
            next_at = self.last_generated_at + timedelta(seconds=cooldown)
            if timezone.now() < next_at:
                return False, {
                    "reason": GenerateNotAllowed.COOLDOWN_DURATION_PENDING,
                    "next_generation_at": next_at,
                }
        return True, None

    def generate_code(self, digits: int = 6) -> str:
        """Make a fresh random code, store its hash and expiry, return the code.

        The caller delivers it; only the hash stays in the database.
        """
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        now = timezone.now()
        self.token_hash = crypto.hash_code(code)
        self.valid_until = now + timedelta(seconds=self.get_token_validity())
        self.last_generated_at = now
        return code

    def _match(self, token: str) -> bool:
        token = token.strip()
        if not self.token_hash or self.valid_until is None or not token:
            return False
        if timezone.now() >= self.valid_until:
            return False
        if not crypto.check_code(token, self.token_hash):
            return False
        self.token_hash = ""
        self.valid_until = None
        return True
