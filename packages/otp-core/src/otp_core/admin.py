"""Admin pieces: a site for verified staff and a base for device admins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import signals
from .admin_ids import SafeIdAdminMixin
from .conf import otp_settings
from .deferred import moved

if TYPE_CHECKING:
    from .admin_forms import ConfirmationGuardForm, OTPAdminAuthenticationForm

__all__ = [
    "ConfirmationGuardForm",
    "DeviceAdmin",
    "OTPAdminAuthenticationForm",
    "OTPAdminSite",
    "OTPAdminSiteMixin",
]


class OTPAdminSiteMixin:
    """Admit only active staff whose session is verified by a second factor."""

    login_template = "otp_core/admin/login.html"

    @property
    def login_form(self) -> type:
        """``OTPAdminAuthenticationForm``, imported when the login page is first shown.

        The admin modules load in every worker (``admin.autodiscover()``); the
        OTP login form and the forms module behind it only where the admin's
        login page is used.
        """
        from .admin_forms import OTPAdminAuthenticationForm

        return OTPAdminAuthenticationForm

    def has_permission(self, request: Any) -> bool:
        return super().has_permission(request) and request.user.is_verified()  # type: ignore[misc]

    def login(self, request: Any, extra_context: Any = None) -> Any:
        response = super().login(request, extra_context)  # type: ignore[misc]
        # A successful POST has logged the user in with the form's user, on
        # which clean_otp() left the verified device: record it in the session.
        if request.method == "POST" and response.status_code == 302:
            device = getattr(request.user, "otp_device", None)
            if device is not None:
                from .auth import login as otp_login

                otp_login(request, device)
        return response


class OTPAdminSite(OTPAdminSiteMixin, admin.AdminSite):
    """An ``AdminSite`` that requires verified staff (django-otp's ``OTPAdminSite``)."""

    name = "otpadmin"

    def __init__(self, name: str = "otpadmin") -> None:
        super().__init__(name)


class DeviceAdmin(SafeIdAdminMixin, admin.ModelAdmin):
    """Base admin for device models: owner, state, throttling, and an unlock action."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None and not getattr(obj, "confirmed", True) and "form" not in kwargs:
            # Whatever form a plugin's admin sets, confirming a pending device
            # takes one of its codes.
            from .admin_forms import ConfirmationGuardForm

            base = self.form
            kwargs["form"] = type(
                base.__name__, (ConfirmationGuardForm, base), {"request": request}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def confirmation_fieldsets(self, obj: Any, fieldsets: Any) -> list[Any]:
        """``fieldsets`` plus the code field of a pending device, if they lack it.

        An admin that builds its own ``get_fieldsets`` returns its list through
        this, so a pending device can be confirmed with a code there too.
        """
        fieldsets = list(fieldsets)
        pending = obj is not None and not getattr(obj, "confirmed", True)
        if pending and "confirmation_code" not in flatten_fieldsets(fieldsets):
            fieldsets.append((_("Confirm"), {"fields": ["confirmation_code"]}))
        return fieldsets

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        return self.confirmation_fieldsets(obj, super().get_fieldsets(request, obj))

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if getattr(form, "confirmed_by_code", False):
            # As when a set-up wizard confirms a device: the owner is told.
            signals.device_added.send(type(obj), device=obj, request=request)

    def delete_model(self, request: Any, obj: Any) -> None:
        # Through otp_core.removal, so the owner hears of it (device_removed).
        from .removal import remove_device

        remove_device(obj, request=request)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        from .removal import remove_device

        for device in queryset:
            remove_device(device, request=request)

    list_display: tuple[str, ...] = (
        "name",
        "user",
        "confirmed",
        "created_at",
        "last_used_at",
        "failures",
    )
    list_filter = ("confirmed",)
    search_fields = ("name",)
    raw_id_fields = ("user",)
    readonly_fields: tuple[str, ...] = (
        "created_at",
        "last_used_at",
        "throttling_failure_count",
        "throttling_failure_timestamp",
    )
    actions = ["reset_throttling"]
    #: Fields read-only once the device exists. The owner is always one: moving
    #: a device moves a secret someone already holds (a key they scanned, their
    #: phone number) into another person's account. Plugins add what would
    #: weaken the factor or send its codes elsewhere (a tolerance, an address).
    frozen_fields: tuple[str, ...] = ("user",)

    @admin.display(description=_("failures"), ordering="throttling_failure_count")
    def failures(self, device: Any) -> int:
        return device.throttling_failure_count

    @admin.action(description=_("Reset throttling (unlock) of the selected devices"))
    def reset_throttling(self, request: Any, queryset: Any) -> None:
        count = queryset.update(throttling_failure_count=0, throttling_failure_timestamp=None)
        self.message_user(
            request,
            ngettext("%d device was unlocked.", "%d devices were unlocked.", count) % count,
            messages.SUCCESS,
        )

    def get_frozen_fields(self, request: Any, obj: Any) -> tuple[str, ...]:
        """The fields of an existing device that no one may change here."""
        return self.frozen_fields

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A POST naming them changes nothing: the admin's form has no such field.
            fields += tuple(f for f in self.get_frozen_fields(request, obj) if f not in fields)
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "user" and not request.user.is_superuser:
            # Staff may add devices for themselves only: a device they add for
            # someone else (their own phone number, a key they scanned) would
            # be a second factor of that person's account in their hands.
            kwargs["queryset"] = get_user_model()._default_manager.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_fields(self, request: Any) -> Any:
        return (*self.search_fields, f"user__{get_user_model().USERNAME_FIELD}")

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("user")
        if otp_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA and not request.user.is_superuser:
            qs = qs.filter(user=request.user)
        return qs


# The admin's forms live in otp_core.admin_forms (loaded on use).
__getattr__ = moved(
    __name__,
    dict.fromkeys(("ConfirmationGuardForm", "OTPAdminAuthenticationForm"), "otp_core.admin_forms"),
)


# Register AccountThrottleAdmin and SignedInBrowserAdmin on admin.site (kept
# last: they need nothing above).
from . import admin_account, admin_browsers  # noqa: E402, F401
