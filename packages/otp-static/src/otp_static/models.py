"""Backup codes: a device that holds a set of single-use codes, as hashes."""

from __future__ import annotations

from typing import ClassVar

from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from otp_core import crypto
from otp_core.models import Device, DjangoOTPImportMixin, EncryptedSecretField
from otp_core.verification import locked

from .codes import MAX_CODE_LENGTH, generate_code, normalize_code
from .conf import static_settings

__all__ = ["StaticDevice", "StaticToken"]

# Attempts at drawing a code not already in the set before giving up; only a
# tiny configured code space could ever need more than one.
_MAX_DRAWS = 1000


class StaticDevice(DjangoOTPImportMixin, Device):
    """A set of backup codes, each accepted once, in any order.

    The plaintext codes exist only in the return value of
    :meth:`generate_tokens` (and :meth:`add_tokens`); the database holds
    their keyed hashes in :class:`StaticToken` rows (``token_set``).

    The hashes are keyed with the set's own random code key, kept in
    ``code_keys`` (encrypted with ``OTP_ENCRYPTION_KEYS``, so
    ``otp_rotate_keys`` re-encrypts it): removing an old encryption key after
    a rotation leaves every code working. Codes hashed under an encryption
    key by earlier versions keep working while that key is configured, and
    ``otp_rotate_keys`` makes them independent of it (:meth:`migrate_code_hashes`).
    """

    code_keys = EncryptedSecretField(
        _("code keys"),
        blank=True,
        default="",
        help_text=_("Keys of this set's code hashes, hex, first one for new codes (encrypted)."),
    )

    factor_kind: ClassVar[str] = "recovery"

    class Meta:
        verbose_name = _("backup code set")
        verbose_name_plural = _("backup code sets")

    def get_throttle_factor(self) -> float:
        return static_settings.OTP_STATIC_THROTTLE_FACTOR

    @property
    def remaining(self) -> int:
        """How many unused codes the set has left."""
        return self.token_set.count()

    @property
    def low_on_codes(self) -> bool:
        """True when ``OTP_STATIC_LOW_CODES`` or fewer codes are left: time for new ones."""
        return self.remaining <= static_settings.OTP_STATIC_LOW_CODES

    def generate_tokens(self, count: int | None = None) -> list[str]:
        """Replace every code of this set with ``count`` fresh ones; return them.

        The return value is the only place the plaintext codes ever exist:
        show them to the user once and do not keep them.
        """
        return self._store_new(count, replace=True)

    def add_tokens(self, count: int | None = None) -> list[str]:
        """Add ``count`` fresh codes to this set, keeping the others; return them."""
        return self._store_new(count, replace=False)

    def add_token(self, code: str) -> str:
        """Add one given code (in any accepted spelling); return its canonical form."""
        canonical = normalize_code(code)
        if not canonical or len(canonical) > MAX_CODE_LENGTH:
            raise ValueError(f"A backup code must have 1 to {MAX_CODE_LENGTH} characters.")
        with transaction.atomic(using=self._write_db()):
            key = self._writing_key(locked(self), replace=False)
            self.token_set.create(token_hash=crypto.hash_code_with(key, canonical))
        return canonical

    def _write_db(self) -> str:
        return router.db_for_write(type(self), instance=self)

    def _read_keys(self) -> list[bytes]:
        """This set's code keys; none when unset or unreadable (a removed key)."""
        value = self.code_keys
        if not value or isinstance(value, crypto.UnreadableSecret):
            return []
        try:
            return [bytes.fromhex(part) for part in value.split()]
        except ValueError:
            return []

    def _writing_key(self, current: StaticDevice, *, replace: bool) -> bytes:
        """The key new codes are hashed with; made (and saved) on ``current`` if needed.

        Replacing every code starts a single fresh key, dropping keys adopted
        for older hashes; adding codes keeps the set's keys.
        """
        keys = [] if replace else current._read_keys()
        if not keys:
            if not replace and isinstance(current.code_keys, crypto.UnreadableSecret):
                # Keep the stored keys for when the removed encryption key is back.
                raise crypto.DecryptionError("The code keys of this set cannot be decrypted.")
            keys = [crypto.new_code_key()]
            current.code_keys = keys[0].hex()
            current.save(update_fields=["code_keys"])
        self.code_keys = current.code_keys
        return keys[0]

    def hash_for_storage(self, code: str) -> str:
        """The hash to store for canonical ``code``, under the set's first code key.

        Makes (and saves) the code key when the set has none; the importer
        calls it inside its transaction.
        """
        keys = self._read_keys()
        key = keys[0] if keys else self._writing_key(self, replace=False)
        return crypto.hash_code_with(key, code)

    @classmethod
    def migrate_code_hashes(cls, *, using: str | None = None) -> int:
        """Make codes hashed under ``OTP_ENCRYPTION_KEYS`` independent of them.

        Run by ``otp_rotate_keys`` while the old keys are still configured: a
        set with such codes adopts the code-hash keys derived from every
        configured key as code keys of its own (stored encrypted), and its
        hashes are relabelled to match, so they survive the removal of the
        key that made them. The codes themselves are unknown and unchanged.
        Returns how many codes were migrated.
        """
        alias = using or router.db_for_write(cls)
        legacy = StaticToken.objects.using(alias).filter(
            token_hash__startswith=crypto.CONFIGURED_KEY_HASH_PREFIX
        )
        migrated = 0
        for pk in legacy.values_list("device_id", flat=True).distinct().order_by("device_id"):
            with transaction.atomic(using=alias):
                device = cls._default_manager.db_manager(alias).filter(pk=pk).first()
                if device is None:
                    continue
                current = locked(device)
                keys = current._read_keys()
                if isinstance(current.code_keys, crypto.UnreadableSecret):
                    continue  # the rotation itself reports the unreadable row
                if not keys:
                    keys = [crypto.new_code_key()]
                keys += [k for k in crypto.configured_hash_keys() if k not in keys]
                current.code_keys = " ".join(k.hex() for k in keys)
                current.save(update_fields=["code_keys"])
                for token in current.token_set.select_for_update().only("pk", "token_hash"):
                    if crypto.is_configured_key_hash(token.token_hash):
                        token.token_hash = crypto.as_code_key_hash(token.token_hash)
                        token.save(update_fields=["token_hash"])
                        migrated += 1
        return migrated

    def _store_new(self, count: int | None, *, replace: bool) -> list[str]:
        if count is None:
            count = static_settings.OTP_STATIC_TOKEN_COUNT
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("The number of backup codes must be a whole number of 1 or more.")
        with transaction.atomic(using=self._write_db()):
            key = self._writing_key(locked(self), replace=replace)
            taken: set[str] = set()
            if replace:
                self.token_set.all().delete()
            else:
                taken = set(self.token_set.values_list("token_hash", flat=True))
            codes: list[str] = []
            hashes: list[str] = []
            draws = 0
            while len(codes) < count:
                draws += 1
                if draws > count + _MAX_DRAWS:
                    raise ValueError("The configured code space is too small for this many codes.")
                code = generate_code()
                digest = crypto.hash_code_with(key, code)
                if digest in taken:
                    continue
                taken.add(digest)
                codes.append(code)
                hashes.append(digest)
            StaticToken.objects.using(self._write_db()).bulk_create(
                StaticToken(device=self, token_hash=digest) for digest in hashes
            )
        return codes

    def _match(self, token: str) -> bool:
        # Runs inside otp_core.verification.verify with this row locked, so two
        # uses of one code are serialised and only the first finds the row.
        code = normalize_code(token)
        if not code or len(code) > MAX_CODE_LENGTH:
            return False
        # The set's code keys, and every configured key for codes hashed before
        # code keys existed (until otp_rotate_keys migrates them).
        candidates = crypto.code_hashes_with(self._read_keys(), code) + crypto.code_hashes(code)
        pk = (
            self.token_set.filter(token_hash__in=candidates)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return False
        deleted, _ = self.token_set.filter(pk=pk).delete()
        return deleted == 1


class StaticToken(models.Model):
    """One unused backup code of a :class:`StaticDevice`, as a keyed hash."""

    device = models.ForeignKey(
        StaticDevice,
        on_delete=models.CASCADE,
        related_name="token_set",
        verbose_name=_("device"),
    )
    token_hash = models.CharField(
        _("code hash"),
        max_length=128,
        db_index=True,
        editable=False,
        help_text=_("Keyed hash of the code; the code itself is never stored."),
    )

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self) -> str:
        return f"backup code {self.pk} of device {self.device_id}"

    @staticmethod
    def random_token() -> str:
        """A fresh random code (django-otp's name); store it with ``add_token``."""
        return generate_code()
