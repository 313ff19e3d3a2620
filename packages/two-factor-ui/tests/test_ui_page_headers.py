"""Every page of two-factor-ui refuses framing and caching, whatever the project's middleware."""

from __future__ import annotations

import pytest
from django.urls import reverse

from two_factor_ui import urls as ui_urls
from two_factor_ui.methods import backup_plugin

pytestmark = pytest.mark.django_db

NAMES = [
    pattern.name
    for pattern in [*ui_urls.urlpatterns, *ui_urls.account_patterns]
    if getattr(pattern, "name", None)
]
#: Each page's method: logout and disable act on POST only (GET answers 405).
METHODS = {
    "logout": "post",
    "disable": "post",
    "default_device": "post",
    "forget_browser": "post",
    "sign_out_browser": "post",
}
#: Pages about one device name it (``device``: a persistent id).
DEVICE_PAGES = {"remove_device", "rename_device", "default_device"}
CLICKJACKING = "django.middleware.clickjacking.XFrameOptionsMiddleware"


def name_of(name):
    return f"two_factor:{name}"


@pytest.fixture
def verified(client, user, example_device, login_flow, code_for):
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    return client


@pytest.fixture(autouse=True)
def no_framing_middleware(settings):
    # The packages' pages must protect themselves: no help from the project.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != CLICKJACKING]


def start_pending_setup(client):
    """A set-up in progress, so that the QR page has something to show."""
    url = reverse("two_factor:setup")
    client.get(url)
    page = client.post(url, {"setup_view-current_step": "welcome"})
    if 'name="method-method"' in page.content.decode():
        client.post(url, {"setup_view-current_step": "method", "method-method": "example"})


def assert_protected(response):
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    cache = response["Cache-Control"]
    for part in ("no-cache", "no-store", "private"):
        assert part in cache, cache


def test_every_url_name_is_covered():
    assert set(NAMES) == {
        "login",
        "logout",
        "setup",
        "qr",
        "setup_complete",
        "backup_tokens",
        "profile",
        "disable",
        "remove_device",
        "rename_device",
        "default_device",
        "forget_browser",
        "sign_out_browser",
        "step_up",
    }


@pytest.mark.parametrize("name", NAMES)
def test_page_headers_for_a_verified_user(verified, example_device, name):
    if name == "qr":
        start_pending_setup(verified)
    data = {"device": example_device.persistent_id} if name in DEVICE_PAGES else {}
    response = getattr(verified, METHODS.get(name, "get"))(reverse(name_of(name)), data)
    assert response.status_code < 500
    if name == "backup_tokens" and backup_plugin() is None:
        # Without a backup-code plugin (an isolation session) there is no page.
        assert response.status_code == 404
        return
    assert_protected(response)


@pytest.mark.parametrize("name", NAMES)
def test_page_headers_for_an_anonymous_visitor(client, name):
    response = getattr(client, METHODS.get(name, "get"))(reverse(name_of(name)))
    assert_protected(response)
