"""otp_core.testing's CooldownTestMixin on our e-mail device (issue 12)."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings

from otp_core.testing import CooldownTestMixin, OTPTestCase
from otp_email.models import EmailDevice


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class EmailCooldownTest(CooldownTestMixin, OTPTestCase):
    def setUp(self):
        self.user = self.create_user("frank", "secret", email="frank@example.com")
        self.device = EmailDevice.objects.create(user=self.user, name="Mail")

    def test_the_code_was_sent_once(self):
        self.device.generate_challenge()
        self.assertEqual(len(mail.outbox), 1)  # noqa: PT009  (a django-otp-style TestCase)
