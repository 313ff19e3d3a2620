"""Backup codes: a device that holds a set of single-use codes, as hashes."""

from __future__ import annotations

from typing import ClassVar

from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from otp_core.crypto import code_hashes, hash_code
from otp_core.models import Device, DjangoOTPImportMixin
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
    """

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
            locked(self)
            self.token_set.create(token_hash=hash_code(canonical))
        return canonical

    def _write_db(self) -> str:
        return router.db_for_write(type(self), instance=self)

    def _store_new(self, count: int | None, *, replace: bool) -> list[str]:
        if count is None:
            count = static_settings.OTP_STATIC_TOKEN_COUNT
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("The number of backup codes must be a whole number of 1 or more.")
        with transaction.atomic(using=self._write_db()):
            locked(self)
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
                digest = hash_code(code)
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
        # Every configured key's hash: codes hashed before a key rotation still match.
        pk = (
            self.token_set.filter(token_hash__in=code_hashes(code))
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
