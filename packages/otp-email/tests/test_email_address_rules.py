"""Issue 8: which addresses the e-mail set-up mails, and one budget per mailbox."""

from __future__ import annotations

import pytest
from django.core import mail

from otp_core.challenges import ChallengeNotAllowed
from otp_email import checks
from otp_email.addresses import normalise_address
from otp_email.forms import EmailAddressStep
from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    settings.OTP_SEND_BUDGET_DESTINATION = [(3, 600), (10, 86400)]
    mail.outbox = []


def submit(user, address):
    form = EmailAddressStep({"email": address}, user=user, state={})
    return form.is_valid(), form.errors


def test_an_ip_literal_is_refused(user):
    valid, errors = submit(user, "victim@[192.0.2.1]")
    assert not valid
    assert errors["email"] == ["Enter an address at a domain name, not at an IP address."]
    assert mail.outbox == []
    assert not EmailDevice.objects.exists()


def test_allowed_domains(user, settings):
    settings.OTP_EMAIL_ALLOWED_DOMAINS = ["example.com"]
    valid, errors = submit(user, "alice@elsewhere.test")
    assert not valid
    assert errors["email"] == ["Codes cannot be sent to addresses at this domain."]
    assert submit(user, "alice@mail.Example.COM")[0]
    assert mail.outbox[-1].to == ["alice@mail.Example.COM"]


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("alice+otp@example.com", "alice@example.com"),
        ("alice+a+b@example.com.", "alice@example.com"),
        ("+x@example.com", "+x@example.com"),
    ],
)
def test_normalised_address(given, normal):
    assert normalise_address(given) == normal


def test_spellings_of_one_mailbox_share_its_budget(user, other_user):
    spellings = ["victim@example.org", "Victim@EXAMPLE.org", "victim+1@example.org"]
    reasons = []
    for i, address in enumerate(spellings * 3):
        owner = user if i % 2 else other_user
        # Set-ups (unconfirmed devices) count every account's sends to the mailbox.
        device = EmailDevice.objects.create(
            user=owner, name=f"e{i}", email=address, confirmed=False
        )
        try:
            device.generate_challenge()
        except ChallengeNotAllowed as exc:
            reasons.append(exc.details["reason"])
    assert len(mail.outbox) == 3
    assert reasons == ["SEND_BUDGET_EXHAUSTED"] * 6


def test_the_set_up_form_says_the_budget_is_spent(user):
    for _ in range(5):
        valid, errors = submit(user, "alice@example.com")
    assert len(mail.outbox) == 3
    assert not valid
    assert errors["__all__"] == ["Too many codes were sent. Please try again in 10 minutes."]


@pytest.mark.parametrize("value", ["example.com", [1], ["a@example.com"], [""], 3])
def test_wrong_allowed_domains_is_e007(value, settings):
    settings.OTP_EMAIL_ALLOWED_DOMAINS = value
    assert [m.id for m in checks.check_numbers()] == ["otp_email.E007"]


def test_empty_allowed_domains_warns_w002(settings):
    settings.OTP_EMAIL_ALLOWED_DOMAINS = []
    assert [m.id for m in checks.check_numbers()] == ["otp_email.W002"]
    settings.OTP_EMAIL_ALLOWED_DOMAINS = None
    assert checks.check_numbers() == []
