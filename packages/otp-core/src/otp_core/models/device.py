"""The abstract ``Device`` every plugin's device model derives from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.query import ModelIterable
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..ids import parse_pk
from ..plugins import for_device
from ..values import Value
from .throttling import ThrottlingMixin
from .timestamps import TimestampMixin

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["Challenge", "Device", "DeviceManager", "DeviceQuerySet", "device_classes"]


class Challenge(Value):
    """What a device produced before the user answers.

    ``message`` is for the person ("We sent a code to a***@example.com");
    ``data`` is for a script (WebAuthn request options), JSON-serialisable.
    """

    _fields = ("message", "data")
    __slots__ = _fields
    message: str
    data: dict[str, Any] | None

    def __init__(self, message: str = "", data: dict[str, Any] | None = None) -> None:
        self._fill(message, data)

    def __str__(self) -> str:
        return str(self.message)


class DeviceQuerySet(models.QuerySet):
    """Device rows; ``values()`` and ``values_list()`` give secrets in plain text.

    Model rows decrypt a secret when it is first read
    (:class:`~otp_core.models.fields.SealedSecret`); rows of ``values()``
    have no attribute to do that, so they are opened as they are fetched.
    """

    def _fetch_all(self) -> None:
        fresh = getattr(self, "_result_cache", None) is None
        super()._fetch_all()
        cache: list[Any] | None = getattr(self, "_result_cache", None)
        if fresh and self._iterable_class is not ModelIterable and cache:
            self._result_cache = [_open_row(row) for row in cache]

    def _iterator(self, use_chunked_fetch: bool, chunk_size: int | None) -> Iterator[Any]:
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if self._iterable_class is ModelIterable:
            return rows
        return (_open_row(row) for row in rows)


def _open_row(row: Any) -> Any:
    from .fields import open_sealed

    if isinstance(row, dict):
        return {name: open_sealed(value) for name, value in row.items()}
    if isinstance(row, tuple):
        values = [open_sealed(value) for value in row]
        return type(row)(*values) if hasattr(row, "_fields") else tuple(values)
    return open_sealed(row)


class DeviceManager(models.Manager.from_queryset(DeviceQuerySet)):  # type: ignore[misc]
    def devices_for_user(self, user: Any, confirmed: bool | None = True) -> models.QuerySet:
        """This model's devices of ``user``; ``confirmed=None`` gives all."""
        qs = self.filter(user=user)
        if confirmed is not None:
            qs = qs.filter(confirmed=bool(confirmed))
        return qs


