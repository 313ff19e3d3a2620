"""``python -m otp_core.upgrade``: the name table, the Python and template rewriter, the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from otp_core.upgrade import docs
from otp_core.upgrade.__main__ import main
from otp_core.upgrade.names import KINDS, NAMES, PYTHON_KINDS, lookup
from otp_core.upgrade.rewrite import rewrite_python, rewrite_template

# No database (the rewriter works on files): PostgreSQL and MariaDB cells deselect it.
pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[3]


def messages(problems) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems]


# -- the table ----------------------------------------------------------------------------


def test_every_entry_is_one_of_three_kinds_and_missing_ones_say_why():
    assert Counter(n.status for n in NAMES).keys() == {"1:1", "renamed", "missing"}
    for name in NAMES:
        assert name.kind in KINDS
        if name.new is None:
            assert len(name.note) > 20, name.old  # a reason, not a shrug
    olds = Counter((n.kind in PYTHON_KINDS, n.old) for n in NAMES)
    assert [key for key, count in olds.items() if count > 1] == []


def test_what_issue_12_asked_for_is_no_longer_missing():
    for old in (
        "django_otp.plugins.otp_static.lib.add_static_token",
        "django_otp.tests.ThrottlingTestMixin",
        "django_otp.tests.TestCase",
        "two_factor.templatetags.two_factor_tags.as_action",
        "two_factor.gateways.twilio.gateway.Twilio",
    ):
        assert lookup(old).new is not None, old


def test_the_guide_table_is_generated_from_the_data_module():
    included = ROOT / "docs" / "moving-over-names.inc"
    assert included.read_text(encoding="utf-8") == docs.render_table(), (
        "docs/moving-over-names.inc is stale: run "
        "python -m otp_core.upgrade.docs docs/moving-over-names.inc"
    )
    assert ".. include:: moving-over-names.inc" in (ROOT / "docs/moving-over.rst").read_text()


# -- Python -----------------------------------------------------------------------------------


def test_imports_are_rewritten_keeping_local_names():
    source = (
        "from django_otp import devices_for_user, login as otp_login\n"
        "from django_otp.tests import TestCase\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from two_factor.urls import urlpatterns as tf_urls\n"
        "from two_factor.plugins import email\n"
        "import two_factor.views as tf_views\n"
    )
    new, problems = rewrite_python(source)
    assert new == (
        "from otp_core import devices_for_user, login as otp_login\n"
        "from otp_core.testing import OTPTestCase as TestCase\n"
        "from otp_totp.models import TOTPDevice\n"
        "from two_factor_ui import urls as tf_urls\n"
        "import otp_email as email\n"
        "import two_factor_ui.views as tf_views\n"
    )
    assert problems == []


def test_an_import_mixing_names_of_two_new_modules_is_split():
    source = "if True:\n    from two_factor.forms import MethodForm, TOTPDeviceForm\n"
    new, _ = rewrite_python(source)
    assert new == (
        "if True:\n"
        "    from two_factor_ui.forms import MethodForm\n"
        "    from otp_totp.forms import TOTPSetupForm as TOTPDeviceForm\n"
    )


def test_missing_names_are_left_and_reported_with_file_and_line():
    source = "import os\nfrom django_otp.util import random_hex, random_number_token\n"
    new, problems = rewrite_python(source, "app/tokens.py")
    assert new == (
        "import os\n"
        "from otp_core.models.oath import random_hex_key as random_hex\n"
        "from django_otp.util import random_number_token\n"
    )
    [problem] = problems
    assert str(problem).startswith("app/tokens.py:2: django_otp.util.random_number_token")
    assert "has no equivalent: Codes are made where they are stored" in problem.message


def test_unknown_names_are_reported():
    _new, problems = rewrite_python("from django_otp.forms import NoSuchForm\n")
    assert messages(problems) == [
        "1: django_otp.forms.NoSuchForm is not in the name table: "
        "moved to otp_core.forms.NoSuchForm, check it exists"
    ]


def test_dotted_references_follow_their_import_and_gain_a_new_import():
    source = (
        "import django_otp\n"
        "x = django_otp.plugins.otp_totp.models.TOTPDevice.objects.all()\n"
        "django_otp.login(request, device)\n"
    )
    new, problems = rewrite_python(source)
    assert new == (
        "import otp_core\n"
        "import otp_totp.models\n"
        "x = otp_totp.models.TOTPDevice.objects.all()\n"
        "otp_core.login(request, device)\n"
    )
    assert problems == []


def test_strings_that_are_names_change_and_other_strings_do_not():
    source = (
        '"""Uses django_otp.forms and two_factor."""\n'
        'INSTALLED_APPS = ["django_otp", "two_factor", "two_factor.plugins.phonenumber"]\n'
        "MIDDLEWARE = ('django_otp.middleware.OTPMiddleware',)\n"
        'TWO_FACTOR_SMS_GATEWAY = "two_factor.gateways.twilio.gateway.Twilio"\n'
        'LOGIN_URL = "two_factor:login"\n'
        'url = reverse("two_factor:phone_create")\n'
        'page = render(request, "two_factor/core/otp_required.html")\n'
        'urls = include("two_factor.urls", namespace="two_factor")\n'
        'label = "two_factor"\n'
        'f = f"{prefix}two_factor.views"\n'
        'joined = "two_factor" ".views"\n'
    )
    new, problems = rewrite_python(source)
    assert new == (
        '"""Uses django_otp.forms and two_factor."""\n'
        'INSTALLED_APPS = ["otp_core", "two_factor_ui", "otp_phone"]\n'
        "MIDDLEWARE = ('otp_core.middleware.OTPMiddleware',)\n"
        'TWO_FACTOR_SMS_GATEWAY = "twilio"\n'
        'LOGIN_URL = "two_factor:login"\n'
        'url = reverse("otp_phone:setup")\n'
        'page = render(request, "otp_core/otp_required.html")\n'
        'urls = include("two_factor_ui.urls", namespace="two_factor")\n'
        'label = "two_factor"\n'
        'f = f"{prefix}two_factor.views"\n'
        'joined = "two_factor" ".views"\n'
    )
    assert messages(problems) == [
        "6: two_factor:phone_create is now otp_phone:setup: include('otp_phone.urls') as well."
    ]


def test_apps_that_merge_into_one_are_listed_once():
    source = (
        "INSTALLED_APPS = [\n"
        '    "django_otp.plugins.otp_email",\n'
        '    "two_factor.plugins.email",\n'
        '    "sample",\n'
        "]\n"
    )
    new, _ = rewrite_python(source)
    assert new == 'INSTALLED_APPS = [\n    "otp_email",\n    "sample",\n]\n'


def test_renamed_settings_and_missing_ones():
    source = (
        "TWO_FACTOR_WEBAUTHN_RP_ID = 'example.com'\n"
        "TWO_FACTOR_WEBAUTHN_PREFERRED_TRANSPORTS = ['usb']\n"
        "rp = settings.TWO_FACTOR_WEBAUTHN_RP_ID\n"
        "timeout = settings.TWO_FACTOR_LOGIN_TIMEOUT\n"
    )
    new, problems = rewrite_python(source)
    assert new == (
        "OTP_WEBAUTHN_RP_ID = 'example.com'\n"
        "TWO_FACTOR_WEBAUTHN_PREFERRED_TRANSPORTS = ['usb']\n"
        "rp = settings.OTP_WEBAUTHN_RP_ID\n"
        "timeout = settings.TWO_FACTOR_LOGIN_TIMEOUT\n"
    )
    assert [p.line for p in problems] == [2]
    assert "TWO_FACTOR_WEBAUTHN_PREFERRED_TRANSPORTS" in problems[0].message


def test_a_file_without_old_names_is_unchanged_byte_for_byte():
    source = "# é\nfrom otp_core import login\nx = 'two_factor_ui'\n"
    assert rewrite_python(source) == (source, [])


def test_unparsable_python_is_left_alone_and_reported():
    new, problems = rewrite_python("import django_otp\nif:\n", "broken.py")
    assert new == "import django_otp\nif:\n"
    assert str(problems[0]).startswith("broken.py:2: not parsed")


def test_non_ascii_text_before_a_name_keeps_offsets_right():
    source = 'x = "ünïcödé"; from django_otp import login\n'
    new, _ = rewrite_python(source)
    assert new == 'x = "ünïcödé"; from otp_core import login\n'


# -- templates -----------------------------------------------------------------------------


def test_template_names_url_names_and_blocks():
    source = (
        '{% extends "two_factor/_base.html" %}\n'
        "{% load two_factor_tags %}\n"
        "{% block extra_media %}{% endblock %}\n"
        "{% block content_wrapper %}{% block content %}"
        "<a href=\"{% url 'two_factor:phone_delete' device.pk %}\">x</a>"
        "{% include 'two_factor/core/phone_register.html' %}"
        "{% endblock %}{% endblock content_wrapper %}\n"
    )
    new, problems = rewrite_template(source, "templates/account.html")
    assert new == (
        '{% extends "two_factor/_base.html" %}\n'
        "{% load two_factor_tags %}\n"
        "{% block extra_head %}{% endblock %}\n"
        "{% block body %}{% block content %}"
        "<a href=\"{% url 'otp_phone:delete' device.pk %}\">x</a>"
        "{% include 'otp_phone/setup.html' %}"
        "{% endblock %}{% endblock body %}\n"
    )
    assert [p.line for p in problems] == [4]


def test_blocks_of_unrelated_templates_are_not_renamed():
    source = "{% extends 'base.html' %}{% block content_wrapper %}{% endblock %}"
    assert rewrite_template(source, "templates/shop/cart.html") == (source, [])


def test_missing_templates_are_reported():
    _new, problems = rewrite_template("\n{% include 'two_factor/twilio/token.xml' %}", "t.html")
    assert messages(problems)[0].startswith("2: two_factor/twilio/token.xml")


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text("from django_otp.decorators import otp_required\n")
    (tmp_path / "app" / "templates").mkdir()
    (tmp_path / "app" / "templates" / "page.html").write_text("{% url 'two_factor:profile' %}")
    (tmp_path / "app" / "migrations").mkdir()
    migration = "dependencies = [('otp_totp', '0001_initial')]\nimport django_otp\n"
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text(migration)
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text("import django_otp\n")
    return tmp_path


def test_check_changes_nothing_and_fails_when_something_would_change(project, capsys):
    views = project / "app" / "views.py"
    before = views.read_text()
    assert main(["--check", str(project)]) == 1
    assert views.read_text() == before
    out = capsys.readouterr().out
    assert f"would rewrite {views}" in out
    assert "1 file(s) would be rewritten" in out


def test_diff_then_rewrite_then_check_is_clean(project, capsys):
    assert main(["--check", "--diff", str(project)]) == 1
    out = capsys.readouterr().out
    assert "-from django_otp.decorators import otp_required" in out
    assert "+from otp_core.decorators import otp_required" in out
    assert main([str(project)]) == 0
    assert (project / "app" / "views.py").read_text() == (
        "from otp_core.decorators import otp_required\n"
    )
    # Migrations and virtualenv-like hidden directories are never touched.
    assert "import django_otp" in (project / "app" / "migrations" / "0001_initial.py").read_text()
    assert (project / ".venv" / "lib" / "x.py").read_text() == "import django_otp\n"
    assert main(["--check", str(project)]) == 0


def test_runs_as_a_module(project):
    result = subprocess.run(
        [sys.executable, "-m", "otp_core.upgrade", "--check", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "would rewrite" in result.stdout


def test_a_missing_path_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "nope")])
    assert exc.value.code == 2


def test_strings_that_only_look_like_names_are_left_and_shown():
    source = (
        'SALT = "two_factor.views.utils.hash_remember_device_cookie_value"\n'
        'LABELS = {"t": ("two_factor", "phonedevice")}\n'
        'FOREIGN = {"django_otp", "two_factor"}\n'
        'CONFIG = "django_otp.plugins.otp_totp.apps.OTPTOTPConfig"\n'
        'assert ("", "") == ("", "")\n'
        "INSTALLED_APPS = [\"a\"] + ['two_factor']\n"
    )
    new, problems = rewrite_python(source)
    assert new == source.replace("['two_factor']", "['two_factor_ui']")
    assert [p.line for p in problems] == [1, 4]
    assert all("left as is" in p.message for p in problems)
