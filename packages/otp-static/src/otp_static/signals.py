"""The ``backup_code_used`` signal, relayed from otp-core's success signal.

otp-core sends ``verification_succeeded`` after the transaction that accepted
(and deleted) the code has committed, so ``remaining`` is the true count left.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

__all__ = ["backup_code_used", "connect_receivers"]

#: A backup code was accepted. Sent with the device class as ``sender`` and
#: ``device``, ``request`` (may be None) and ``remaining`` (codes left).
backup_code_used = Signal()


def _relay(sender: Any, device: Any, request: Any = None, **kwargs: Any) -> None:
    backup_code_used.send(sender, device=device, request=request, remaining=device.remaining)


def connect_receivers() -> None:
    """Connect the relay, and otp-core's mail to the user to ``backup_code_used``.

    Called from ``AppConfig.ready``.
    """
    from otp_core.deferred import by_path
    from otp_core.signals import verification_succeeded

    from .models import StaticDevice

    verification_succeeded.connect(
        _relay, sender=StaticDevice, dispatch_uid="otp_static.backup_code_used"
    )
    # By path: otp_core.notifications loads with the first code used, not in every worker.
    backup_code_used.connect(
        by_path("otp_core.notifications.on_backup_code_used"),
        weak=False,
        dispatch_uid="otp_static.backup_code_used.notify",
    )
