"""Errors of the phone plugin (no Django import: safe to load early)."""


class GatewayError(Exception):
    """A gateway could not send the text message or place the call.

    The message is safe to log: it never holds the code, and no more of the
    number than a masked form.
    """
