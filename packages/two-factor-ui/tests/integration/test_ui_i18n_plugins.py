"""Translated pages that mix two-factor-ui's strings with those of real plugins.

Needs otp-totp (full sessions only): the set-up step's text comes from otp-totp's
own catalog, the form's messages from otp-core's and the page from two-factor-ui's.
"""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# Per language: (two-factor-ui, otp-totp template, otp-totp plugin label, otp-core form error).
EXPECTED = {
    "nl": {
        "login_heading": "Inloggen",
        "login_button": "Volgende",
        "setup_heading": "Tweestapsverificatie inschakelen",
        "totp_template": "Open uw authenticator-app en scan deze QR-code.",
        "totp_manual": "Lukt scannen niet? Voer de sleutel handmatig in",
        "totp_label": "Authenticator-app",
        "core_error": "Ongeldige code. Controleer de app en probeer het opnieuw.",
    },
    "de": {
        "login_heading": "Anmelden",
        "login_button": "Weiter",
        "setup_heading": "Zwei-Faktor-Authentifizierung aktivieren",
        "totp_template": "Öffnen Sie Ihre Authenticator-App und scannen Sie diesen QR-Code.",
        "totp_manual": "Scannen nicht möglich? Geben Sie den Schlüssel von Hand ein",
        "totp_label": "Authenticator-App",
        "core_error": "Ungültiger Code. Bitte prüfen Sie die App und versuchen Sie es erneut.",
    },
}


@pytest.fixture
def locale_middleware(settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    yield
    # LocaleMiddleware leaves its language active in this thread.
    translation.deactivate()


def page_text(response) -> str:
    return html_lib.unescape(response.content.decode())


def setup_post(client, step, fields=None):
    data = {"setup_view-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    return client.post(reverse("two_factor:setup"), data)


def open_totp_step(client):
    """Walk the set-up wizard to otp-totp's step; returns (method page or None, step page)."""
    client.get(reverse("two_factor:setup"))
    response = setup_post(client, "welcome")
    method_page = None
    if 'name="method-method"' in response.content.decode():
        method_page = response
        response = setup_post(client, "method", {"method": "totp"})
    return method_page, response


@pytest.mark.parametrize("language", ["nl", "de"])
def test_login_page_in_language(client, locale_middleware, language):
    expected = EXPECTED[language]
    response = client.get(reverse("two_factor:login"), HTTP_ACCEPT_LANGUAGE=language)
    text = page_text(response)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in text
    assert f">{expected['login_heading']}</h1>" in text
    assert f">{expected['login_button']}</button>" in text
    assert "Sign in" not in text


@pytest.mark.parametrize("language", ["nl", "de"])
def test_totp_setup_step_in_language(client, user, locale_middleware, language):
    expected = EXPECTED[language]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    client.force_login(user)
    method_page, response = open_totp_step(client)
    if method_page is not None:
        # The method choice lists the plugin's own translated label.
        assert expected["totp_label"] in page_text(method_page)
    assert response.status_code == 200
    text = page_text(response)
    assert expected["setup_heading"] in text
    # These two come from otp-totp's template and catalog, not two-factor-ui's.
    assert expected["totp_template"] in text
    assert expected["totp_manual"] in text
    assert "Open your authenticator app" not in text
    # A wrong code: the error comes from otp-core's catalog.
    response = setup_post(client, "totp-0", {"token": "000000x"})
    assert expected["core_error"] in page_text(response)


def test_english_is_unchanged(client, user, locale_middleware):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    _, response = open_totp_step(client)
    text = page_text(response)
    assert "Open your authenticator app and scan this QR code." in text
    assert EXPECTED["nl"]["totp_template"] not in text


@pytest.mark.parametrize("language", ["es", "fr", "pt-br", "it"])
def test_every_shipped_language_translates_the_login_page(client, locale_middleware, language):
    """The newer catalogs load through LocaleMiddleware for the pages and the plugins."""
    with translation.override(language):
        heading = translation.gettext("Sign in")
        button = translation.gettext("Next")
        passkey = translation.gettext("Sign in with a passkey")
    assert heading != "Sign in"
    assert button != "Next"
    assert passkey != "Sign in with a passkey"
    response = client.get(reverse("two_factor:login"), HTTP_ACCEPT_LANGUAGE=language)
    text = page_text(response)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in text
    assert f">{heading}</h1>" in text
    assert f">{button}</button>" in text
    assert passkey in text  # otp-webauthn's own catalog, in the same page
    assert "Sign in" not in text
