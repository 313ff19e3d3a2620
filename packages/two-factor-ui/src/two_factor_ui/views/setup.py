"""The setup wizard: welcome, method choice, then the chosen plugin's own steps.

A user who already has a sign-in method ("Add another method" on the
account page) skips the first-time welcome step and starts on the method
choice. The plugin's steps are its ``setup_forms`` (``otp_core.setup.SetupStepForm``
subclasses), rendered through their ``template_name_fragment``; the
``state`` dict they share is kept in this wizard's session storage. Every
name a step's ``get_context()`` returns (such as ``secret_key``) is also in
the page's context, so a site can override ``two_factor/core/setup.html``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

import otp_core
from otp_core import plugins as registry
from otp_core.auth import user_has_device
from otp_core.mixins import SignedInRequiredMixin
from otp_core.setup_challenge import resend_status
from otp_core.views_security import protect_page

from ..forms import MethodForm
from ..methods import backup_devices, backup_plugin, primary_devices, setup_methods
from ..redirects import safe_next
from .utils import render_fragment
from .wizard import StepWizardView

__all__ = ["STATE_KEY", "SetupCompleteView", "SetupView", "pending_state"]

METHOD_KEY = "method"
STATE_KEY = "state"
#: Where to go once set-up is complete (validated when stored and when used).
RETURN_KEY = "return_to"
STEP_SEPARATOR = "-"
ENABLE_TITLE = gettext_lazy("Enable two-factor authentication")
ADD_TITLE = gettext_lazy("Add a sign-in method")


def pending_state(request: Any) -> tuple[str | None, dict[str, Any]]:
    """The plugin name and ``state`` of this session's unfinished set-up."""
    data = request.session.get(f"wizard_{SetupView.wizard_prefix}")
    if not isinstance(data, dict):
        return None, {}
    extra = data.get("extra_data") or {}
    state = extra.get(STATE_KEY)
    return extra.get(METHOD_KEY), state if isinstance(state, dict) else {}


