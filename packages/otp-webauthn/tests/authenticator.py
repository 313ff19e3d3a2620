"""A software WebAuthn authenticator (ES256) for the tests, and the browser's JSON.

It does what a browser and an authenticator do together: build
``clientDataJSON``, ``authenticatorData`` (flags UP/UV/BE/BS/AT, counter,
attested credential data), a CBOR attestation object ("none", or "packed"
self attestation) and an ECDSA P-256 signature, and hands back
``PublicKeyCredential.toJSON()``. Every field can be spoiled, one at a time,
to test each refusal rule. py_webauthn never sees this module's internals:
what it checks is only the JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40

RP_ID = "example.com"
ORIGIN = "https://example.com"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    """One credential on one authenticator.

    ``synced``: a passkey (backup eligible and backed up), else device-bound.
    ``counter``: False for an authenticator whose counter stays 0 (passkeys).
    """

    def __init__(
        self,
        *,
        synced: bool = False,
        counter: bool = True,
        uv: bool = True,
        aaguid: bytes = bytes(16),
        rp_id: str = RP_ID,
        origin: str = ORIGIN,
    ) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.synced = synced
        self.use_counter = counter
        self.count = 0
        self.uv = uv
        self.aaguid = aaguid
        self.rp_id = rp_id
        self.origin = origin
        self.user_handle: bytes | None = None

    # -- pieces ---------------------------------------------------------------

    def cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def flags(self, *, up: bool = True, uv: bool | None = None, attested: bool = False) -> int:
        value = UP if up else 0
        if self.uv if uv is None else uv:
            value |= UV
        if self.synced:
            value |= BE | BS
        if attested:
            value |= AT
        return value

    def authenticator_data(
        self, *, flags: int, count: int, rp_id: str | None = None, attested: bool = False
    ) -> bytes:
        data = hashlib.sha256((rp_id or self.rp_id).encode()).digest()
        data += bytes([flags]) + struct.pack(">I", count)
        if attested:
            data += self.aaguid + struct.pack(">H", len(self.credential_id))
            data += self.credential_id + self.cose_key()
        return data

    def client_data(
        self, kind: str, challenge: str, origin: str | None = None, **extra: Any
    ) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, **extra}
        ).encode()

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    # -- ceremonies -------------------------------------------------------------

    def create(
        self,
        options: dict[str, Any],
        *,
        fmt: str = "none",
        kind: str = "webauthn.create",
        challenge: str | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        up: bool = True,
        uv: bool | None = None,
        flags: int | None = None,
        credential_type: str = "public-key",
        name: str | None = None,
        attestation_key: Any = None,
        x5c: list[bytes] | None = None,
        **client_extra: Any,
    ) -> dict[str, Any]:
        """``navigator.credentials.create()``'s answer to ``options``, as toJSON()."""
        self.user_handle = unb64(options["user"]["id"])
        client_data = self.client_data(
            kind, challenge or options["challenge"], origin, **client_extra
        )
        auth_data = self.authenticator_data(
            flags=self.flags(up=up, uv=uv, attested=True) if flags is None else flags,
            count=0,
            rp_id=rp_id,
            attested=True,
        )
        if fmt == "none":
            statement: dict[str, Any] = {}
        elif fmt == "packed" and attestation_key is None:  # self attestation
            digest = hashlib.sha256(client_data).digest()
            statement = {"alg": -7, "sig": self.sign(auth_data + digest)}
        elif fmt == "packed":  # full attestation: a certificate chain vouches for the model
            digest = hashlib.sha256(client_data).digest()
            sig = attestation_key.sign(auth_data + digest, ec.ECDSA(hashes.SHA256()))
            statement = {"alg": -7, "sig": sig, "x5c": list(x5c or [])}
        else:
            raise ValueError(fmt)
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        body: dict[str, Any] = {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": credential_type,
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["usb", "nfc"] if not self.synced else ["hybrid", "internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "cross-platform",
        }
        if name is not None:
            body["name"] = name
        return body

    def get(
        self,
        options: dict[str, Any],
        *,
        kind: str = "webauthn.get",
        challenge: str | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        up: bool = True,
        uv: bool | None = None,
        flags: int | None = None,
        count: int | None = None,
        credential_type: str = "public-key",
        user_handle: bytes | bool | None = True,
        signer: Authenticator | None = None,
        **client_extra: Any,
    ) -> dict[str, Any]:
        """``navigator.credentials.get()``'s answer to ``options``, as toJSON()."""
        if count is None:
            if self.use_counter:
                self.count += 1
            count = self.count
        client_data = self.client_data(
            kind, challenge or options["challenge"], origin, **client_extra
        )
        auth_data = self.authenticator_data(
            flags=self.flags(up=up, uv=uv) if flags is None else flags, count=count, rp_id=rp_id
        )
        signature = (signer or self).sign(auth_data + hashlib.sha256(client_data).digest())
        handle = self.user_handle if user_handle is True else user_handle
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": credential_type,
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(handle) if handle else None,
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "cross-platform",
        }


def attestation_chain(aaguid: bytes | None) -> tuple[bytes, Any, bytes]:
    """A vendor root (PEM), an attestation key and its certificate (DER) for ``aaguid``.

    The certificate follows WebAuthn's packed attestation rules (§8.2.1).
    """
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Vendor Root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Vendor"),
                    x509.NameAttribute(
                        NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"
                    ),
                    x509.NameAttribute(NameOID.COMMON_NAME, "Test Key"),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if aaguid is not None:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"), b"\x04\x10" + aaguid
            ),
            critical=False,
        )
    cert = builder.sign(root_key, hashes.SHA256())
    return (
        root.public_bytes(serialization.Encoding.PEM),
        key,
        cert.public_bytes(serialization.Encoding.DER),
    )
