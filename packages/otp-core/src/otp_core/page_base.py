"""Which page template a plugin's own pages extend.

Pages a plugin serves by itself (otp-phone's "Add a backup phone",
otp-webauthn's "Rename security key") look like the rest of the site's
two-factor pages: they extend two-factor-ui's ``two_factor/_base.html`` when
that is installed, and otp-core's plain ``otp_core/_base.html`` otherwise. A
site restyles both by overriding either template; no setting is needed.
"""

from __future__ import annotations

from django.template.loader import select_template

__all__ = ["BASE_TEMPLATES", "base_template"]

#: Tried in order; the first that exists is the base.
BASE_TEMPLATES = ("two_factor/_base.html", "otp_core/_base.html")


def base_template() -> str:
    """The name of the first base template in :data:`BASE_TEMPLATES` that exists."""
    return select_template(list(BASE_TEMPLATES)).template.name
