"""The admin of signed-in browsers: read-only; deleting a row signs that browser out.

Registered on ``admin.site`` by the import at the end of :mod:`otp_core.admin`.
Rows are made by sign-ins, never by hand: no add form and every field is
read-only. Deleting rows (one, or the bulk action) signs those browsers out,
for example every browser of an account that was taken over.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model

from .admin_ids import SafeIdAdminMixin
from .conf import otp_settings
from .models import SignedInBrowser

__all__ = ["SignedInBrowserAdmin"]


@admin.register(SignedInBrowser)
class SignedInBrowserAdmin(SafeIdAdminMixin, admin.ModelAdmin):
    """Who is signed in where; staff with delete permission sign browsers out."""

    list_display = ("user", "user_agent", "ip_prefix", "created_at", "last_seen_at", "signed_in")
    list_filter = ("signed_in",)
    date_hierarchy = "last_seen_at"
    ordering = ("-last_seen_at",)
    fields = (
        "user",
        "user_agent",
        "ip_prefix",
        "created_at",
        "last_seen_at",
        "signed_in",
        "verifications",
        "remembered_at",
        "remembered_device_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_search_fields(self, request: Any) -> Any:
        return (f"user__{get_user_model().USERNAME_FIELD}", "ip_prefix")

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("user")
        if otp_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA and not request.user.is_superuser:
            qs = qs.filter(user=request.user)
        return qs
