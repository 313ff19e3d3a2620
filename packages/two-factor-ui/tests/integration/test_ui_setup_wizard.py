"""The setup wizard with the real plugins: step counter, "add another method",
fieldsets, focus, "Send again", WebAuthn's one action, visible errors and
valid HTML (full sessions only)."""

from __future__ import annotations

import re

import html5lib
import pytest
from django.core import mail
from django.urls import reverse

from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db

SETUP = "two_factor:setup"
CODE = re.compile(r"\b(\d{6})\b")
STEP = re.compile(r"Step (\d+)(?: of (\d+))?")


def post(client, step, fields=None, **extra):
    data = {"setup_view-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    data.update(extra)
    return client.post(reverse(SETUP), data)


def progress(response):
    """(step, total or None) of the page's "Step n of m"."""
    match = STEP.search(response.content.decode())
    assert match, "no step counter on the page"
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def assert_valid_html(response):
    """html5lib's strict parser: no parse error (a div in a p, a stray end tag ...)."""
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(response.content.decode())
    except html5lib.html5parser.ParseError as error:
        raise AssertionError(f"invalid HTML: {error}") from None


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def verified(client, user, example_device, login_flow, code_for):
    """A session verified with the user's first method (to add another)."""
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    return client


def test_the_step_counter_never_changes_its_total(client, user):
    client.force_login(user)
    seen = [progress(client.get(reverse(SETUP)))]
    seen.append(progress(post(client, "welcome")))
    seen.append(progress(post(client, "method", {"method": "totp"})))
    # Methods have different numbers of steps: no total until one is chosen.
    assert seen == [(1, None), (2, None), (3, 3)]


def test_the_step_counter_has_its_total_from_the_first_step_when_known(client, user, monkeypatch):
    from two_factor_ui.views import setup

    one_step = [p for p in setup.setup_methods() if p.name in ("totp", "hotp")]
    monkeypatch.setattr(setup, "setup_methods", lambda: one_step)
    client.force_login(user)
    assert progress(client.get(reverse(SETUP))) == (1, 3)
    assert progress(post(client, "welcome")) == (2, 3)
    assert progress(post(client, "method", {"method": "hotp"})) == (3, 3)


def test_adding_another_method_skips_the_first_time_intro(verified):
    response = verified.get(reverse(SETUP))
    html = response.content.decode()
    assert '<h1 id="tf-heading">Add a sign-in method</h1>' in html
    assert "<title>Add a sign-in method</title>" in html
    assert "Enable two-factor authentication" not in html
    assert "protects your account even when" not in html
    assert 'name="method-method"' in html
    assert progress(response) == (1, None)
    assert progress(post(verified, "method", {"method": "totp"})) == (2, 2)


def test_a_new_user_still_gets_the_intro(client, user):
    client.force_login(user)
    html = client.get(reverse(SETUP)).content.decode()
    assert '<h1 id="tf-heading">Enable two-factor authentication</h1>' in html
    assert "protects your account even when" in html


def test_the_method_choice_is_a_fieldset_with_a_legend_and_a_default(client, user):
    client.force_login(user)
    html = post(client, "welcome").content.decode()
    fieldset = re.search(r"<fieldset[^>]*>(.*?)</fieldset>", html, re.S)
    assert fieldset, "the radio group is not in a fieldset"
    assert re.search(r"<legend>\s*Method\s*</legend>", fieldset.group(1))
    radios = re.findall(r"<input type=\"radio\"[^>]*>", fieldset.group(1))
    assert len(radios) > 1
    assert sum(" checked" in radio for radio in radios) == 1


def test_the_phone_method_choice_is_a_fieldset_with_a_default(client, user, settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"
    client.force_login(user)
    post(client, "welcome")
    response = post(client, "method", {"method": "phone"})
    html = response.content.decode()
    assert re.search(r"<fieldset[^>]*>\s*<legend>Send the code by</legend>", html)
    radios = re.findall(r"<input type=\"radio\" name=\"phone-0-method\"[^>]*>", html)
    assert len(radios) == 2
    assert sum(" checked" in radio for radio in radios) == 1
    assert_valid_html(response)


def _email_code_step(client, outbox):
    post(client, "welcome")
    post(client, "method", {"method": "email"})
    response = post(client, "email-0", {"email": "alice@example.com"})
    assert 'name="email-1-otp_token"' in response.content.decode()
    assert len(outbox) == 1
    return response


def test_the_code_field_is_focused_and_asks_for_digits(client, user, outbox):
    client.force_login(user)
    html = _email_code_step(client, outbox).content.decode()
    [field] = re.findall(r"<input[^>]*name=\"email-1-otp_token\"[^>]*>", html)
    assert "autofocus" in field
    assert 'autocomplete="one-time-code"' in field
    assert 'inputmode="numeric"' in field
    assert html.count("autofocus") == 1


def test_email_send_again_within_the_cooldown_says_why_not(client, user, outbox):
    client.force_login(user)
    _email_code_step(client, outbox)
    response = post(client, "email-1", resend="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'role="alert"[^>]*>.*A code was sent a moment ago', html, re.S)
    assert len(outbox) == 1
    assert 'name="email-1-otp_token"' in html  # still on the code step


def test_email_send_again_sends_a_new_code_that_replaces_the_old(client, user, outbox, settings):
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    client.force_login(user)
    _email_code_step(client, outbox)
    first = CODE.search(outbox[-1].body).group(1)
    response = post(client, "email-1", resend="1")
    html = response.content.decode()
    assert re.search(r'role="status">A new code was sent\. Use the newest code\.', html)
    assert len(outbox) == 2
    second = CODE.search(outbox[-1].body).group(1)
    if first != second:
        refused = post(client, "email-1", {"otp_token": first})
        assert "Invalid code" in refused.content.decode()
    done = post(client, "email-1", {"otp_token": second})
    assert done.status_code == 302
    assert EmailDevice.objects.get(user=user).confirmed


def test_email_send_again_spends_the_send_budget(client, user, outbox, settings):
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    settings.OTP_SEND_BUDGET_DESTINATION = [(2, 600)]
    client.force_login(user)
    _email_code_step(client, outbox)
    assert "A new code was sent" in post(client, "email-1", resend="1").content.decode()
    html = post(client, "email-1", resend="1").content.decode()
    assert "A new code was sent" not in html
    assert 'role="alert"' in html
    assert len(outbox) == 2


def test_the_webauthn_step_has_one_action(client, user):
    client.force_login(user)
    post(client, "welcome")
    html = post(client, "method", {"method": "webauthn"}).content.decode()
    assert re.search(r'<button type="submit" class="tf-primary" data-otp-webauthn-start>', html)
    assert ">Next</button>" not in html


def test_a_wrong_code_is_a_visible_error_tied_to_the_field(client, user, outbox):
    client.force_login(user)
    _email_code_step(client, outbox)
    response = post(client, "email-1", {"otp_token": "000000x"})
    html = response.content.decode()
    [field] = re.findall(r"<input[^>]*name=\"email-1-otp_token\"[^>]*>", html)
    assert 'aria-invalid="true"' in field
    assert "id_email-1-otp_token_errors" in field
    errors = re.search(
        r'<div class="[^"]*tf-errors" id="id_email-1-otp_token_errors" role="alert">(.*?)</div>',
        html,
        re.S,
    )
    assert errors, "the error is not in an alert tied to the field"
    assert '<span class="tf-error-label">Error:</span>' in errors.group(1)
    assert_valid_html(response)


def test_a_wrong_password_is_a_visible_error_tied_to_both_fields(client, user, login_flow):
    response = login_flow.password(password="wrong")
    html = response.content.decode()
    alert = '<div class="errors tf-errors" id="auth-errors" role="alert"><p class="tf-error">'
    assert f'{alert}<span class="tf-error-label">Error:</span>' in html
    for name in ("auth-username", "auth-password"):
        [field] = re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", html)
        assert "auth-errors" in field
    assert_valid_html(response)


@pytest.mark.parametrize("method", ["totp", "hotp", "email", "phone", "yubikey", "webauthn"])
def test_every_setup_page_is_valid_html(client, user, method, settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    client.force_login(user)
    assert_valid_html(client.get(reverse(SETUP)))
    assert_valid_html(post(client, "welcome"))
    assert_valid_html(post(client, "method", {"method": method}))


def test_sign_in_wrong_then_right_code_at_once_succeeds(
    client, user, example_device, login_flow, code_for
):
    login_flow.password()
    refused = login_flow.token("000000x")
    assert "Invalid code. Please make sure you entered it correctly." in refused.content.decode()
    assert login_flow.token(code_for(example_device)).status_code == 302


def test_sign_in_wrong_wrong_right_is_refused_with_the_exact_wait(
    client, user, example_device, login_flow, code_for
):
    login_flow.password()
    login_flow.token("000000x")
    login_flow.token("000000x")
    html = login_flow.token(code_for(example_device)).content.decode()
    assert "Too many failed attempts. Please wait 2 seconds and try again." in html
