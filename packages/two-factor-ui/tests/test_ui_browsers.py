"""The account page's list of signed-in browsers, and signing another one out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from otp_core.browsers import BROWSER_SESSION_KEY, digest
from otp_core.models import SignedInBrowser

pytestmark = pytest.mark.django_db

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def row_of(client):
    return SignedInBrowser.objects.get(key_digest=digest(client.session[BROWSER_SESSION_KEY]))


@pytest.fixture
def two_browsers(client, user, example_device, login_flow, code_for, make_flow):
    """Alice signed in here and on a phone, both with the example device."""
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    phone_flow = make_flow(phone)
    phone_flow.password()
    assert phone_flow.token(code_for(example_device)).status_code == 302
    example_device.refresh_from_db()
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    return client, phone


def test_the_account_page_lists_both_browsers(two_browsers):
    here, phone = two_browsers
    html = here.get(reverse("two_factor:profile")).content.decode()
    assert 'id="browsers"' in html
    assert "Chrome on Android" in html
    assert html.count('<span class="tf-badge">This browser</span>') == 1
    assert "Verified: Password (just now), Example codes (Phone app) (just now)" in html
    assert "network 127.0.0.0/24" in html
    # One sign-out button: for the phone, not for this browser.
    assert html.count('action="/account/two_factor/browsers/sign-out/"') == 1
    assert f'name="browser" value="{row_of(phone).pk}"' in html


def test_older_times_read_as_ago(two_browsers):
    here, phone = two_browsers
    SignedInBrowser.objects.filter(pk=row_of(phone).pk).update(
        last_seen_at=timezone.now() - timedelta(minutes=5)
    )
    html = here.get(reverse("two_factor:profile")).content.decode()
    assert "last seen 5\xa0minutes ago" in html


def test_signing_the_phone_out(two_browsers, user):
    here, phone = two_browsers
    url = reverse("two_factor:sign_out_browser")
    assert here.get(url).status_code == 405
    response = here.post(url, {"browser": str(row_of(phone).pk)}, follow=True)
    assert "Signed out of Chrome on Android: it needs the password again." in [
        str(m) for m in response.context["messages"]
    ]
    assert SignedInBrowser.objects.filter(user=user).count() == 1
    # The phone meets the password at the account page.
    response = phone.get(reverse("two_factor:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))
    assert "_auth_user_id" not in phone.session
    # This browser is untouched.
    assert here.get(reverse("two_factor:profile")).status_code == 200


def test_this_browser_and_others_rows_are_not_signed_out_here(
    two_browsers, user, other_user, make_flow
):
    here, _phone = two_browsers
    theirs = Client()
    theirs.force_login(other_user)
    url = reverse("two_factor:sign_out_browser")
    response = here.post(url, {"browser": str(row_of(here).pk)}, follow=True)
    assert "To sign out of this browser, use the Sign out button." in [
        str(m) for m in response.context["messages"]
    ]
    for value in (str(row_of(theirs).pk), "0", "x", "99999999999999999999999"):
        response = here.post(url, {"browser": value}, follow=True)
        assert "That browser was already signed out." in [
            str(m) for m in response.context["messages"]
        ]
    assert SignedInBrowser.objects.filter(user=user).count() == 2
    assert SignedInBrowser.objects.filter(user=other_user).count() == 1


def test_a_user_without_two_factor_sees_their_browsers_too(client, user):
    client.force_login(user)
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert "Two-factor authentication is not enabled" in html
    assert "Your browsers" in html
    assert "Disable two-factor authentication" not in html


def test_forgetting_all_counts_only_remembered_browsers(
    settings, client, user, example_device, login_flow, code_for, make_flow
):
    """This browser is signed in but not remembered: it is not counted, nor forgotten."""
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    phone_flow = make_flow(phone)
    phone_flow.password()
    assert phone_flow.token(code_for(example_device), remember="1").status_code == 302
    example_device.refresh_from_db()
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    here = row_of(client)
    response = client.post(reverse("two_factor:forget_browser"), {"all": "1"}, follow=True)
    assert "1 browser forgotten." in [str(m) for m in response.context["messages"]]
    response = client.post(
        reverse("two_factor:forget_browser"), {"browser": str(here.pk)}, follow=True
    )
    assert "That browser was already forgotten." in [str(m) for m in response.context["messages"]]
    assert SignedInBrowser.objects.filter(pk=here.pk, signed_in=True).exists()
