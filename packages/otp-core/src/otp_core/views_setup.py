"""Core-only enrolment: a signed-in user adds an authenticator app (any OATH plugin).

The plain counterpart of two-factor-ui's set-up wizard for sites without it,
built from the same pieces: each plugin's own set-up step
(:class:`otp_core.setup_oath.OATHSetupForm` subclasses, listed in the
plugin's ``setup_forms``) and its template fragment, which show the QR code
and the key and check the first code. The pending key lives only in the
session, encrypted (never in a URL, a form field or a log); the confirmed
device sends :data:`otp_core.signals.device_added` (from the step's
``save()``), and the session then counts as verified by it through
:func:`otp_core.auth.login`, which rotates the session key.

Include ``otp_core.urls`` to get ``otp_core:setup`` and its pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import TemplateView, View

from . import plugins as registry
from .access import default_login_url
from .auth import devices_for_user, user_has_device
from .auth import login as otp_login
from .mixins import SignedInRequiredMixin
from .page_base import base_template
from .views_security import protect_page

__all__ = [
    "SESSION_KEY",
    "DeviceSetupView",
    "SetupDoneView",
    "SetupIndexView",
    "enrolment_plugins",
    "safe_next",
]

#: Session key of the set-up in progress: ``{"plugin": name, "state": {...}}``.
SESSION_KEY = "otp_core_setup"


def enrolment_plugins() -> list[registry.Plugin]:
    """Installed plugins these pages can set up: one OATH step (QR code, key, code)."""
    from .setup_oath import OATHSetupForm

    found = []
    for plugin in registry.enabled().values():
        if plugin.backup or len(plugin.setup_forms) != 1:
            continue
        try:
            [form_class] = plugin.get_setup_forms()
        except ImportError:
            continue
        if isinstance(form_class, type) and issubclass(form_class, OATHSetupForm):
            found.append(plugin)
    return found


def safe_next(request: HttpRequest, candidate: Any) -> str:
    """``candidate`` if it is a URL on this site, else ``""`` (never an open redirect)."""
    if (
        isinstance(candidate, str)
        and candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return ""


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}" if target else url


class _EnrolmentMixin(SignedInRequiredMixin):
    """Signed in; and a user who has a device must have verified this session first."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and user_has_device(user) and not user.is_verified():
            # Whoever holds only the password must not add their own device.
            return redirect_to_login(request.get_full_path(), default_login_url())
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


@method_decorator(protect_page, name="dispatch")
class SetupIndexView(_EnrolmentMixin, TemplateView):
    """The methods that can be set up; straight to the only one when there is one."""

    template_name = "otp_core/setup/index.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        methods = enrolment_plugins()
        target = safe_next(request, request.GET.get("next"))
        if len(methods) == 1:
            url = reverse("otp_core:setup_device", kwargs={"plugin": methods[0].name})
            return redirect(_with_next(url, target))
        context = self.get_context_data(methods=methods, next=target, base_template=base_template())
        return self.render_to_response(context)


@method_decorator(protect_page, name="dispatch")
class DeviceSetupView(_EnrolmentMixin, View):
    """One plugin's set-up step: QR code and key on GET, the first code on POST."""

    template_name = "otp_core/setup/device.html"
    http_method_names = ["get", "post"]

    def get_plugin(self) -> registry.Plugin:
        name = self.kwargs["plugin"]
        for plugin in enrolment_plugins():
            if plugin.name == name:
                return plugin
        raise Http404("No such method.")

    def _state(self, plugin: registry.Plugin) -> dict[str, Any]:
        pending = self.request.session.get(SESSION_KEY)
        if isinstance(pending, dict) and pending.get("plugin") == plugin.name:
            state = pending.get("state")
            if isinstance(state, dict):
                return state
        return {}

    def get_form(self, plugin: registry.Plugin, data: Any = None) -> Any:
        [form_class] = plugin.get_setup_forms()
        state = self._state(plugin)
        try:
            form = form_class(data=data, user=self.request.user, request=self.request, state=state)
        except (ValueError, TypeError, KeyError, AttributeError):
            # A damaged pending set-up: start again with a new key.
            form = form_class(data=data, user=self.request.user, request=self.request, state={})
        # The step put a new (encrypted) key in state on first display: keep it.
        self.request.session[SESSION_KEY] = {"plugin": plugin.name, "state": form.state}
        return form

    def render_page(self, plugin: registry.Plugin, form: Any) -> HttpResponse:
        target = safe_next(
            self.request, self.request.POST.get("next") or self.request.GET.get("next")
        )
        context = {**form.get_context(), "form": form, "state": form.state, "plugin": plugin}
        fragment = render_to_string(form.template_name_fragment, context, self.request)
        return render(
            self.request,
            self.template_name,
            {
                **context,
                "base_template": base_template(),
                "step_fragment": fragment,
                "step_title": form.title,
                "next": target,
            },
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plugin = self.get_plugin()
        return self.render_page(plugin, self.get_form(plugin))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plugin = self.get_plugin()
        form = self.get_form(plugin, data=request.POST)
        if not form.is_valid():
            return self.render_page(plugin, form)
        device = form.save()  # sends device_added
        request.session.pop(SESSION_KEY, None)
        # The code just checked proves possession: verified, with a new session key.
        otp_login(request, device)
        target = safe_next(request, request.POST.get("next"))
        return redirect(_with_next(reverse("otp_core:setup_done"), target))


@method_decorator(protect_page, name="dispatch")
class SetupDoneView(SignedInRequiredMixin, TemplateView):
    """The device is set up: what the user has now, and where to go on."""

    template_name = "otp_core/setup/done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = safe_next(self.request, self.request.GET.get("next"))
        context.update(
            base_template=base_template(),
            devices=devices_for_user(self.request.user),
            next=target or resolve_url(settings.LOGIN_REDIRECT_URL),
        )
        return context
