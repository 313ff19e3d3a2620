"""The step-up page: prove the one factor a page asked for, then go back.

A view protected by a policy (``otp_required``, ``OTPRequiredMixin``, a URL
policy, the admin) sends a signed-in user who misses it here with ``next``.
The page offers only the user's methods that can meet the policy, asks for
one (sending its code or starting its security-key prompt), records it and
returns the user. When none of their methods can, it says what is needed and
links to setting one up: no redirect loop, no access.
"""

from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

import otp_core
from otp_core.access import requirement_for
from otp_core.form_a11y import describe_errors, focus_answer
from otp_core.policy import ANY_FACTOR, BasePolicy
from otp_core.session import record_password
from otp_core.views_security import protect_page

from ..assurance import describe, meeting_devices, password_meets
from ..forms.step_up import PasswordStepUpForm
from ..methods import is_backup, plugin_for, user_devices
from ..redirects import safe_next, setting_url
from .utils import render_fragment, send_challenge, verify_form_class

__all__ = ["StepUpView"]

#: Session key: the device whose code was sent for this page (no resend on reload).
CHALLENGED = "two_factor_step_up_challenged"
#: Session key: wrong passwords given on this page; the session ends at the limit.
PASSWORD_FAILURES = "two_factor_step_up_password_failures"
#: Wrong passwords after which the step-up page signs the user out.
MAX_PASSWORD_FAILURES = 5
PASSWORD = "password"


@method_decorator([sensitive_post_parameters(), csrf_protect, protect_page], name="dispatch")
class StepUpView(View):
    template_name = "two_factor/core/step_up.html"
    redirect_field_name = "next"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.notice: Any = None
        self.challenge_message = ""
        raw_next = request.POST.get("next") if request.method == "POST" else None
        self.raw_next = raw_next or request.GET.get(self.redirect_field_name, "")
        self.next_url = safe_next(request, self.raw_next, setting_url("LOGIN_REDIRECT_URL", "/"))
        return super().dispatch(request, *args, **kwargs)

    # -- what is asked, and what can answer ------------------------------------

    def policy(self) -> BasePolicy:
        """What the refused page asked for (read from the session once per request)."""
        if not hasattr(self, "_policy"):
            self._policy = requirement_for(self.request, self.raw_next) or ANY_FACTOR
        return self._policy

    def choices(self) -> tuple[list[Any], bool]:
        """(devices that can meet the policy, whether the password can), primary first."""
        policy, verifications = self.policy(), self.request.otp.verifications
        devices = [ud.device for ud in user_devices(self.request.user)]
        meeting = meeting_devices(policy, verifications, devices)
        # Backup codes last, so they are never what the page asks for first.
        meeting.sort(key=is_backup)
        return meeting, password_meets(policy, verifications)

    def chosen(self, meeting: list[Any], can_password: bool) -> Any:
        """The device (or PASSWORD) the page asks for now."""
        wanted = self.request.POST.get("switch") or self.request.POST.get("method")
        if wanted == PASSWORD and can_password:
            return PASSWORD
        for device in meeting:
            if device.persistent_id == wanted:
                return device
        if meeting:
            return meeting[0]
        return PASSWORD if can_password else None

    # -- GET / POST ------------------------------------------------------------

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.otp.satisfies(self.policy()) and self.raw_next:
            return HttpResponseRedirect(self.next_url)
        request.session.pop(CHALLENGED, None)
        meeting, can_password = self.choices()
        return self.render(self.chosen(meeting, can_password), meeting, can_password)

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        meeting, can_password = self.choices()
        method = self.chosen(meeting, can_password)
        if method is None:
            return self.render(None, meeting, can_password)
        if "switch" in request.POST:
            request.session.pop(CHALLENGED, None)
            return self.render(method, meeting, can_password)
        if "resend" in request.POST and method != PASSWORD:
            request.session.pop(CHALLENGED, None)
            return self.render(method, meeting, can_password)
        form = self.form_for(method, data=request.POST)
        if not form.is_valid():
            if method == PASSWORD:
                failures = request.session.get(PASSWORD_FAILURES, 0) + 1
                request.session[PASSWORD_FAILURES] = failures
                if failures >= MAX_PASSWORD_FAILURES:
                    # Someone at this session does not know the password: end it.
                    auth.logout(request)
                    return redirect_to_login(self.raw_next or resolve_url("/"))
            return self.render(method, meeting, can_password, form=form)
        if method == PASSWORD:
            request.session.pop(PASSWORD_FAILURES, None)
            request.session.cycle_key()
            record_password(request.session)
        else:
            otp_core.login(request, form.device)
        request.session.pop(CHALLENGED, None)
        request.otp.invalidate()
        if not request.otp.satisfies(self.policy()):
            # A combined policy wants another factor as well: ask for it.
            meeting, can_password = self.choices()
            return self.render(self.chosen(meeting, can_password), meeting, can_password)
        return HttpResponseRedirect(self.next_url)

    # -- rendering -------------------------------------------------------------

    def form_for(self, method: Any, data: Any = None) -> Any:
        if method == PASSWORD:
            return PasswordStepUpForm(self.request, data=data, prefix="step_up")
        form_class = verify_form_class(method)
        return form_class(data=data, prefix="step_up", device=method, request=self.request)

    def _issue_challenge(self, device: Any) -> None:
        if not device.is_interactive():
            return
        session = self.request.session
        if session.get(CHALLENGED) == device.persistent_id:
            return
        sent, self.notice, self.challenge_message = send_challenge(device, self.request)
        if sent:
            session[CHALLENGED] = device.persistent_id

    def render(self, method: Any, meeting: list[Any], can_password: bool, form: Any = None) -> Any:
        policy, verifications = self.policy(), self.request.otp.verifications
        context: dict[str, Any] = {
            "next": self.raw_next,
            "next_url": self.next_url,
            "redirect_field_name": self.redirect_field_name,
            "needed": describe(policy, verifications),
            "notice": self.notice,
            "method": method,
            "password_method": method == PASSWORD,
            "can_password": can_password and method != PASSWORD,
            "other_devices": [d for d in meeting if d is not method],
            "setup_url": reverse("two_factor:setup"),
            # Not the page asked for: it would only send the user back here.
            "cancel_url": setting_url("LOGIN_REDIRECT_URL", "/"),
        }
        if method is not None:
            if method != PASSWORD and form is None:
                self._issue_challenge(method)
            form = form or self.form_for(method)
            # The code (or password) field takes focus; errors are tied to it.
            focus_answer(describe_errors(form))
            plugin = None if method == PASSWORD else plugin_for(method)
            context.update(
                form=form,
                device=None if method == PASSWORD else method,
                plugin=plugin,
                static_js=plugin.static_js if plugin else (),
                challenge_message=self.challenge_message,
                step_fragment="" if method == PASSWORD else render_fragment(form, self.request),
                untyped_answer=not getattr(form, "typed", True),
                method_value=PASSWORD if method == PASSWORD else method.persistent_id,
            )
        return TemplateResponse(self.request, self.template_name, context)
