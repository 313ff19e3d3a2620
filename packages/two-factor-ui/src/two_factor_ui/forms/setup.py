"""The method choice of the setup wizard, built from the plugin registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..methods import setup_methods

__all__ = ["MethodForm"]


class MethodForm(forms.Form):
    """Pick one of the installed, non-backup plugins that can be set up."""

    method = forms.ChoiceField(label=_("Method"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plugins = {p.name: p for p in setup_methods()}
        self.fields["method"].choices = [(p.name, p.label) for p in self.plugins.values()]
        if self.plugins and not self.is_bound:
            self.fields["method"].initial = next(iter(self.plugins))
