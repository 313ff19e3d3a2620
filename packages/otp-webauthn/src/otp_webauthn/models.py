"""WebAuthn credentials, the users' random handles, and pending challenges.

One :class:`WebAuthnDevice` row per credential. Its factor kind depends on the
credential: ``hwk`` when the authenticator says it can never leave the device
(backup-eligible flag clear), ``swk`` for a passkey that syncs.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from otp_core.models import Device

from .conf import setting

__all__ = [
    "WebAuthnDevice",
    "WebAuthnNotAllowed",
    "WebAuthnUserHandle",
    "credential_digest",
    "random_user_handle",
]

#: Bytes of a user handle (WebAuthn allows at most 64).
USER_HANDLE_BYTES = 64


def credential_digest(credential_id: bytes) -> str:
    """The indexed form of a credential id: SHA-256, hexadecimal.

    Credential ids may be up to 1023 bytes, too long for a unique index on
    every database; their digest is not.
    """
    return hashlib.sha256(credential_id).hexdigest()


def random_user_handle() -> bytes:
    return secrets.token_bytes(USER_HANDLE_BYTES)


class WebAuthnNotAllowed(str, enum.Enum):
    """Why a credential refuses every assertion until an administrator acts."""

    #: Its signature counter went backwards: it may have been cloned.
    CLONE_SUSPECTED = "CLONE_SUSPECTED"


class WebAuthnUserHandle(models.Model):
    """The random user handle (WebAuthn ``user.id``) of one user.

    64 random bytes, never derived from the primary key or the user name, so
    an authenticator's list of accounts tells nothing about the site's users.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webauthn_handle",
        verbose_name=_("user"),
    )
    handle = models.BinaryField(
        _("user handle"), max_length=USER_HANDLE_BYTES, default=random_user_handle
    )
    handle_digest = models.CharField(_("user handle digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("WebAuthn user handle")
        verbose_name_plural = _("WebAuthn user handles")

    def __str__(self) -> str:
        return f"handle of user {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.handle_digest = credential_digest(bytes(self.handle))
        super().save(*args, **kwargs)

    @classmethod
    def for_user(cls, user: Any) -> bytes:
        """``user``'s handle, made on first use."""
        row = cls.objects.filter(user=user).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = cls(user=user)
                    row.save()
            except IntegrityError:  # another request made it first
                row = cls.objects.get(user=user)
        return bytes(row.handle)


class WebAuthnDevice(Device):
    """A WebAuthn credential: a security key or a passkey.

    An assertion is checked with py_webauthn against the stored public key;
    the signature counter must go up whenever either count is non-zero, and a
    counter that does not flags the credential (``clone_suspected``), which
    then refuses every assertion until an administrator clears the flag.
    """

    credential_id = models.BinaryField(_("credential id"), max_length=1023)
    credential_id_digest = models.CharField(
        _("credential id digest"), max_length=64, unique=True, editable=False
    )
    public_key = models.BinaryField(_("public key (COSE)"))
    sign_count = models.BigIntegerField(
        _("signature counter"), default=0, help_text=_("The authenticator's last counter value.")
    )
    aaguid = models.CharField(
        _("AAGUID"),
        max_length=36,
        blank=True,
        default="",
        help_text=_("The authenticator model (all zeros without attestation)."),
    )
    transports = models.JSONField(_("transports"), default=list, blank=True)
    backup_eligible = models.BooleanField(
        _("synced passkey"),
        default=False,
        help_text=_("Backup eligible: the credential may be copied to other devices."),
    )
    backed_up = models.BooleanField(_("backed up"), default=False)
    user_verified = models.BooleanField(
        _("user verified"),
        default=False,
        help_text=_("Did the authenticator verify the user (PIN, biometrics) last time?"),
    )
    discoverable = models.BooleanField(
        _("discoverable"),
        null=True,
        blank=True,
        help_text=_("Is it a passkey the browser can offer without a user name (unknown: empty)?"),
    )
    attestation_format = models.CharField(
        _("attestation format"), max_length=32, blank=True, default="none"
    )
    recent_challenges = models.JSONField(
        _("recently accepted challenges"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Digests of the last challenges it answered: each is accepted once."),
    )
    clone_suspected = models.BooleanField(
        _("clone suspected"),
        default=False,
        help_text=_(
            "Its signature counter went backwards. It refuses every sign-in until this is cleared."
        ),
    )

    verification_fields = ("sign_count", "backed_up", "user_verified", "recent_challenges")
    #: A signed assertion cannot be guessed: a refused one is no guess, so it
    #: throttles neither this key nor the account. Otherwise whoever knows a
    #: credential id could lock its owner out. A locked account still refuses.
    counts_failures = False
    #: How many accepted challenges a credential remembers.
    RECENT_CHALLENGES = 16

    class Meta:
        verbose_name = _("security key or passkey")
        verbose_name_plural = _("security keys and passkeys")

    @property
    def factor_kind(self) -> str:  # type: ignore[override]
        """RFC 8176: ``hwk`` when device-bound, ``swk`` for a synced passkey."""
        return "swk" if self.backup_eligible else "hwk"

    def kind_label(self) -> str:
        """ "Passkey" for a synced passkey, "Security key" for a device-bound one."""
        return str(_("Passkey") if self.backup_eligible else _("Security key"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.credential_id_digest = credential_digest(bytes(self.credential_id))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "credential_id" in update_fields:
            kwargs["update_fields"] = [*update_fields, "credential_id_digest"]
        super().save(*args, **kwargs)

    def get_throttle_factor(self) -> float:
        return setting("OTP_WEBAUTHN_THROTTLE_FACTOR")

    def verify_is_allowed(self) -> tuple[bool, dict[str, Any] | None]:
        if self.clone_suspected:
            return False, {"reason": WebAuthnNotAllowed.CLONE_SUSPECTED}
        return super().verify_is_allowed()

    def _challenge(self, request: Any) -> Any:
        """Options for this credential, the challenge kept in ``request``'s session."""
        from .ceremonies import authentication_challenge

        return authentication_challenge(request, self.user, devices=[self])

    def _match(self, token: str) -> bool:
        """Check a signed assertion (an :class:`~otp_webauthn.assertion.AssertionToken`)."""
        from .assertion import AssertionToken, check_assertion

        if not isinstance(token, AssertionToken):
            return False  # a typed code, or a bare JSON string without its context
        return check_assertion(self, token)

    def verify_token(self, token: str, request: Any = None) -> bool:
        """Check the browser's assertion JSON against this session's pending challenge.

        Only an assertion of this credential counts; the challenge is used up.
        """
        from .ceremonies import CeremonyError, complete_second_factor

        if request is None:
            return False
        try:
            complete_second_factor(request, self.user, token, device=self)
        except CeremonyError:
            return False
        return True
