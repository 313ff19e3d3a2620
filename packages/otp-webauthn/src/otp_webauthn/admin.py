"""Admin of WebAuthn keys: flags, AAGUID and last use listed; key material read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from otp_core.admin import DeviceAdmin

from .models import WebAuthnDevice


@admin.register(WebAuthnDevice)
class WebAuthnDeviceAdmin(DeviceAdmin):
    list_display = (
        *DeviceAdmin.list_display,
        "kind",
        "backup_eligible",
        "backed_up",
        "user_verified",
        "clone_suspected",
        "aaguid",
    )
    list_filter = (*DeviceAdmin.list_filter, "backup_eligible", "clone_suspected")
    search_fields = ("name", "aaguid")
    #: What the authenticator made or reported: never typed in here.
    key_material = (
        "credential_id_b64",
        "public_key_b64",
        "sign_count",
        "aaguid",
        "transports",
        "backup_eligible",
        "backed_up",
        "user_verified",
        "discoverable",
        "attestation_format",
    )
    readonly_fields = (*DeviceAdmin.readonly_fields, *key_material)
    fields = (
        "user",
        "name",
        "confirmed",
        "clone_suspected",
        *key_material,
        *DeviceAdmin.readonly_fields,
    )
    actions = [*DeviceAdmin.actions, "clear_clone_flag"]

    @admin.display(description=_("kind"))
    def kind(self, device: WebAuthnDevice) -> str:
        return str(_("synced passkey")) if device.backup_eligible else str(_("device-bound key"))

    @admin.display(description=_("credential id"))
    def credential_id_b64(self, device: WebAuthnDevice) -> str:
        import base64

        return base64.urlsafe_b64encode(bytes(device.credential_id or b"")).decode().rstrip("=")

    @admin.display(description=_("public key (COSE, hexadecimal)"))
    def public_key_b64(self, device: WebAuthnDevice) -> str:
        return bytes(device.public_key or b"").hex()

    def has_add_permission(self, request: Any) -> bool:
        # A key is made by its authenticator in a registration ceremony, not typed in.
        return False

    @admin.action(description=_("Clear the clone suspicion of the selected keys"))
    def clear_clone_flag(self, request: Any, queryset: Any) -> None:
        count = queryset.update(clone_suspected=False)
        self.message_user(
            request,
            ngettext("%d key was cleared.", "%d keys were cleared.", count) % count,
            messages.SUCCESS,
        )
