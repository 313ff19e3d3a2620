"""``{% load two_factor_tags %}`` works as in django-two-factor-auth (issue 12)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load two_factor_tags %}" + source).render(Context(context))


def test_actions_of_a_code_device(example_device):
    example_device.name = "<script>"
    assert render("{{ d|as_action }}", d=example_device) == (
        f"Use {example_device.kind_label()} (&lt;script&gt;)"
    )
    assert render("{{ d|as_verbose_action }}", d=example_device).startswith(
        "Please enter the code shown by "
    )


def test_actions_of_a_text_message_device(challenge_device):
    assert render("{{ d|as_verbose_action }}", d=challenge_device) == (
        "We sent you a text message. Please enter the code in it."
    )
    assert render("{{ d|as_action }}", d=challenge_device).startswith("Use ")


def test_a_django_two_factor_auth_template_renders(example_device, challenge_device):
    source = (
        "{% for other in other_devices %}"
        '<button name="challenge_device" value="{{ other.persistent_id }}">'
        "{{ other|as_action }}</button>{% endfor %}"
    )
    html = render(source, other_devices=[example_device, challenge_device])
    assert html.count("<button") == 2
    assert "Use " in html


def test_the_filters_load_on_first_use_and_import_from_the_library():
    """The library registers the filters; their module loads when one is used (issue 15)."""
    import os
    import subprocess
    import sys

    code = "\n".join(
        [
            "import sys, django",
            "django.setup()",
            "from django.template import Context, Template",
            "t = Template('{% load two_factor_tags %}{{ n|mask_phone_number }}')",
            "assert 'two_factor_ui.device_text' not in sys.modules",
            "assert t.render(Context({'n': '+31 6 12345678'})) == '+31 * ******78'",
            "assert 'two_factor_ui.device_text' in sys.modules",
            "from two_factor_ui.templatetags.two_factor_tags import as_action",
            "from two_factor_ui.device_text import as_action as direct",
            "assert as_action is direct",
        ]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
