"""Demo pages, each guarded by one variant of the decorator or the mixin."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

import otp_core
from otp_core.auth import devices_for_user
from otp_core.decorators import otp_required
from otp_core.forms import OTPTokenForm
from otp_core.mixins import OTPRequiredMixin
from otp_core.policy import AAL3, Policy, assurance_level

#: The demo's protected pages: URL name, what a visitor gets, how the view asks for it.
PAGES = [
    ("decorator", "A page that needs two-factor", "otp_required"),
    (
        "if_configured",
        "A page that needs two-factor once you have set it up",
        "otp_required(if_configured=True)",
    ),
    ("mixin", "A class-based page that needs two-factor", "OTPRequiredMixin"),
    (
        "mixin_raise",
        "A page that answers 403 instead of asking you to sign in",
        "OTPRequiredMixin(raise_anonymous=True, raise_unverified=True)",
    ),
    (
        "step_up",
        "A page that needs a hardware security key used in the last 5 minutes",
        "otp_required(policy=Policy(level=AAL3, max_age=300))",
    ),
    (
        "recent",
        "A page that needs a second factor from the last minute",
        "OTPRequiredMixin(policy=Policy(max_age=60))",
    ),
    (
        "payments",
        "A payment page: a hardware security key within 5 minutes, by policy name",
        'otp_required(policy="payments")',
    ),
    (
        "recent_password",
        "A page that needs your password from the last 5 minutes",
        'otp_required(policy="recent_password")',
    ),
]

#: What a page with a policy needs, in words (for the "needs" page).
HARDWARE_KEY = "hardware"
RECENT = "recent"
NEEDS = {
    "step_up": (HARDWARE_KEY, "a hardware security key, used in the last 5 minutes"),
    "async_step_up": (HARDWARE_KEY, "a hardware security key"),
    "recent": (RECENT, "a second factor verified in the last minute"),
}


def demo_context(request):
    """Template context of every demo page: is two-factor-ui installed?"""
    from django.apps import apps

    return {"two_factor_ui": apps.is_installed("two_factor_ui")}


def home(request):
    return render(request, "demo/home.html", {"pages": PAGES})


def _safe_target(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@never_cache
@login_required
def needs(request):
    """Where a signed-in user lands who misses a page's policy (``OTP_STEP_UP_URL``).

    Says what the page needs, what this session has, and how to get it with
    what is installed, instead of the password form again (a loop).
    """
    target = _safe_target(request, request.GET.get("next", ""))
    try:
        name = resolve(urlsplit(target).path).url_name if target else None
    except Resolver404:
        name = None
    kind, need = NEEDS.get(name, (None, "a stronger or more recent second factor"))
    devices = devices_for_user(request.user)
    strong = [d for d in devices if assurance_level(getattr(d, "factor_kind", "otp")) >= AAL3]
    if not devices:
        situation = "no_device"
    elif not request.user.is_verified():
        situation = "unverified"
    elif kind == HARDWARE_KEY and strong:
        situation = "hardware_have"
    elif kind == HARDWARE_KEY and apps.is_installed("otp_webauthn"):
        situation = "hardware_add"
    elif kind == HARDWARE_KEY:
        situation = "hardware_missing"
    else:
        situation = "verify_again"
    login = resolve_url(settings.LOGIN_URL)
    context = {
        "situation": situation,
        "target": target,
        "need": need,
        "factors": sorted(request.otp.factors),
        "strong_devices": strong,
        "login_url": f"{login}?{urlencode({'next': target})}" if target else login,
        "verify_url": f"{resolve_url('verify')}?{urlencode({'next': target})}",
    }
    return render(request, "demo/needs.html", context, status=403)


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


@otp_required(policy="payments")
def payments(request):
    return _protected(request, 'the "payments" policy: a hardware key within 5 minutes')


@otp_required(policy="recent_password")
def recent_password(request):
    return _protected(request, 'the "recent_password" policy: your password within 5 minutes')


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