@method_decorator(protect_page, name="dispatch")
class SetupView(SignedInRequiredMixin, StepWizardView):
    """Set up a second factor with any installed plugin."""

    template_name = "two_factor/core/setup.html"
    form_list = (("welcome", forms.Form), ("method", MethodForm))
    keep_data_steps = ("method",)
    wizard_prefix = "setup_view"
    success_url = "two_factor:setup_complete"
    extra_types: ClassVar[dict[str, Any]] = {METHOD_KEY: str, STATE_KEY: dict, RETURN_KEY: str}

    def get_prefix(self, request: Any, *args: Any, **kwargs: Any) -> str:
        return self.wizard_prefix

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and user_has_device(user) and not user.is_verified():
            # Adding a device to an account that has one needs that one first.
            return redirect_to_login(request.get_full_path(), resolve_url("two_factor:login"))
        return super().dispatch(request, *args, **kwargs)

    @property
    def adding(self) -> bool:
        """Does the user already have a sign-in method (so this adds another)?"""
        if "_adding" not in self.__dict__:
            user = self.request.user
            self._adding = bool(user.is_authenticated and primary_devices(user))
        return self._adding

    def known_steps(self) -> set[str]:
        steps = {"welcome", "method"}
        for plugin in setup_methods():
            count = len(plugin.get_setup_forms())
            steps.update(f"{plugin.name}{STEP_SEPARATOR}{index}" for index in range(count))
        return steps

    # -- the steps --------------------------------------------------------------

    def chosen_method(self) -> Any:
        methods = setup_methods()
        if len(methods) == 1:
            return methods[0]
        name = self.storage.extra_data.get(METHOD_KEY)
        for plugin in methods:
            if plugin.name == name:
                return plugin
        return None

    def get_form_list(self) -> Any:
        steps: OrderedDict[str, type] = OrderedDict()
        if not self.adding:
            steps["welcome"] = forms.Form
        if len(setup_methods()) > 1:
            steps["method"] = MethodForm
        plugin = self.chosen_method()
        if plugin is not None:
            for index, form_class in enumerate(plugin.get_setup_forms()):
                steps[f"{plugin.name}{STEP_SEPARATOR}{index}"] = form_class
        # formtools' post() deletes its cache attributes after a valid step;
        # they must exist (named _cache_signature in formtools 2.7,
        # _condition_dict_signature in 2.6, which Python 3.10 gets).
        self._resolved_form_list = steps
        self._cache_signature = None
        self._condition_dict_signature = None
        return steps.copy()

    def _state(self) -> dict[str, Any]:
        state = self.storage.extra_data.get(STATE_KEY)
        if not isinstance(state, dict):
            state = {}
            self._set_extra(STATE_KEY, state)
        return state

    def get_form(self, step: str | None = None, data: Any = None, files: Any = None) -> Any:
        step = step or self.steps.current
        form_list = self.get_form_list()
        if step not in form_list:
            step = self.steps.first
            self.storage.current_step = step
        form_class = form_list[step]
        kwargs = {"data": data, "files": files, "prefix": self.get_form_prefix(step)}
        if step in ("welcome", "method"):
            return form_class(**kwargs)
        state = self._state()
        try:
            form = form_class(user=self.request.user, request=self.request, state=state, **kwargs)
        except (ValueError, TypeError, KeyError, AttributeError):
            # The pending set-up in the session is damaged (a key that is not
            # hex, a list for a dict): start the wizard over instead of a 500.
            self.storage.reset()
            self.storage.current_step = self.steps.first
            return self.get_form(self.steps.first)
        self._set_extra(STATE_KEY, form.state)
        return form

    def step_completed(self, step: str, form: Any) -> None:
        if step == "method":
            chosen = form.cleaned_data["method"]
            if chosen != self.storage.extra_data.get(METHOD_KEY):
                self._set_extra(STATE_KEY, {})
            self._set_extra(METHOD_KEY, chosen)
        elif step != "welcome":
            device = form.save()
            self._set_extra(STATE_KEY, form.state)
            if step == list(self.get_form_list())[-1]:
                self.new_device = device
                self.new_device_proven = getattr(form, "proves_possession", True)

    def step_total(self) -> int | None:
        """How many steps this set-up has, or None while that is not known.

        Known once the method is chosen (or there is one method), or when
        every method has the same number of steps; the total shown never
        changes unless the user goes back and picks another method.
        """
        steps = len(self.get_form_list())
        if self.chosen_method() is not None:
            return steps
        counts = {len(plugin.get_setup_forms()) for plugin in setup_methods()}
        return steps + counts.pop() if len(counts) == 1 else None

    # -- "Send again" on a step that sent a code --------------------------------

    def post(self, *args: Any, **kwargs: Any) -> Any:
        if self.request.POST.get("resend"):
            return self.resend()
        return super().post(*args, **kwargs)

    def resend(self) -> Any:
        """Send the current step's code again (same cooldown and send budget)."""
        form = self.get_form()
        status = resend_status(form)
        if status is None:
            return self.render(form)  # a step that sent nothing: just show it
        self._set_extra(STATE_KEY, form.state)
        return self.render(form, resend_status=status)

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        plugin = self.chosen_method()
        order = list(self.get_form_list())
        context.update(
            methods=setup_methods(),
            plugin=plugin,
            step_name=step,
            adding=self.adding,
            page_title=ADD_TITLE if self.adding else ENABLE_TITLE,
            step_number=order.index(step) + 1 if step in order else 1,
            step_total=self.step_total(),
            can_resend=callable(getattr(form, "resend", None)),
            step_typed=getattr(form, "typed", True),
        )
        if step not in ("welcome", "method"):
            fragment_context = {"state": form.state, "plugin": plugin}
            context.update(form.get_context())
            context.update(
                step_title=getattr(form, "title", ""),
                static_js=plugin.static_js if plugin else (),
                step_fragment=render_fragment(form, self.request, fragment_context),
            )
        return context

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        # Where the user was going (sent here by RequireSetupMiddleware, say):
        # kept through the steps and offered once set-up is complete.
        target = safe_next(request, request.GET.get("next"), "")
        if target:
            self._set_extra(RETURN_KEY, target)
        return response

    def done(self, form_list: Any, **kwargs: Any) -> Any:
        device = getattr(self, "new_device", None)
        proven = getattr(self, "new_device_proven", True)
        if device is not None and getattr(device, "confirmed", False) and proven:
            # The user just proved possession: count it for this session.
            otp_core.login(self.request, device)
        url = resolve_url(self.success_url)
        target = self.storage.extra_data.get(RETURN_KEY)
        if target:
            url = f"{url}?{urlencode({'next': target})}"
        return redirect(url)


@method_decorator(protect_page, name="dispatch")
class SetupCompleteView(SignedInRequiredMixin, TemplateView):
    """Congratulate the user and point to backup codes."""

    template_name = "two_factor/core/setup_complete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            next_url=safe_next(self.request, self.request.GET.get("next"), ""),
            backup_plugin=backup_plugin(),
            has_backup=bool(backup_devices(user)),
            plugins=list(registry.enabled().values()),
        )
        return context
