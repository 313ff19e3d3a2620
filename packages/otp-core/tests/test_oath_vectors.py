"""The OATH engine against the published vectors of RFC 4226 and RFC 6238,
and the rules of its verify functions (windows, drift, t0, replay guard, input).
"""

from __future__ import annotations

import hmac

import pytest

from otp_core import oath

# No database (RFC vectors of the pure OATH functions): PostgreSQL and MariaDB cells deselect it.
pytestmark = pytest.mark.engine_independent

# -- RFC 4226, appendix D --------------------------------------------------------

RFC4226_SECRET = b"12345678901234567890"

# counter: (HMAC-SHA-1 hex, truncated 31-bit value, 6-digit HOTP)
RFC4226_VECTORS = {
    0: ("cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1284755224, 755224),
    1: ("75a48a19d4cbe100644e8ac1397eea747a2d33ab", 1094287082, 287082),
    2: ("0bacb7fa082fef30782211938bc1c5e70416ff44", 137359152, 359152),
    3: ("66c28227d03a2d5529262ff016a1e6ef76557ece", 1726969429, 969429),
    4: ("a904c900a64b35909874b33e61c5938a8e15ed1c", 1640338314, 338314),
    5: ("a37e783d7b7233c083d4f62926c7a25f238d0316", 868254676, 254676),
    6: ("bc9cd28561042c83f219324d3c607256c03272ae", 1918287922, 287922),
    7: ("a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 82162583, 162583),
    8: ("1b3c89f65e6c9e883012052823443f048b4332db", 673399871, 399871),
    9: ("1637409809a679dc698207310c8c7fc07290d9e5", 645520489, 520489),
}


@pytest.mark.parametrize("counter", sorted(RFC4226_VECTORS))
def test_rfc4226_hotp_values(counter):
    mac_hex, truncated, expected = RFC4226_VECTORS[counter]
    # The RFC's intermediate values: the HMAC and its dynamic truncation.
    mac = hmac.digest(RFC4226_SECRET, counter.to_bytes(8, "big"), "sha1")
    assert mac.hex() == mac_hex
    offset = mac[-1] & 0x0F
    assert int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF == truncated

    assert oath.hotp(RFC4226_SECRET, counter) == expected
    # 7 and 8 digits are the same truncated value, reduced by a larger modulus.
    assert oath.hotp(RFC4226_SECRET, counter, digits=7) == truncated % 10**7
    assert oath.hotp(RFC4226_SECRET, counter, digits=8) == truncated % 10**8


@pytest.mark.parametrize("counter", sorted(RFC4226_VECTORS))
def test_rfc4226_verify_finds_each_counter(counter):
    token = f"{RFC4226_VECTORS[counter][2]:06d}"
    assert oath.verify_hotp(RFC4226_SECRET, token, counter) == counter
    assert oath.verify_hotp(RFC4226_SECRET, token, 0, window=9) == counter
    if counter > 0:
        # The window looks forward only: a code from the past is refused.
        assert oath.verify_hotp(RFC4226_SECRET, token, counter + 1, window=5) is None
        assert oath.verify_hotp(RFC4226_SECRET, token, 0, window=counter - 1) is None


# -- RFC 6238, appendix B --------------------------------------------------------

RFC6238_SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}

# (Unix time, T as in the RFC table, {algorithm: 8-digit TOTP})
RFC6238_VECTORS = [
    (59, 0x1, {"sha1": "94287082", "sha256": "46119246", "sha512": "90693936"}),
    (1111111109, 0x23523EC, {"sha1": "07081804", "sha256": "68084774", "sha512": "25091201"}),
    (1111111111, 0x23523ED, {"sha1": "14050471", "sha256": "67062674", "sha512": "99943326"}),
    (1234567890, 0x273EF07, {"sha1": "89005924", "sha256": "91819424", "sha512": "93441116"}),
    (2000000000, 0x3F940AA, {"sha1": "69279037", "sha256": "90698825", "sha512": "38618901"}),
    (20000000000, 0x27BC86AA, {"sha1": "65353130", "sha256": "77737706", "sha512": "47863826"}),
]

RFC6238_CASES = [
    pytest.param(t, big_t, algorithm, codes[algorithm], id=f"{algorithm}-{t}")
    for t, big_t, codes in RFC6238_VECTORS
    for algorithm in oath.ALGORITHMS
]


def test_rfc6238_seed_lengths():
    assert [len(RFC6238_SEEDS[a]) for a in oath.ALGORITHMS] == [20, 32, 64]


@pytest.mark.parametrize(("t", "big_t", "algorithm", "expected"), RFC6238_CASES)
def test_rfc6238_totp_values(t, big_t, algorithm, expected):
    key = RFC6238_SEEDS[algorithm]
    assert oath.time_step(t) == big_t
    value = oath.totp(key, t, digits=8, algorithm=algorithm)
    assert oath.format_token(value, 8) == expected
    # TOTP is HOTP at T.
    assert oath.hotp(key, big_t, digits=8, algorithm=algorithm) == int(expected)


@pytest.mark.parametrize(("t", "big_t", "algorithm", "expected"), RFC6238_CASES)
def test_rfc6238_verify_returns_time_step(t, big_t, algorithm, expected):
    key = RFC6238_SEEDS[algorithm]
    kwargs = {"digits": 8, "algorithm": algorithm}
    assert oath.verify_totp(key, expected, t, tolerance=0, **kwargs) == big_t
    # One step early or late is within the default tolerance of one.
    assert oath.verify_totp(key, expected, t - 30, **kwargs) == big_t
    assert oath.verify_totp(key, expected, t + 30, **kwargs) == big_t
    # ... and outside a tolerance of zero.
    assert oath.verify_totp(key, expected, t + 30, tolerance=0, **kwargs) is None
    # Two steps away needs a tolerance of two.
    assert oath.verify_totp(key, expected, t + 60, **kwargs) is None
    assert oath.verify_totp(key, expected, t + 60, tolerance=2, **kwargs) == big_t
    # The replay guard: once T was accepted, the same code is refused.
    assert oath.verify_totp(key, expected, t, after=big_t - 1, **kwargs) == big_t
    assert oath.verify_totp(key, expected, t, after=big_t, **kwargs) is None


# -- verify rules ----------------------------------------------------------------

KEY = RFC4226_SECRET


def _token(counter: int, digits: int = 6, algorithm: str = "sha1", key: bytes = KEY) -> str:
    return oath.format_token(oath.hotp(key, counter, digits, algorithm), digits)


def test_format_token_pads_with_zeros():
    assert oath.format_token(7, 6) == "000007"
    assert oath.format_token(81804, 8) == "00081804"
    assert oath.format_token(7081804, 8) == "07081804"


def test_verify_hotp_window_returns_matching_counter():
    assert oath.verify_hotp(KEY, _token(13), 10, window=3) == 13
    assert oath.verify_hotp(KEY, _token(14), 10, window=3) is None
    assert oath.verify_hotp(KEY, _token(10), 10, window=0) == 10
    assert oath.verify_hotp(KEY, _token(11), 10, window=0) is None


def test_verify_hotp_accepts_int_token():
    assert oath.verify_hotp(KEY, 755224, 0) == 0
    assert oath.verify_hotp(KEY, 10**6 + 755224, 0) is None
    assert oath.verify_hotp(KEY, -755224, 0) is None


@pytest.mark.parametrize("step", [30, 60, 10])
@pytest.mark.parametrize("t0", [0, 1000, -45])
def test_verify_totp_step_and_t0(step, t0):
    t = 1_700_000_123.5
    big_t = int((t - t0) // step)
    assert oath.time_step(t, step, t0) == big_t
    token = _token(big_t)
    assert oath.totp(KEY, t, step=step, t0=t0) == int(token)
    assert oath.verify_totp(KEY, token, t, step=step, t0=t0, tolerance=0) == big_t
    assert oath.verify_totp(KEY, token, t + step, step=step, t0=t0) == big_t
    assert oath.verify_totp(KEY, token, t + 2 * step, step=step, t0=t0) is None


def test_verify_totp_drift_shifts_the_window():
    t = 1_700_000_000
    centre = oath.time_step(t)
    # The device's clock runs three steps ahead: with drift 3 its code is found
    # without any tolerance, and the matched counter includes the drift.
    ahead = _token(centre + 3)
    assert oath.verify_totp(KEY, ahead, t, tolerance=1) is None
    assert oath.verify_totp(KEY, ahead, t, drift=3, tolerance=0) == centre + 3
    assert oath.totp(KEY, t, drift=3) == int(ahead)
    behind = _token(centre - 2)
    assert oath.verify_totp(KEY, behind, t, drift=-2, tolerance=0) == centre - 2
    assert oath.verify_totp(KEY, behind, t, drift=-1, tolerance=1) == centre - 2


def test_verify_totp_after_guard_keeps_later_steps():
    t = 1_700_000_000
    centre = oath.time_step(t)
    later = _token(centre + 1)
    # A code of the next step is still accepted after the current one was used.
    assert oath.verify_totp(KEY, later, t, after=centre) == centre + 1
    assert oath.verify_totp(KEY, later, t, after=centre + 1) is None
    earlier = _token(centre - 1)
    assert oath.verify_totp(KEY, earlier, t, after=centre - 2) == centre - 1
    assert oath.verify_totp(KEY, earlier, t, after=centre - 1) is None
    # An `after` far in the past changes nothing.
    assert oath.verify_totp(KEY, earlier, t, after=0) == centre - 1


def test_verify_totp_defaults_to_now():
    import time

    now = time.time()
    token = _token(oath.time_step(now))
    matched = oath.verify_totp(KEY, token)
    # Allow for a step boundary between the two clock readings.
    assert matched is not None
    assert abs(matched - oath.time_step(now)) <= 1
    assert oath.totp(KEY) in {oath.hotp(KEY, oath.time_step(now) + d) for d in (0, 1)}


def test_verify_totp_near_the_epoch_does_not_look_before_counter_zero():
    # At t=5 the window [-1, 1] reaches below counter zero, which does not exist.
    assert oath.verify_totp(KEY, _token(0), 5) == 0
    assert oath.verify_totp(KEY, _token(1), 5) == 1
    assert oath.verify_totp(KEY, _token(0), 5, drift=-3, tolerance=3) == 0
    # A start time in the future gives negative T: nothing matches, nothing crashes.
    assert oath.verify_totp(KEY, _token(0), 5, t0=1000, tolerance=1) is None


NOT_DIGITS = [
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width 123456: isdigit() and int() accept it
    "12345²",  # superscript two: isdigit() is True, int() refuses it
    "١٢٣٤٥٦",  # Arabic-Indic digits, accepted by int()
    "12 345",
    " 75522",
    "75522 ",
    "+75522",
    "-75522",
    "75_224",
    "7552.4",
    "0x1234",
    "",
]


@pytest.mark.parametrize("token", NOT_DIGITS)
def test_verify_refuses_anything_but_ascii_digits(token):
    # The RFC 4226 value at counter 0 is 755224; none of these spellings match.
    assert oath.verify_hotp(KEY, token, 0, window=20) is None
    assert oath.verify_totp(KEY, token, 30, tolerance=5) is None


def test_verify_refuses_non_ascii_spelling_of_a_valid_code():
    # int() reads full-width digits: a lax parser would accept this spelling.
    fullwidth = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in "755224")
    assert int(fullwidth) == 755224
    assert oath.verify_hotp(KEY, "755224", 0) == 0
    assert oath.verify_hotp(KEY, fullwidth, 0) is None


@pytest.mark.parametrize("token", ["75522", "0755224", "7552240"])
def test_verify_refuses_wrong_length(token):
    assert oath.verify_hotp(KEY, token, 0, window=10) is None
    # The 8-digit code of counter 0 is not accepted as a 6-digit one, nor the reverse.
    assert oath.verify_hotp(KEY, _token(0, 8), 0, digits=6) is None
    assert oath.verify_hotp(KEY, _token(0, 6), 0, digits=8) is None


@pytest.mark.parametrize("digits", [0, 5, 9, 10, -6])
def test_bad_digits_raise(digits):
    with pytest.raises(ValueError, match="digits"):
        oath.hotp(KEY, 0, digits=digits)
    with pytest.raises(ValueError, match="digits"):
        oath.totp(KEY, 59, digits=digits)
    with pytest.raises(ValueError, match="digits"):
        oath.verify_hotp(KEY, "755224", 0, digits=digits)
    with pytest.raises(ValueError, match="digits"):
        oath.verify_totp(KEY, "755224", 59, digits=digits)
    # Also when the replay guard leaves nothing to try.
    with pytest.raises(ValueError, match="digits"):
        oath.verify_totp(KEY, "755224", 59, digits=digits, after=10**6)


@pytest.mark.parametrize("algorithm", ["md5", "sha224", "sha3_256", "", "sha-1"])
def test_bad_algorithm_raises(algorithm):
    with pytest.raises(ValueError, match="algorithm"):
        oath.hotp(KEY, 0, algorithm=algorithm)
    with pytest.raises(ValueError, match="algorithm"):
        oath.totp(KEY, 59, algorithm=algorithm)
    with pytest.raises(ValueError, match="algorithm"):
        oath.verify_hotp(KEY, "755224", 0, algorithm=algorithm)
    with pytest.raises(ValueError, match="algorithm"):
        oath.verify_totp(KEY, "755224", 59, algorithm=algorithm)
    with pytest.raises(ValueError, match="algorithm"):
        oath.verify_totp(KEY, "755224", 59, algorithm=algorithm, after=10**6)


def test_bad_step_and_tolerance_raise():
    with pytest.raises(ValueError, match="step"):
        oath.time_step(100, step=0)
    with pytest.raises(ValueError, match="step"):
        oath.verify_totp(KEY, "755224", 59, step=-30)
    with pytest.raises(ValueError, match="tolerance"):
        oath.verify_totp(KEY, "755224", 59, tolerance=-1)


@pytest.mark.parametrize("counter", [-1, 2**64])
def test_counter_out_of_range_raises_value_error(counter):
    with pytest.raises(ValueError, match="counter"):
        oath.hotp(KEY, counter)
    with pytest.raises(ValueError, match="counter"):
        oath.verify_hotp(KEY, "755224", counter)


def test_largest_counter_is_allowed():
    top = 2**64 - 1
    assert oath.verify_hotp(KEY, _token(top), top) == top
    # The window stops at the end of the counter space instead of overflowing.
    assert oath.verify_hotp(KEY, _token(top), top - 1, window=5) == top
