"""Sphinx configuration of the otp-* documentation site (plain reStructuredText)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

project = "otp-core and plugins"
author = "The otp-core authors"
copyright = "the otp-core authors"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "myst_parser"]
# The changelogs are the packages' own CHANGELOG.md files, included as Markdown.
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

# Pages may use autodoc: make the installed packages importable under the
# test project's settings when Django is there (the docs session installs it).
sys.path.insert(0, str(ROOT / "test_project"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_project.settings")
try:
    import django

    django.setup()
except ImportError:  # building the prose alone needs no Django
    pass

exclude_patterns = ["_build", "requirements.txt", "README*"]
root_doc = "index"
html_theme = "alabaster"
html_static_path: list[str] = []
autodoc_member_order = "bysource"
autodoc_typehints = "description"
