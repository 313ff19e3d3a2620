"""``OTPRequiredMixin`` for class-based views, with step-up through a policy;
``SignedInRequiredMixin``: ``LoginRequiredMixin`` that notices a remote sign-out."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse

from .access import (
    Access,
    check_access,
    default_login_url,
    insufficient_authentication,
    note_requirement,
    step_up_url,
    still_signed_in,
    wants_json,
)
from .page_base import base_template
from .policy import PolicyLike

__all__ = ["OTPRequiredMixin", "SignedInRequiredMixin"]


class OTPRequiredMixin:
    """Require a verified session before ``dispatch`` runs.

    * anonymous: redirect to ``login_url`` (403 with ``raise_anonymous``);
    * has a device but the session is not verified (enough for ``policy``, a
      :class:`~otp_core.policy.Policy` or a name in ``OTP_POLICIES``):
      redirect to ``OTP_STEP_UP_URL`` when set, else ``login_url`` (403 with
      ``raise_anonymous``); a client asking for JSON gets a 401 (RFC 9470);
    * no confirmed device at all: 403 with ``raise_unverified``, else a
      redirect to ``verification_url`` (typically the set-up page) when
      given, else 403 rendering ``otp_required_template``.

    Works on async class-based views too (handlers defined with ``async def``).
    """

    raise_anonymous: bool = False
    raise_unverified: bool = False
    login_url: str | None = None
    verification_url: str | None = None
    redirect_field_name: str = "next"
    policy: PolicyLike = None
    otp_required_template = "otp_core/otp_required.html"

    def get_login_url(self) -> str:
        return resolve_url(self.login_url) if self.login_url else default_login_url()

    def get_verification_url(self) -> str | None:
        return resolve_url(self.verification_url) if self.verification_url else None

    def get_policy(self) -> PolicyLike:
        return self.policy

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "view_is_async", False):
            return self._adispatch(request, *args, **kwargs)
        refused = self._refusal(request, check_access(request, self.get_policy()))
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    async def _adispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # An async view's handlers are coroutines; the check reads the database in a thread.
        access = await sync_to_async(check_access)(request, self.get_policy())
        refused = self._refusal(request, access)
        if refused is not None:
            return refused
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def _refusal(self, request: Any, access: Access) -> Any:
        """The response for a refused ``access``, or None when access is granted."""
        if access is Access.ANONYMOUS:
            if self.raise_anonymous:
                raise PermissionDenied
            return redirect_to_login(
                request.get_full_path(), self.get_login_url(), self.redirect_field_name
            )
        if access is not Access.GRANTED and wants_json(request):
            return insufficient_authentication(request, self.get_policy())
        if access is Access.UNVERIFIED:
            # A user who has a device but has not (recently enough) used it
            # proves it again: on the step-up page, else the login page.
            if self.raise_anonymous:
                raise PermissionDenied
            note_requirement(request, self.get_policy())
            target = step_up_url() or self.get_login_url()
            return redirect_to_login(request.get_full_path(), target, self.redirect_field_name)
        if access is Access.NO_DEVICE:
            if self.raise_unverified:
                raise PermissionDenied
            url = self.get_verification_url()
            if url:
                return redirect_to_login(request.get_full_path(), url, self.redirect_field_name)
            context = {"base_template": base_template()}
            return TemplateResponse(request, self.otp_required_template, context, status=403)
        return None


class SignedInRequiredMixin(LoginRequiredMixin):
    """``LoginRequiredMixin`` that also checks this browser was not signed out elsewhere.

    For pages that need no second factor but must not outlive a sign-out
    from the account page of another browser (the account page itself, the
    set-up wizard): one query (:func:`otp_core.access.still_signed_in`).
    """

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not still_signed_in(request):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
