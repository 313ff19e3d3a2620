"""Admin base for OATH (TOTP/HOTP) devices: key hidden, QR page for the owner.

The key never appears in forms or lists. A "QR code" page shows the QR code,
the key in base32 and the ``otpauth://`` URI, so a device added here can be
loaded into an authenticator app. Whoever sees it can make codes, so only two
people may open it: the device's owner while the device is being set up (not
yet confirmed), and a superuser whose session is verified by a second factor
(to hand a device to someone in person). Everyone else, including the owner of
a confirmed device and a superuser signed in with a password alone, is refused.

The settings of a device (digits, algorithm, step, t0, tolerance) are
read-only once it exists: a longer window or fewer digits would weaken it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin import DeviceAdmin
from .crypto import UnreadableSecret

__all__ = ["OATHDeviceAdmin"]


class OATHDeviceAdmin(DeviceAdmin):
    """Base admin of OATH device models; subclasses name their own fields."""

    #: Settings of the device (shown under "Configuration").
    configuration_fields: tuple[str, ...] = ("digits", "algorithm")
    #: Counters the device moves itself (shown read-only under "State").
    state_fields: tuple[str, ...] = ()

    list_display = (*DeviceAdmin.list_display, "qrcode_link")
    readonly_fields = (*DeviceAdmin.readonly_fields, "qrcode_link")
    exclude = ("key",)
    radio_fields = {"digits": admin.HORIZONTAL}

    def get_frozen_fields(self, request: HttpRequest, obj: Any) -> tuple[str, ...]:
        return (*super().get_frozen_fields(request, obj), *self.configuration_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), *self.state_fields)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[Any] = [
            (None, {"fields": ["user", "name", "confirmed"]}),
            (_("Configuration"), {"fields": list(self.configuration_fields)}),
        ]
        if obj is not None:
            fieldsets += [
                (_("State"), {"fields": [*self.state_fields, "created_at", "last_used_at"]}),
                (
                    _("Throttling"),
                    {"fields": ["throttling_failure_count", "throttling_failure_timestamp"]},
                ),
            ]
            if self.may_see_key(request, obj):
                fieldsets.append((_("Authenticator app"), {"fields": ["qrcode_link"]}))
        return self.confirmation_fieldsets(obj, fieldsets)

    # -- the QR page ------------------------------------------------------

    def _qrcode_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_qrcode"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.qrcode_view)
        image = self.admin_site.admin_view(self.qrcode_image_view)
        name = self._qrcode_url_name()
        return [
            path("<path:object_id>/qrcode/", view, name=name),
            path("<path:object_id>/qrcode/image/", image, name=f"{name}_image"),
            *super().get_urls(),
        ]

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device: Any) -> str:
        if device is None or device.pk is None:
            return ""
        url = reverse(
            f"{self.admin_site.name}:{self._qrcode_url_name()}", kwargs={"object_id": device.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("Show QR code"))

    def may_see_key(self, request: HttpRequest, device: Any) -> bool:
        """May this user see the key of ``device`` (its QR code, URI, base32)?

        Its owner while setting it up, or a superuser in a verified session.
        """
        user: Any = request.user
        if device.user_id == user.pk and not device.confirmed:
            return True
        is_verified = getattr(user, "is_verified", None)
        return bool(user.is_superuser and callable(is_verified) and is_verified())

    def get_owned_device(self, request: HttpRequest, object_id: str) -> Any:
        """The device, if this user may see its key: 404 when unknown, 403 when not."""
        device = self.get_object(request, object_id)
        if device is None:
            raise Http404
        if not self.has_view_or_change_permission(request, device):
            raise PermissionDenied
        if not self.may_see_key(request, device):
            raise PermissionDenied
        if isinstance(device.key, UnreadableSecret):
            raise Http404  # its encryption key was removed (otp_core.E015)
        return device

    def qrcode_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A page with the QR code, the key in base32 and the URI."""
        device = self.get_owned_device(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": device,
            "title": _("QR code of %(name)s") % {"name": device.name},
            "device": device,
            "qr_code": device.qr_code(),
            "secret_key": device.secret_key,
            "otpauth_url": device.config_url,
            "image_url": reverse(
                f"{self.admin_site.name}:{self._qrcode_url_name()}_image",
                kwargs={"object_id": device.pk},
            ),
        }
        return TemplateResponse(request, "otp_core/admin/oath_qrcode.html", context)

    def qrcode_image_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The QR code alone, as an image file."""
        from .qr import render_qr  # the QR image only, not every worker's admin import

        device = self.get_owned_device(request, object_id)
        image = render_qr(device.config_url)
        response = HttpResponse(image.content, content_type=image.content_type)
        response["Content-Disposition"] = "inline"
        return response
