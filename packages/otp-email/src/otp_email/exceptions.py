"""Errors of the e-mail plugin (no Django import: safe to load early)."""


class DeliveryError(Exception):
    """The code could not be mailed. The message is safe to log: it never holds the code."""
