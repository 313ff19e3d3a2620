"""The login wizard: password, then the second factor, or a backup code.

Steps: ``auth`` (user name and password), ``token`` (the answer of the
user's default device, or of another one the user picks) and ``backup`` (a
recovery code). The second factor is skipped for users without a device and
for browsers remembered with a valid cookie.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

import otp_core
from otp_core.ids import parse_pk
from otp_core.session_keys import login_user, rotate_session_key
from otp_core.setup import DeviceVerificationForm
from otp_core.verification import device_to_verify
from otp_core.views_security import protect_page

from .. import remember
from ..conf import ui_settings
from ..methods import backup_devices, default_device, device_from_id, is_backup, plugin_for
from ..methods import first_devices as user_primary_devices
from ..plugin_hooks import login_extras
from ..redirects import safe_next, setting_url
from ..signals import user_verified
from .utils import CHALLENGE_MESSAGES, render_fragment, send_challenge, verify_form_class
from .wizard import StepWizardView

__all__ = ["LoginView"]

# Keys in the wizard's storage.
USER = "user_pk"
BACKEND = "backend"
AUTH_TIME = "auth_time"
DEVICE = "device"
HAS_BACKUP = "has_backup"
USE_BACKUP = "use_backup"
REMEMBERED = "remembered"
REMEMBERED_AT = "remembered_at"
CHALLENGED = "challenged"
NEXT = "next"


#: The sentence under the heading, by step (the token step's names the device).
STEP_INTROS = {
    "auth": _("Enter your user name and password."),
    "backup": _("Enter one of your backup codes. Each code works only once."),
}


def _code_prompt(plugin: Any, device: Any) -> str:
    """ "Enter the code from your Authenticator app (Phone)." for the token step."""
    method = (plugin.label if plugin is not None else None) or device.kind_label()
    name = device.custom_name()
    if name:
        return gettext("Enter the code from your %(method)s (%(name)s).") % {
            "method": method,
            "name": name,
        }
    return gettext("Enter the code from your %(method)s.") % {"method": method}


@method_decorator([sensitive_post_parameters(), csrf_protect, protect_page], name="dispatch")
class LoginView(StepWizardView):
    """Sign in with a password and, when the user has a device, a second factor."""

    template_name = "two_factor/core/login.html"
    form_list = (
        ("auth", AuthenticationForm),
        ("token", DeviceVerificationForm),
        ("backup", DeviceVerificationForm),
    )
    redirect_field_name = "next"
    extra_types: ClassVar[dict[str, Any]] = {
        USER: (int, str),
        BACKEND: str,
        AUTH_TIME: (int, float),
        DEVICE: str,
        HAS_BACKUP: bool,
        USE_BACKUP: bool,
        REMEMBERED: str,
        REMEMBERED_AT: (int, float),
        CHALLENGED: str,
        NEXT: str,
    }

    messages = {
        "timeout": _("Your sign-in took too long. Please enter your password again."),
        **CHALLENGE_MESSAGES,
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.condition_dict = {"token": self.has_token_step, "backup": self.has_backup_step}
        self.notice: Any = None
        self.challenge_message: str = ""

    def extra_is_sound(self, extra: dict[str, Any]) -> bool:
        started = extra.get(AUTH_TIME)
        if started is not None and not math.isfinite(started):
            return False
        # A user id the user table cannot hold would be a 500 in the backend's get_user().
        return extra.get(USER) is None or parse_pk(get_user_model(), extra[USER]) is not None

    # -- conditions ---------------------------------------------------------

    def _extra(self, key: str, default: Any = None) -> Any:
        return self.storage.extra_data.get(key, default)

    def has_token_step(self, wizard: Any = None) -> bool:
        if not self._extra(USER) or self._extra(REMEMBERED) or self._extra(USE_BACKUP):
            return False
        return bool(self._extra(DEVICE))

    def has_backup_step(self, wizard: Any = None) -> bool:
        if not self._extra(USER) or self._extra(REMEMBERED) or not self._extra(HAS_BACKUP):
            return False
        return bool(self._extra(USE_BACKUP) or not self._extra(DEVICE))

    # -- the user being signed in -------------------------------------------

    def get_user(self) -> Any:
        """The user who passed the password step, or None.

        Loaded through the backend that authenticated them, as Django does for
        a session: a user deactivated since the password step is None.
        """
        if not hasattr(self, "_user"):
            self._user = None
            pk, path = self._extra(USER), self._extra(BACKEND)
            if pk is not None and path in settings.AUTHENTICATION_BACKENDS:
                self._user = auth.load_backend(path).get_user(pk)
                if self._user is not None:
                    self._user.backend = path
        return self._user

    def get_device(self, step: str | None = None) -> Any:
        """The device whose answer ``step`` asks for."""
        step = step or self.steps.current
        user = self.get_user()
        if user is None:
            return None
        if step == "backup":
            devices = backup_devices(user)
            return devices[0] if devices else None
        return device_from_id(user, self._extra(DEVICE))

    # -- forms ----------------------------------------------------------------

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        if step == "auth":
            return {"request": self.request}
        return {}

    def get_form(self, step: str | None = None, data: Any = None, files: Any = None) -> Any:
        step = step or self.steps.current
        if step == "auth":
            return super().get_form(step, data, files)
        device = self._device_to_check(step, data) or self.get_device(step)
        if device is None:
            # The device vanished mid-login (or a crafted post): start over.
            self.storage.reset()
            self.storage.current_step = "auth"
            return super().get_form("auth")
        form_class = verify_form_class(device)
        return form_class(
            data=data,
            files=files,
            prefix=self.get_form_prefix(step),
            device=device,
            request=self.request,
        )

    def _device_to_check(self, step: str, data: Any) -> Any:
        """For a posted code: the device, read only by verify() under its row lock.

        One read of the device row per answer instead of two (issue 15). Only
        for forms that read nothing of the device before verifying (the
        generic code form); :meth:`render` loads a device verify() did not.
        """
        user = self.get_user() if data is not None and step == "token" else None
        if user is None:
            return None
        device = device_to_verify(self._extra(DEVICE), user)
        if device is None or verify_form_class(device) is not DeviceVerificationForm:
            return None
        return device

    # -- steps ----------------------------------------------------------------

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        next_url = request.GET.get(self.redirect_field_name, "")
        self._set_extra(NEXT, next_url)
        if not self.had_state and not next_url:
            # A first visit leaves no state behind: the wizard starts at the
            # password step anyway, so an anonymous visitor gets no session row
            # (no INSERT, no session cookie) until the password is given.
            # Dropped after rendering, which reads the wizard's state.
            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(lambda rendered: self._drop_fresh_state())
            else:
                self._drop_fresh_state()
        return response

    def _drop_fresh_state(self) -> None:
        self.request.session.pop(self.storage.prefix, None)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        request = self.request
        if self._timed_out():
            self.storage.reset()
            self.storage.current_step = self.steps.first
            self.notice = self.messages["timeout"]
            return self.render(self.get_form(step="auth"))
        if self.steps.current in ("token", "backup") and self._extra(USER):
            if "challenge_device" in request.POST:
                return self._switch_device(request.POST["challenge_device"])
            if request.POST.get("wizard_goto_step") == "backup" and self._extra(HAS_BACKUP):
                self._set_extra(USE_BACKUP, True)
                return self.render_goto_step("backup")
            if request.POST.get("resend") and self.steps.current == "token":
                self._set_extra(CHALLENGED, "")
                return self.render(self.get_form())
        if self.steps.current == "auth" and request.POST.get(self.redirect_field_name):
            self._set_extra(NEXT, request.POST.get(self.redirect_field_name, ""))
        return super().post(*args, **kwargs)

    def _timed_out(self) -> bool:
        timeout = ui_settings.TWO_FACTOR_LOGIN_TIMEOUT
        started = self._extra(AUTH_TIME)
        if not timeout or started is None or self.steps.current == "auth":
            return False
        return time.time() - float(started) > timeout

    def _switch_device(self, persistent_id: str) -> Any:
        device = device_from_id(self.get_user(), persistent_id)
        if device is not None and not is_backup(device):
            self._set_extra(DEVICE, device.persistent_id)
            self._set_extra(USE_BACKUP, False)
            self._set_extra(CHALLENGED, "")
            self.storage.current_step = "token"
        return self.render(self.get_form())

    def step_completed(self, step: str, form: Any) -> None:
        if step == "auth":
            user = form.get_user()
            self._user = user
            self.storage.extra_data = {
                **{k: v for k, v in self.storage.extra_data.items() if k == NEXT},
                USER: user.pk,
                BACKEND: user.backend,
                AUTH_TIME: time.time(),
            }
            device = default_device(user)
            self._set_extra(DEVICE, device.persistent_id if device else "")
            self._set_extra(HAS_BACKUP, bool(backup_devices(user)))
            record = remember.remembered_browser(self.request, user)
            self._remembered_browser = record  # resumed by done(), in this request
            remembered = record.device if record is not None else None  # type: ignore[attr-defined]
            # The verification it stands for is as old as the remembering
            # (a django-two-factor-auth cookie's age is not known: as old as can be).
            remembered_at = (
                record.remembered_at.timestamp()
                if record is not None and record.remembered_at is not None
                else 0.0
            )
            if remembered is None and remember.sent_cookies(self.request):
                from .. import legacy_remember  # django-two-factor-auth's cookie

                remembered = legacy_remember.remembered_device(self.request, user)
            self._set_extra(REMEMBERED, remembered.persistent_id if remembered else "")
            self._set_extra(REMEMBERED_AT, remembered_at)
            # The password is a factor: a new privilege level, a new session id.
            # When no second step follows, done() signs in within this response
            # and Django's login() draws the new key: one rotation, not two.
            if self.has_token_step() or self.has_backup_step():
                rotate_session_key(self.request)
        else:
            self.verified_device = form.device
            self.remember_browser = step == "token" and bool(self.request.POST.get("remember"))

    # -- rendering ------------------------------------------------------------

    def render(self, form: Any = None, **kwargs: Any) -> Any:
        form = form or self.get_form()
        device = getattr(form, "device", None)
        if device is not None and device.get_deferred_fields():
            # A posted code verify() never read (a blank field, a vanished device).
            form.device = self.get_device()
            if form.device is None:
                self.storage.reset()
                self.storage.current_step = "auth"
                form = super().get_form("auth")
        if self.steps.current == "token":
            self._issue_challenge(getattr(form, "device", None))
        return super().render(form, **kwargs)

    def _issue_challenge(self, device: Any) -> None:
        if device is None or not device.is_interactive():
            return
        if self._extra(CHALLENGED) == device.persistent_id:
            return
        sent, self.notice, self.challenge_message = send_challenge(device, self.request)
        if sent:
            self._set_extra(CHALLENGED, device.persistent_id)

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        context.update(
            notice=self.notice,
            next=self._extra(NEXT, ""),
            redirect_field_name=self.redirect_field_name,
            remember_enabled=remember.is_enabled(),
            step_intro=STEP_INTROS.get(step, ""),
            # After the password: this page afresh (a GET starts the wizard
            # over), wherever it is routed.
            start_over_url="" if step == "auth" else self.request.path,
        )
        if step == "auth":
            # On a GET the ``next`` of the query is stored after rendering.
            next_url = (
                self.request.GET.get(self.redirect_field_name, "")
                if self.request.method == "GET"
                else context["next"]
            )
            extras = login_extras(self.request, {"next": next_url, "request": self.request})
            context.update(
                login_extras=[extra.html for extra in extras],
                static_js=[path for extra in extras for path in extra.static_js],
            )
            tokens = " ".join(e.username_autocomplete for e in extras if e.username_autocomplete)
            username = form.fields.get("username") if hasattr(form, "fields") else None
            if tokens and username is not None:
                # e.g. "username webauthn": the browser offers passkeys in the field.
                current = username.widget.attrs.get("autocomplete") or "username"
                username.widget.attrs["autocomplete"] = f"{current} {tokens}"
        if step in ("token", "backup") and isinstance(form, DeviceVerificationForm):
            user = self.get_user()
            device = form.device
            plugin = plugin_for(device)
            context.update(
                device=device,
                plugin=plugin,
                static_js=plugin.static_js if plugin else (),
                challenge_message=self.challenge_message,
                step_fragment=render_fragment(form, self.request),
                other_devices=[
                    d for d in user_primary_devices(user) if d.persistent_id != device.persistent_id
                ],
                backup_available=bool(self._extra(HAS_BACKUP)) and step != "backup",
                # A script posts the answer (WebAuthn): no code prompt, no Verify button.
                untyped_answer=not getattr(form, "typed", True),
            )
            if step == "token":
                context["step_intro"] = (
                    "" if context["untyped_answer"] else _code_prompt(plugin, device)
                )
        return context

    # -- done -------------------------------------------------------------------

    def done(self, form_list: Any, **kwargs: Any) -> Any:
        user = self.get_user()
        request = self.request
        if user is None:
            # Deactivated (or deleted) since the password step: start over.
            self.storage.reset()
            self.storage.current_step = self.steps.first
            return self.render(self.get_form(step="auth"))
        target = safe_next(request, self._extra(NEXT), setting_url("LOGIN_REDIRECT_URL", "/"))
        device = getattr(self, "verified_device", None)
        verified_at = None
        if device is None and self._extra(REMEMBERED):
            device = device_from_id(user, self._extra(REMEMBERED))
            # Not a fresh factor: policies with a maximum age (and sudo mode) ask again.
            verified_at = float(self._extra(REMEMBERED_AT, 0.0))
        # Django's login(), with the second factor's new session key drawn once.
        login_user(request, user, backend=self._extra(BACKEND))
        if self.storage.prefix not in request.session:
            # Signing in as someone else flushed the session and the wizard's
            # state with it: start that state afresh (render_done resets it).
            self.storage.init_data()
        response = HttpResponseRedirect(target)
        if verified_at is not None:
            # This browser's remembered row is signed in again (no new one).
            remember.resume(request, user, getattr(self, "_remembered_browser", None))
        if device is not None:
            otp_core.login(request, device, at=verified_at)
            user_verified.send(sender=__name__, request=request, user=user, device=device)
            if getattr(self, "remember_browser", False) and remember.is_enabled():
                remember.set_remember_cookie(response, user, device, request=request)
            elif getattr(self, "verified_device", None) is None and remember.sent_cookies(request):
                from .. import legacy_remember

                legacy_remember.reissue(request, response, user, device)
            if is_backup(device):
                from .backup import codes_left_message  # the account pages' module

                codes_left_message(request, device)
        return response
