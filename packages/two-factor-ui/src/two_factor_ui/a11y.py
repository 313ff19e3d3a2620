"""Tie error messages and help texts to their inputs for assistive technology."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS

__all__ = ["describe_errors"]


def describe_errors(form: Any) -> Any:
    """Mark invalid fields with ``aria-invalid`` and point them at their messages.

    The ids match the templates: ``<field id>_errors`` for errors and
    ``<field id>_helptext`` for help texts. Works for any form, including a
    plugin's, because it only sets widget attributes.
    """
    if form is None or not getattr(form, "is_bound", False):
        return form
    errors = form.errors  # runs validation once if it has not run yet
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    if len(visible) == 1 and NON_FIELD_ERRORS in errors:
        # A form that asks one thing (a code): its refusal is about that input.
        moved = errors.pop(NON_FIELD_ERRORS)
        errors.setdefault(visible[0], form.error_class()).extend(moved)
    for name, field in form.fields.items():
        bound = form[name]
        auto_id = bound.auto_id
        if not auto_id:
            continue
        described = []
        if field.help_text:
            described.append(f"{auto_id}_helptext")
        if name in errors:
            described.append(f"{auto_id}_errors")
            field.widget.attrs["aria-invalid"] = "true"
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
    return form
