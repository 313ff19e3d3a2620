"""QR drawing (otp_core.qr): SVG by default, clear errors when it cannot draw."""

from __future__ import annotations

import sys
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ImproperlyConfigured

from otp_core.qr import QRImage, factory_problem, render_qr

URI = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"


def test_default_is_svg():
    image = render_qr(URI)
    assert image.content_type == "image/svg+xml"
    assert ElementTree.fromstring(image.content).tag.endswith("svg")
    html = str(image.as_html())
    assert html.startswith("<svg")
    assert ElementTree.fromstring(html).tag.endswith("svg")


def test_other_svg_factory(settings):
    settings.TWO_FACTOR_QR_FACTORY = "qrcode.image.svg.SvgImage"
    image = render_qr(URI)
    assert image.is_svg
    assert ElementTree.fromstring(image.content).tag.endswith("svg")


def test_non_svg_is_an_img_with_data_uri():
    html = str(QRImage(b"\x89PNG...", "image/png").as_html(alt="QR"))
    assert html.startswith('<img src="data:image/png;base64,')
    assert 'alt="QR"' in html


def test_bad_factory_is_improperly_configured(settings):
    settings.TWO_FACTOR_QR_FACTORY = "qrcode.image.nothing.Here"
    with pytest.raises(ImproperlyConfigured, match="TWO_FACTOR_QR_FACTORY"):
        render_qr(URI)
    assert "TWO_FACTOR_QR_FACTORY" in factory_problem()


def test_missing_qrcode_is_improperly_configured(monkeypatch):
    # A None entry makes "import qrcode" fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "qrcode", None)
    with pytest.raises(ImproperlyConfigured, match="'qrcode' package"):
        render_qr(URI)
    assert "qrcode" in factory_problem()


def test_defaults_have_no_problem():
    assert factory_problem() is None
