"""Demo pages, each guarded by one variant of the decorator or the mixin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

import otp_core
from otp_core.decorators import otp_required
from otp_core.forms import OTPTokenForm
from otp_core.mixins import OTPRequiredMixin
from otp_core.policy import AAL3, Policy

PAGES = [
    ("decorator", "otp_required"),
    ("if_configured", "otp_required(if_configured=True)"),
    ("mixin", "OTPRequiredMixin"),
    ("mixin_raise", "OTPRequiredMixin(raise_anonymous, raise_unverified)"),
    ("step_up", "otp_required(policy=Policy(level=AAL3, max_age=300))"),
    ("recent", "OTPRequiredMixin(policy=Policy(max_age=60))"),
]


def demo_context(request):
    """Template context of every demo page: is two-factor-ui installed?"""
    from django.apps import apps

    return {"two_factor_ui": apps.is_installed("two_factor_ui")}


def home(request):
    return render(request, "demo/home.html", {"pages": PAGES})


def _protected(request, what):
    return render(request, "demo/protected.html", {"what": what})


@otp_required
def decorator(request):
    return _protected(request, "otp_required")


@otp_required(if_configured=True)
def if_configured(request):
    return _protected(request, "otp_required(if_configured=True)")


@otp_required(policy=Policy(level=AAL3, max_age=300))
def step_up(request):
    return _protected(request, "a hardware key within the last 5 minutes")


class MixinView(OTPRequiredMixin, TemplateView):
    template_name = "demo/protected.html"
    extra_context = {"what": "OTPRequiredMixin"}


class MixinRaiseView(OTPRequiredMixin, TemplateView):
    raise_anonymous = True
    raise_unverified = True
    template_name = "demo/protected.html"
    extra_context = {"what": "OTPRequiredMixin with raise_anonymous and raise_unverified"}


class RecentView(OTPRequiredMixin, TemplateView):
    policy = Policy(max_age=60)
    template_name = "demo/protected.html"
    extra_context = {"what": "a second factor within the last minute"}


# Async views: the decorator, the mixin and request.otp in an async stack.


@otp_required
async def async_decorator(request):
    return HttpResponse("async otp_required: access granted")


@otp_required(policy=Policy(factors={"hwk"}))
async def async_step_up(request):
    return HttpResponse("async step-up: access granted")


class AsyncMixinView(OTPRequiredMixin, View):
    async def get(self, request):
        otp = await request.otp.aload()  # then the questions answer from memory
        factors = ",".join(sorted(otp.factors))
        return HttpResponse(f"async OTPRequiredMixin: access granted ({factors})")


async def async_state(request):
    """What async code can ask without the decorator."""
    verified = await request.otp.ais_verified()
    hwk = await request.otp.asatisfies(Policy(factors={"hwk"}))
    return HttpResponse(f"verified={verified} hwk={hwk}")


@never_cache
@login_required
def verify(request):
    """Verify (again) with any device of the logged-in user: step-up."""
    form = OTPTokenForm(request.user, request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_core.login(request, request.user.otp_device)
        target = request.POST.get("next") or "home"
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "home"
        return redirect(target)
    return render(request, "demo/verify.html", {"form": form, "next": request.GET.get("next", "")})
