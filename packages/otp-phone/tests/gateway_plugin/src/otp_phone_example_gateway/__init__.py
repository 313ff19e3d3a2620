"""A test-only gateway that keeps what it would send in ``outbox`` (not published)."""

from otp_phone.gateways import Gateway

outbox: list[tuple[str, str, str]] = []


class OutboxGateway(Gateway):
    # Written as a django-two-factor-auth gateway would be: device.number is a PhoneNumber.
    def send_sms(self, device, token):
        outbox.append(("sms", device.number.as_e164, token))

    def make_call(self, device, token):
        outbox.append(("call", device.number.as_e164, token))
