"""The "Add a backup phone" page: the site's two-factor look, valid HTML, a Cancel
link, a default choice, visible errors and "Send again"."""

from __future__ import annotations

import re

import html5lib
import pytest

from otp_core import page_base
from otp_core.session import record_verification

pytestmark = pytest.mark.django_db

ADD = "/account/phone/add/"


@pytest.fixture
def verified_client(client, user, sms_device):
    client.force_login(user)
    session = client.session
    record_verification(session, sms_device)
    session.save()
    return client


def assert_valid_html(html: str) -> None:
    """html5lib's strict parser finds no parse error (such as a div inside a p)."""
    try:
        html5lib.HTMLParser(strict=True).parse(html)
    except html5lib.html5parser.ParseError as error:
        raise AssertionError(f"invalid HTML: {error}") from None


def test_number_step_is_valid_html_with_cancel_and_a_default_method(verified_client, fake_gateway):
    html = verified_client.get(f"{ADD}?next=/account/").content.decode()
    assert_valid_html(html)
    assert '<p><a href="/account/">Cancel</a></p>' in html
    assert re.search(r"<fieldset[^>]*>\s*<legend>Send the code by</legend>", html)
    radios = re.findall(r'<input type="radio" name="method"[^>]*>', html)
    assert len(radios) == 2
    assert [" checked" in radio for radio in radios] == [True, False]  # a text message


def test_the_page_extends_the_first_base_template_that_exists(
    verified_client, fake_gateway, monkeypatch
):
    html = verified_client.get(ADD).content.decode()
    used = page_base.base_template()
    assert used in page_base.BASE_TEMPLATES
    # Without two-factor-ui: otp-core's plain page, still valid and styled.
    monkeypatch.setattr(page_base, "BASE_TEMPLATES", ("missing/_base.html", "otp_core/_base.html"))
    assert page_base.base_template() == "otp_core/_base.html"
    plain = verified_client.get(ADD).content.decode()
    assert_valid_html(plain)
    assert "<title>Add a backup phone</title>" in plain
    assert ".tf-errors" in plain
    assert html != plain or used == "otp_core/_base.html"


def test_a_bad_number_is_a_visible_error_tied_to_the_field(verified_client, fake_gateway):
    html = verified_client.post(ADD, {"number": "not a number", "method": "sms"}).content.decode()
    assert_valid_html(html)
    [field] = re.findall(r'<input[^>]*name="number"[^>]*>', html)
    assert 'aria-invalid="true"' in field
    assert "id_number_errors" in field
    assert "autofocus" in field
    assert re.search(
        r'id="id_number_errors" role="alert"><p class="tf-error">'
        r'<span class="tf-error-label">Error:</span>',
        html,
    )


def test_code_step_is_focused_valid_and_can_send_again(
    verified_client, fake_gateway, fake_codes, settings
):
    settings.OTP_PHONE_COOLDOWN_DURATION = 0
    html = verified_client.post(ADD, {"number": "+31612345600", "method": "sms"}).content.decode()
    assert_valid_html(html)
    [field] = re.findall(r'<input[^>]*name="otp_token"[^>]*>', html)
    assert "autofocus" in field
    assert 'inputmode="numeric"' in field
    assert (
        '<button type="submit" name="resend" value="1" formnovalidate>Send again</button>' in html
    )
    assert len(fake_codes()) == 1
    html = verified_client.post(ADD, {"resend": "1"}).content.decode()
    assert re.search(r'role="status">A new code was sent\. Use the newest code\.', html)
    assert len(fake_codes()) == 2
    assert verified_client.post(ADD, {"otp_token": fake_codes()[-1][2]}).status_code == 302


def test_send_again_within_the_cooldown_says_why_not(verified_client, fake_gateway, fake_codes):
    verified_client.post(ADD, {"number": "+31612345600", "method": "sms"})
    html = verified_client.post(ADD, {"resend": "1"}).content.decode()
    assert re.search(
        r'role="alert"><span class="tf-error-label">Error:</span> A code was sent', html
    )
    assert len(fake_codes()) == 1
