"""What others can read about a session's authentication: OIDC claims.

An identity provider built on Django (django-oauth-toolkit, django-oidc-provider,
...) puts these in the ID token, so the relying parties know how the user
signed in: ``amr`` (RFC 8176 method references), ``acr`` (the assurance
level, named by ``OTP_ACR_VALUES``) and ``auth_time`` (when the user last
authenticated, Unix seconds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .access import acr_value

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["oidc_claims"]


def oidc_claims(request: HttpRequest) -> dict[str, Any]:
    """``{"amr": [...], "acr": "...", "auth_time": int}`` for ``request``'s session.

    Empty for an anonymous request. ``acr`` is left out when the session has
    verified nothing beyond the sign-in, and ``auth_time`` falls back to
    ``user.last_login`` when no verification is recorded.
    """
    user = getattr(request, "user", None)
    state = getattr(request, "otp", None)
    if user is None or not user.is_authenticated or state is None:
        return {}
    claims: dict[str, Any] = {"amr": state.amr}
    acr = acr_value(state.level)
    if acr:
        claims["acr"] = acr
    times = [v.at for v in state.verifications]
    if times:
        claims["auth_time"] = int(max(times))
    elif getattr(user, "last_login", None) is not None:
        claims["auth_time"] = int(user.last_login.timestamp())
    return claims
