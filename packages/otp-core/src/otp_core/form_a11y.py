"""Tie a form's errors and help texts to its inputs, and say where focus starts.

Used by every page that renders a code form (two-factor-ui's wizards, the
plugins' own pages), so screen readers hear the error with the field and a
keyboard user starts typing the code at once. Only widget attributes are set,
so it works for any form, a plugin's included.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS

from .widgets import OneTimeCodeInput

__all__ = ["describe_errors", "focus_answer"]

#: Inputs a person types an answer in (not a choice, not a checkbox).
_TYPED_INPUTS = {"text", "email", "tel", "number", "password"}


def describe_errors(form: Any) -> Any:
    """Mark invalid fields with ``aria-invalid`` and point them at their messages.

    The ids match the templates: ``<field id>_errors`` for errors and
    ``<field id>_helptext`` for help texts. A form that asks one thing (a
    code) has its refusal moved from the non-field errors onto that field;
    the non-field errors of any other form (a wrong user name or password)
    describe every visible field, as ``<prefix or "form">-errors``.
    """
    if form is None or not getattr(form, "is_bound", False):
        return form
    errors = form.errors  # runs validation once if it has not run yet
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    if len(visible) == 1 and NON_FIELD_ERRORS in errors:
        moved = errors.pop(NON_FIELD_ERRORS)
        errors.setdefault(visible[0], form.error_class()).extend(moved)
    form_errors_id = f"{form.prefix or 'form'}-errors" if NON_FIELD_ERRORS in errors else None
    for name, field in form.fields.items():
        bound = form[name]
        auto_id = bound.auto_id
        if not auto_id:
            continue
        described = [form_errors_id] if form_errors_id and name in visible else []
        if field.help_text:
            described.append(f"{auto_id}_helptext")
        if name in errors:
            described.append(f"{auto_id}_errors")
            field.widget.attrs["aria-invalid"] = "true"
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
    return form


def focus_answer(form: Any) -> Any:
    """Put ``autofocus`` on the field the user should type in first.

    The first invalid field of a refused form; otherwise the first visible
    field when it is a one-time code field, or the form's only question typed
    in a text box (a backup code, an address). Other fields lose an
    ``autofocus`` they had, so a page has one.
    """
    if form is None or not hasattr(form, "fields"):
        return form
    visible = [(name, f) for name, f in form.fields.items() if not f.widget.is_hidden]
    errors = form.errors if getattr(form, "is_bound", False) else {}
    target = next((name for name, _ in visible if name in errors), None)
    if target is None and visible:
        first = visible[0][1].widget
        typed = getattr(first, "input_type", None) in _TYPED_INPUTS
        if isinstance(first, OneTimeCodeInput) or (len(visible) == 1 and typed):
            target = visible[0][0]
    if target is None:
        return form
    for name, field in visible:
        if name == target:
            field.widget.attrs["autofocus"] = True
        else:
            field.widget.attrs.pop("autofocus", None)
    return form
