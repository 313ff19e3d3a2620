"""The account page's browsers: forget a remembered one, sign another one out (POST only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.views.generic import View

from otp_core import browsers
from otp_core.ids import parse_pk
from otp_core.mixins import SignedInRequiredMixin
from otp_core.models import SignedInBrowser
from otp_core.views_security import protect_page

from .. import remember

__all__ = ["ForgetBrowserView", "SignOutBrowserView"]


@method_decorator(protect_page, name="dispatch")
class ForgetBrowserView(SignedInRequiredMixin, View):
    """Forget one remembered browser (``browser``: its id) or all of them (``all``).

    Forgetting only takes a shortcut away, so a signed-in user may do it
    without a fresh second factor. This browser's cookie goes too.
    """

    http_method_names = ["post", "options"]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        response = HttpResponseRedirect(reverse("two_factor:profile"))
        if request.POST.get("all"):
            # This browser first: its cookies are found through its record.
            count = remember.forget_this_browser(request, response, user)
            count += remember.forget_all(user)
            text = ngettext(
                "%(count)d browser forgotten.", "%(count)d browsers forgotten.", count
            ) % {"count": count}
        else:
            pk = parse_pk(SignedInBrowser, request.POST.get("browser"))
            here = remember.remembered_browser(request, user)
            if pk is not None and here is not None and here.pk == pk:
                forgotten = bool(remember.forget_this_browser(request, response, user))
            else:
                forgotten = pk is not None and remember.forget_browser(user, pk)
            if forgotten:
                text = gettext("The browser was forgotten: it will be asked for a code again.")
            else:
                text = gettext("That browser was already forgotten.")
        if hasattr(request, "_messages"):
            messages.success(request, text)
        return response


@method_decorator(protect_page, name="dispatch")
class SignOutBrowserView(SignedInRequiredMixin, View):
    """Sign out another of the user's browsers (``browser``: its id).

    Its signed-in row is deleted (a remembered browser is forgotten with
    it): the session there loses its verifications and is signed out by its
    next request that asks about two-factor. Taking access away needs no
    fresh factor. This browser signs out with the ordinary sign-out form.
    """

    http_method_names = ["post", "options"]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        pk = parse_pk(SignedInBrowser, request.POST.get("browser"))
        row = None if pk is None else SignedInBrowser.objects.filter(user_id=user.pk, pk=pk).first()
        if row is None:
            text = gettext("That browser was already signed out.")
            level = messages.INFO
        elif browsers.is_this_browser(request, row):
            text = gettext("To sign out of this browser, use the Sign out button.")
            level = messages.WARNING
        else:
            browsers.sign_out(user, row.pk)
            text = gettext("Signed out of %(browser)s: it needs the password again.") % {
                "browser": row
            }
            level = messages.SUCCESS
        if hasattr(request, "_messages"):
            messages.add_message(request, level, text)
        return HttpResponseRedirect(reverse("two_factor:profile") + "#browsers")
