"""otp_core.testing's django-otp test helpers on our HOTP device (issue 12)."""

from __future__ import annotations

import secrets

from otp_core import oath
from otp_core.testing import OTPTestCase, ThrottlingTestMixin
from otp_hotp.models import HOTPDevice


class HOTPThrottlingTest(ThrottlingTestMixin, OTPTestCase):
    def setUp(self):
        self.user = self.create_user("erin", "secret")
        self.device = HOTPDevice.objects.create(
            user=self.user, name="token", key=secrets.token_hex(20)
        )

    def valid_token(self):
        self.device.refresh_from_db()
        return oath.format_token(oath.hotp(self.device.bin_key, self.device.counter))

    def invalid_token(self):
        return "-1"

    def test_an_int_token_is_accepted(self):
        self.assertTrue(self.device.verify_token(int(self.valid_token())))  # noqa: PT009  (a django-otp-style TestCase)
