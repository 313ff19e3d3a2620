"""Show an address without giving it away: ``alice@example.com`` -> ``a***@example.com``."""

from __future__ import annotations

__all__ = ["mask_email"]


def mask_email(address: str) -> str:
    """Keep the first character of the local part and the domain."""
    local, at, domain = (address or "").rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"