class Device(ThrottlingMixin, TimestampMixin, models.Model):
    """A credential that can prove a second factor for one user.

    A plugin subclasses this, declares its fields and implements
    :meth:`_match` (and :meth:`_challenge` when something must be sent
    first). Everything around the match (locking, throttling, replay, use
    stamps, signals) is the shared path in :mod:`otp_core.verification`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        verbose_name=_("user"),
        help_text=_("The user that this device belongs to."),
    )
    name = models.CharField(
        _("name"), max_length=64, help_text=_("A name that helps the user tell devices apart.")
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("Is this device ready for use?")
    )

    objects = DeviceManager()

    #: RFC 8176 authentication method reference recorded in the session.
    factor_kind: ClassVar[str] = "otp"
    #: Fields :meth:`_match` may change; the verification path saves them.
    verification_fields: ClassVar[tuple[str, ...]] = ()
    #: Fields :meth:`_challenge` may change; the challenge path saves them.
    challenge_fields: ClassVar[tuple[str, ...]] = ()
    #: Does a refused answer count as a guess? True for codes: a mismatch
    #: throttles the device and counts on the account (lock-out). False for
    #: answers nobody can guess (a WebAuthn signature): whoever can post one
    #: could otherwise lock the owner out. A locked account still refuses them.
    counts_failures: ClassVar[bool] = True
    #: Names that tell the user nothing: django-two-factor-auth's ``default``
    #: and ``backup`` (its phones) and an empty one. Never shown as a label.
    generic_names: ClassVar[frozenset[str]] = frozenset({"", "default", "backup"})

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Never a secret: only the name, the owner's user name and the kind.
        user = getattr(self, "user", None) if self.user_id else None
        owner = user.get_username() if user is not None else "?"
        return f"{self.name} ({owner})"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.persistent_id}>"

    # -- identity ---------------------------------------------------------

    @classmethod
    def model_label(cls) -> str:
        """``app_label.modelname``, the stable part of a persistent id."""
        return f"{cls._meta.app_label}.{cls._meta.model_name}"

    @property
    def persistent_id(self) -> str:
        """An id unique across all device models, e.g. ``otp_totp.totpdevice/3``."""
        return f"{self.model_label()}/{self.pk}"

    @classmethod
    def from_persistent_id(cls, persistent_id: str, for_verify: bool = False) -> Device | None:
        """The device with that persistent id, or None.

        With ``for_verify`` the row is locked until the end of the current
        transaction; call it inside ``transaction.atomic()``.
        """
        model, raw_pk = _split_persistent_id(persistent_id)
        # Only a pk the database can hold: 2**63 or "٣" finds nothing, on every backend.
        pk = parse_pk(model, raw_pk) if model is not None else None
        if model is None or pk is None:
            return None
        qs = model._default_manager.all()
        if for_verify:
            qs = qs.select_for_update()
        try:
            return qs.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            return None

    # -- what the user reads ----------------------------------------------

    def kind_label(self) -> str:
        """What this device is, for the user: "Authenticator app", "Backup codes".

        The plugin's label (else the model's verbose name). Plugins whose
        devices send codes somewhere override it to say where, masked so a
        shoulder-surfer learns nothing: ``"Text message to +31 * *****78"``.
        """
        plugin = for_device(self)
        label = plugin.label if plugin is not None else self._meta.verbose_name
        return capfirst(str(label))

    def custom_name(self) -> str:
        """The name the user gave this device, or "" when it is a generic one.

        Generic: one of :attr:`generic_names` (e.g. django-two-factor-auth's
        "default" and "backup"), or the kind's own label (a set-up's default
        name, such as "Authenticator app").
        """
        name = (self.name or "").strip()
        plugin = for_device(self)
        generic = {n.casefold() for n in self.generic_names}
        generic.update(
            str(label).casefold()
            for label in (plugin.label if plugin else "", self._meta.verbose_name)
        )
        if name.casefold() in generic or name.casefold() == self.kind_label().casefold():
            return ""
        return name

    def display_label(self) -> str:
        """How lists name this device: its kind, and the user's name for it if any.

        e.g. "Authenticator app", "Authenticator app (Work phone)",
        "E-mail to d***@example.com". Never a full number or address.
        """
        kind, name = self.kind_label(), self.custom_name()
        if not name:
            return kind
        return gettext("%(kind)s (%(name)s)") % {"kind": kind, "name": name}

    def added_as_backup(self) -> bool:
        """Was this device added as a spare (django-two-factor-auth's name "backup")?

        A UI never asks for such a device first while the user has another one
        (otp-phone names its backup phones so).
        """
        return (self.name or "").strip() == "backup"

    # -- the protocol a plugin implements ----------------------------------

    def is_interactive(self) -> bool:
        """True when the device must send something before the user answers."""
        return type(self)._challenge is not Device._challenge

    def generate_is_allowed(self) -> tuple[bool, dict[str, Any] | None]:
        """May a challenge be generated now? ``(True, None)`` or ``(False, details)``."""
        return True, None

    def generate_challenge(self, request: HttpRequest | None = None) -> Challenge | None:
        """Send or prepare what the user must answer; None for non-interactive devices."""
        from ..challenges import issue_challenge

        return issue_challenge(self, request=request)

    def verify_token(self, token: str | int, request: HttpRequest | None = None) -> bool:
        """Check ``token`` through the shared path; True at most once per token.

        As in django-otp, an ``int`` is accepted: it is written with the
        device's digit count (``123`` is ``000123`` on a 6-digit device), so
        an int matches exactly the codes its digits spell and never passes a
        length check a string would fail. An unsaved device has no row to
        lock and record the use on: that is a ``ValueError``, not a False.
        """
        from ..verification import verify

        if self.pk is None:
            raise ValueError(
                f"verify_token() on an unsaved {type(self).__name__}: save() the device first."
            )
        if isinstance(token, int) and not isinstance(token, bool):
            token = int_token(token, getattr(self, "digits", None))
        return verify(self, str(token), request=request).accepted

    def _match(self, token: str) -> bool:
        """Plugin hook: does ``token`` match this (locked) device?

        On a match, also make the token unusable again by changing fields
        named in :attr:`verification_fields` (the caller saves them) or rows
        the device owns. Called inside a transaction with this row locked.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement _match()")

    def _challenge(self, request: HttpRequest | None) -> Challenge | None:
        """Plugin hook for interactive devices: generate and deliver a challenge."""
        return None


def int_token(token: int, digits: int | None) -> str:
    """An ``int`` token as the code it stands for: zero-padded to ``digits``.

    A negative int, or one with more digits than the device's, stays too
    long or malformed and is refused by the device's own checks.
    """
    text = str(token)
    if digits and token >= 0:
        text = text.zfill(int(digits))
    return text


def device_classes() -> Iterator[type[Device]]:
    """Every concrete device model installed in this project."""
    for model in apps.get_models():
        if issubclass(model, Device):
            yield model


def _split_persistent_id(persistent_id: str) -> tuple[type[Device] | None, str]:
    label, _, pk = str(persistent_id).partition("/")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None, pk
    if not issubclass(model, Device) or not pk:
        return None, pk
    return model, pk
