"""Which device the login asks for first, what it is called, and backup codes after use.

With the real otp-totp, otp-static, otp-phone and otp-email plugins (full sessions only).
"""

from __future__ import annotations

import re
import time
from urllib.parse import unquote

import pytest
from django.urls import reverse

from otp_core import oath
from otp_email.models import EmailDevice
from otp_phone.models import PhoneDevice
from otp_static.models import StaticDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def totp_code(device):
    return oath.format_token(
        oath.totp(bytes.fromhex(device.key), time.time(), step=device.step, digits=device.digits),
        device.digits,
    )


@pytest.fixture
def totp(user):
    # django-two-factor-auth names its devices "default" (and imports keep the name).
    return TOTPDevice.objects.create(user=user, name="default")


@pytest.fixture
def codes(user):
    device = StaticDevice.objects.create(user=user, name="backup")
    return device, device.generate_tokens()


def sign_in_with_backup_code(client, login_flow, code):
    login_flow.password()
    login_flow.post("token", wizard_goto_step="backup")
    return login_flow.backup(code)


def messages_after(client, response):
    assert response.status_code == 302
    page = client.get(reverse("two_factor:profile"))
    return [(m.level_tag, str(m)) for m in page.context["messages"]]


def test_after_a_backup_code_the_next_sign_in_asks_for_the_app(client, totp, codes, login_flow):
    _device, plain = codes
    assert sign_in_with_backup_code(client, login_flow, plain[0]).status_code == 302
    client.post(reverse("two_factor:logout"))
    response = login_flow.password()
    assert response.context["wizard"]["steps"].current == "token"
    assert response.context["device"] == totp
    html = response.content.decode()
    assert "Enter the code from your Authenticator app." in html
    assert "default" not in re.sub(r"<[^>]+>", "", html).lower().split("sign in")[-1]
    assert "Use a backup code" in html


def test_a_backup_phone_never_comes_first(client, user, codes, login_flow):
    # Added first, and its plugin ranks before e-mail: it would lead by registry order.
    backup = PhoneDevice.objects.create(user=user, name="backup", number="+31612345678")
    PhoneDevice.objects.filter(pk=backup.pk).update(created_at=backup.created_at.replace(year=2020))
    primary = PhoneDevice.objects.create(user=user, name="default", number="+31687654321")
    response = login_flow.password()
    assert response.context["device"] == primary
    html = response.content.decode()
    assert "Use Text message to +31 * ******78" in html
    for number in ("+31612345678", "+31687654321", "612345678", "12345678"):
        assert number not in html  # only masked numbers on the sign-in page
    backup.delete()
    primary.name = "backup"
    primary.save()
    EmailDevice.objects.create(user=user, name="E-mail", email="dora@example.com")
    response = login_flow.password()
    assert isinstance(response.context["device"], EmailDevice)
    html = response.content.decode()
    assert "d***@example.com" in html
    assert "dora@example.com" not in html


def test_a_backup_phone_still_comes_first_when_it_is_all_there_is(client, user, login_flow):
    phone = PhoneDevice.objects.create(user=user, name="backup", number="+31612345678")
    assert login_flow.password().context["device"] == phone


def test_codes_left_after_a_backup_code_sign_in(client, totp, codes, login_flow):
    _device, plain = codes
    response = sign_in_with_backup_code(client, login_flow, plain[0])
    assert messages_after(client, response) == [("info", "You have 9 backup codes left.")]


def test_few_codes_left_warns_and_links_to_new_ones(client, totp, codes, login_flow):
    device, _plain = codes
    kept = device.generate_tokens(3)
    response = sign_in_with_backup_code(client, login_flow, kept[0])
    [(level, text)] = messages_after(client, response)
    assert level == "warning"
    assert text.startswith("You have 2 backup codes left.")
    assert f'<a href="{reverse("two_factor:backup_tokens")}">Make new backup codes now.</a>' in text
    client.post(reverse("two_factor:logout"))
    login_flow.password()
    login_flow.post("token", wizard_goto_step="backup")
    login_flow.backup(kept[1])
    client.post(reverse("two_factor:logout"))
    response = sign_in_with_backup_code(client, login_flow, kept[2])
    [(level, text)] = messages_after(client, response)
    assert level == "warning"
    assert text.startswith("You have no backup codes left.")


def test_the_account_page_never_offers_to_show_hashed_codes(client, user, totp, codes, login_flow):
    login_flow.password()
    login_flow.token(totp_code(totp))
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert "Show backup codes" not in html
    assert "10 backup codes left." in html
    assert ">Make new backup codes</button>" in html
    assert "your current codes stop working" in html


def test_new_codes_can_be_downloaded_and_printed(client, user, totp, codes, login_flow):
    login_flow.password()
    login_flow.token(totp_code(totp))
    response = client.post(reverse("two_factor:backup_tokens"), {"generate": "1"})
    html = response.content.decode()
    shown = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(shown) == 10
    [href] = re.findall(r'<a class="tf-button" href="(data:text/plain;charset=utf-8,[^"]+)"', html)
    text = unquote(href.split(",", 1)[1])
    assert text.splitlines()[5:15] == shown
    assert "Account: alice" in text
    assert re.search(r'download="backup-codes-\d{4}-\d{2}-\d{2}\.txt"', html)
    assert "data-tf-print" in html
    assert "two_factor_ui/print.js" in html
    assert '<pre class="tf-print-only" aria-hidden="true">' in html
    assert "@media print" in html
    # The page that shows no new codes offers no file.
    assert "data:text/plain" not in client.get(reverse("two_factor:backup_tokens")).content.decode()


def test_labels_of_every_kind(user):
    assert TOTPDevice(user=user, name="default").display_label() == "Authenticator app"
    assert TOTPDevice(user=user, name="Authenticator app").display_label() == "Authenticator app"
    assert TOTPDevice(user=user, name="Work").display_label() == "Authenticator app (Work)"
    assert StaticDevice(user=user, name="backup").display_label() == "Backup codes"
    call = PhoneDevice(user=user, name="backup", number="+31612345678", method="call")
    assert call.display_label() == "Phone call to +31 * ******78"
    assert EmailDevice(user=user, name="E-mail").display_label() == "E-mail to a***@example.com"
