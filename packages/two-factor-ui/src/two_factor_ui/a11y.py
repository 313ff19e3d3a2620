"""Tie error messages and help texts to their inputs (now in otp-core, shared
with the plugins' own pages); kept here for the names two-factor-ui used."""

from __future__ import annotations

from otp_core.form_a11y import describe_errors, focus_answer

__all__ = ["describe_errors", "focus_answer"]
