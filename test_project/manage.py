#!/usr/bin/env python
"""The test project's manage.py: tests and the demo site both run from here."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
