"""Policies: which factor kinds, how recent, what assurance level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from otp_core.policy import AAL2, AAL3, ANY_FACTOR, Policy, assurance_level
from otp_core.session import Verification

NOW = 1_000_000.0


def v(amr: str, age: float) -> Verification:
    return Verification(f"otp_example.exampledevice/{age}", amr, NOW - age)


def test_any_factor_is_satisfied_by_any_verification_of_any_age():
    assert ANY_FACTOR.is_satisfied_by([v("otp", 10**9)], NOW)
    assert ANY_FACTOR.is_satisfied_by([v("sms", 0)], NOW)
    assert not ANY_FACTOR.is_satisfied_by([], NOW)


def test_factors_accept_a_string_or_a_collection():
    assert Policy(factors="hwk").factors == frozenset({"hwk"})
    assert Policy(factors=["otp", "sms"]).factors == frozenset({"otp", "sms"})
    assert Policy().factors is None
    assert Policy(factors="hwk").is_satisfied_by([v("otp", 1), v("hwk", 1)], NOW)
    assert not Policy(factors="hwk").is_satisfied_by([v("otp", 1), v("sms", 1)], NOW)
    assert Policy(factors=["otp", "sms"]).is_satisfied_by([v("sms", 1)], NOW)


@pytest.mark.parametrize("max_age", [60, 60.0, timedelta(minutes=1)])
def test_max_age_in_seconds_or_timedelta(max_age):
    policy = Policy(max_age=max_age)
    assert policy.max_age == 60
    assert policy.is_satisfied_by([v("otp", 59.9)], NOW)
    assert policy.is_satisfied_by([v("otp", 60)], NOW)  # the boundary still counts
    assert not policy.is_satisfied_by([v("otp", 60.1)], NOW)
    # One recent verification among old ones is enough.
    assert policy.is_satisfied_by([v("otp", 3600), v("sms", 5)], NOW)


def test_max_age_zero_means_for_one_request():
    # A fresh verification, used once (test_core_assurance has the views).
    assert Policy(max_age=0).is_satisfied_by([v("otp", 0)], NOW)
    assert Policy(max_age=0).is_satisfied_by([v("otp", 0.5)], NOW)
    spent = Verification("otp_example.exampledevice/1", "otp", NOW, False, True)
    assert not Policy(max_age=0).is_satisfied_by([spent], NOW)


@pytest.mark.parametrize("bad", [-1, -0.001, timedelta(seconds=-5)])
def test_negative_max_age_is_a_value_error(bad):
    with pytest.raises(ValueError, match="max_age"):
        Policy(max_age=bad)


def test_levels_map_hardware_keys_to_aal3():
    assert assurance_level("hwk") == AAL3
    for amr in ("otp", "sms", "swk", "user", "unknown"):
        assert assurance_level(amr) == AAL2
    assert Policy(level=AAL3).is_satisfied_by([v("hwk", 1)], NOW)
    assert not Policy(level=AAL3).is_satisfied_by([v("otp", 1), v("sms", 1)], NOW)
    assert Policy(level=AAL2).is_satisfied_by([v("otp", 1)], NOW)
    assert Policy(level=AAL2).is_satisfied_by([v("hwk", 1)], NOW)


def test_combinations_must_hold_for_one_verification():
    policy = Policy(level=AAL3, max_age=300)
    # An old hardware key and a recent code: neither alone qualifies.
    assert not policy.is_satisfied_by([v("hwk", 301), v("otp", 1)], NOW)
    assert policy.is_satisfied_by([v("hwk", 299), v("otp", 1)], NOW)
    both = Policy(factors={"otp", "hwk"}, level=AAL3)
    assert both.is_satisfied_by([v("hwk", 1)], NOW)
    assert not both.is_satisfied_by([v("otp", 1)], NOW)
    contradictory = Policy(factors="otp", level=AAL3)
    assert not contradictory.is_satisfied_by([v("otp", 1), v("hwk", 1)], NOW)


def test_policies_are_immutable_and_comparable():
    policy = Policy(factors="hwk", max_age=timedelta(minutes=5), level=AAL3)
    assert policy == Policy(factors=["hwk"], max_age=300, level=AAL3)
    assert hash(policy) == hash(Policy(factors=["hwk"], max_age=300.0, level=AAL3))
    with pytest.raises(AttributeError):
        policy.max_age = 10  # type: ignore[misc]
