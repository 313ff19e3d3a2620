"""The admin of account-wide failure counts: read-only, with an unlock action.

Registered on ``admin.site`` by the import at the end of :mod:`otp_core.admin`.
Rows are made by the verification path, never by hand, so there is no add
form, no delete (unlocking is the action) and every field is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import account_throttle
from .conf import otp_settings
from .models import AccountThrottle

__all__ = ["AccountThrottleAdmin"]


class LockedFilter(admin.SimpleListFilter):
    """Locked accounts, or the others."""

    title = _("locked")
    parameter_name = "locked"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(locked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(locked_at__isnull=True)
        return queryset


@admin.register(AccountThrottle)
class AccountThrottleAdmin(admin.ModelAdmin):
    """Who has failed how often; staff with change permission unlock others."""

    list_display = ("user", "failure_count", "last_failure_at", "locked_at")
    list_filter = (LockedFilter,)
    ordering = ("-locked_at", "-failure_count")
    fields = ("user", "failure_count", "last_failure_at", "locked_at")
    readonly_fields = fields
    actions = ["unlock"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_search_fields(self, request: Any) -> Any:
        return (f"user__{get_user_model().USERNAME_FIELD}",)

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("user")
        if otp_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA and not request.user.is_superuser:
            qs = qs.filter(user=request.user)
        return qs

    @admin.action(
        description=_("Unlock the selected accounts (clear their failure count)"),
        permissions=["change"],
    )
    def unlock(self, request: Any, queryset: Any) -> None:
        # Someone holding only this account's password must not lift its
        # lock: another administrator (or manage.py otp_unlock) does.
        own = queryset.filter(user=request.user).exists()
        unlocked = 0
        for row in queryset.exclude(user=request.user):
            account_throttle.unlock(row.user)
            self.log_change(request, row, [{"changed": {"fields": ["locked_at"]}}])
            unlocked += 1
        if unlocked:
            self.message_user(
                request,
                ngettext("%d account was unlocked.", "%d accounts were unlocked.", unlocked)
                % unlocked,
                messages.SUCCESS,
            )
        if own:
            self.message_user(
                request,
                _("You cannot unlock your own account; ask another administrator."),
                messages.ERROR,
            )
