"""Which addresses a user may set up, and the normalised form budgets count.

Set-up refuses addresses at an IP literal (``a@[192.0.2.1]``: nobody's
mailbox, a relay) and, when ``OTP_EMAIL_ALLOWED_DOMAINS`` is a list, every
domain not on it (a listed domain allows its subdomains too).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .conf import email_settings

__all__ = ["domain_allowed", "normalise_address", "validate_setup_address"]


def normalise_address(address: str) -> str:
    """``Alice+tag@Example.COM`` -> ``alice@example.com``: one mailbox, one budget.

    Case and a ``+tag`` in the local part are dropped: most providers
    deliver those to one mailbox, and counting them together only ever
    shares a budget more, never less.
    """
    local, at, domain = (address or "").strip().rpartition("@")
    if not at:
        return (address or "").strip().lower()
    local = local.split("+", 1)[0] or local
    return f"{local.lower()}@{domain.lower().rstrip('.')}"


def domain_allowed(domain: str) -> bool:
    """Is ``domain`` allowed by ``OTP_EMAIL_ALLOWED_DOMAINS`` (None: any)?"""
    allowed = email_settings.OTP_EMAIL_ALLOWED_DOMAINS
    if allowed is None:
        return True
    domain = domain.lower().rstrip(".")
    for entry in allowed:
        entry = str(entry).lower().strip(".")
        if domain == entry or domain.endswith("." + entry):
            return True
    return False


def validate_setup_address(address: str) -> None:
    """ValidationError unless codes may be mailed to ``address`` (a set-up's input)."""
    _local, _at, domain = address.rpartition("@")
    if domain.startswith("["):
        raise ValidationError(
            _("Enter an address at a domain name, not at an IP address."), code="ip_literal"
        )
    if not domain_allowed(domain):
        raise ValidationError(
            _("Codes cannot be sent to addresses at this domain."), code="domain_not_allowed"
        )
