"""Signals of otp-core.

Each is sent with the device class as ``sender`` once the decision is saved:
after the verification's own transaction, or, when the caller wraps it in a
larger ``atomic()`` block, inside that block before it commits.
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
