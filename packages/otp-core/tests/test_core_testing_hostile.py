"""The hostile inputs of ``otp_core.testing`` and the docs' example that uses them."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from otp_core.testing import form_body, hostile_ids, hostile_values, sample


def test_hostile_values_are_labelled_and_cover_the_classes():
    values = hostile_values()
    labels = [v.label for v in values]
    assert len(labels) == len(set(labels))
    texts = [v.value for v in values]
    assert any(len(t) >= 10_000 for t in texts)
    assert any("\x00" in t for t in texts)
    assert any(t.isdigit() and not t.isascii() for t in texts)  # int() accepts these
    assert any("\ud800" in t for t in texts)
    assert str(2**63) in texts


def test_hostile_ids_include_the_known_ones():
    ids = [v.value for v in hostile_ids(7, "otp_totp.totpdevice/3")]
    assert {"-1", str(2**63), str(10**30), "7", "otp_totp.totpdevice/3"} <= set(ids)


def test_sample_is_reproducible():
    assert sample(range(100), 5, "seed") == sample(range(100), 5, "seed")
    assert sample([1, 2], 5, "seed") == [1, 2]


def test_form_body_sends_repeats_and_a_lone_surrogate_as_raw_bytes():
    body = form_body([("a", "1"), ("a", "12\ud800"), ("b", "\u0661 &=")])
    assert body == b"a=1&a=12%ED%A0%80&b=%D9%A1%20%26%3D"
    parsed = QueryDict(body)
    assert parsed.getlist("a") == ["1", "12\ufffd\ufffd\ufffd"]  # what Django decodes
    assert parsed["b"] == "\u0661 &="


@pytest.mark.django_db
def test_login_never_fails_on_hostile_codes(client):
    # The example of docs/otp-core.rst ("Testing a plugin"), as written there.
    for value in hostile_values():
        body = form_body([("username", "alice"), ("otp_token", value.value)])
        response = client.generic(
            "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, value.label
