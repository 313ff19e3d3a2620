"""docs/getting-started.rst, "otp-core and otp-totp alone", followed in a new project.

A throwaway virtualenv gets only ``packages/otp-core`` and ``packages/otp-totp``
(and what they depend on); ``django-admin startproject`` makes a project; the
settings and URL snippets the page includes (``docs/snippets/``, the single
source) are applied as the page says; ``otp_generate_key``, ``migrate``,
``check`` and ``createsuperuser`` run; then a real ``runserver`` on loopback
is driven over HTTP: password-only sign-in of a user without a device, the
enrolment page's key, a code from ``pyotp``, the protected page, and a second
sign-in that needs password and code.

Run by the nox session ``newcomer`` (about a minute, most of it pip),
or directly: ``pytest tests/integration/test_getting_started.py``. Needs the
package index pip is configured with (for Django, cryptography, qrcode).
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SETTINGS_SNIPPET = DOCS / "snippets" / "core_settings.py"
URLS_SNIPPET = DOCS / "snippets" / "core_urls.py"
PASSWORD = "a long walk in the park"


def _run(*args: str | Path, env: dict[str, str] | None = None, check: bool = True, **kw):
    result = subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=600, **kw
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A new virtualenv with otp-core and otp-totp from this repository, nothing else of ours."""
    path = tmp_path_factory.mktemp("walk") / "venv"
    python = path / "bin" / "python"
    uv = shutil.which("uv")
    packages = [ROOT / "packages" / "otp-core", ROOT / "packages" / "otp-totp"]
    if uv:
        _run(uv, "venv", "--quiet", "--python", sys.executable, path)
        _run(uv, "pip", "install", "--quiet", "--python", python, *packages)
    else:
        _run(sys.executable, "-m", "venv", path)
        _run(python, "-m", "pip", "install", "--quiet", *packages)
    return path


def _env(venv: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OTP_"))}
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env.update(extra)
    return env


def test_the_page_includes_the_snippets_this_test_applies():
    page = (DOCS / "getting-started.rst").read_text()
    assert ".. literalinclude:: snippets/core_settings.py" in page
    assert ".. literalinclude:: snippets/core_urls.py" in page
    for command in (
        "python manage.py otp_generate_key",
        "export OTP_ENCRYPTION_KEY=",
        "python manage.py migrate",
        "python manage.py check",
        "python manage.py createsuperuser",
        "django-admin startproject mysite",
    ):
        assert command in page, command


@pytest.fixture(scope="module")
def project(venv: Path, tmp_path_factory) -> dict:
    """``startproject mysite`` with the snippets applied, migrated, and a user."""
    base = tmp_path_factory.mktemp("site")
    python = venv / "bin" / "python"
    # Only the two distributions of this repository are installed.
    shown = _run(python, "-c", "import otp_core.plugins as p; print(sorted(p.installed()))")
    assert shown.stdout.strip() == "['totp']"
    assert _run(python, "-c", "import two_factor_ui", check=False).returncode != 0

    _run(venv / "bin" / "django-admin", "startproject", "mysite", base, env=_env(venv))
    settings = base / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\n\n" + SETTINGS_SNIPPET.read_text())
    (base / "mysite" / "urls.py").write_text(URLS_SNIPPET.read_text())
    manage = [python, base / "manage.py"]

    # Step 4: before the key is set, the key command runs and check explains.
    key = _run(*manage, "otp_generate_key", env=_env(venv), cwd=base).stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{64,}", key)
    refused = _run(*manage, "check", env=_env(venv), cwd=base, check=False)
    assert refused.returncode != 0
    assert "KeyError" not in refused.stderr
    assert "otp_core.E003" in refused.stderr
    assert "OTP_ENCRYPTION_KEY" in refused.stderr
    assert "manage.py otp_generate_key" in refused.stderr

    env = _env(venv, OTP_ENCRYPTION_KEY=key)
    _run(*manage, "migrate", "--noinput", env=env, cwd=base)
    checked = _run(*manage, "check", env=env, cwd=base)
    assert "System check identified no issues" in checked.stdout, checked.stdout + checked.stderr
    _run(
        *manage,
        "createsuperuser",
        "--noinput",
        "--username",
        "walker",
        "--email",
        "walker@example.com",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        cwd=base,
    )
    return {"base": base, "manage": manage, "env": env}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(project: dict) -> Iterator[str]:
    port = _free_port()
    log = open(project["base"] / "runserver.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [*map(str, project["manage"]), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=project["env"],
        cwd=project["base"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError((project["base"] / "runserver.log").read_text()) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF tokens and redirects by hand, over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location or "", body) of one request."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(urllib.parse.urljoin(self.base, path), data=body)
        if data is not None:
            req.add_header("Referer", self.base + "/")
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request(path)

    def post_form(self, path: str, page: str, **fields: str) -> tuple[int, str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


def test_enrol_an_authenticator_app_and_sign_in_with_it(server: str):
    browser = Browser(server)
    status, location, _ = browser.get("/")
    assert (status, location) == (302, "/accounts/login/?next=/")

    # Step 6: the password alone; no device yet, so on to the set-up page.
    _, _, page = browser.get("/accounts/login/?next=/")
    status, location, _ = browser.post_form(
        "/accounts/login/?next=/", page, username="walker", password=PASSWORD, next="/"
    )
    assert (status, location) == (302, "/accounts/2fa/setup/?next=%2F")
    status, location, _ = browser.get(location)
    assert (status, location) == (302, "/accounts/2fa/setup/totp/?next=%2F")
    status, _, page = browser.get(location)
    assert status == 200
    assert "<svg" in page  # the QR code
    secret = re.search(r'<code class="otp-secret-key">([A-Z2-7 ]+)</code>', page)
    assert secret, page
    link = html.unescape(re.search(r'href="(otpauth://[^"]+)"', page).group(1))
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["issuer"] == ["My site"]
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
    status, location, _ = browser.post_form(
        "/accounts/2fa/setup/totp/", page, token=totp.now(), next="/"
    )
    assert (status, location) == (302, "/accounts/2fa/setup/done/?next=%2F")
    status, _, page = browser.get(location)
    assert status == 200
    assert 'href="/"' in page
    status, _, page = browser.get("/")
    assert (status, page) == (200, "Hello walker: you signed in with two factors.")

    # Step 7: a new browser needs the password and the code.
    again = Browser(server)
    _, _, page = again.get("/accounts/login/?next=/")
    status, _, refused = again.post_form(
        "/accounts/login/", page, username="walker", password=PASSWORD, next="/"
    )
    assert status == 200
    assert "one-time code" in refused
    assert again.get("/")[0] == 302
    # The set-up code's time step is used up: the app's next code (tolerance 1).
    status, location, _ = again.post_form(
        "/accounts/login/",
        refused,
        username="walker",
        password=PASSWORD,
        otp_token=totp.at(time.time() + 30),
        next="/",
    )
    assert (status, location) == (302, "/")
    assert again.get("/") == (200, "", "Hello walker: you signed in with two factors.")
