"""``PhoneDevice.number`` is a ``PhoneNumber`` (as in django-two-factor-auth), stored as E.164."""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.serializers import serialize
from django.db import connection

from otp_phone.fields import PhoneNumber
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db


def test_number_is_a_phonenumber_from_the_database_and_on_assignment(user):
    device = PhoneDevice.objects.create(user=user, name="default", number="+31612345678")
    assert isinstance(device.number, phonenumbers.PhoneNumber)
    loaded = PhoneDevice.objects.get(pk=device.pk)
    assert isinstance(loaded.number, PhoneNumber)
    assert loaded.number.as_e164 == "+31612345678"
    assert loaded.number.as_international == "+31 6 12345678"
    assert loaded.number.as_national == "06 12345678"
    assert loaded.number.as_rfc3966 == "tel:+31-6-12345678"
    assert loaded.number.is_valid()
    assert loaded.number.country_code == 31
    # Reads, prints and compares as its text, as code written for a CharField expects.
    assert loaded.number == "+31612345678"
    assert loaded.number != "+31612345679"
    assert str(loaded.number) == f"{loaded.number}" == "+31612345678"


def test_stored_as_e164_text_and_filterable_by_text_or_number(user):
    PhoneDevice.objects.create(
        user=user, name="default", number=phonenumbers.parse("06 12345678", "NL")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {PhoneDevice._meta.db_table}")
        assert list(cursor.fetchall()) == [("+31612345678",)]
    assert PhoneDevice.objects.filter(number="+31612345678").count() == 1
    assert PhoneDevice.objects.filter(number=PhoneNumber.from_e164("+31612345678")).count() == 1
    assert '"number": "+31612345678"' in serialize("json", PhoneDevice.objects.all())


def test_other_notations_are_still_refused(user):
    device = PhoneDevice(user=user, name="x", number="+31 6 12345678")
    assert not isinstance(device.number, PhoneNumber)
    with pytest.raises(ValidationError):
        device.full_clean()
    device.number = PhoneNumber.from_e164("+31612345678")
    device.full_clean()
