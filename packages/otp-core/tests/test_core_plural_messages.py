"""Plural-aware refusal messages: the wording follows the number, in every language."""

from __future__ import annotations

import pickle

import pytest
from django import forms
from django.utils import translation

from otp_core.admin import ConfirmationGuardForm
from otp_core.refusal_messages import THROTTLED_MESSAGE, PluralMessage


@pytest.mark.parametrize(
    ("seconds", "english", "german"),
    [
        (1, "wait 1 second and", "warten Sie 1 Sekunde und"),
        (5, "wait 5 seconds and", "warten Sie 5 Sekunden und"),
    ],
)
def test_the_number_picks_the_form_in_the_active_language(seconds, english, german):
    with translation.override("en"):
        assert english in THROTTLED_MESSAGE % {"seconds": seconds}
    with translation.override("de"):
        assert german in THROTTLED_MESSAGE % {"seconds": seconds}


def test_as_a_validation_error_it_is_formatted_with_its_params():
    error = forms.ValidationError(THROTTLED_MESSAGE, code="throttled", params={"seconds": 2})
    assert list(error) == ["Too many failed attempts. Please wait 2 seconds and try again."]


def test_the_admin_form_has_its_own_wording():
    message = ConfirmationGuardForm.error_messages["throttled"]
    assert isinstance(message, PluralMessage)
    assert message % {"seconds": 1} == "Too many wrong codes. Please try again in 1 second."
    with translation.override("nl"):
        assert "30" in message % {"seconds": 30}
        assert not (message % {"seconds": 30}).startswith("Too many")


def test_a_missing_number_is_a_key_error_and_pickle_keeps_the_message():
    with pytest.raises(KeyError):
        THROTTLED_MESSAGE % {}
    copy = pickle.loads(pickle.dumps(THROTTLED_MESSAGE))
    assert copy % {"seconds": 3} == THROTTLED_MESSAGE % {"seconds": 3}
