"""TWO_FACTOR_REQUIRE and RequireSetupMiddleware, with its checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from two_factor_ui.checks import check_enforcement, check_settings
from two_factor_ui.enforcement import requires_setup

pytestmark = pytest.mark.django_db

MIDDLEWARE = "two_factor_ui.middleware.RequireSetupMiddleware"


def only_bob(user):
    return user.get_username() == "bob"


@pytest.fixture
def enforced(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.TWO_FACTOR_REQUIRE = "all"
    return settings


def test_off_by_default(client, user):
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert not requires_setup(user)


def test_all_users_are_sent_to_setup_with_message(client, user, enforced):
    client.force_login(user)
    response = client.get("/protected/if-configured/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two_factor/setup/?next=/protected/if-configured/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "needs two-factor authentication" in page.content.decode()


def test_exempt_pages(client, user, enforced):
    client.force_login(user)
    for url in (
        reverse("two_factor:setup"),
        reverse("two_factor:login"),
        reverse("two_factor:setup_complete"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("two_factor:logout")).status_code == 302


def test_configurable_exempt_list(client, user, enforced):
    enforced.TWO_FACTOR_REQUIRE_EXEMPT_URLS = ["home", "/protected/"]
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get("/protected/if-configured/").status_code == 200


def test_anonymous_and_enrolled_users_pass(client, user, example_device, enforced):
    assert client.get("/").status_code == 200
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_staff_policy(client, user, other_user, enforced):
    enforced.TWO_FACTOR_REQUIRE = "staff"
    assert not requires_setup(user)
    user.is_staff = True
    assert requires_setup(user)


def test_callable_and_dotted_path_policy(user, other_user, enforced):
    enforced.TWO_FACTOR_REQUIRE = only_bob
    assert requires_setup(other_user)
    assert not requires_setup(user)
    enforced.TWO_FACTOR_REQUIRE = f"{__name__}.only_bob"
    assert requires_setup(other_user)
    assert not requires_setup(user)


def test_checks_pair_setting_and_middleware(settings):
    settings.TWO_FACTOR_REQUIRE = "all"
    assert [e.id for e in check_enforcement()] == ["two_factor_ui.W001"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    assert check_enforcement() == []
    settings.TWO_FACTOR_REQUIRE = None
    assert [e.id for e in check_enforcement()] == ["two_factor_ui.W002"]
    settings.TWO_FACTOR_REQUIRE = "no.such.policy"
    assert [e.id for e in check_enforcement()] == ["two_factor_ui.E008"]


def test_settings_checks(settings):
    assert check_settings() == []
    settings.TWO_FACTOR_LOGIN_TIMEOUT = -1
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = "week"
    settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE = "Sometimes"
    settings.TWO_FACTOR_PATCH_ADMIN = "yes"
    ids = {e.id for e in check_settings()}
    assert {
        "two_factor_ui.E001",
        "two_factor_ui.E002",
        "two_factor_ui.E004",
        "two_factor_ui.E005",
    } <= ids


def test_defaults_match_reference():
    from two_factor_ui.conf import DEFAULTS

    assert DEFAULTS["TWO_FACTOR_PATCH_ADMIN"] is True
    assert DEFAULTS["TWO_FACTOR_LOGIN_TIMEOUT"] == 600
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_AGE"] is None
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_PREFIX"] == "remember-cookie_"
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_DOMAIN"] is None
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_PATH"] == "/"
    # None follows SESSION_COOKIE_SECURE (django-two-factor-auth: False).
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_SECURE"] is None
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY"] is True
    assert DEFAULTS["TWO_FACTOR_REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert DEFAULTS["TWO_FACTOR_REQUIRE"] is None


def test_user_returns_to_the_page_after_enforced_setup(client, user, enforced):
    from otp_core import oath

    def step(name, **fields):
        data = {"setup_view-current_step": name}
        data.update({f"{name}-{k}": v for k, v in fields.items()})
        return client.post(reverse("two_factor:setup"), data)

    client.force_login(user)
    sent = client.get("/protected/mixin/")
    assert sent.status_code == 302
    setup_url = sent["Location"]
    assert "next=/protected/mixin/" in setup_url.replace("%2F", "/")
    client.get(setup_url)
    if 'name="method-method"' in step("welcome").content.decode():
        step("method", method="example")
    key = client.session["wizard_setup_view"]["extra_data"]["state"]["example_key"]
    done = step("example-0", token=oath.format_token(oath.hotp(bytes.fromhex(key), 0)))
    assert done.status_code == 302
    complete = client.get(done["Location"])
    assert 'href="/protected/mixin/"' in complete.content.decode()
    assert client.get("/protected/mixin/").status_code == 200


def test_setup_drops_an_unsafe_next(client, user):
    client.force_login(user)
    client.get("/account/two_factor/setup/?next=https://evil.example/")
    page = client.get("/account/two_factor/setup/complete/?next=https://evil.example/")
    assert "evil.example" not in page.content.decode()


@pytest.fixture
def script_prefix():
    """Requests below ``/site``; the prefix is put back for the other tests."""
    from django.urls import set_script_prefix

    set_script_prefix("/site/")
    yield {"SCRIPT_NAME": "/site"}
    set_script_prefix("/")


def test_root_is_enforced(client, user, enforced):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two_factor/setup/?next=/"


def test_root_is_exempt_only_when_listed(client, user, enforced):
    enforced.TWO_FACTOR_REQUIRE_EXEMPT_URLS = ["/"]
    client.force_login(user)
    assert client.get("/").status_code == 200
    # "/" is the root page alone, not a prefix of every path.
    assert client.get("/protected/if-configured/").status_code == 302


def test_enforced_user_can_set_up_and_sign_out_under_a_script_prefix(
    client, user, enforced, script_prefix
):
    client.force_login(user)
    home = client.get("/", **script_prefix)
    assert home.status_code == 302
    assert home["Location"] == "/site/account/two_factor/setup/?next=/site/"
    for path in ("/account/two_factor/setup/", "/account/two_factor/setup/complete/"):
        assert client.get(path, **script_prefix).status_code == 200, path
    logout = client.post("/account/logout/", **script_prefix)
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


def test_exempt_names_and_paths_under_a_script_prefix(client, user, enforced, script_prefix):
    enforced.TWO_FACTOR_REQUIRE_EXEMPT_URLS = ["home", "/protected/if-configured/"]
    client.force_login(user)
    assert client.get("/", **script_prefix).status_code == 200
    assert client.get("/protected/if-configured/", **script_prefix).status_code == 200
    sent = client.get("/protected/mixin/", **script_prefix)
    assert sent.status_code == 302
    assert sent["Location"].startswith("/site/account/two_factor/setup/")


def test_static_files_pass_below_a_script_prefix(client, user, enforced, script_prefix):
    enforced.STATIC_URL = "static/"  # Django puts the script prefix in front
    client.force_login(user)
    # Not redirected to set-up (404: no such file).
    assert client.get("/static/missing.css", **script_prefix).status_code == 404


def test_static_files_pass(client, user, enforced):
    enforced.STATIC_URL = "/static/"
    client.force_login(user)
    assert client.get("/static/missing.css").status_code == 404
