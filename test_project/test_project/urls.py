from django.apps import apps
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from otp_core.admin import OTPAdminSite
from otp_core.views import LoginView

from . import views

# The demo's admin asks for a second factor: staff with a password alone do not
# get in (system check otp_core.W003). With two-factor-ui its login page is the
# two-factor login; with otp-core alone, OTPAdminSite's own form asks for the code.
if apps.is_installed("two_factor_ui"):
    from two_factor_ui.admin import AdminSiteOTPRequired

    admin.site.__class__ = AdminSiteOTPRequired
else:
    admin.site.__class__ = OTPAdminSite

otp_admin_site = OTPAdminSite()
for model, model_admin in admin.site._registry.items():
    otp_admin_site.register(model, type(model_admin))

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    # otp-core's own enrolment pages (the core-only recipe): otp_core:setup.
    path("account/2fa/", include("otp_core.urls")),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("protected/decorator/", views.decorator, name="decorator"),
    path("protected/if-configured/", views.if_configured, name="if_configured"),
    path("protected/mixin/", views.MixinView.as_view(), name="mixin"),
    path("protected/mixin-raise/", views.MixinRaiseView.as_view(), name="mixin_raise"),
    path("protected/step-up/", views.step_up, name="step_up"),
    path("protected/needs/", views.needs, name="needs"),
    path("protected/recent/", views.RecentView.as_view(), name="recent"),
    path("protected/payments/", views.payments, name="payments"),
    path("protected/recent-password/", views.recent_password, name="recent_password"),
    path("protected/async/", views.async_decorator, name="async_decorator"),
    path("protected/async-step-up/", views.async_step_up, name="async_step_up"),
    path("protected/async-mixin/", views.AsyncMixinView.as_view(), name="async_mixin"),
    path("async-state/", views.async_state, name="async_state"),
    path("admin/", admin.site.urls),
    path("otpadmin/", otp_admin_site.urls),
]

if apps.is_installed("otp_phone"):
    urlpatterns.append(path("", include("otp_phone.urls")))

if apps.is_installed("otp_webauthn"):
    urlpatterns.append(path("webauthn/", include("otp_webauthn.urls")))

if apps.is_installed("two_factor_ui"):
    import two_factor_ui.urls

    urlpatterns += [path("", include(two_factor_ui.urls))]
