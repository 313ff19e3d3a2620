"""``two_factor_tags``' phone filters, which format with otp-phone's phonenumbers (issue 12)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load two_factor_tags %}" + source).render(Context(context))


def test_phone_number_filters():
    assert render("{{ n|format_phone_number }}", n="+31612345678") == "+31 6 12345678"
    assert render("{{ n|mask_phone_number }}", n="+31 6 12345678") == "+31 * ******78"
    assert render("{{ n|format_phone_number|mask_phone_number }}", n="+31612345678") == (
        "+31 * ******78"
    )
    # Not a number: shown as given, masked, and escaped.
    assert render("{{ n|format_phone_number }}", n="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_phone_number_object_is_formatted_before_masking():
    import phonenumbers

    number = phonenumbers.parse("+31612345678")
    assert render("{{ n|mask_phone_number }}", n=number) == "+31 * ******78"
