"""Admin pages and foreign-key fields that take any id without a 500.

The admin's side of :mod:`otp_core.ids`, kept apart so that models importing
``ids`` do not import the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.utils.translation import gettext_lazy as _

from .ids import SafeModelChoiceField, parse_pk

__all__ = ["SafeIdAdminMixin"]


class SafeIdAdminMixin:
    """Admin pages and foreign-key fields that take any id without a 500."""

    def get_object(self, request: Any, object_id: str, from_field: Any = None) -> Any:
        # An id no row can have ("٣", 2**63) is "not found" on every backend,
        # where Django 4.2 on SQLite would raise OverflowError (a 500).
        if from_field is None and parse_pk(self.model, object_id) is None:  # type: ignore[attr-defined]
            return None
        return super().get_object(request, object_id, from_field)  # type: ignore[misc]

    def response_action(self, request: Any, queryset: Any, *args: Any, **kwargs: Any) -> Any:
        # Django 6.1 adds action_location (actions on the change form too).
        # Django filters on the posted ids as they are: "<script>" or 2**63 in
        # _selected_action would be a 500. Refuse them like an empty selection.
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if any(parse_pk(self.model, value) is None for value in selected):  # type: ignore[attr-defined]
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("Items must be selected in order to perform actions on them."),
                messages.WARNING,
            )
            return None  # the change list redirects back to itself
        return super().response_action(request, queryset, *args, **kwargs)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", SafeModelChoiceField)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        widget = getattr(field, "widget", None)
        if field is not None and isinstance(widget, ForeignKeyRawIdWidget):
            widget.__class__ = _SafeRawIdWidget
        return field


class _SafeRawIdWidget(ForeignKeyRawIdWidget):
    """Shows a bad id shown again with its form error, without looking it up."""

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        model = self.rel.model
        if key in (model._meta.pk.name, model._meta.pk.attname) and parse_pk(model, value) is None:
            return "", ""
        return super().label_and_url_for_value(value)
