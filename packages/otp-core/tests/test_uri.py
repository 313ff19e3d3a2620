"""otpauth:// key URIs: escaping, parameters, and what pyotp reads back."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otp_core import oath
from otp_core.uri import build_uri

# No database (otpauth:// URIs are strings): PostgreSQL and MariaDB cells deselect it.
pytestmark = pytest.mark.engine_independent

KEY = bytes(range(1, 21))  # 20 bytes: base32 needs padding ("====") for this length
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def _split(uri: str) -> tuple[str, str, dict[str, list[str]]]:
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert not parts.fragment
    return parts.netloc, parts.path[1:], parse_qs(parts.query, strict_parsing=True)


def _secret_of(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def test_totp_uri_parameters():
    uri = build_uri("totp", KEY, "alice@example.com", issuer="Example", digits=8, period=60)
    kind, label, params = _split(uri)
    assert kind == "totp"
    assert label == "Example:alice%40example.com"
    assert params == {
        "secret": [_secret_of(KEY)],
        "algorithm": ["SHA1"],
        "digits": ["8"],
        "period": ["60"],
        "issuer": ["Example"],
    }
    assert "counter" not in params


def test_hotp_uri_has_counter_not_period():
    uri = build_uri("hotp", KEY, "alice", counter=42, algorithm="sha256")
    kind, label, params = _split(uri)
    assert kind == "hotp"
    assert label == "alice"
    assert params["counter"] == ["42"]
    assert params["algorithm"] == ["SHA256"]
    assert "period" not in params
    assert "issuer" not in params


def test_secret_is_base32_without_padding():
    for length in (10, 16, 20, 32, 64):
        key = bytes(range(length))
        _, _, params = _split(build_uri("totp", key, "a"))
        (secret,) = params["secret"]
        assert "=" not in secret
        assert secret == secret.upper()
        padded = secret + "=" * (-len(secret) % 8)
        assert base64.b32decode(padded) == key


@pytest.mark.parametrize("algorithm", oath.ALGORITHMS)
def test_algorithm_upper_case(algorithm):
    _, _, params = _split(build_uri("totp", KEY, "a", algorithm=algorithm))
    assert params["algorithm"] == [algorithm.upper()]


@pytest.mark.parametrize(
    ("issuer", "account"),
    [
        ("ACME Co", "john doe"),
        ("Big:Corp", "a:b@example.com"),
        ("Tom & Jerry", "x&secret=AAAA"),
        ("Zürich Bank", "jürgen@exämple.de"),
        ("日本", "ユーザー"),
        ("a/b?c#d", "e/f?g#h"),
        ("100% sure", "50%+off=yes"),
    ],
)
def test_label_and_issuer_escaping(issuer, account):
    uri = build_uri("totp", KEY, account, issuer=issuer)
    # The URI itself is plain ASCII with no raw space, '&' in the label, or '#'.
    assert uri.isascii()
    assert " " not in uri
    assert "#" not in uri
    _, label, params = _split(uri)
    # Exactly one literal ':' separates issuer and account; theirs are escaped.
    raw_issuer, sep, raw_account = label.partition(":")
    assert sep == ":"
    assert ":" not in raw_account
    assert unquote(raw_issuer) == issuer
    assert unquote(raw_account) == account
    assert params["issuer"] == [issuer]
    # A crafted account cannot inject a second secret parameter.
    assert params["secret"] == [_secret_of(KEY)]


def test_no_issuer_means_no_separator():
    uri = build_uri("totp", KEY, "plain:account")
    _, label, params = _split(uri)
    assert ":" not in label
    assert unquote(label) == "plain:account"
    assert "issuer" not in params


def test_image_parameter():
    image = "https://example.com/logo.png?size=64&x=1"
    uri = build_uri("totp", KEY, "a", issuer="I", image=image)
    _, _, params = _split(uri)
    assert params["image"] == [image]
    # Parameter order is stable; the image comes last.
    assert uri.endswith("&image=" + "https%3A%2F%2Fexample.com%2Flogo.png%3Fsize%3D64%26x%3D1")


def test_bad_kind_raises():
    with pytest.raises(ValueError, match="kind"):
        build_uri("motp", KEY, "a")


@pytest.mark.parametrize("kind", ["totp", "hotp"])
@pytest.mark.parametrize("algorithm", oath.ALGORITHMS)
@pytest.mark.parametrize("digits", [6, 7, 8])
def test_pyotp_reads_back_the_key(kind, algorithm, digits):
    uri = build_uri(
        kind,
        KEY,
        "alice & bob@example.com",
        issuer="Café: Müller & Söhne",
        algorithm=algorithm,
        digits=digits,
        period=45,
        counter=7,
    )
    otp = pyotp.parse_uri(uri)
    assert isinstance(otp, pyotp.TOTP if kind == "totp" else pyotp.HOTP)
    assert otp.byte_secret() == KEY
    assert otp.issuer == "Café: Müller & Söhne"
    assert otp.name == "alice & bob@example.com"
    assert otp.digits == digits
    assert otp.digest is HASHES[algorithm]
    if kind == "totp":
        assert otp.interval == 45
        assert otp.at(1_700_000_000) == oath.format_token(
            oath.totp(KEY, 1_700_000_000, step=45, digits=digits, algorithm=algorithm), digits
        )
    else:
        assert otp.initial_count == 7
        assert otp.at(0) == oath.format_token(oath.hotp(KEY, 7, digits, algorithm), digits)


label_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None)
@given(
    key=st.binary(min_size=14, max_size=64),
    account=label_text,
    issuer=label_text,
    algorithm=st.sampled_from(oath.ALGORITHMS),
    digits=st.integers(min_value=6, max_value=8),
)
def test_pyotp_round_trip_of_any_label(key, account, issuer, algorithm, digits):
    uri = build_uri("totp", key, account, issuer=issuer, algorithm=algorithm, digits=digits)
    otp = pyotp.parse_uri(uri)
    assert otp.byte_secret() == key
    assert otp.name == account
    assert otp.issuer == issuer
    assert otp.digits == digits
    assert otp.digest is HASHES[algorithm]
