"""Signals of two-factor-ui."""

from django.dispatch import Signal

#: A user passed the second factor at login (or set up a device).
#: Sent with ``sender="two_factor_ui.views.login"`` and the arguments
#: ``request``, ``user`` and ``device``.
user_verified = Signal()
