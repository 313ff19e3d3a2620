"""Signals of otp-core.

Each is sent with the device class as ``sender``, after the transaction that
decided it has committed.
"""

from django.dispatch import Signal

#: A token was accepted. Arguments: ``device``, ``request`` (may be None).
verification_succeeded = Signal()
#: A token was refused. Arguments: ``device``, ``request``, ``reason``
#: (``"mismatch"`` or a :class:`~otp_core.models.VerifyNotAllowed` value).
verification_failed = Signal()
#: A device reached ``OTP_LOCKOUT_FAILURES`` and is now locked. ``device``.
device_locked_out = Signal()
#: A session was verified by ``otp_core.login``: ``request``, ``user``, ``device``.
otp_login = Signal()
