"""Admin pages and foreign-key fields that take any id without a 500.

The admin's side of :mod:`otp_core.ids`, kept apart so that models importing
``ids`` do not import the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import ForeignKeyRawIdWidget

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
