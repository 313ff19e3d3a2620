"""Errors tied to their fields, focus on the answer, and the shared field markup."""

from __future__ import annotations

import html5lib
from django import forms
from django.template.loader import render_to_string

from otp_core.form_a11y import describe_errors, focus_answer
from otp_core.page_base import BASE_TEMPLATES, base_template
from otp_core.widgets import OneTimeCodeInput


class CodeForm(forms.Form):
    otp_token = forms.CharField(label="Code", widget=OneTimeCodeInput())

    def clean(self):
        raise forms.ValidationError("Invalid code.")


class PasswordForm(forms.Form):
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput)

    def clean(self):
        raise forms.ValidationError("Wrong user name or password.")


class ChoiceForm(forms.Form):
    method = forms.ChoiceField(
        label="Send the code by",
        choices=[("sms", "Text message"), ("call", "Phone call")],
        initial="sms",
        widget=forms.RadioSelect,
    )
    number = forms.CharField(help_text="With the country code.")


def test_a_one_question_refusal_is_on_the_field_and_focused():
    form = CodeForm({"otp_token": "1"})
    describe_errors(form)
    focus_answer(form)
    attrs = form.fields["otp_token"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_otp_token_errors"
    assert attrs["autofocus"] is True
    assert form.errors == {"otp_token": ["Invalid code."]}


def test_an_unbound_code_form_focuses_the_code_field():
    form = focus_answer(CodeForm())
    assert form.fields["otp_token"].widget.attrs["autofocus"] is True


def test_a_form_wide_error_describes_every_field_and_keeps_one_autofocus():
    form = PasswordForm({"auth-username": "alice", "auth-password": "x"}, prefix="auth")
    describe_errors(form)
    focus_answer(form)
    for name in ("username", "password"):
        assert form.fields[name].widget.attrs["aria-describedby"] == "auth-errors"
        assert "aria-invalid" not in form.fields[name].widget.attrs
    assert form.fields["username"].widget.attrs["autofocus"] is True  # Django's own


def test_a_choice_is_not_autofocused():
    form = focus_answer(ChoiceForm())
    assert not any("autofocus" in f.widget.attrs for f in form.fields.values())


def test_shared_fields_markup_is_valid_html_with_fieldset_and_error_text():
    form = ChoiceForm({"method": "sms", "number": ""})
    describe_errors(form)
    html = render_to_string("otp_core/_form_fields.html", {"form": form})
    page = f"<!DOCTYPE html><html lang=en><title>t</title><form>{html}</form></html>"
    html5lib.HTMLParser(strict=True).parse(page)  # raises on a div inside a p
    assert "<legend>Send the code by</legend>" in html
    assert "checked" in html.split('value="sms"')[1].split(">")[0]
    assert '<span class="tf-error-label">Error:</span>' in html
    assert 'id="id_number_errors" role="alert"' in html


def test_the_base_template_is_one_that_exists():
    assert base_template() in BASE_TEMPLATES
    page = render_to_string("otp_core/_base.html", {})
    html5lib.HTMLParser(strict=True).parse(page)
    assert 'name="viewport"' in page
