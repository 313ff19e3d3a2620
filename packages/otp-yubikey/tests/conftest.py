"""Fixtures of otp-yubikey's tests: keys and OTPs made by the yubiotp package."""

from __future__ import annotations

import secrets

import pytest
from yubiotp.otp import OTP, encode_otp

from otp_yubikey.models import YubikeyDevice

PUBLIC_ID = "vvccccdfhnfk"


class Key:
    """A simulated YubiKey: the outside generator (yubiotp) types its OTPs."""

    def __init__(self, public_id: str = PUBLIC_ID, uid: str | None = None, aes: str | None = None):
        self.public_id = public_id
        self.uid = uid or secrets.token_hex(6)
        self.aes = aes or secrets.token_hex(16)
        self.session = 1
        self.counter = 0

    def otp(
        self,
        session: int | None = None,
        counter: int | None = None,
        *,
        caps_lock: bool = False,
        public_id: str | None = None,
        aes: str | None = None,
        uid: str | None = None,
    ) -> str:
        """The next OTP (or one with the given counters) as the key types it."""
        if session is None and counter is None:
            self.counter += 1
            session, counter = self.session, self.counter
        usage = session | (0x8000 if caps_lock else 0)
        otp = OTP(
            bytes.fromhex(uid or self.uid),
            usage,
            secrets.randbelow(1 << 24),
            counter,
            secrets.randbelow(1 << 16),
        )
        prefix = (self.public_id if public_id is None else public_id).encode()
        return encode_otp(otp, bytes.fromhex(aes or self.aes), prefix).decode()


@pytest.fixture
def key() -> Key:
    return Key()


@pytest.fixture
def make_key():
    return Key


@pytest.fixture
def local_device(user, key) -> YubikeyDevice:
    return YubikeyDevice.objects.create(
        user=user, name="key", public_id=key.public_id, private_id=key.uid, key=key.aes
    )


@pytest.fixture
def ykval_servers():
    """``ykval_servers(n)``: n local YK-VAL 2.0 servers, stopped afterwards."""
    from . import ykval_server

    started = []

    def start(n: int = 1):
        servers = [ykval_server.start() for _ in range(n)]
        started.extend(servers)
        return servers

    yield start
    for server in started:
        ykval_server.stop(server)


@pytest.fixture
def ykval(ykval_servers):
    """One local YK-VAL 2.0 server."""
    return ykval_servers(1)[0]


@pytest.fixture
def service(ykval):
    from otp_yubikey.models import ValidationService

    from .ykval_server import API_ID, API_KEY

    return ValidationService.objects.create(
        name="default", api_id=API_ID, api_key=API_KEY, base_url=ykval.url, param_timeout=2
    )


@pytest.fixture
def remote_device(user, service, key):
    from otp_yubikey.models import RemoteYubikeyDevice

    return RemoteYubikeyDevice.objects.create(
        user=user, name="key", service=service, public_id=key.public_id
    )
