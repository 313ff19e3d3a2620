"""Signals of otp-core.

Each is sent with the device class as ``sender`` once the decision is saved:
after the verification's own transaction, or, when the caller wraps it in a
larger ``atomic()`` block, inside that block before it commits.
"""

from django.dispatch import Signal

#: A token was accepted. Arguments: ``device``, ``request`` (may be None).
verification_succeeded = Signal()
#: A token was refused. Arguments: ``device``, ``request``, ``reason``
#: (``"mismatch"`` or a :class:`~otp_core.models.VerifyNotAllowed` value),
#: ``details`` (a dict or None: a throttle's ``locked_until``, or what the
#: device's ``refusal_details`` said, e.g. a YubiKey validation status).
verification_failed = Signal()
#: A device reached ``OTP_LOCKOUT_FAILURES`` and is now locked. ``device``.
device_locked_out = Signal()
#: A session was verified by ``otp_core.login``: ``request``, ``user``, ``device``.
otp_login = Signal()
#: A user reached ``OTP_ACCOUNT_LOCKOUT_FAILURES`` consecutive failures on any
#: of their devices; every device of the account refuses tokens until it is
#: unlocked. ``sender`` is :class:`~otp_core.models.AccountThrottle`; arguments:
#: ``user``, ``failure_count``, ``request`` (may be None).
account_locked_out = Signal()
#: A device was confirmed (set-up finished) for its user. ``sender`` is the
#: device class; arguments: ``device``, ``request`` (may be None).
device_added = Signal()
#: A confirmed device was removed by its user, an administrator or a command.
#: ``sender`` is the device class; arguments: ``device`` (deleted: its ``pk``
#: is None, ``user`` still set), ``request`` (may be None), ``disabling`` (True
#: when every device of the user goes at once: ``two_factor_disabled`` follows).
#: :mod:`otp_core.removal` sends it.
device_removed = Signal()
#: A new set of backup codes was made. Arguments: ``user``, ``device``,
#: ``count``, ``request`` (may be None).
backup_codes_generated = Signal()
#: Every second factor of ``user`` was removed (two-factor disabled), after a
#: ``device_removed`` with ``disabling=True`` for each confirmed device.
#: Arguments: ``user``, ``request`` (may be None).
two_factor_disabled = Signal()
