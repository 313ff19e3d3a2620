"""Signals of otp-webauthn."""

from django.dispatch import Signal

#: A credential's signature counter did not go up on a validly signed
#: assertion: the key may have been cloned. The credential is flagged
#: (``clone_suspected``) and refuses every assertion until an administrator
#: clears the flag. ``sender`` is the device class; arguments: ``device``,
#: ``request`` (may be None), ``stored_count`` and ``received_count``.
clone_suspected = Signal()
